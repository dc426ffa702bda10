"""Connecting the browser extension: a one-time code from the terminal becomes a token of the
extension's own, once, and only for a request from a browser extension; a web page gets nothing."""

from __future__ import annotations

import re
import threading

import pytest
from click.testing import CliRunner

from paperlens.cli import main
from paperlens.services import Services
from paperlens.store import pairing
from paperlens.store.pairing import MAX_CLIENT_FAILURES

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster

FROM_CHROMIUM = {"Origin": "chrome-extension://abcdefghijklmnopabcdefghijklmnop"}
FROM_FIREFOX = {"Origin": "moz-extension://6a8b8c2e-1111-4222-8333-944455556666"}


@pytest.fixture
def store(settings):
    return Services.create(settings).store


def exchange(client, code, headers=FROM_CHROMIUM, **extra):
    return client.post("/api/v1/connect", json={"code": code, "client": "chromium", **extra}, headers=headers)


def test_a_code_becomes_a_token_for_its_user_once(client, store):
    code = store.pairing.issue("local").code
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    r = exchange(client, code)
    assert r.status_code == 201
    body = r.get_json()
    assert body["user"] == "local" and body["name"].startswith("ext-chromium-")
    info = store.tokens.lookup(body["token"])
    assert info.user == "local" and not info.admin, "the extension's token is not an admin token"
    library = client.get("/api/v1/library", headers={"Authorization": f"Bearer {body['token']}"})
    assert library.status_code == 200
    again = exchange(client, code)
    assert again.status_code == 403 and "not valid" in again.get_json()["error"]["message"]


def test_codes_are_typed_loosely_but_stored_only_as_hashes(client, store, settings):
    code = store.pairing.issue("local").code
    raw = store._redis.hgetall(store.keys.pairing_codes)
    assert code.replace("-", "") not in str(raw) and code not in str(raw)
    r = exchange(client, f"  {code.lower().replace('-', ' ')} ", headers=FROM_FIREFOX)
    assert r.status_code == 201 and r.get_json()["name"].startswith("ext-chromium-")


@pytest.mark.parametrize("origin", [None, "https://evil.example", "null", "http://127.0.0.1:8420",
                                    "chrome-extension://x/../evil", "moz-extension://"])
def test_a_request_that_is_not_from_an_extension_gets_nothing_and_spends_nothing(client, store, origin):
    code = store.pairing.issue("local").code
    headers = {} if origin is None else {"Origin": origin}
    r = exchange(client, code, headers=headers)
    assert r.status_code == 403
    assert "token" not in r.get_data(as_text=True).lower().replace("connect codes are accepted", "")
    assert exchange(client, code).status_code == 201, "the refused request did not use the code up"


def test_a_flood_of_wrong_codes_from_one_client_voids_no_code_used_from_elsewhere(client, store):
    code = store.pairing.issue("local").code
    for n in range(5 * MAX_CLIENT_FAILURES):
        assert exchange(client, f"WRONG{n:05d}").status_code in (403, 429)
    refused = exchange(client, code)  # the flooding client itself is refused, before the code is looked at
    assert refused.status_code == 429 and "from this client" in refused.get_json()["error"]["message"]
    assert exchange(client, code, headers=FROM_FIREFOX).status_code == 201, "the code stayed valid for others"


def test_a_client_gets_its_wrong_guesses_and_then_429_for_the_window(client, store):
    for n in range(MAX_CLIENT_FAILURES):
        assert exchange(client, f"WRONG{n:05d}").status_code == 403
    assert exchange(client, "WRONG99999").status_code == 429
    windows = [store._redis.pttl(key) for key in store._redis.scan_iter(f"{store.keys.pairing_failures}*")]
    assert windows and all(0 < ms <= pairing.WINDOW_SECONDS * 1000 for ms in windows), "the count ends with its window"


def test_guesses_from_every_client_together_are_bounded_without_voiding_codes(client, store, monkeypatch):
    monkeypatch.setattr(pairing, "MAX_FAILURES", 3)
    code = store.pairing.issue("local").code
    for n in range(3):
        headers = {"Origin": f"chrome-extension://rotating{n:026d}"}
        assert exchange(client, f"WRONG{n:05d}", headers=headers).status_code == 403
    busy = exchange(client, code)
    assert busy.status_code == 429 and "many clients" in busy.get_json()["error"]["message"]
    fresh = store.pairing.issue("local").code  # the operator issuing a code starts a new window
    assert exchange(client, code).status_code == 201 and exchange(client, fresh).status_code == 201


