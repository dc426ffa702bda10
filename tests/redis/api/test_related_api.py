"""Related papers, search, papers and health through the Flask test client against a real Redis."""

from __future__ import annotations

import pytest
import numpy as np
from rank_bm25 import BM25Okapi

from paperlens.ranking import tokenize

from tests.corpus import demo_papers

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


def first_demo_id(client) -> str:
    return client.get("/api/v1/search?q=diffusion&k=1").get_json()["results"][0]["id"]


def test_health_reports_corpus_and_index(demo_client):
    body = demo_client.get("/api/v1/health").get_json()
    assert body["status"] == "ok" and body["redis"] is True
    assert body["papers"] == 85
    assert body["index_version"] == body["corpus_version"] >= 1


def test_related_excludes_the_paper_and_matches_rank_bm25(demo_client):
    papers = demo_papers()
    target = papers[3]
    body = demo_client.get(f"/api/v1/papers/{target.id}/related?k=10").get_json()
    ids = [r["id"] for r in body["results"]]
    assert target.id not in ids and len(ids) == 10
    ref = BM25Okapi([tokenize(p.indexed_text) for p in papers])
    scores = ref.get_scores(tokenize(target.indexed_text))
    scores[3] = -np.inf
    expected = [papers[i].id for i in np.argsort(-scores, kind="stable")[:10]]
    assert ids == expected
    for result, i in zip(body["results"], np.argsort(-scores, kind="stable")[:10]):
        assert abs(result["score"] - scores[i]) <= 1e-6 * scores[i]


def test_related_results_explain_themselves(demo_client):
    target = demo_papers()[0]
    result = demo_client.get(f"/api/v1/papers/{target.id}/related?k=3").get_json()["results"][0]
    assert result["matched_terms"], "each result carries the words that made it related"
    assert all(t["weight"] > 0 for t in result["matched_terms"])
    words = {t["term"] for t in result["matched_terms"]}
    assert words <= set(target.indexed_text.casefold().replace("-", " ").split()) | {w.strip(".,:;()") for w in target.indexed_text.casefold().split()}
    assert result["tldr"]


def test_repeated_related_call_is_served_from_cache_and_ingest_invalidates(demo_client):
    target = demo_papers()[5]
    first = demo_client.get(f"/api/v1/papers/{target.id}/related").get_json()
    again = demo_client.get(f"/api/v1/papers/{target.id}/related").get_json()
    assert first["cached"] is False and again["cached"] is True
    assert again["results"] == first["results"]
    twin = {"title": target.title + " revisited", "abstract": target.abstract}
    demo_client.post("/api/v1/papers", json=twin)
    after = demo_client.get(f"/api/v1/papers/{target.id}/related").get_json()
    assert after["cached"] is False and after["corpus_version"] > first["corpus_version"]
    assert after["results"][0]["title"] == twin["title"]


def test_post_related_for_a_paper_not_in_the_corpus(demo_client):
    body = demo_client.post("/api/v1/related", json={
        "title": "Distilling diffusion models into one-step generators",
        "abstract": "We distill a text-to-image diffusion model into a one-step generator with score distillation.",
        "arxiv_id": "2999.00001v2", "k": 5,
    }).get_json()
    assert body["query"] == {"id": "arxiv:2999.00001", "in_corpus": False, "terms": body["query"]["terms"],
                             "url": "https://arxiv.org/abs/2999.00001", "saveable": True}
    assert len(body["results"]) == 5
    assert demo_client.get("/api/v1/papers/arxiv:2999.00001").status_code == 404


def test_post_related_with_save_adds_the_paper(demo_client):
    body = demo_client.post("/api/v1/related", json={
        "title": "A new paper about score distillation", "abstract": "Score distillation for diffusion.",
        "arxiv_id": "2999.00002", "save": True,
    }).get_json()
    assert body["query"]["in_corpus"] is True
    assert demo_client.get("/api/v1/papers/arxiv:2999.00002").get_json()["title"] == "A new paper about score distillation"


def test_posted_paper_is_searchable_at_once(demo_client):
    answer = demo_client.post("/api/v1/papers", json=[{"title": "Quokka locomotion on sandy terrain", "abstract": "Quokkas hop."}])
    assert answer.get_json()["added"] == 1
    results = demo_client.get("/api/v1/search?q=quokka").get_json()["results"]
    assert results[0]["title"] == "Quokka locomotion on sandy terrain"


def test_posting_the_same_paper_twice_merges(demo_client):
    p = {"title": "Merging Twice", "arxiv_id": "2999.00003"}
    assert demo_client.post("/api/v1/papers", json=p).get_json()["results"][0]["status"] == "added"
    richer = {**p, "abstract": "Now with an abstract.", "doi": "10.1234/ABC"}
    assert demo_client.post("/api/v1/papers", json=richer).get_json()["results"][0]["status"] == "merged"
    paper = demo_client.get("/api/v1/papers/doi:10.1234/abc").get_json()
    assert paper["id"] == "arxiv:2999.00003" and paper["abstract"] == "Now with an abstract."


