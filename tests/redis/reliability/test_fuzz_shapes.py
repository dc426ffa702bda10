"""The shapes that broke the server (issue 15), sent to every operation of the OpenAPI document:
long runs of one punctuation or whitespace character in every string field, query parameter and
path parameter, and deeply nested JSON in every JSON body. No answer may be a 5xx, an answer that
is not the JSON error format, or slow. Operations are read from the document, so a new route is
covered the day it is added."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
import requests

SHAPES = [".", "[", "{", "\\(", "$", "@", " ", "\t", "\n", "…", "-", "e.g. "]
DEFAULT_LENGTH = 20_000
URL_BYTES = 5_000  # query and path values, percent-encoded (a URL is not where long texts go)
SLOW = 5.0  # seconds: a guard against a stalled worker, far above any normal answer


@pytest.fixture(scope="module")
def api(live_server):
    spec = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=10).json()
    token = live_server.make_token("fuzz-admin", admin=True)
    return live_server.url, spec, {"Authorization": f"Bearer {token}"}


def operations(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method != "parameters":
                yield method.upper(), path, op


def resolve(spec, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def string_fields(spec, schema, prefix=()):
    """(path of keys, maxLength) of every string property, nested objects and lists of objects included."""
    schema = resolve(spec, schema)
    for name, prop in (schema.get("properties") or {}).items():
        prop = resolve(spec, prop)
        kind = prop.get("type")
        if kind == "string":
            yield prefix + (name,), prop.get("maxLength")
        elif kind == "object":
            yield from string_fields(spec, prop, prefix + (name,))
        elif kind == "array":
            items = resolve(spec, prop.get("items", {}))
            if items.get("type") == "string":
                yield prefix + (name, 0), items.get("maxLength")
            elif items.get("type") == "object" or "properties" in items:
                yield from string_fields(spec, items, prefix + (name, 0))


def body_with(keys, value):
    """The hostile value at `keys` (0 is a list's first item), in a body otherwise plausible: a
    paper needs a title to be looked at."""

    def build(keys):
        key, rest = keys[0], keys[1:]
        if not rest:
            return {key: value}
        if rest[0] == 0:
            return {key: [value if len(rest) == 1 else {"title": "A paper", **build(rest[1:])}]}
        return {key: {"title": "A paper", **build(rest)}}

    return {"title": "Sparse attention for long documents", **build(keys)}


def check(answer: requests.Response, seconds: float, what: str) -> None:
    assert answer.status_code < 500, f"{what}: {answer.status_code} {answer.text[:200]}"
    assert seconds < SLOW, f"{what}: {seconds:.1f} s"
    if answer.status_code >= 400:
        assert answer.headers["Content-Type"].startswith("application/json"), what
        assert set(answer.json()["error"]) == {"code", "message", "details"}, what


def send(method, url, headers, **kwargs):
    started = time.monotonic()
    answer = requests.request(method, url, headers=headers, timeout=60, **kwargs)
    return answer, time.monotonic() - started


def concrete(path: str, value: str = "arxiv:1706.03762") -> str:
    return path.replace("{paper_id}", value).replace("{feed_id}", "1")


@pytest.mark.parametrize("shape", SHAPES)
def test_every_string_field_query_and_path_takes_a_long_run_of_one_character(api, shape):
    base, spec, headers = api
    for method, path, op in operations(spec):
        content = (op.get("requestBody") or {}).get("content", {})
        if "application/json" in content:
            for keys, limit in string_fields(spec, content["application/json"]["schema"]):
                value = shape * ((limit or DEFAULT_LENGTH) // len(shape))
                answer, seconds = send(method, base + concrete(path), headers, json=body_with(keys, value))
                check(answer, seconds, f"{method} {path} {'.'.join(map(str, keys))}={shape!r}")
        for param in op.get("parameters", []):
            if param.get("in") == "query":
                value = shape * (URL_BYTES // len(quote(shape, safe="")))
                answer, seconds = send(method, base + concrete(path), headers, params={param["name"]: value})
                check(answer, seconds, f"{method} {path} ?{param['name']}={shape!r}")
        if "{" in path:
            hostile = quote(shape * (URL_BYTES // len(quote(shape, safe=""))), safe="")
            answer, seconds = send(method, base + concrete(path, hostile), headers)
            check(answer, seconds, f"{method} {path} with {shape!r} in the path")


def test_every_json_body_refuses_deep_nesting(api):
    base, spec, headers = api
    for method, path, op in operations(spec):
        if "application/json" in ((op.get("requestBody") or {}).get("content") or {}):
            for deep in ("[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000):
                answer, seconds = send(method, base + concrete(path), {**headers, "Content-Type": "application/json"},
                                       data=deep)
                check(answer, seconds, f"{method} {path} nested 5,000 deep")
                assert answer.status_code == 400, f"{method} {path}: {answer.status_code}"
