"""Summaries through the API: a corpus paper's summary, any text's summary, TL;DRs in related results,
and the Redis cache behind them, against a real Redis."""

from __future__ import annotations

import json

import pytest
import redis

import paperlens.ranking.summaries as summaries_module
from paperlens.ranking.summaries import METHOD_VERSION
from paperlens.store.redis_client import connection_pool

from bench.redis_server import free_port
from tests.corpus import demo_papers

SHAPE = {"tldr", "sentences", "key_terms", "method"}

ABSTRACT = (
    "Large language models are often evaluated on static benchmarks. However, static benchmarks leak into "
    "training data over time. In this paper, we propose LiveBench, a benchmark whose questions are refreshed "
    "every month from recent sources. We show that contamination inflates scores on older benchmarks by up to "
    "twenty points. Our results suggest that refreshed benchmarks rank models more faithfully."
)


def summary_keys(client, settings) -> list[str]:
    return list(client.scan_iter(f"{settings.key_prefix}:cache:summary:*"))


@pytest.fixture
def rclient(settings):
    return redis.Redis.from_url(settings.redis_url, decode_responses=True)


def count_summarize_calls(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = summaries_module.summarize

    def counted(text, title=None, **kwargs):
        calls.append(title or text[:40])
        return real(text, title, **kwargs)

    monkeypatch.setattr(summaries_module, "summarize", counted)
    return calls


# -- GET /papers/{id}/summary ---------------------------------------------------------------------
def test_paper_summary_has_a_tldr_key_sentences_and_key_terms(demo_client):
    paper = demo_papers()[0]
    r = demo_client.get(f"/api/v1/papers/{paper.id}/summary")
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == SHAPE | {"paper_id"}
    assert body["paper_id"] == paper.id and body["method"] == METHOD_VERSION
    assert len(body["sentences"]) == 3 and body["tldr"] in body["sentences"]
    assert all(s in " ".join(paper.abstract.split()) for s in body["sentences"])
    assert body["key_terms"] and all(t.casefold() in (paper.title + " " + paper.abstract).casefold()
                                     for t in body["key_terms"])


def test_n_sets_how_many_key_sentences_come_back(demo_client):
    paper = demo_papers()[1]
    one = demo_client.get(f"/api/v1/papers/{paper.id}/summary?n=1").get_json()
    five = demo_client.get(f"/api/v1/papers/{paper.id}/summary?n=5").get_json()
    assert one["sentences"] == [one["tldr"]]
    assert len(five["sentences"]) == 5
    for bad in ("0", "11", "three"):
        r = demo_client.get(f"/api/v1/papers/{paper.id}/summary?n={bad}")
        assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid"


def test_unknown_paper_summary_is_404_in_the_error_format(demo_client):
    for missing in ("arxiv:0000.00000", "doi:10.9999/none", "not-an-id"):
        r = demo_client.get(f"/api/v1/papers/{missing}/summary")
        assert r.status_code == 404
        assert r.get_json()["error"]["code"] == "not_found"
        assert set(r.get_json()["error"]) == {"code", "message", "details"}


def test_paper_without_abstract_is_summarised_from_its_title(demo_client):
    title = "Quokka locomotion on sandy terrain"
    paper_id = demo_client.post("/api/v1/papers", json={"title": title}).get_json()["results"][0]["id"]
    body = demo_client.get(f"/api/v1/papers/{paper_id}/summary").get_json()
    assert body["tldr"] == title and body["sentences"] == [title]
    assert {"Quokka", "locomotion", "sandy", "terrain"} >= set(body["key_terms"]) >= {"locomotion"}


def test_paper_summary_works_while_redis_is_down(demo_app):
    client = demo_app.test_client()
    paper = demo_papers()[2]
    client.get("/api/v1/search?q=diffusion")  # the index snapshot is open before Redis goes away
    svc = demo_app.extensions["paperlens"]
    # reached as the store reaches Redis (one quick retry): redis-py's default client retries ten
    # times with backoff, which held this test for half a minute
    dead = redis.Redis(connection_pool=connection_pool(f"redis://127.0.0.1:{free_port()}/0", 0.2))
    svc.store.papers.r = svc.store.cache.r = svc.store.tokens.r = dead
    r = client.get(f"/api/v1/papers/{paper.id}/summary")
    assert r.status_code == 200 and r.get_json()["paper_id"] == paper.id and r.get_json()["tldr"]
    r = client.post("/api/v1/summarize", json={"text": ABSTRACT})
    assert r.status_code == 200 and r.get_json()["tldr"]


# -- POST /summarize --------------------------------------------------------------------------------
def test_summarize_any_text(client):
    r = client.post("/api/v1/summarize", json={"text": ABSTRACT, "title": "LiveBench: contamination-free evaluation"})
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == SHAPE and body["method"] == METHOD_VERSION
    assert len(body["sentences"]) == 3 and body["tldr"] in body["sentences"]
    assert "we propose LiveBench" in body["tldr"]
    two = client.post("/api/v1/summarize", json={"text": ABSTRACT, "n": 2}).get_json()
    assert len(two["sentences"]) == 2
    assert client.post("/api/v1/summarize", json={"text": ABSTRACT, "n": 11}).status_code == 422


def test_summarize_non_english_text(client):
    german = ("Wir stellen ein neues Verfahren zur Übersetzung wissenschaftlicher Texte vor. Das Verfahren "
              "nutzt große Sprachmodelle. Unsere Ergebnisse übertreffen bisherige Ansätze deutlich.")
    chinese = "我们提出了一种新的图像生成方法。该方法基于扩散模型。实验表明，它优于现有方法。"
    for text in (german, chinese):
        r = client.post("/api/v1/summarize", json={"text": text, "n": 2})
        assert r.status_code == 200
        body = r.get_json()
        assert len(body["sentences"]) == 2 and body["tldr"] in body["sentences"]
        assert body["key_terms"] and all(term in text for term in body["key_terms"])


def test_text_with_a_lone_surrogate_is_summarised(client):
    body = '{"text": "A lone \\ud800 surrogate from a PDF. Another sentence follows it.", "title": "\\udfff"}'
    r = client.post("/api/v1/summarize", data=body, content_type="application/json")
    assert r.status_code == 200 and "\ufffd" in r.get_json()["tldr"]


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"])
def test_blank_text_is_422(client, text):
    r = client.post("/api/v1/summarize", json={"text": text})
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "invalid" and "text" in error["details"]


def test_missing_text_is_422(client):
    r = client.post("/api/v1/summarize", json={"title": "Only a title"})
    assert r.status_code == 422 and "text" in r.get_json()["error"]["details"]


def test_text_over_100_kb_is_413_in_the_error_format(client):
    text = (ABSTRACT + " ") * (200_000 // len(ABSTRACT))  # ~200 KB: under the 1 MB body limit
    r = client.post("/api/v1/summarize", json={"text": text})
    assert r.status_code == 413
    assert r.get_json()["error"]["code"] == "payload_too_large"
    assert r.get_json()["error"]["details"]["bytes"] == len(text.encode())
    just_fits = ("é" * 50_000)[: 50_000]  # 100,000 bytes exactly
    assert client.post("/api/v1/summarize", json={"text": just_fits}).status_code == 200
    assert client.post("/api/v1/summarize", json={"text": just_fits + "x"}).status_code == 413


def test_body_over_1_mb_is_json_413_too(client):
    body = json.dumps({"text": "word " * 300_000})  # 1.5 MB: refused before the view runs
    r = client.post("/api/v1/summarize", data=body, content_type="application/json")
    assert r.status_code == 413
    assert r.is_json and r.get_json()["error"]["code"] == "payload_too_large"


# -- related results ----------------------------------------------------------------------------
def test_related_results_carry_tldrs_and_full_summaries(demo_client):
    paper = demo_papers()[4]
    plain = demo_client.get(f"/api/v1/papers/{paper.id}/related?k=5").get_json()["results"]
    assert all(r["tldr"] for r in plain) and all("summary" not in r for r in plain)
    full = demo_client.get(f"/api/v1/papers/{paper.id}/related?k=5&summaries=full").get_json()["results"]
    for result in full:
        assert set(result["summary"]) == SHAPE and result["tldr"] == result["summary"]["tldr"]
        own = demo_client.get(f"/api/v1/papers/{result['id']}/summary").get_json()
        assert result["summary"] == {k: own[k] for k in SHAPE}  # one summary per paper, whichever route
    posted = demo_client.post("/api/v1/related", json={"title": paper.title, "abstract": paper.abstract, "k": 3,
                                                       "summaries": "full"}).get_json()["results"]
    assert all(set(r["summary"]) == SHAPE for r in posted)
    none = demo_client.get(f"/api/v1/papers/{paper.id}/related?k=3&summaries=none").get_json()["results"]
    assert all("tldr" not in r and "summary" not in r for r in none)


def test_one_failing_summary_leaves_its_tldr_null_and_the_rest_intact(demo_client, monkeypatch):
    paper = demo_papers()[6]
    first = demo_client.get(f"/api/v1/papers/{paper.id}/related?k=5&summaries=none").get_json()["results"]
    broken_title = first[1]["title"]
    real = summaries_module.summarize

    def fails_for_one(text, title=None, **kwargs):
        if title == broken_title:
            raise ValueError("text to summarise is empty")
        return real(text, title, **kwargs)

    monkeypatch.setattr(summaries_module, "summarize", fails_for_one)
    r = demo_client.get(f"/api/v1/papers/{paper.id}/related?k=5")
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert results[1]["title"] == broken_title and results[1]["tldr"] is None
    assert all(result["tldr"] for i, result in enumerate(results) if i != 1)


def test_related_tldrs_use_an_idf_that_rates_unseen_words_high(demo_app):
    from paperlens.indexing.summary_cache import corpus_idf

    view = demo_app.extensions["paperlens"].index.view()
    idf = corpus_idf(view)
    import math

    assert idf("zzqxunseenstem") == pytest.approx(math.log((view.index.n_docs + 0.5) / 0.5))
    known = view.index.vocab.lookup(["diffus"])[0]
    assert known >= 0 and idf("diffus") == pytest.approx(float(view.index.idf[known]))
    assert idf("zzqxunseenstem") > idf("diffus") > 0


# -- the cache --------------------------------------------------------------------------------
def test_second_request_is_served_from_the_cache(demo_client, rclient, settings, monkeypatch):
    calls = count_summarize_calls(monkeypatch)
    paper = demo_papers()[7]
    first = demo_client.get(f"/api/v1/papers/{paper.id}/summary").get_json()
    assert len(calls) == 1 and len(summary_keys(rclient, settings)) == 1
    again = demo_client.get(f"/api/v1/papers/{paper.id}/summary").get_json()
    assert again == first and len(calls) == 1
    demo_client.get(f"/api/v1/papers/{paper.id}/summary?n=2")  # n is part of the key
    assert len(calls) == 2 and len(summary_keys(rclient, settings)) == 2
    demo_client.post("/api/v1/summarize", json={"text": ABSTRACT})
    demo_client.post("/api/v1/summarize", json={"text": ABSTRACT})
    assert len(calls) == 3 and len(summary_keys(rclient, settings)) == 3
    assert all(0 < rclient.ttl(k) <= 30 * 24 * 3600 for k in summary_keys(rclient, settings))


def test_related_results_reuse_cached_summaries(demo_client, monkeypatch):
    paper = demo_papers()[8]
    ids = [r["id"] for r in demo_client.get(f"/api/v1/papers/{paper.id}/related?k=4&summaries=none").get_json()["results"]]
    for paper_id in ids:
        demo_client.get(f"/api/v1/papers/{paper_id}/summary")
    calls = count_summarize_calls(monkeypatch)
    results = demo_client.get(f"/api/v1/papers/{paper.id}/related?k=4").get_json()["results"]
    assert [r["id"] for r in results] == ids and all(r["tldr"] for r in results)
    assert calls == []


def test_openapi_documents_the_summary_routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    get = spec["paths"]["/api/v1/papers/{paper_id}/summary"]["get"]
    post = spec["paths"]["/api/v1/summarize"]["post"]
    assert {"200", "404", "422"} <= set(get["responses"]) and {"200", "413", "422"} <= set(post["responses"])
    assert get["security"] == post["security"] == [{}, {"bearer": []}]
    assert any(p["name"] == "n" for p in get["parameters"])
