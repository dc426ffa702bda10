"""sort=score|date and since=YYYY-MM-DD on related papers and search: the filter is exact (the top k
of the papers it keeps), the scores stay BM25's, and the cache keeps each variant apart."""

from __future__ import annotations

import pytest

from paperlens.corpus.paper import date_key

from tests.corpus import demo_papers

PAPER = demo_papers()[3].id


def get(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def related(client, query=""):
    return get(client, f"/api/v1/papers/{PAPER}/related?summaries=none&{query}")["results"]


def test_since_keeps_exactly_the_best_papers_published_that_day_or_later(demo_client):
    everything = related(demo_client, "k=100")
    since = sorted(date_key(r["published"]) for r in everything if r["published"])[len(everything) // 2]
    expected = [(r["id"], r["score"]) for r in everything if date_key(r["published"]) >= since][:10]
    got = related(demo_client, f"k=10&since={since}")
    assert [(r["id"], r["score"]) for r in got] == expected
    assert all(date_key(r["published"]) >= since for r in got)


def test_sort_by_date_shows_the_same_papers_newest_first(demo_client):
    by_score = related(demo_client, "k=10")
    by_date = related(demo_client, "k=10&sort=date")
    assert {r["id"] for r in by_date} == {r["id"] for r in by_score}
    dates = [date_key(r["published"]) for r in by_date]
    assert dates == sorted(dates, reverse=True)
    assert {r["id"]: r["score"] for r in by_date} == {r["id"]: r["score"] for r in by_score}


def test_each_variant_is_cached_apart(demo_client):
    first = get(demo_client, f"/api/v1/papers/{PAPER}/related?k=10&sort=date&summaries=none")
    assert first["cached"] is False
    score = get(demo_client, f"/api/v1/papers/{PAPER}/related?k=10&summaries=none")
    assert score["cached"] is False and [r["id"] for r in score["results"]] != [r["id"] for r in first["results"]]
    since = get(demo_client, f"/api/v1/papers/{PAPER}/related?k=10&summaries=none&since=2025-01-01")
    assert since["cached"] is False
    again = get(demo_client, f"/api/v1/papers/{PAPER}/related?k=10&sort=date&summaries=none")
    assert again["cached"] is True and again["results"] == first["results"]


def test_a_since_no_paper_meets_answers_an_empty_list(demo_client):
    assert related(demo_client, "since=2999-01-01") == []


def test_search_and_posted_related_take_sort_and_since(demo_client):
    found = get(demo_client, "/api/v1/search?q=diffusion&k=20&since=2024-06-01&sort=date")["results"]
    assert found and all(date_key(r["published"]) >= "2024-06-01" for r in found)
    assert [date_key(r["published"]) for r in found] == sorted((date_key(r["published"]) for r in found), reverse=True)
    r = demo_client.post("/api/v1/related", json={"title": "Diffusion distillation", "k": 5, "since": "2024-06-01",
                                                   "sort": "date"})
    assert r.status_code == 200
    posted = r.get_json()["results"]
    assert posted and all(date_key(x["published"]) >= "2024-06-01" for x in posted)


def test_partial_dates_count_as_their_first_day():
    assert date_key("2024") == "2024-01-01" and date_key("2024-05") == "2024-05-01"
    assert date_key("2024-05-17") == "2024-05-17" and date_key(None) == ""


@pytest.mark.parametrize("query", ["since=2024-02-30", "since=2024-1-1", "since=yesterday", "since=" + "1" * 5000,
                                   "since=２０２４-01-01", "sort=newest", "sort="])
def test_bad_sort_or_since_is_422(demo_client, query):
    for url in (f"/api/v1/papers/{PAPER}/related?{query}", f"/api/v1/search?q=x&{query}"):
        r = demo_client.get(url)
        assert r.status_code == 422, (url, r.get_json())


def test_a_filter_reads_the_ranking_no_deeper_than_its_limit(demo_client, monkeypatch):
    import paperlens.ranking.related as related_module

    monkeypatch.setattr(related_module, "FILTER_DEPTH", 20)
    everything = related(demo_client, "k=100")
    newest = max(date_key(r["published"]) for r in everything)
    within = [r["id"] for r in everything[:20] if date_key(r["published"]) >= newest]
    assert [r["id"] for r in related(demo_client, f"k=5&since={newest}")] == within[:5]