def test_an_expired_code_says_so(client, store):
    old = store.pairing.issue("local").code
    # Move its expiry into the past, as time would (rather than sleeping past it).
    (digest, value), = store._redis.hgetall(store.keys.pairing_codes).items()
    store._redis.hset(store.keys.pairing_codes, digest, "1000:" + value.split(":", 1)[1])
    r = exchange(client, old)
    assert r.status_code == 403 and "expired" in r.get_json()["error"]["message"]


def test_two_browsers_racing_for_one_code_get_one_token(settings, store):
    from paperlens.app import create_app

    app = create_app(settings)
    code = store.pairing.issue("local").code
    answers = []

    def race():
        answers.append(exchange(app.test_client(), code).status_code)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [201] + [403] * 7


@pytest.mark.parametrize("body,status", [
    ({"code": "A" * 65}, 422),
    ({"code": ""}, 422),
    ({}, 422),
    ({"code": "ABCDE-FGHJK", "client": "<script>"}, 422),
    ({"code": "ABCDE-FGHJK", "client": "x" * 21}, 422),
    ({"code": "ABCDE-FGHJK", "extra": 1}, 422),
    ({"code": ["ABCDE"]}, 422),
    ({"code": "\x00" * 64}, 403),
])
def test_hostile_bodies_get_clear_errors(client, store, body, status):
    store.pairing.issue("local")
    r = client.post("/api/v1/connect", json=body, headers=FROM_CHROMIUM)
    assert r.status_code == status
    assert set(r.get_json()["error"]) == {"code", "message", "details"}


def test_hostile_raw_bodies_get_clear_errors(client):
    for data in ["{" * 10000 + "}" * 10000, '{"code": "ABC', "not json", "[" * 100000]:
        r = client.post("/api/v1/connect", data=data, content_type="application/json", headers=FROM_CHROMIUM)
        assert r.status_code in (400, 422), data[:20]
        assert r.get_json()["error"]["code"]
    big = client.post("/api/v1/connect", data='{"code": "' + "A" * 2_000_000 + '"}', content_type="application/json",
                      headers=FROM_CHROMIUM)
    assert big.status_code == 413


def test_the_connect_page_runs_no_script(client):
    r = client.get("/connect")
    assert r.status_code == 200 and r.mimetype == "text/html"
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "'unsafe-inline'" not in csp
    html = r.get_data(as_text=True)
    assert '<meta name="paperlens-connect"' in html and 'id="status"' in html
    assert "<script" not in html.lower()


def test_paperlens_connect_prints_a_link_and_a_code_that_work(settings, monkeypatch, client, store):
    monkeypatch.setenv("PAPERLENS_REDIS_URL", settings.redis_url)
    monkeypatch.setenv("PAPERLENS_KEY_PREFIX", settings.key_prefix)
    monkeypatch.setenv("PAPERLENS_DATA_DIR", str(settings.data_dir))
    result = CliRunner().invoke(main, ["connect", "--user", "alice"])
    assert result.exit_code == 0, result.output
    link = re.search(r"http://127\.0\.0\.1:8420/connect#code=([A-Z2-9]{5}-[A-Z2-9]{5})", result.output)
    assert link and f"type the code {link.group(1)}" in result.output
    r = exchange(client, link.group(1))
    assert r.status_code == 201 and r.get_json()["user"] == "alice"
    bad = CliRunner().invoke(main, ["connect", "--user", "no spaces allowed"])
    assert bad.exit_code != 0


def test_deeply_nested_json_is_a_clear_400_on_every_json_route(client, make_token):
    # Found while fuzzing the connect route: the JSON parser recursed into a 500 on any route.
    headers = {**FROM_CHROMIUM, "Authorization": f"Bearer {make_token('deep')}"}
    for path in ["/api/v1/connect", "/api/v1/related", "/api/v1/papers", "/api/v1/library/import?format=json"]:
        r = client.post(path, data="[" * 100000, content_type="application/json", headers=headers)
        assert r.status_code == 400, path
        assert r.get_json()["error"]["message"]
