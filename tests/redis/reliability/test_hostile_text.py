"""Texts built to make the summariser slow: long runs of one punctuation character, unclosed TeX
openers, one 100 KB "sentence". Each must cost bounded, linear work — in the sentence splitter, in
a summary, and in a list of related papers that contains a poisoned paper (issue 15, findings 1-2).

The limits asserted here are generous guards against a hang (the old splitter took ~22 s for
40,000 dots and a gunicorn worker timeout at 100,000), not speed targets: those live in bench/.
"""

from __future__ import annotations

import time

import pytest
import redis

import paperlens.indexing.summary_cache as summary_cache
from paperlens.ranking.sentences import split_sentences
from paperlens.ranking.summaries import LEAD_METHOD, METHOD_VERSION, summarize

SHAPES = [".", "!", "?", "…", "。", ".)", '."', "$", "$$", "\\(", "\\[", "\\(a", "www.", "a.", "U.S.", "e.g. ",
          "A. ", ". ", "-\n", "\n", " ", "\t", "(", "["]
SIZE = 100_000


def hostile(shape: str, size: int = SIZE) -> str:
    return (shape * (size // len(shape) + 1))[:size]


@pytest.mark.parametrize("shape", SHAPES)
def test_splitting_a_long_run_of_one_shape_is_linear(shape):
    started = time.monotonic()
    split_sentences(hostile(shape))
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("shape", [s for s in SHAPES if s.strip()])  # blank text is refused before summarising
def test_summarising_a_long_run_of_one_shape_is_bounded(shape):
    text = hostile(shape)
    started = time.monotonic()
    summary = summarize(text)
    assert time.monotonic() - started < 3.0
    assert summary.tldr and len(summary.tldr) <= 400


def test_splitting_still_finds_sentences_after_a_run_of_dots():
    sentences = split_sentences("We propose a method...... It works. See \\(x + y\\). Done.")
    assert sentences == ["We propose a method......", "It works.", "See \\(x + y\\).", "Done."]


def test_summarize_route_answers_json_for_one_hundred_thousand_dots(client):
    started = time.monotonic()
    r = client.post("/api/v1/summarize", json={"text": hostile(".")})
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.get_json()["method"] == METHOD_VERSION
    assert time.monotonic() - started < 5.0


def poisoned_paper(dots: int) -> dict:
    return {"title": "Sparse attention for long context transformers",
            "abstract": "Sparse attention for long context transformers. " + "." * dots,
            "arxiv_id": "2501.99999"}


def test_related_lists_that_return_a_poisoned_paper_stay_fast_and_cache_its_summary(demo_client, settings):
    assert demo_client.post("/api/v1/papers", json=poisoned_paper(99_000)).status_code == 200
    query = {"title": "Long context transformers with sparse attention",
             "abstract": "We study sparse attention patterns for long context transformers.", "k": 10}
    started = time.monotonic()
    first = demo_client.post("/api/v1/related", json=query)
    assert first.status_code == 200
    assert time.monotonic() - started < 5.0
    ids = [r["id"] for r in first.get_json()["results"]]
    assert "arxiv:2501.99999" in ids
    poisoned = next(r for r in first.get_json()["results"] if r["id"] == "arxiv:2501.99999")
    assert poisoned["tldr"] and len(poisoned["tldr"]) <= 400
    # its summary is kept, so no later list pays for it again
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    key = settings.key_prefix + ":cache:summary:*"
    assert any(True for _ in client.scan_iter(key))
    assert demo_client.post("/api/v1/related", json=query).get_json()["cached"] is True


def test_a_spent_budget_answers_with_lead_sentences_and_caches_nothing_until_complete(demo_client, monkeypatch):
    monkeypatch.setattr(summary_cache, "RESULTS_BUDGET_SECONDS", 0.0)
    paper_id = demo_client.get("/api/v1/search?q=diffusion&k=1").get_json()["results"][0]["id"]
    url = f"/api/v1/papers/{paper_id}/related?k=5&summaries=full"
    first = demo_client.get(url).get_json()
    assert first["results"] and {r["summary"]["method"] for r in first["results"]} == {LEAD_METHOD}
    assert all(r["tldr"] == r["summary"]["tldr"] for r in first["results"])
    assert demo_client.get(url).get_json()["cached"] is False  # an incomplete list was not kept

    monkeypatch.setattr(summary_cache, "RESULTS_BUDGET_SECONDS", 5.0)
    complete = demo_client.get(url).get_json()
    assert {r["summary"]["method"] for r in complete["results"]} == {METHOD_VERSION}
    assert demo_client.get(url).get_json()["cached"] is True
