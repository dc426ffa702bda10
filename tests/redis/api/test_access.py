"""Access is declared on each route: the rule runs before anything else, and the OpenAPI document
says the same thing the check does. Admin tokens, and tokens that act for a user."""

from __future__ import annotations

import pytest
import redis
from click.testing import CliRunner
from flask import Blueprint

from paperlens.api.access import requires_admin, rule_of
from paperlens.app import create_app
from paperlens.cli import main
from paperlens.cli.serving import first_run_token
from paperlens.services import Services
from paperlens.store.keys import Keys
from paperlens.store.tokens import TokenStore, hash_token

from tests.corpus import demo_papers

PAPER = demo_papers()[0].id
NOT_DECLARED = {"static", "api-docs.openapi_json"}  # flask's own and flask-smorest's document


def api_routes(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in NOT_DECLARED]


def test_every_route_declares_who_may_call_it(app):
    undeclared = [rule.rule for rule in api_routes(app) if rule_of(app.view_functions[rule.endpoint]) is None]
    assert undeclared == []


def test_openapi_security_matches_each_routes_rule(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    expected_security = {"public": [], "read": [{}, {"bearer": []}], "corpus-write": [{}, {"bearer": []}],
                         "token": [{"bearer": []}], "admin": [{"bearer": []}]}
    seen = set()
    for rule in api_routes(app):
        if rule.endpoint.startswith("docs."):
            continue  # the reference page and its files are not operations of the API
        declared = rule_of(app.view_functions[rule.endpoint]).name
        path = rule.rule.replace("<path:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = spec["paths"][path][method.lower()]
            assert operation["x-access"] == declared, (method, path)
            assert operation["security"] == expected_security[declared], (method, path)
            if declared in ("token", "admin"):
                assert "401" in operation["responses"], (method, path)
            seen.add(declared)
    assert {"public", "read", "corpus-write", "token"} <= seen
    kinds = {path: {m: op["x-access"] for m, op in ops.items() if m != "parameters"} for path, ops in spec["paths"].items()}
    assert kinds["/api/v1/library"]["get"] == "token" and kinds["/api/v1/search"]["get"] == "read"
    assert kinds["/api/v1/papers"]["post"] == "corpus-write" and kinds["/api/v1/health"]["get"] == "public"


# -- admin routes ------------------------------------------------------------------------------------
@pytest.fixture
def admin_client(settings):
    """The app with one more route declared @requires_admin (the real check, the real token store)."""
    app = create_app(settings)
    probe = Blueprint("probe", __name__)

    @probe.post("/api/v1/probe-admin")
    @requires_admin
    def probe_admin():
        return {"ok": True}

    app.register_blueprint(probe)
    return app.test_client()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_admin_routes_want_an_admin_token(admin_client, make_token):
    r = admin_client.post("/api/v1/probe-admin")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    assert admin_client.post("/api/v1/probe-admin", headers=bearer("pl_guessed")).status_code == 401
    plain = admin_client.post("/api/v1/probe-admin", headers=bearer(make_token("plain")))
    assert plain.status_code == 403
    assert plain.get_json()["error"]["code"] == "forbidden" and "admin" in plain.get_json()["error"]["message"]
    assert admin_client.post("/api/v1/probe-admin", headers=bearer(make_token("boss", admin=True))).status_code == 200


def test_an_admin_route_refuses_before_reading_the_body(admin_client, make_token):
    r = admin_client.post("/api/v1/probe-admin", data="{not json", headers=bearer(make_token("plain")))
    assert r.status_code == 403


# -- tokens ------------------------------------------------------------------------------------------
def test_several_named_tokens_act_for_one_users_list(demo_client, make_token):
    firefox, chromium = make_token("ext-firefox", user="ann"), make_token("ext-chromium", user="ann")
    assert demo_client.put(f"/api/v1/library/{PAPER}", json={}, headers=bearer(firefox)).status_code == 201
    listed = demo_client.get("/api/v1/library", headers=bearer(chromium)).get_json()
    assert [it["paper"]["id"] for it in listed["items"]] == [PAPER]
    # a token named like the user is a different token but the same list
    assert demo_client.get("/api/v1/library", headers=bearer(make_token("ann"))).get_json()["total"] == 1
    assert demo_client.get("/api/v1/library", headers=bearer(make_token("bob"))).get_json()["total"] == 0


def test_tokens_made_before_users_and_admin_keep_working(demo_client, settings):
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    keys, token = Keys(settings.key_prefix), "pl_an-old-style-token-made-by-an-earlier-version"
    digest = hash_token(token)
    client.hset(keys.token(digest), mapping={"name": "old", "digest": digest, "created": "1700000000.0"})
    client.hset(keys.token_names, "old", f"{digest}:1700000000.0")
    info = TokenStore(client, keys).lookup(token)
    assert (info.name, info.user, info.admin) == ("old", "old", False)
    assert demo_client.get("/api/v1/library", headers=bearer(token)).status_code == 200
    assert [(t.name, t.user, t.admin) for t in TokenStore(client, keys).list()] == [("old", "old", False)]


def test_token_store_keeps_only_hashes(settings):
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    tokens = TokenStore(client, Keys(settings.key_prefix))
    token = tokens.create("h", user="u", admin=True)
    dump = {k: client.hgetall(k) if client.type(k) == "hash" else None for k in client.scan_iter(f"{settings.key_prefix}:*")}
    assert token not in repr(dump) and hash_token(token) in repr(dump)
    with pytest.raises(ValueError):
        tokens.create("ok", user="not a name")


def test_token_commands_make_admin_and_user_tokens(settings, monkeypatch):
    monkeypatch.setenv("PAPERLENS_REDIS_URL", settings.redis_url)
    monkeypatch.setenv("PAPERLENS_KEY_PREFIX", settings.key_prefix)
    runner = CliRunner()
    made = runner.invoke(main, ["token", "create", "ext-firefox", "--user", "local", "--admin"])
    assert made.exit_code == 0 and made.output.startswith("pl_"), made.output
    runner.invoke(main, ["token", "create", "reader"])
    lines = runner.invoke(main, ["token", "list"]).output.splitlines()
    assert any(line.startswith("ext-firefox\tuser local\tadmin\t") for line in lines), lines
    assert any(line.startswith("reader\tuser reader\t-\t") for line in lines), lines
    bad = runner.invoke(main, ["token", "create", "x", "--user", "no spaces"])
    assert bad.exit_code != 0 and "user names" in bad.output


def test_the_first_run_token_is_an_admin_token_for_local(settings):
    svc = Services.create(settings)
    settings.data_dir.mkdir(parents=True)  # the embedded Redis made it, in `paperlens serve`
    first_run_token(svc)
    token = (settings.data_dir / "token").read_text().strip()
    info = svc.store.tokens.lookup(token)
    assert (info.name, info.user, info.admin) == ("local", "local", True)
    # an install from before admin tokens: its first-run token is kept and becomes an admin token
    old = svc.store.tokens.create("local")
    (settings.data_dir / "token").write_text(old + "\n")
    first_run_token(svc)
    assert (settings.data_dir / "token").read_text().strip() == old
    assert svc.store.tokens.lookup(old).admin
