"""Two users, one server: each sees and changes only their own reading list, on every route."""

from __future__ import annotations

import json

import pytest

from tests.corpus import demo_papers
from tests.servers import redis_client

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def two_users(demo_client, make_token):
    alice, bob = auth(make_token("alice")), auth(make_token("bob"))
    papers = demo_papers()
    for p in papers[:3]:
        assert demo_client.put(f"/api/v1/library/{p.id}", json={"tags": ["alice-tag"], "note": "alice's note"},
                               headers=alice).status_code == 201
    return demo_client, alice, bob, papers


def alice_view(client, alice) -> dict:
    body = client.get("/api/v1/library", headers=alice).get_json()
    return {it["paper"]["id"]: (it["tags"], it["note"], it["saved_at"]) for it in body["items"]}


def test_another_users_list_is_invisible(two_users):
    client, alice, bob, papers = two_users
    body = client.get("/api/v1/library", headers=bob).get_json()
    assert body["items"] == [] and body["total"] == 0
    assert client.get("/api/v1/library?tag=alice-tag", headers=bob).get_json()["total"] == 0
    assert client.get("/api/v1/library?q=alice", headers=bob).get_json()["total"] == 0
    # query parameters naming a user are not a way in
    assert client.get("/api/v1/library?user=alice", headers=bob).get_json()["total"] == 0


def test_guessed_ids_cannot_change_another_users_entries(two_users):
    client, alice, bob, papers = two_users
    before = alice_view(client, alice)
    for p in papers[:3]:
        assert client.patch(f"/api/v1/library/{p.id}", json={"note": "bob was here", "add_tags": ["bob"]},
                            headers=bob).status_code == 404
        assert client.delete(f"/api/v1/library/{p.id}", headers=bob).status_code == 404
    for odd in ("{u:alice}:lib:saved", "..%2F..%2F{u:alice}", "arxiv:../../{u:alice}", "title:*"):
        assert client.delete(f"/api/v1/library/{odd}", headers=bob).status_code == 404
        assert client.patch(f"/api/v1/library/{odd}", json={"note": "x"}, headers=bob).status_code in (404,)
    assert alice_view(client, alice) == before


def test_saving_the_same_paper_gives_each_user_their_own_entry(two_users):
    client, alice, bob, papers = two_users
    before = alice_view(client, alice)
    r = client.put(f"/api/v1/library/{papers[0].id}", json={"tags": ["bob-tag"], "note": "bob's"}, headers=bob)
    assert r.status_code == 201, "new to bob's list, whoever else saved it"
    assert r.get_json()["tags"] == ["bob-tag"]
    client.patch(f"/api/v1/library/{papers[0].id}", json={"tags": []}, headers=bob)
    client.delete(f"/api/v1/library/{papers[0].id}", headers=bob)
    assert alice_view(client, alice) == before


@pytest.mark.parametrize("fmt", ["bibtex", "csv", "json"])
def test_export_holds_only_the_callers_list(two_users, fmt):
    client, alice, bob, papers = two_users
    client.put(f"/api/v1/library/{papers[10].id}", headers=bob)
    text = client.get(f"/api/v1/library/export?format={fmt}", headers=bob).get_data(as_text=True)
    assert papers[10].title.split(":")[0] in text
    for p in papers[:3]:
        assert p.title.split(":")[0] not in text
    assert "alice" not in text


def test_import_goes_into_the_callers_list_only(two_users):
    client, alice, bob, papers = two_users
    before = alice_view(client, alice)
    exported = client.get("/api/v1/library/export?format=json", headers=alice).get_data(as_text=True)
    r = client.post("/api/v1/library/import", data=exported, content_type="application/json", headers=bob)
    assert r.status_code == 200 and r.get_json()["added"] == 3
    client.patch(f"/api/v1/library/{papers[0].id}", json={"note": "bob's copy"}, headers=bob)
    assert alice_view(client, alice) == before


def test_recommendations_and_dismissals_are_per_user(two_users):
    client, alice, bob, papers = two_users
    assert client.get("/api/v1/library/recommendations", headers=bob).get_json()["results"] == []
    alice_recs = client.get("/api/v1/library/recommendations?k=5", headers=alice).get_json()["results"]
    assert alice_recs
    assert client.post(f"/api/v1/library/{alice_recs[0]['id']}/dismiss", headers=bob).status_code == 200
    again = client.get("/api/v1/library/recommendations?k=5", headers=alice).get_json()["results"]
    assert [r["id"] for r in again] == [r["id"] for r in alice_recs]
    assert client.delete(f"/api/v1/library/{alice_recs[0]['id']}/dismiss", headers=alice).status_code == 404


def test_saved_flags_on_results_are_per_user(two_users):
    client, alice, bob, papers = two_users
    results = client.get("/api/v1/search?q=" + papers[0].title.split()[0] + "&k=50", headers=bob).get_json()["results"]
    assert not any(r.get("saved") for r in results)


def test_every_library_key_sits_under_its_users_hash_tag(two_users, settings):
    client, alice, bob, papers = two_users
    client.put(f"/api/v1/library/{papers[5].id}", json={"tags": ["b"]}, headers=bob)
    client.post(f"/api/v1/library/{papers[6].id}/dismiss", headers=bob)
    r = redis_client(settings.redis_url)
    keys = [k for k in r.scan_iter(f"{settings.key_prefix}:*") if ":lib:" in k]
    assert keys
    for key in keys:
        assert key.startswith(f"{settings.key_prefix}:{{u:alice}}:lib:") or \
            key.startswith(f"{settings.key_prefix}:{{u:bob}}:lib:"), key
        assert r.ttl(key) == -1, f"{key} must never expire"
    entry = next(k for k in keys if "{u:alice}" in k and ":lib:entry:" in k)
    assert json.loads(r.hget(entry, "paper"))["title"]
