"""Recommendations from a reading list, and "not interested"."""

from __future__ import annotations

import numpy as np
import pytest

from paperlens.indexing.live_index import paper_record
from paperlens.ranking.index import Index
from paperlens.ranking.recommend import profile
from paperlens.ranking.snapshot import PaperTable
from paperlens.ranking.view import View

from tests.corpus import demo_papers

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def recs(client, headers, query="k=10"):
    r = client.get(f"/api/v1/library/recommendations?{query}", headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def diffusion_ids(client, k=4) -> list[str]:
    return [r["id"] for r in client.get(f"/api/v1/search?q=diffusion+distillation&k={k}").get_json()["results"]]


def test_an_empty_list_gets_no_recommendations(demo_client, make_token):
    body = recs(demo_client, auth(make_token("alice")))
    assert body["results"] == [] and body["based_on"] == 0 and body["profile"] == []


def test_recommendations_are_like_the_saved_papers_and_exclude_them(demo_client, make_token):
    headers = auth(make_token("alice"))
    saved = diffusion_ids(demo_client, 3)
    for paper_id in saved:
        demo_client.put(f"/api/v1/library/{paper_id}", headers=headers)
    body = recs(demo_client, headers)
    ids = [r["id"] for r in body["results"]]
    assert body["based_on"] == 3 and len(ids) == 10
    assert not set(ids) & set(saved)
    assert body["profile"][0]["term"] in {"diffusion", "distillation"}
    assert all(r["saved"] is False and r["matched_terms"] for r in body["results"])
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    top = demo_client.get(f"/api/v1/papers/{ids[0]}").get_json()
    assert {"diffusion", "distillation"} & set((top["title"] + " " + top["abstract"]).lower().split())


def test_recommendations_for_one_tag_use_only_its_papers(demo_client, make_token):
    headers = auth(make_token("alice"))
    diffusion = diffusion_ids(demo_client, 2)
    for paper_id in diffusion:
        demo_client.put(f"/api/v1/library/{paper_id}", json={"tags": ["gen"]}, headers=headers)
    other = [r["id"] for r in demo_client.get("/api/v1/search?q=language+model+reasoning&k=2").get_json()["results"]]
    for paper_id in other:
        demo_client.put(f"/api/v1/library/{paper_id}", json={"tags": ["nlp"]}, headers=headers)
    gen = recs(demo_client, headers, "tag=gen&k=5")
    assert gen["based_on"] == 2 and gen["tag"] == "gen"
    assert not {r["id"] for r in gen["results"]} & set(diffusion + other), "every saved paper is excluded"
    assert {t["term"] for t in gen["profile"][:3]} & {"diffusion", "distillation"}
    assert recs(demo_client, headers, "tag=nothing")["results"] == []


def test_a_dismissed_paper_is_never_recommended_and_its_likes_rank_lower(demo_client, make_token):
    headers = auth(make_token("alice"))
    for paper_id in diffusion_ids(demo_client, 3):
        demo_client.put(f"/api/v1/library/{paper_id}", headers=headers)
    before = recs(demo_client, headers, "k=20")["results"]
    dismissed = before[0]["id"]
    r = demo_client.post(f"/api/v1/library/{dismissed}/dismiss", headers=headers)
    assert r.status_code == 200 and r.get_json() == {"id": dismissed, "dismissed": True}
    after = recs(demo_client, headers, "k=20")
    assert dismissed not in [x["id"] for x in after["results"]]
    assert after["dismissed"] == 1
    assert any(t["weight"] < 0 for t in after["profile"]), "the dismissed paper's own words pull down"
    # the paper most like the dismissed one ranks no higher than before
    like = demo_client.get(f"/api/v1/papers/{dismissed}/related?k=1").get_json()["results"][0]["id"]
    rank = lambda results: next((i for i, x in enumerate(results) if x["id"] == like), len(results))  # noqa: E731
    assert rank(after["results"]) >= rank(before) - 1
    # undo
    assert demo_client.delete(f"/api/v1/library/{dismissed}/dismiss", headers=headers).status_code == 204
    assert dismissed in [x["id"] for x in recs(demo_client, headers, "k=20")["results"]]


def test_saving_a_dismissed_paper_undoes_the_dismissal(demo_client, make_token):
    headers = auth(make_token("alice"))
    paper = demo_papers()[7]
    demo_client.post(f"/api/v1/library/{paper.id}/dismiss", headers=headers)
    demo_client.put(f"/api/v1/library/{paper.id}", headers=headers)
    assert recs(demo_client, headers)["dismissed"] == 0


def test_dismissing_an_unknown_paper_is_404(demo_client, make_token):
    headers = auth(make_token("alice"))
    assert demo_client.post("/api/v1/library/arxiv:2999.12345/dismiss", headers=headers).status_code == 404
    assert demo_client.post("/api/v1/library/garbage/dismiss", headers=headers).status_code == 404


def test_bad_recommendation_arguments_are_422(demo_client, make_token):
    headers = auth(make_token("alice"))
    for query in ("k=0", "k=101", "k=x", "summaries=all", "tag=" + "t" * 65):
        assert demo_client.get(f"/api/v1/library/recommendations?{query}", headers=headers).status_code == 422


def demo_view():
    papers = demo_papers()
    index = Index.build([p.indexed_text for p in papers], corpus_version=1)
    return papers, View(index, PaperTable.from_json([paper_record(p) for p in papers]))


def test_profile_weighs_shared_words_and_subtracts_dismissed_ones():
    papers, view = demo_view()
    texts = [p.indexed_text for p in papers[:4]]
    query = profile(view, texts, [])
    assert 0 < len(query.terms) <= 40 and np.all(query.weights > 0)
    assert list(query.weights) == sorted(query.weights, reverse=True)
    # a word every saved paper uses beats one that only one of them uses, at equal idf
    same = profile(view, texts + texts, [])
    assert same.terms == query.terms
    # dismissing the very papers one saved cancels the profile out
    assert len(profile(view, texts, texts).terms) == 0
    negative = profile(view, texts[:1], [papers[40].indexed_text])
    assert any(w < 0 for w in negative.weights) and len(negative.terms) <= 60
