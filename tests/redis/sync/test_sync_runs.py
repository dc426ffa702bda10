"""Whole syncs of every source over many pages: each record once, a second run that costs at most two
requests and adds nothing, runs that stop part-way and resume, politeness, and newer versions."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from paperlens.corpus.paper import Paper
from paperlens.sync.polite_http import Stopped
from paperlens.sync.runner import Syncer

from bench.fake_upstream import synth_catalogue, synth_paper

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster

TODAY = date(2026, 6, 12)
NOW = datetime(2026, 6, 12, 18, 0, tzinfo=timezone.utc)


def ids(papers) -> list[str]:
    return sorted(f"arxiv:{p.arxiv_id}" for p in papers)


def logged_additions(store) -> list[str]:
    return sorted(e[2:] for e in store.log_entries(0) if e.startswith("a:"))


def load(fake, kind: str, count: int) -> tuple[dict, list[str]]:
    """Give the fake upstream `count` papers for `kind`; the options of a sync that fetches them all
    and the ids they get."""
    papers = synth_catalogue(count, newest=NOW, spacing=timedelta(minutes=11))
    if kind == "arxiv":
        fake.arxiv = papers
        return {"category": ["cs.CL"], "max": 100_000}, ids(papers)
    if kind == "oai":
        fake.oai = list(reversed(papers))
        return {"set": "cs"}, ids(papers)
    if kind == "hf-daily":
        fake.hf = {}
        for p in papers:
            fake.hf.setdefault(p.day.isoformat(), []).append(p)
        return {"since": min(fake.hf)}, ids(papers)
    fake.biorxiv = list(reversed(papers))
    dois = sorted(f"doi:10.1101/{p.day.isoformat().replace('-', '.')}.{p.number:06d}" for p in papers)
    return {"server": "biorxiv", "from": min(p.day for p in papers).isoformat()}, dois


ROUTE = {"arxiv": "arxiv", "oai": "oai", "hf-daily": "hf", "biorxiv": "biorxiv"}


@pytest.mark.parametrize("kind", ["arxiv", "oai", "hf-daily", "biorxiv"])
def test_every_record_arrives_once_and_a_second_run_adds_nothing_in_at_most_two_requests(fake, syncer, store, kind):
    options, expected = load(fake, kind, 640)
    first = syncer.run(kind, options, today=TODAY)
    assert first.added == 640 and store.count() == 640
    assert sorted(p.id for p in store.get_many(expected)) == expected
    assert logged_additions(store) == expected
    requests = len(fake.seen(ROUTE[kind]))
    second = syncer.run(kind, options, today=TODAY)
    assert second.added == 0 and second.merged == 0 and store.count() == 640
    assert 1 <= len(fake.seen(ROUTE[kind])) - requests <= 2


@pytest.mark.parametrize("kind", ["arxiv", "oai", "hf-daily", "biorxiv"])
def test_a_run_stopped_between_pages_resumes_and_nothing_is_lost_or_doubled(fake, syncer, store, kind):
    options, expected = load(fake, kind, 640)
    pages = {"n": 0}

    def stop_after_two_pages(counts, page):
        pages["n"] += 1

    with pytest.raises(Stopped):
        syncer.run(kind, options, today=TODAY, on_page=stop_after_two_pages, keep_going=lambda: pages["n"] < 2)
    assert 0 < store.count() < 640
    syncer.run(kind, options, today=TODAY)
    assert store.count() == 640 and logged_additions(store) == expected


def test_new_papers_on_the_next_run_are_added_and_the_old_ones_not_fetched_again(fake, syncer, store):
    fake.arxiv = synth_catalogue(300, newest=NOW)
    syncer.run("arxiv", {"category": ["cs.CL"], "max": 10_000}, today=TODAY)
    fresh = synth_catalogue(30, newest=NOW + timedelta(hours=5), first_number=500)
    fake.arxiv = fresh + fake.arxiv
    before = len(fake.seen("arxiv"))
    counts = syncer.run("arxiv", {"category": ["cs.CL"], "max": 10_000}, today=TODAY)
    assert counts.added == 30 and counts.fetched == 30 and len(fake.seen("arxiv")) - before == 1
    assert store.count() == 330


def test_arxiv_stops_at_since_and_a_first_run_without_bounds_looks_back_a_week(fake, syncer, store):
    fake.arxiv = synth_catalogue(400, newest=NOW, spacing=timedelta(hours=1))  # 400 hours ≈ 16 days
    counts = syncer.run("arxiv", {"category": ["cs.CL"], "since": "2026-06-10"}, today=TODAY)
    assert counts.added == sum(1 for p in fake.arxiv if p.published.date() >= date(2026, 6, 10))
    unbounded = syncer.run("arxiv", {"category": ["cs.LG"]}, today=TODAY)
    assert store.count() == sum(1 for p in fake.arxiv if p.published.date() >= date(2026, 6, 5))
    assert unbounded.added == store.count() - counts.added


def test_pause_between_requests_holds_at_the_upstream(fake, sync_settings, store, feeds):
    fake.oai = list(reversed(synth_catalogue(500)))
    slow = Syncer(dataclasses.replace(sync_settings, sync_delay=0.4), store, feeds)
    slow.run("oai", {"set": "cs"}, today=TODAY)
    arrivals = [r.at for r in fake.seen("oai")]
    assert len(arrivals) == 5
    assert min(b - a for a, b in zip(arrivals, arrivals[1:])) >= 0.4
    assert fake.max_in_flight == 1


def test_two_feeds_of_arxiv_share_one_pause(fake, sync_settings, store, feeds):
    fake.oai = list(reversed(synth_catalogue(50)))
    fake.arxiv = synth_catalogue(50)
    syncer = Syncer(dataclasses.replace(sync_settings, sync_delay=0.4), store, feeds)
    syncer.run("oai", {"set": "cs"}, today=TODAY)
    syncer.run("arxiv", {"category": ["cs.CL"], "max": 50}, today=TODAY)
    (oai,), (api,) = fake.seen("oai"), fake.seen("arxiv")
    assert api.at - oai.at >= 0.4


def test_user_agent_names_paperlens_and_the_contact(fake, sync_settings, store, feeds):
    fake.hf = {"2026-06-12": synth_catalogue(3)}
    Syncer(dataclasses.replace(sync_settings, contact="lab@example.org"), store, feeds).run(
        "hf-daily", {"date": "2026-06-12"}, today=TODAY)
    agent = fake.seen("hf")[0].headers["User-Agent"]
    assert agent.startswith("Paperlens/") and "mailto:lab@example.org" in agent


def test_a_newer_arxiv_version_updates_the_text_and_stays_one_paper(fake, syncer, store, demo_app):
    from paperlens.services import Services

    original = synth_paper(1, NOW - timedelta(days=3))
    fake.arxiv = [original]
    syncer.run("arxiv", {"category": ["cs.CL"], "max": 5}, today=TODAY)
    svc: Services = demo_app.extensions["paperlens"]
    client = demo_app.test_client()
    first = client.get(f"/api/v1/papers/arxiv:{original.arxiv_id}/related?k=3").get_json()
    version = store.version()

    revised = dataclasses.replace(original, version=2, updated=NOW, abstract="A shorter revised abstract about graphs.")
    fake.arxiv = [revised]
    counts = syncer.run("arxiv", {"category": ["cs.CL"], "since": "2026-06-01"}, today=TODAY)
    assert counts.merged == 1 and store.count() == 85 + 1
    stored = store.get(f"arxiv:{original.arxiv_id}")
    assert stored.abstract == "A shorter revised abstract about graphs." and stored.updated == "2026-06-12"
    assert store.log_entries(-1) == [f"u:arxiv:{original.arxiv_id}"] and store.version() > version

    # The same old version arriving again (a stale mirror, an old file) does not undo the revision.
    fake.arxiv = [original]
    syncer.run("arxiv", {"category": ["cs.CL"], "since": "2026-06-01", "max": 5}, today=TODAY)
    assert store.get(f"arxiv:{original.arxiv_id}").abstract == "A shorter revised abstract about graphs."

    # Related lists move on (they are cached per corpus version); the index re-reads the changed text
    # in a background rebuild, after which search finds the paper by its new words.
    again = client.get(f"/api/v1/papers/arxiv:{original.arxiv_id}/related?k=3").get_json()
    assert again["corpus_version"] != first["corpus_version"] and again["cached"] is False
    deadline = time.monotonic() + 20
    while True:
        svc.index.refresh(force=True)
        hits = client.get("/api/v1/search?q=revised+shorter+graphs&k=1").get_json()["results"]
        if hits and hits[0]["id"] == f"arxiv:{original.arxiv_id}":
            break
        assert time.monotonic() < deadline, hits
        time.sleep(0.1)
    assert hits[0]["title"] == original.title


def test_an_add_killed_after_its_claim_is_finished_by_the_next_add(store):
    """A writer killed between claiming a paper's key and its finishing transaction leaves a bare
    claim; the next add of that paper logs it, aliases it and counts it, once."""
    paper = Paper(title="Claimed but never finished", arxiv_id="2601.99999", abstract="Text.")
    store.r.set(store.keys.paper(paper.id), json.dumps(paper.to_dict()))  # the claim, and then the kill
    (result,) = store.add_many([paper])
    assert result.status == "added" and store.count() == 1
    assert store.log_entries(0) == [f"a:{paper.id}"] and store.resolve("title:" + paper.aliases()[-1][6:]) == paper.id
    assert [r.status for r in store.add_many([paper])] == ["unchanged"]


def test_a_paper_logged_twice_is_indexed_once(store, tmp_path):
    from paperlens.indexing.live_index import LiveIndex

    papers = [Paper(title=f"Paper {n} about kernels", arxiv_id=f"2601.0000{n}") for n in range(3)]
    list(store.add_many(papers))
    store.r.rpush(store.keys.corpus_log, f"a:{papers[1].id}")  # as a finished-twice add leaves it
    store.r.incr(store.keys.corpus_version)
    index = LiveIndex(store, tmp_path / "index", refresh_seconds=0)
    assert index.view().index.n_docs == 3
    index.build_now()
    assert index.view().index.n_docs == 3
    list(store.add_many([Paper(title="Paper 9 about kernels", arxiv_id="2601.00009")]))
    store.r.rpush(store.keys.corpus_log, f"a:{papers[2].id}")
    store.r.incr(store.keys.corpus_version)
    index.refresh(force=True)
    assert index.view().index.n_docs == 4
