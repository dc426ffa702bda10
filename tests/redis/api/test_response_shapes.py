"""Ranking answers are built by hand for speed (api/results.py); here real answers are dumped
through the schemas their routes declare, and nothing may change: no field the schema lacks, no
field of the wrong type, none missing that it requires."""

from __future__ import annotations

import pytest

from paperlens.schemas import (DigestResponse, MissingResponse, RankResponse, RecommendResponse, RelatedResponse,
                               SearchResponse)

from tests.corpus import demo_papers


def same_after_dump(schema, answer: dict) -> None:
    assert schema.dump(answer) == answer
    assert schema.validate(answer) == {}, schema.validate(answer)


@pytest.fixture
def token(make_token):
    return {"Authorization": f"Bearer {make_token('shapes')}"}


@pytest.mark.parametrize("summaries", ["none", "tldr", "full"])
@pytest.mark.parametrize("with_token", [False, True])
def test_related_answers_are_exactly_their_schema(demo_client, token, summaries, with_token):
    headers = token if with_token else {}
    paper = demo_papers()[5]
    demo_client.put(f"/api/v1/library/{paper.id}", headers=token)
    for _ in range(2):  # computed, then from the cache
        by_id = demo_client.get(f"/api/v1/papers/{paper.id}/related?k=4&summaries={summaries}", headers=headers)
        same_after_dump(RelatedResponse(), by_id.get_json())
        posted = demo_client.post("/api/v1/related", json={"title": "Fast diffusion sampling", "k": 3,
                                                          "summaries": summaries}, headers=headers)
        same_after_dump(RelatedResponse(), posted.get_json())


@pytest.mark.parametrize("with_token", [False, True])
def test_search_answers_are_exactly_their_schema(demo_client, token, with_token):
    body = demo_client.get("/api/v1/search?q=diffusion&k=5&summaries=full", headers=token if with_token else {})
    same_after_dump(SearchResponse(), body.get_json())


def test_recommendations_are_exactly_their_schema(demo_client, token):
    for paper in demo_papers()[:3]:
        demo_client.put(f"/api/v1/library/{paper.id}", headers=token)
    body = demo_client.get("/api/v1/library/recommendations?k=4", headers=token).get_json()
    assert body["results"]
    same_after_dump(RecommendResponse(), body)


def test_rank_digest_and_missing_answers_are_exactly_their_schema(demo_client, token):
    papers = demo_papers()
    for paper in papers[:3]:
        demo_client.put(f"/api/v1/library/{paper.id}", headers=token)
    ranked = demo_client.post("/api/v1/library/rank", headers=token, json={"papers": [
        {"id": p.id} for p in papers[:6]] + [{"title": "Fast diffusion sampling", "arxiv_id": "2999.00001"},
                                             {"id": "arxiv:2999.00002"}]}).get_json()
    assert ranked["results"][3]["because"]
    same_after_dump(RankResponse(), ranked)
    for summaries in ("none", "tldr", "full"):
        digest = demo_client.get(f"/api/v1/library/digest?k=3&summaries={summaries}", headers=token).get_json()
        assert digest["results"]
        same_after_dump(DigestResponse(), digest)
    missing = demo_client.post("/api/v1/related/missing", headers=token, json={
        "title": "Fast diffusion sampling", "abstract": "We sample diffusion models fast.", "k": 3,
        "bibliography": "@misc{a, title={x}}\n@misc{"}).get_json()
    assert missing["results"] and missing["bibliography"]["skipped"]
    same_after_dump(MissingResponse(), missing)
