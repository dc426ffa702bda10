"""Who may call what: tokens on the reading-list routes, read routes on loopback or not, rate limits."""

from __future__ import annotations

import logging

import pytest

from paperlens.app import create_app
from paperlens.settings import Settings
from paperlens.store.keys import Keys
from paperlens.store.tokens import TokenStore, hash_token

from tests.corpus import demo_papers
from tests.servers import redis_client

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster

PAPER = demo_papers()[0].id

LIBRARY_ROUTES = [
    ("get", "/api/v1/library", None),
    ("get", "/api/v1/library/tags", None),
    ("put", f"/api/v1/library/{PAPER}", {"tags": ["x"]}),
    ("patch", f"/api/v1/library/{PAPER}", {"note": "x"}),
    ("delete", f"/api/v1/library/{PAPER}", None),
    ("get", "/api/v1/library/export?format=bibtex", None),
    ("post", "/api/v1/library/import", {"items": []}),
    ("get", "/api/v1/library/recommendations", None),
    ("post", f"/api/v1/library/{PAPER}/dismiss", None),
    ("delete", f"/api/v1/library/{PAPER}/dismiss", None),
    ("post", "/api/v1/library/rank", {"papers": [{"id": PAPER}]}),
    ("get", "/api/v1/library/digest", None),
    ("get", "/api/v1/library/digest/feed", None),
    ("post", "/api/v1/library/digest/feed", None),
    ("delete", "/api/v1/library/digest/feed", None),
    ("post", "/api/v1/related/missing", {"title": "x", "bibliography": []}),
]


def call(client, method, url, body, headers=None):
    return getattr(client, method)(url, json=body, headers=headers or {})


@pytest.mark.parametrize("method, url, body", LIBRARY_ROUTES)
def test_library_routes_need_a_token(demo_client, method, url, body):
    r = call(demo_client, method, url, body)
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == "unauthorized"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method, url, body", LIBRARY_ROUTES)
def test_library_routes_refuse_unknown_and_revoked_tokens(demo_client, settings, make_token, method, url, body):
    token = make_token("carol")
    TokenStore(redis_client(settings.redis_url), Keys(settings.key_prefix)).revoke("carol")
    for bad in (token, "pl_guessed", token + "x", "x" * 500):
        r = call(demo_client, method, url, body, {"Authorization": f"Bearer {bad}"})
        assert r.status_code == 401, bad
        assert "not valid" in r.get_json()["error"]["message"]


