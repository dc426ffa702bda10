"""Summaries ahead of time: papers that join the corpus are summarised by a background job, in log
order, resumably, one job at a time across processes, with its backlog in /health (issue 14.3)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from paperlens.domain.summaries_ahead import NAME, SummariesAhead
from paperlens.indexing.summary_cache import DEFAULT_N, SUMMARY_KIND, summary_key
from paperlens.services import Services

from tests.corpus import demo_papers


@pytest.fixture
def svc(settings):
    services = Services.create(settings)
    list(services.store.papers.add_many(demo_papers()))
    return services


def cached(svc, papers) -> list[bool]:
    return svc.store.cache.present(SUMMARY_KIND, [summary_key(p.title, p.abstract, DEFAULT_N) for p in papers])


def test_each_step_summarises_the_next_batch_of_new_papers_and_moves_on(svc):
    papers = demo_papers()
    ahead = SummariesAhead(svc.store, svc.index, batch=30)
    assert ahead.backlog() == len(papers) and not any(cached(svc, papers))
    assert ahead.step() == 30
    assert cached(svc, papers) == [True] * 30 + [False] * (len(papers) - 30)
    assert ahead.backlog() == len(papers) - 30
    while ahead.step():
        pass
    assert all(cached(svc, papers)) and ahead.backlog() == 0
    assert ahead.step() == 0


def test_a_new_job_resumes_where_the_last_one_stopped(svc):
    SummariesAhead(svc.store, svc.index, batch=40).step()
    resumed = SummariesAhead(svc.store, svc.index, batch=1000)
    assert resumed.backlog() == len(demo_papers()) - 40
    assert resumed.step() == len(demo_papers()) - 40


def test_related_lists_then_compute_no_summary(svc, app, monkeypatch):
    SummariesAhead(svc.store, svc.index, batch=1000).step()
    import paperlens.ranking.summaries as summaries

    calls = []
    real = summaries.summarize
    monkeypatch.setattr(summaries, "summarize", lambda *a, **k: calls.append(1) or real(*a, **k))
    client = app.test_client()
    paper_id = client.get("/api/v1/search?q=video&k=1").get_json()["results"][0]["id"]
    answer = client.get(f"/api/v1/papers/{paper_id}/related?k=10").get_json()
    assert answer["results"] and all(r["tldr"] for r in answer["results"])
    assert calls == [], "every TL;DR came from the cache"


def test_health_shows_the_backlog(svc, app):
    client = app.test_client()
    assert client.get("/api/v1/health").get_json()["summaries_backlog"] == len(demo_papers())
    SummariesAhead(svc.store, svc.index, batch=1000).step()
    assert client.get("/api/v1/health").get_json()["summaries_backlog"] == 0


def test_only_one_job_works_at_a_time(svc):
    stop = threading.Event()
    first, second = (SummariesAhead(svc.store, svc.index, cpu_share=1.0, batch=5) for _ in range(2))
    steps = {"first": 0, "second": 0}
    first_working = threading.Event()  # the first job steps only while it holds the lock
    for job, name in ((first, "first"), (second, "second")):
        real = job.step
        job.step = lambda real=real, name=name: (steps.__setitem__(name, steps[name] + 1),
                                                 name == "first" and first_working.set(), real())[-1]
    threads = [threading.Thread(target=first.run, args=("first", stop)),
               threading.Thread(target=second.run, args=("second", stop))]
    threads[0].start()
    assert first_working.wait(60), "the first job never started working"
    threads[1].start()
    deadline = time.monotonic() + 30
    while first.backlog() and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert first.backlog() == 0
    assert steps["first"] > 0 and steps["second"] == 0


def test_the_background_process_summarises_papers_posted_to_a_running_server(settings, tmp_path):
    env = {**os.environ, "PAPERLENS_REDIS_URL": settings.redis_url, "PAPERLENS_KEY_PREFIX": settings.key_prefix,
           "PAPERLENS_DATA_DIR": str(tmp_path / "data"), "PAPERLENS_SUMMARY_CPU": "1"}
    svc = Services.create(settings)
    proc = subprocess.Popen([sys.executable, "-m", "paperlens.domain.summaries_ahead"], env=env)
    try:
        list(svc.store.papers.add_many(demo_papers()[:20]))
        deadline = time.monotonic() + 60
        while not all(cached(svc, demo_papers()[:20])):
            assert time.monotonic() < deadline, "the background job did not summarise the new papers"
            assert proc.poll() is None
            time.sleep(0.2)
        assert svc.store.log_reader(NAME).position() == 20
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert proc.returncode in (0, -15)
