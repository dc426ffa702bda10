"""Limits and bad input get clear JSON errors with the right status; CORS and security headers."""

from __future__ import annotations

import threading

import pytest
import redis

from paperlens.app import create_app

from tests.waiting import until


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]


def test_a_body_over_the_limit_is_413(settings):
    settings.max_body_bytes = 10_000
    client = create_app(settings).test_client()
    r = client.post("/api/v1/papers", json={"title": "x", "abstract": "y" * 20_000})
    assert r.status_code == 413 and error_of(r)["code"] == "payload_too_large"


def test_the_default_limit_is_one_megabyte(client):
    r = client.post("/api/v1/related", data=b'{"title": "' + b"a" * 1_100_000 + b'"}', content_type="application/json")
    assert r.status_code == 413


@pytest.mark.parametrize("query", ["q=x&k=101", "q=x&k=0", "q=x&k=ten", "q=" + "a" * 2001, "k=3"])
def test_search_arguments_out_of_range_are_422(demo_client, query):
    r = demo_client.get(f"/api/v1/search?{query}")
    assert r.status_code == 422 and error_of(r)["code"] == "invalid"


def test_wrong_types_and_nesting_name_each_field(demo_client):
    r = demo_client.post("/api/v1/papers", json={"title": {"nested": ["deep"]}, "authors": 5, "upvotes": "many"})
    details = error_of(r)["details"]
    assert r.status_code == 422
    flat = str(details)
    assert "title" in flat and "authors" in flat and "upvotes" in flat
    r = demo_client.post("/api/v1/related", json={"title": "t", "k": "x", "save": "perhaps"})
    assert r.status_code == 422 and {"k", "save"} <= set(error_of(r)["details"])
    r = demo_client.post("/api/v1/related", json=[1, 2, 3])
    assert r.status_code == 422
    r = demo_client.post("/api/v1/related", json={})
    assert r.status_code == 422


def test_bad_json_is_400(demo_client):
    r = demo_client.post("/api/v1/papers", data="{", content_type="application/json")
    assert r.status_code == 400 and error_of(r)["code"] == "bad_request"


@pytest.mark.parametrize("odd", ["arxiv:a b", "arxiv:*", "arxiv:{u:alice}", "doi:10.1/x\n", "title:" + "z" * 5000,
                                 "pl:paper:arxiv:1", "../../etc/passwd", "arxiv:1?x=1"])
def test_odd_ids_are_404_and_never_reach_redis(demo_app, settings, odd):
    client = demo_app.test_client()
    seen: list[str] = []
    monitor_client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    ready = threading.Event()
    stop = threading.Event()

    def watch():
        with monitor_client.monitor() as m:
            ready.set()
            for event in m.listen():
                seen.append(event["command"])
                if stop.is_set() or "paperlens-test-end" in event["command"]:
                    return

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    assert ready.wait(30), "MONITOR did not start"
    # MONITOR is on once a command sent now shows up in what it saw
    marker = redis.Redis.from_url(settings.redis_url)
    until(lambda: marker.echo("paperlens-test-start") and any("paperlens-test-start" in c for c in seen),
          what="MONITOR to report commands", timeout=30)
    for path in (f"/api/v1/papers/{odd}", f"/api/v1/papers/{odd}/related", f"/api/v1/papers/{odd}/summary"):
        r = client.get(path)
        assert r.status_code in (404, 422), (path, r.status_code)
        error_of(r)
    redis.Redis.from_url(settings.redis_url).get("paperlens-test-end")
    stop.set()
    thread.join(5)
    fragment = odd.split(":", 1)[-1][:50]
    assert not [c for c in seen if fragment in c and "paperlens-test-end" not in c]


def test_unknown_routes_and_methods_are_json(client):
    assert error_of(client.get("/api/v1/nothing-here"))["code"] == "not_found"
    r = client.delete("/api/v1/search")
    assert r.status_code == 405 and error_of(r)["code"] == "method_not_allowed"


def test_an_unexpected_failure_is_a_500_without_a_trace(app, monkeypatch):
    import paperlens.domain.corpus as search_module

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail /etc/shadow")

    monkeypatch.setattr(search_module, "search_papers", broken)
    r = app.test_client().get("/api/v1/search?q=x")
    assert r.status_code == 500
    assert "secret" not in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)
    assert error_of(r)["code"] == "internal"


def test_every_response_carries_security_headers(demo_client):
    for r in (demo_client.get("/api/v1/health"), demo_client.get("/api/v1/papers/arxiv:0"), demo_client.get("/api/v1/openapi.json")):
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["Referrer-Policy"] == "no-referrer"


def test_cors_answers_only_the_configured_extension_origins(settings):
    settings.cors_origins = ["chrome-extension://abcdefghijklmnopabcdefghijklmnop", "moz-extension://1234-5678"]
    client = create_app(settings).test_client()
    for origin in settings.cors_origins:
        r = client.options("/api/v1/search", headers={"Origin": origin, "Access-Control-Request-Method": "GET",
                                                     "Access-Control-Request-Headers": "Authorization"})
        assert r.headers.get("Access-Control-Allow-Origin") == origin
    for origin in ("https://evil.example", "chrome-extension://otherextension", "null"):
        r = client.get("/api/v1/health", headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in r.headers


def test_a_title_without_letters_or_digits_is_refused_not_a_crash(demo_client):
    r = demo_client.post("/api/v1/papers", json={"title": "???"})
    assert r.status_code == 422 and "title" in error_of(r)["details"]["papers"]["0"]
    r = demo_client.post("/api/v1/related", json={"title": "!!!", "save": True})
    assert r.status_code == 422
    assert demo_client.post("/api/v1/papers", json={"title": "???", "doi": "10.1234/sym"}).get_json()["added"] == 1


def test_lone_surrogates_in_json_become_replacement_characters(demo_client):
    body = '{"title": "Broken \\ud800 title", "abstract": "text \\udfff here", "authors": ["A \\ud801"]}'
    r = demo_client.post("/api/v1/papers", data=body, content_type="application/json")
    assert r.status_code == 200, r.get_data(as_text=True)
    paper_id = r.get_json()["results"][0]["id"]
    assert demo_client.get(f"/api/v1/papers/{paper_id}").get_json()["title"] == "Broken \ufffd title"
    r = demo_client.post("/api/v1/related", data='{"title": "x \\ud800", "abstract": "diffusion \\udc00"}',
                         content_type="application/json")
    assert r.status_code == 200
