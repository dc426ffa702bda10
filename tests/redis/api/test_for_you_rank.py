"""POST /library/rank: a listing's papers scored against a reading list built in the test."""

from __future__ import annotations

import time

import pytest

from tests.corpus import demo_papers

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def search_ids(client, q: str, k: int) -> list[str]:
    return [r["id"] for r in client.get(f"/api/v1/search?q={q}&k={k}").get_json()["results"]]


def rank(client, headers, papers, **extra):
    r = client.post("/api/v1/library/rank", json={"papers": papers, **extra}, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@pytest.fixture
def alice(demo_client, make_token):
    return auth(make_token("alice"))


@pytest.fixture
def diffusion_list(demo_client, alice):
    """Alice saved the three papers a search for diffusion distillation finds first."""
    saved = search_ids(demo_client, "diffusion+distillation", 3)
    for paper_id in saved:
        assert demo_client.put(f"/api/v1/library/{paper_id}", headers=alice).status_code == 201
    return saved


def titles(client, ids):
    return {i: client.get(f"/api/v1/papers/{i}").get_json()["title"] for i in ids}


def test_each_candidate_gets_a_score_the_papers_it_is_closest_to_and_the_shared_words(demo_client, alice,
                                                                                     diffusion_list):
    near = [i for i in search_ids(demo_client, "diffusion+distillation+teacher+student", 8) if i not in diffusion_list][:3]
    far = [i for i in search_ids(demo_client, "language+model+reasoning+benchmark", 8) if i not in near][:3]
    fresh = {"title": "Distilling diffusion models into one-step generators",
             "abstract": "We distill a pretrained diffusion model into a one-step generator with score distillation.",
             "arxiv_id": "2999.12345v2"}
    body = rank(demo_client, alice, [{"id": i} for i in near + far] + [fresh, {"id": diffusion_list[0]}])

    results = body["results"]
    assert body["based_on"] == 3 and body["dismissed"] == 0 and body["tag"] is None
    assert [r["id"] for r in results] == near + far + ["arxiv:2999.12345", diffusion_list[0]], "one each, in order"
    assert all(0 <= r["score"] <= 100 for r in results)
    assert min(r["score"] for r in results[:3]) > max(r["score"] for r in results[3:6])
    assert results[6]["score"] > max(r["score"] for r in results[3:6]), "a paper not in the corpus is scored too"
    assert [r["in_corpus"] for r in results] == [True] * 6 + [False, True]
    assert [r["saved"] for r in results] == [False] * 7 + [True]
    named = titles(demo_client, diffusion_list)
    for r in results[:3] + [results[6]]:
        assert 1 <= len(r["because"]) <= 3
        assert all(b["id"] in diffusion_list and b["title"] == named[b["id"]] for b in r["because"])
        assert {"distillation", "diffusion"} & {t["term"] for t in r["matched_terms"]}
        assert all(t["weight"] > 0 for t in r["matched_terms"])
    assert diffusion_list[0] not in [b["id"] for b in results[7]["because"]], "a saved paper is not its own reason"


def test_a_score_does_not_depend_on_the_other_candidates(demo_client, alice, diffusion_list):
    one = search_ids(demo_client, "distillation", 6)[-1]
    others = [p.id for p in demo_papers()[:40]]
    alone = rank(demo_client, alice, [{"id": one}])["results"][0]
    crowded = rank(demo_client, alice, [{"id": i} for i in others[:20]] + [{"id": one}] + [{"id": i} for i in others[20:]])
    assert [r for r in crowded["results"] if r["id"] == one][0] == alone


def test_a_candidate_named_by_another_of_its_ids_answers_with_the_id_the_corpus_keeps(demo_client, alice,
                                                                                        diffusion_list):
    stored = {"title": "Score distillation for one-step diffusion", "abstract": "We study score distillation.",
              "arxiv_id": "2999.00777", "doi": "10.5555/score.distill"}
    assert demo_client.post("/api/v1/papers", json=stored, headers=alice).status_code == 200
    body = rank(demo_client, alice, [{"doi": "10.5555/SCORE.DISTILL", "title": "Score distillation"},
                                     {"id": "doi:10.5555/score.distill"}, {"id": "arxiv:2999.00777v3"}])
    assert [r["id"] for r in body["results"]] == ["arxiv:2999.00777"] * 3
    assert all(r["in_corpus"] for r in body["results"])
    assert len({r["score"] for r in body["results"]}) == 1, "the corpus's text is scored, not the listing's"


def test_an_unknown_id_is_answered_with_score_zero(demo_client, alice, diffusion_list):
    body = rank(demo_client, alice, [{"id": "arxiv:2999.99999"}])
    assert body["results"] == [{"id": "arxiv:2999.99999", "score": 0.0, "because": [], "matched_terms": [],
                                "meaning": None, "saved": False, "in_corpus": False}]


def test_dismissed_papers_push_similar_candidates_down(demo_client, alice, diffusion_list):
    candidates = [i for i in search_ids(demo_client, "distillation", 12) if i not in diffusion_list]
    before = {r["id"]: r["score"] for r in rank(demo_client, alice, [{"id": i} for i in candidates])["results"]}
    dismissed = max(before, key=before.get)
    assert demo_client.post(f"/api/v1/library/{dismissed}/dismiss", headers=alice).status_code == 200
    after_body = rank(demo_client, alice, [{"id": i} for i in candidates])
    after = {r["id"]: r["score"] for r in after_body["results"]}
    assert after_body["dismissed"] == 1
    assert after[dismissed] == 0, "as close to what was dismissed as to itself: nothing left"
    like = demo_client.get(f"/api/v1/papers/{dismissed}/related?k=1").get_json()["results"][0]["id"]
    if like in after:
        assert after[like] < before[like]
    assert sum(after.values()) < sum(before.values())


def test_a_tag_ranks_against_that_tags_papers_only(demo_client, alice):
    gen = search_ids(demo_client, "diffusion+distillation", 2)
    nlp = [i for i in search_ids(demo_client, "language+model+reasoning", 3) if i not in gen][:2]
    for paper_id in gen:
        demo_client.put(f"/api/v1/library/{paper_id}", json={"tags": ["gen"]}, headers=alice)
    for paper_id in nlp:
        demo_client.put(f"/api/v1/library/{paper_id}", json={"tags": ["nlp"]}, headers=alice)
    candidates = [{"id": p.id} for p in demo_papers()[:30]]
    body = rank(demo_client, alice, candidates, tag="gen")
    assert body["based_on"] == 2 and body["tag"] == "gen"
    assert {b["id"] for r in body["results"] for b in r["because"]} <= set(gen)
    assert rank(demo_client, alice, candidates, tag="nothing")["based_on"] == 0


def test_an_empty_list_scores_every_candidate_zero(demo_client, alice):
    body = rank(demo_client, alice, [{"id": p.id} for p in demo_papers()[:5]])
    assert body["based_on"] == 0
    assert all(r["score"] == 0 and r["because"] == [] and r["saved"] is False for r in body["results"])


def test_the_route_needs_a_token(demo_client):
    assert demo_client.post("/api/v1/library/rank", json={"papers": [{"id": "arxiv:1706.03762"}]}).status_code == 401


# -- hostile input --------------------------------------------------------------------------------
@pytest.mark.parametrize("body, field", [
    ({"papers": [{"id": f"arxiv:2401.{n:05d}"} for n in range(201)]}, "papers"),
    ({"papers": []}, "papers"),
    ({"papers": "arxiv:1706.03762"}, "papers"),
    ({}, "papers"),
    ({"papers": [{}]}, "papers"),
    ({"papers": [{"abstract": "no title and no id"}]}, "papers"),
    ({"papers": [{"title": "!!!"}]}, "papers"),
    ({"papers": [{"id": "nonsense"}]}, "papers"),
    ({"papers": [{"id": "arxiv:1706.03762", "colour": "red"}]}, "papers"),
    ({"papers": [{"title": "x", "abstract": "a" * 100_001}]}, "papers"),
    ({"papers": [{"id": "arxiv:1706.03762"}], "tag": "a,b"}, "tag"),
    ({"papers": [{"id": "arxiv:1706.03762"}], "tag": "x" * 65}, "tag"),
])
def test_bad_requests_are_422_naming_the_field(demo_client, alice, body, field):
    r = demo_client.post("/api/v1/library/rank", json=body, headers=alice)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["details"]


def test_two_hundred_candidates_are_the_most_accepted(demo_client, alice, diffusion_list):
    body = rank(demo_client, alice, [{"id": p.id} for p in demo_papers()[:85]] * 2 + [{"title": f"Paper {n}"}
                                                                                       for n in range(30)])
    assert len(body["results"]) == 200


def test_deep_json_is_400_and_a_huge_body_413(demo_client, alice):
    deep = "[" * 5000 + "]" * 5000
    r = demo_client.post("/api/v1/library/rank", data=deep, content_type="application/json", headers=alice)
    assert r.status_code == 400 and r.get_json()["error"]["details"]["depth"] == 5000
    huge = {"papers": [{"title": f"t{n}", "abstract": "word " * 10_000} for n in range(40)]}
    r = demo_client.post("/api/v1/library/rank", json=huge, headers=alice)
    assert r.status_code == 413


@pytest.mark.parametrize("run", ["a" * 100_000, "." * 100_000, "ü" * 100_000, "$" * 100_000, "a " * 50_000])
def test_long_runs_of_one_character_are_answered_quickly(demo_client, alice, diffusion_list, run):
    started = time.monotonic()
    body = rank(demo_client, alice, [{"title": "Runs " + run[:1995], "abstract": run}, {"title": "Diffusion distillation"}])
    assert time.monotonic() - started < 5
    assert len(body["results"]) == 2 and 0 <= body["results"][0]["score"] <= 100
    assert body["results"][1]["score"] > 0


@pytest.mark.parametrize("url", ["/api/v1/library/rank", "/api/v1/related/missing"])
@pytest.mark.parametrize("body", ['{"papers": [{"id": "arxiv:17', '{"title": "x", "bibliography": "@misc{', "\x00\xff"])
def test_a_truncated_or_binary_body_is_400(demo_client, alice, url, body):
    r = demo_client.post(url, data=body.encode("latin-1"), content_type="application/json", headers=alice)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"
