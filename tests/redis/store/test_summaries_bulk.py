"""Summarising the whole corpus into the cache (`paperlens summarize`), and the one cache key the
bulk and the lazy path share, against the test Redis."""

from __future__ import annotations


import pytest
import redis
from click.testing import CliRunner

import paperlens.ranking.summaries as summaries_module
from paperlens.cli import main
from paperlens.indexing.summary_cache import (
    SUMMARY_KIND,
    cached_summaries,
    corpus_idf,
    summarize_corpus as summarize_in_store,
    summary_key,
    summary_of,
)
from paperlens.services import Services
from paperlens.store.redis_client import connection_pool

from tests.corpus import demo_papers


@pytest.fixture
def svc(settings, store):
    list(store.add_many(demo_papers()))
    return Services.create(settings)


def cached_summary(svc, paper, n: int = 3):
    [found] = svc.store.cache.get_many(SUMMARY_KIND, [summary_key(paper.title, paper.abstract, n)])
    return found


def summarize_corpus(svc, **options):
    return summarize_in_store(svc.store, svc.index.view(), **options)


def test_bulk_summarising_fills_the_cache_for_every_demo_paper(svc, store):
    done = summarize_corpus(svc)
    assert (done.papers, done.computed, done.cached, done.empty, done.failed) == (85, 85, 0, 0, 0)
    idf = corpus_idf(svc.index.view())
    for paper in demo_papers():
        assert cached_summary(svc, paper) == summary_of(paper.title, paper.abstract, 3, idf), paper.id
    assert len(list(store.r.scan_iter(f"{store.keys.prefix}:cache:summary:*"))) == 85


def test_a_second_bulk_run_only_reads_the_cache(svc, monkeypatch):
    summarize_corpus(svc)
    calls = []
    monkeypatch.setattr(summaries_module, "summarize", lambda *a, **k: calls.append(a))
    done = summarize_corpus(svc)
    assert (done.papers, done.computed, done.cached) == (85, 0, 85) and calls == []


def test_two_processes_cache_the_same_summaries_as_one(svc, settings, store):
    done = summarize_corpus(svc, processes=2, min_for_processes=0, batch=20)
    assert (done.papers, done.computed) == (85, 85)
    in_two = {p.id: cached_summary(svc, p) for p in demo_papers()}
    store.r.delete(*store.r.keys(f"{store.keys.prefix}:cache:summary:*"))
    summarize_corpus(svc, processes=1)
    assert in_two == {p.id: cached_summary(svc, p) for p in demo_papers()}


def test_lazy_requests_after_bulk_use_what_it_cached(svc, monkeypatch):
    summarize_corpus(svc)
    calls = []
    monkeypatch.setattr(summaries_module, "summarize", lambda *a, **k: calls.append(a))
    papers = demo_papers()[:10]
    got = cached_summaries(svc.store.cache, [(p.title, p.abstract) for p in papers], svc.index.view())
    assert calls == [] and got == [cached_summary(svc, p) for p in papers]


def test_a_new_method_version_gets_new_keys_and_fresh_summaries(svc, store, monkeypatch):
    paper = demo_papers()[0]
    old_key = summary_key(paper.title, paper.abstract, 3)
    [old] = cached_summaries(svc.store.cache, [(paper.title, paper.abstract)], svc.index.view())
    assert summarize_corpus(svc).computed == 84  # the lazy path cached paper 0 under the same key
    monkeypatch.setattr(summaries_module, "METHOD_VERSION", "summary-v2:test")
    new_key = summary_key(paper.title, paper.abstract, 3)
    assert new_key != old_key and store.keys.cache(SUMMARY_KIND, *new_key) != store.keys.cache(SUMMARY_KIND, *old_key)
    assert summarize_corpus(svc).computed == 85  # nothing cached by the old method counts
    [new] = cached_summaries(svc.store.cache, [(paper.title, paper.abstract)], svc.index.view())
    assert old["method"] != "summary-v2:test" and new["method"] == "summary-v2:test"


def test_cache_key_depends_on_title_text_and_n():
    base = summary_key("A title", "Some text.", 3)
    assert base == summary_key("A title", "Some text.", 3)
    assert len({base, summary_key("A title", "Some text.", 4), summary_key("A titl", "eSome text.", 3),
                summary_key("", "Some text.", 3),
                summary_key("A title", "Other text.", 3)}) == 5
    assert summary_key(None, "x", 3) == summary_key("", "x", 3)
    summary_key("lone \ud800 surrogate", "text \udfff", 3)  # JSON from a client can carry these


def test_papers_without_text_are_counted_not_cached(svc, store):
    from paperlens.corpus.paper import Paper

    list(store.add_many([Paper(title="Only a title here", abstract="")]))
    done = summarize_corpus(svc)
    assert (done.papers, done.computed, done.empty) == (86, 86, 0)  # a title alone is summarised


def test_paperlens_summarize_command_fills_the_cache(svc, settings):
    env = {"PAPERLENS_REDIS_URL": settings.redis_url, "PAPERLENS_KEY_PREFIX": settings.key_prefix,
           "PAPERLENS_DATA_DIR": str(settings.data_dir)}
    result = CliRunner().invoke(main, ["summarize"], env=env)
    assert result.exit_code == 0, result.output
    assert "85 papers, 85 computed, 0 already cached" in result.output
    assert all(cached_summary(svc, p) for p in demo_papers())
    again = CliRunner().invoke(main, ["summarize", "--processes", "1"], env=env)
    assert again.exit_code == 0 and "0 computed, 85 already cached" in again.output


def test_bulk_fails_loudly_when_redis_is_down(svc):
    from bench.redis_server import free_port

    svc.index.view()
    # reached as the store reaches Redis (one quick retry), not with redis-py's ten retries and backoff
    dead = redis.Redis(connection_pool=connection_pool(f"redis://127.0.0.1:{free_port()}/0", 0.2))
    svc.store.papers.r = svc.store.cache.r = dead
    with pytest.raises(redis.RedisError):
        summarize_corpus(svc)


def test_paperlens_ingest_with_summaries_caches_what_it_ingests(settings, store):
    from tests.corpus import DEMO_CORPUS

    env = {"PAPERLENS_REDIS_URL": settings.redis_url, "PAPERLENS_KEY_PREFIX": settings.key_prefix,
           "PAPERLENS_DATA_DIR": str(settings.data_dir)}
    result = CliRunner().invoke(main, ["ingest", str(DEMO_CORPUS), "--format", "hf-daily", "--year", "2025",
                                       "--summaries"], env=env)
    assert result.exit_code == 0, result.output
    assert "added 85" in result.output and "85 papers, 85 computed" in result.output
    svc = Services.create(settings)
    assert all(cached_summary(svc, p) for p in demo_papers())


def test_a_tiny_index_summarises_with_the_built_in_idf(settings, store):
    from paperlens.ranking.summaries import fallback_idf

    assert corpus_idf(None) is fallback_idf
    list(store.add_many(demo_papers()[:5]))
    assert corpus_idf(Services.create(settings).index.view()) is fallback_idf
