"""Many entries at once: bulk tag and remove, and exporting a selection (the library page's bulk bar)."""

from __future__ import annotations

import pytest

from tests.corpus import demo_papers

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def alice(demo_client, make_token):
    headers = auth(make_token("alice"))
    for paper in demo_papers()[:5]:
        demo_client.put(f"/api/v1/library/{paper.id}", json={"tags": ["seed"]}, headers=headers)
    return headers


def ids(n=5):
    return [p.id for p in demo_papers()[:n]]


def test_bulk_tagging_changes_every_entry_and_reports_the_rest(demo_client, alice):
    r = demo_client.post("/api/v1/library/bulk", json={"ids": ids(3) + ["arxiv:2999.99999"], "add_tags": ["to read"],
                                                         "remove_tags": ["seed"]}, headers=alice)
    assert r.status_code == 200
    body = r.get_json()
    assert [it["paper"]["id"] for it in body["items"]] == ids(3)
    assert all(it["tags"] == ["to read"] for it in body["items"])
    assert body["skipped"] == [{"id": "arxiv:2999.99999", "reason": "not in your reading list"}]
    listed = {it["paper"]["id"]: it["tags"] for it in demo_client.get("/api/v1/library", headers=alice).get_json()["items"]}
    assert listed[ids()[4]] == ["seed"], "entries not named are untouched"


def test_bulk_remove_removes_and_an_export_of_a_selection_has_only_it(demo_client, alice):
    exported = demo_client.post("/api/v1/library/export", json={"format": "json", "ids": ids(2)}, headers=alice)
    assert exported.status_code == 200 and exported.headers["Content-Disposition"].startswith("attachment")
    assert sorted(it["paper"]["id"] for it in exported.get_json()["items"]) == sorted(ids(2))
    bib = demo_client.post("/api/v1/library/export", json={"format": "bibtex", "ids": ids(1)}, headers=alice)
    assert bib.get_data(as_text=True).count("@") == 1
    r = demo_client.post("/api/v1/library/bulk", json={"ids": ids(2), "remove": True}, headers=alice)
    assert r.status_code == 200 and sorted(r.get_json()["removed"]) == sorted(ids(2))
    assert demo_client.get("/api/v1/library", headers=alice).get_json()["total"] == 3


def test_a_bulk_change_past_50_tags_skips_that_entry_only(demo_client, alice):
    full = [f"t{n}" for n in range(49)]
    demo_client.patch(f"/api/v1/library/{ids()[0]}", json={"add_tags": full}, headers=alice)  # 50 with "seed"
    r = demo_client.post("/api/v1/library/bulk", json={"ids": ids(2), "add_tags": ["one more"]}, headers=alice)
    body = r.get_json()
    assert [s["id"] for s in body["skipped"]] == [ids()[0]] and "50" in body["skipped"][0]["reason"]
    assert [it["paper"]["id"] for it in body["items"]] == [ids()[1]]


@pytest.mark.parametrize("path,body", [
    ("/api/v1/library/bulk", {"ids": ["arxiv:1706.03762"]}),
    ("/api/v1/library/bulk", {"ids": ["arxiv:1706.03762"], "add_tags": ["x"], "remove": True}),
    ("/api/v1/library/bulk", {"ids": [], "add_tags": ["x"]}),
    ("/api/v1/library/bulk", {"ids": ["not an id"], "add_tags": ["x"]}),
    ("/api/v1/library/bulk", {"ids": ["arxiv:1"] * 10001, "add_tags": ["x"]}),
    ("/api/v1/library/bulk", {"ids": ["arxiv:" + "1" * 400], "add_tags": ["x"]}),
    ("/api/v1/library/bulk", {"ids": ["arxiv:1706.03762"], "add_tags": ["a,b"]}),
    ("/api/v1/library/bulk", {"ids": "arxiv:1706.03762", "remove": True}),
    ("/api/v1/library/export", {"ids": ["arxiv:1706.03762"], "format": "docx"}),
    ("/api/v1/library/export", {"ids": []}),
    ("/api/v1/library/export", {"format": "json"}),
])
def test_hostile_bulk_bodies_get_422(demo_client, alice, path, body):
    r = demo_client.post(path, json=body, headers=alice)
    assert r.status_code == 422, r.get_json()
    assert set(r.get_json()["error"]) == {"code", "message", "details"}


def test_bulk_routes_need_a_token_and_refuse_hostile_raw_bodies(demo_client, alice):
    assert demo_client.post("/api/v1/library/bulk", json={"ids": ids(1), "remove": True}).status_code == 401
    assert demo_client.post("/api/v1/library/export", json={"ids": ids(1)}).status_code == 401
    for data in ["[" * 100000, '{"ids": ["arxiv:1', "x" * 2_000_000]:
        r = demo_client.post("/api/v1/library/bulk", data=data, content_type="application/json", headers=alice)
        assert r.status_code in (400, 413), r.status_code
    assert demo_client.get("/api/v1/library", headers=alice).get_json()["total"] == 5, "nothing was lost"