def test_bad_input_gets_json_errors(demo_client):
    assert demo_client.get("/api/v1/search?q=x&k=101").status_code == 422
    r = demo_client.get("/api/v1/search?q=" + "a" * 2001)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid"
    r = demo_client.get("/api/v1/papers/arxiv:0000.00000")
    assert r.status_code == 404 and set(r.get_json()["error"]) == {"code", "message", "details"}
    r = demo_client.post("/api/v1/papers", json={"title": 5})
    assert r.status_code == 422 and "title" in str(r.get_json()["error"]["details"])
    r = demo_client.post("/api/v1/related", data="{not json", content_type="application/json")
    assert r.status_code == 400
    r = demo_client.get("/api/v1/papers/arxiv:{*}\n")
    assert r.status_code == 404


def test_openapi_document_lists_the_routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/papers/{paper_id}/related", "/api/v1/related", "/api/v1/search", "/api/v1/health"} <= set(spec["paths"])


def test_adding_papers_needs_a_token_off_loopback_even_with_public_reads(settings, store, make_token):
    from paperlens.app import create_app

    settings.host, settings.public_read = "0.0.0.0", True
    client = create_app(settings).test_client()
    assert client.get("/api/v1/search?q=x").status_code == 200
    assert client.post("/api/v1/papers", json={"title": "Spam"}).status_code == 401
    assert client.post("/api/v1/related", json={"title": "Spam", "save": True}).status_code == 401
    headers = {"Authorization": f"Bearer {make_token('carol')}"}
    assert client.post("/api/v1/papers", json={"title": "Real paper"}, headers=headers).status_code == 200


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


ARXIV_PAPERS = [
    {"title": "Score distillation for one-step diffusion", "abstract": "We distill diffusion models with score "
     "distillation into one-step generators.", "arxiv_id": "2401.00001"},
    {"title": "Diffusion distillation revisited", "abstract": "Score distillation of diffusion models, revisited.",
     "doi": "10.1234/Diffusion.2"},
]


def test_results_carry_their_page_and_saveable_and_saved_only_with_a_token(demo_client, make_token):
    demo_client.post("/api/v1/papers", json=ARXIV_PAPERS)
    anonymous = demo_client.get("/api/v1/papers/arxiv:2401.00001v3/related?k=5").get_json()
    assert anonymous["query"] == {"id": "arxiv:2401.00001", "in_corpus": True, "terms": anonymous["query"]["terms"],
                                  "url": "https://arxiv.org/abs/2401.00001", "saveable": True}
    by_id = {r["id"]: r for r in anonymous["results"]}
    assert by_id["doi:10.1234/diffusion.2"]["url"] == "https://doi.org/10.1234/diffusion.2"
    assert all(r["saveable"] is True and "saved" not in r for r in anonymous["results"])
    assert all(r["url"] is None or r["url"].startswith("https://") for r in anonymous["results"])

    ann, bob = bearer(make_token("ann")), bearer(make_token("bob"))
    demo_client.put("/api/v1/library/arxiv:2401.00001", headers=ann)
    demo_client.put("/api/v1/library/doi:10.1234/diffusion.2", headers=ann)
    for_ann = demo_client.get("/api/v1/papers/arxiv:2401.00001/related?k=5", headers=ann).get_json()
    for_bob = demo_client.get("/api/v1/papers/arxiv:2401.00001/related?k=5", headers=bob).get_json()
    assert for_ann["cached"] is True and for_bob["cached"] is True  # one cached list, flags per caller
    assert for_ann["query"]["saved"] is True and for_bob["query"]["saved"] is False
    assert {r["id"]: r["saved"] for r in for_ann["results"]}["doi:10.1234/diffusion.2"] is True
    assert not any(r["saved"] for r in for_bob["results"])
    searched = demo_client.get("/api/v1/search?q=score+distillation&k=3", headers=ann).get_json()["results"]
    assert {r["id"]: r["saved"] for r in searched}["arxiv:2401.00001"] is True
    assert all(r["saveable"] for r in searched) and searched[0]["url"].startswith("https://")


def test_post_related_says_whether_the_pages_paper_can_be_saved(demo_client, make_token):
    demo_client.post("/api/v1/papers", json=ARXIV_PAPERS)
    ann = bearer(make_token("ann"))
    known = demo_client.post("/api/v1/related", json={"arxiv_id": "2401.00001"}, headers=ann).get_json()["query"]
    assert known == {"id": "arxiv:2401.00001", "in_corpus": True, "terms": known["terms"],
                     "url": "https://arxiv.org/abs/2401.00001", "saveable": True, "saved": False}
    titled = demo_client.post("/api/v1/related", json={"title": "A new paper on score distillation",
                                                       "url": "https://example.org/p/1"}).get_json()["query"]
    assert titled["in_corpus"] is False and titled["saveable"] is True and titled["url"] == "https://example.org/p/1"
    untitled = demo_client.post("/api/v1/related", json={"abstract": "Only an abstract about score distillation.",
                                                         "doi": "10.1234/x"}).get_json()["query"]
    assert untitled["saveable"] is False and untitled["url"] == "https://doi.org/10.1234/x"
