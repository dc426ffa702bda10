"""GET/POST/DELETE /api/v1/feeds: anyone who may read sees the feeds; only an admin token changes them."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


ARXIV = {"kind": "arxiv", "options": {"category": ["cs.CL", "cs.LG"]}, "every": "6h"}


def test_an_admin_adds_lists_and_removes_a_feed(client, make_token):
    admin = bearer(make_token("boss", admin=True))
    r = client.post("/api/v1/feeds", json=ARXIV, headers=admin)
    assert r.status_code == 201, r.get_json()
    feed = r.get_json()
    assert feed["kind"] == "arxiv" and feed["options"] == {"category": ["cs.CL", "cs.LG"]} and feed["every"] == "6h"
    assert feed["description"] == "arxiv category=cs.CL,cs.LG" and feed["last_run"] is None and feed["next_run"]
    listed = client.get("/api/v1/feeds").get_json()["feeds"]
    assert [f["id"] for f in listed] == [feed["id"]]
    assert client.delete(f"/api/v1/feeds/{feed['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/feeds").get_json() == {"feeds": []}
    gone = client.delete(f"/api/v1/feeds/{feed['id']}", headers=admin)
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "not_found"


def test_a_plain_token_cannot_add_or_remove_feeds(client, make_token):
    plain = bearer(make_token("reader"))
    r = client.post("/api/v1/feeds", json=ARXIV, headers=plain)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    assert client.post("/api/v1/feeds", json=ARXIV).status_code == 401
    feed = client.post("/api/v1/feeds", json=ARXIV, headers=bearer(make_token("boss", admin=True))).get_json()
    assert client.delete(f"/api/v1/feeds/{feed['id']}", headers=plain).status_code == 403
    assert client.delete(f"/api/v1/feeds/{feed['id']}").status_code == 401
    assert len(client.get("/api/v1/feeds").get_json()["feeds"]) == 1


def test_a_feed_followed_already_is_a_conflict(client, make_token):
    admin = bearer(make_token("boss", admin=True))
    first = client.post("/api/v1/feeds", json=ARXIV, headers=admin).get_json()
    again = client.post("/api/v1/feeds", json={**ARXIV, "options": {"category": ["cs.LG", "cs.CL"]}, "every": "1d"},
                        headers=admin)
    assert again.status_code == 409 and again.get_json()["error"]["details"] == {"feed": first["id"]}


@pytest.mark.parametrize("body, field", [
    ({"kind": "rss", "options": {}, "every": "1d"}, "kind"),
    ({"kind": "arxiv", "options": {}, "every": "1d"}, "options"),
    ({"kind": "oai", "options": {"category": ["cs.CL"]}, "every": "1d"}, "options"),
    ({"kind": "oai", "options": {"set": "cs", "from": "2025-13-01"}, "every": "1d"}, "options"),
    ({"kind": "hf-daily", "options": {}, "every": "1s"}, "every"),
    ({"kind": "hf-daily", "options": {}, "every": "daily"}, "every"),
    ({"kind": "hf-daily", "options": {"colour": "red"}, "every": "1d"}, "options"),
    ({"kind": "biorxiv", "options": {"server": "chemrxiv"}, "every": "1d"}, "options"),
    ({"kind": "hf-daily", "every": "1d", "extra": 1}, "extra"),
])
def test_bad_feeds_get_422_naming_the_field(client, make_token, body, field):
    r = client.post("/api/v1/feeds", json=body, headers=bearer(make_token("boss", admin=True)))
    assert r.status_code == 422, r.get_json()
    assert field in json.dumps(r.get_json()["error"]["details"])
    assert client.get("/api/v1/feeds").get_json() == {"feeds": []}


def test_hostile_feed_bodies_get_clear_errors(client, make_token):
    admin = bearer(make_token("boss", admin=True))
    deep = '{"kind": "arxiv", "options": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + ', "every": "1d"}'
    for raw in (deep, "{" * 100_000, '{"kind": "arxiv", "options": {"query": "' + "q" * 200_000 + '"}, "every": "1d"}',
                '{"kind": "' + "k" * 100_000 + '", "every": "1d"}', "[]", "null"):
        r = client.post("/api/v1/feeds", data=raw, headers={**admin, "Content-Type": "application/json"})
        assert r.status_code in (400, 413, 422), (raw[:40], r.status_code)
        assert set(r.get_json()["error"]) == {"code", "message", "details"}
    long_id = client.delete("/api/v1/feeds/" + "9" * 5000, headers=admin)
    assert long_id.status_code == 404
    assert client.get("/api/v1/feeds").get_json() == {"feeds": []}


def test_the_feed_list_shows_how_the_last_run_went(client, make_token, settings):
    from paperlens.store import Store

    admin = bearer(make_token("boss", admin=True))
    feed = client.post("/api/v1/feeds", json={"kind": "hf-daily", "every": "1d"}, headers=admin).get_json()
    store = Store.open(settings)
    store.feeds.mark_finished(feed["id"], 1_750_000_000.0, 1_750_000_012.5,
                              {"fetched": 30, "added": 28, "merged": 2, "unchanged": 0, "skipped": 0, "requests": 1},
                              "arxiv.org failed 6 times; last: HTTP 503", 1_750_086_400.0)
    (shown,) = client.get("/api/v1/feeds").get_json()["feeds"]
    assert shown["last_run"] == {"started": "2025-06-15T15:06:40Z", "finished": "2025-06-15T15:06:52Z", "fetched": 30,
                                 "added": 28, "merged": 2, "unchanged": 0, "skipped": 0, "requests": 1}
    assert shown["added_total"] == 28 and shown["next_run"] == "2025-06-16T15:06:40Z"
    assert shown["last_error"] == "arxiv.org failed 6 times; last: HTTP 503"


def test_feeds_are_in_the_openapi_document_with_their_access(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["paths"]["/api/v1/feeds"]["get"]["x-access"] == "read"
    assert spec["paths"]["/api/v1/feeds"]["post"]["x-access"] == "admin"
    assert spec["paths"]["/api/v1/feeds/{feed_id}"]["delete"]["x-access"] == "admin"