def test_a_replaced_token_stops_working(demo_client, make_token):
    old = make_token("dave")
    new = make_token("dave")
    assert demo_client.get("/api/v1/library", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    assert demo_client.get("/api/v1/library", headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_token_outside_the_bearer_header_is_not_accepted(demo_client, make_token):
    token = make_token("erin")
    assert demo_client.get(f"/api/v1/library?token={token}").status_code == 401
    assert demo_client.get("/api/v1/library", headers={"Authorization": f"Basic {token}"}).status_code == 401


def test_a_bad_body_without_a_token_is_401_not_422(demo_client):
    assert demo_client.put(f"/api/v1/library/{PAPER}", json={"tags": 5}).status_code == 401


def test_tokens_never_reach_the_log(demo_client, make_token, caplog):
    token = make_token("frank")
    with caplog.at_level(logging.DEBUG):
        demo_client.get("/api/v1/library", headers={"Authorization": f"Bearer {token}"})
        demo_client.get("/api/v1/library", headers={"Authorization": f"Bearer {token}x"})
        demo_client.put("/api/v1/library/arxiv:0000.0000", headers={"Authorization": f"Bearer {token}"})
    assert token not in caplog.text


# -- read routes ------------------------------------------------------------------------------------
READ_ROUTES = [
    ("get", f"/api/v1/papers/{PAPER}", None),
    ("get", f"/api/v1/papers/{PAPER}/related?k=2", None),
    ("get", "/api/v1/search?q=diffusion", None),
    ("get", f"/api/v1/papers/{PAPER}/summary", None),
    ("post", "/api/v1/related", {"title": "Diffusion distillation", "k": 2}),
]


def app_with(settings, store, **changes):
    for name, value in changes.items():
        setattr(settings, name, value)
    list(store.add_many(demo_papers()))
    return create_app(settings).test_client()


@pytest.mark.parametrize("method, url, body", READ_ROUTES)
def test_read_routes_are_open_on_loopback(settings, store, method, url, body):
    client = app_with(settings, store, host="127.0.0.1")
    assert call(client, method, url, body).status_code == 200


@pytest.mark.parametrize("method, url, body", READ_ROUTES)
def test_a_wrong_token_is_refused_even_where_reads_are_open(settings, store, make_token, method, url, body):
    # Answering anonymously would hide from the client (the extension) that its token is bad.
    client = app_with(settings, store, host="127.0.0.1")
    r = call(client, method, url, body, {"Authorization": "Bearer pl_revoked_or_guessed"})
    assert r.status_code == 401 and "invalid_token" in r.headers["WWW-Authenticate"]
    assert call(client, method, url, body, {"Authorization": f"Bearer {make_token('fine')}"}).status_code == 200


@pytest.mark.parametrize("method, url, body", READ_ROUTES)
def test_read_routes_need_a_token_when_bound_elsewhere(settings, store, make_token, method, url, body):
    client = app_with(settings, store, host="0.0.0.0")
    r = call(client, method, url, body)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert call(client, method, url, body, {"Authorization": "Bearer wrong"}).status_code == 401
    token = make_token("reader")
    assert call(client, method, url, body, {"Authorization": f"Bearer {token}"}).status_code == 200


def test_public_read_setting_overrides_the_bind_address(settings, store):
    open_client = app_with(settings, store, host="0.0.0.0", public_read=True)
    assert open_client.get("/api/v1/search?q=diffusion").status_code == 200
    # the library stays closed whatever PAPERLENS_PUBLIC_READ says
    assert open_client.get("/api/v1/library").status_code == 401
    closed = create_app(Settings(**{**settings.__dict__, "host": "127.0.0.1", "public_read": False})).test_client()
    assert closed.get("/api/v1/search?q=diffusion").status_code == 401


@pytest.mark.parametrize("method, url, body", READ_ROUTES)
def test_behind_a_proxy_on_loopback_reads_and_corpus_writes_need_a_token(settings, store, make_token, method, url,
                                                                          body):
    # A TLS proxy on the same machine reaches a server bound to 127.0.0.1 for every client on the net.
    client = app_with(settings, store, host="127.0.0.1", trusted_proxies=["127.0.0.1"])
    assert call(client, method, url, body).status_code == 401
    paper = {"title": "Posted through the proxy", "abstract": "Text."}
    assert client.post("/api/v1/papers", json=paper).status_code == 401
    token = {"Authorization": f"Bearer {make_token('reader')}"}
    assert call(client, method, url, body, token).status_code == 200
    assert client.post("/api/v1/papers", json=paper, headers=token).status_code == 200


def test_public_read_comes_from_the_environment():
    assert Settings.from_env({"PAPERLENS_PUBLIC_READ": "false"}).reads_need_token is True
    assert Settings.from_env({"PAPERLENS_PUBLIC_READ": "1", "PAPERLENS_HOST": "0.0.0.0"}).reads_need_token is False
    assert Settings.from_env({"PAPERLENS_HOST": "0.0.0.0"}).reads_need_token is True
    assert Settings.from_env({}).reads_need_token is False


# -- rate limits ------------------------------------------------------------------------------------
def test_over_the_rate_limit_answers_429_with_retry_after(settings, store, make_token):
    client = app_with(settings, store, rate_limit="3/minute")
    alice = {"Authorization": f"Bearer {make_token('alice')}"}
    for _ in range(3):
        assert client.get("/api/v1/library", headers=alice).status_code == 200
    r = client.get("/api/v1/library", headers=alice)
    assert r.status_code == 429
    assert r.get_json()["error"]["code"] == "rate_limited" and set(r.get_json()["error"]) == {"code", "message",
                                                                                                 "details"}
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    # the budget is shared by every route
    assert client.get("/api/v1/search?q=x", headers=alice).status_code == 429
    # another token has its own budget; health is never limited
    bob = {"Authorization": f"Bearer {make_token('bob')}"}
    assert client.get("/api/v1/library", headers=bob).status_code == 200
    assert client.get("/api/v1/health").status_code == 200


def test_rate_limit_keys_hold_the_token_hash_never_the_token(settings, store, make_token):
    client = app_with(settings, store, rate_limit="50/minute")
    token = make_token("alice")
    client.get("/api/v1/library", headers={"Authorization": f"Bearer {token}"})
    client.get("/api/v1/search?q=x")
    r = redis_client(settings.redis_url)
    keys = list(r.scan_iter(f"*{settings.key_prefix}:ratelimit*"))
    assert keys, "the limiter counts in the same Redis"
    assert not any(token in k for k in keys)
    assert any(hash_token(token) in k for k in keys)
    assert any("127.0.0.1" in k for k in keys), "requests without a token are counted per address"
    assert all(r.ttl(k) > 0 for k in keys), "counters expire"


def test_invalid_tokens_share_the_address_budget(settings, store):
    client = app_with(settings, store, rate_limit="2/minute")
    for n in range(2):
        client.get("/api/v1/library", headers={"Authorization": f"Bearer guess{n}"})
    assert client.get("/api/v1/library", headers={"Authorization": "Bearer guess9"}).status_code == 429


def test_rate_limit_comes_from_the_environment():
    assert Settings.from_env({"PAPERLENS_RATE_LIMIT": "10/second"}).rate_limit == "10/second"
    assert Settings.from_env({}).rate_limit == "600/minute"
