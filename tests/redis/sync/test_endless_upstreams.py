"""Every sync run ends: an upstream that repeats its resumptionToken, a bioRxiv that claims 10^9
records and sends the same page again and again, or a list longer than the run may read, ends the
run with a reason; what was stored stays, the lock is released, and the other feeds run."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from paperlens.lock import holder_name
from paperlens.sync.run_limits import RunLimitReached
from paperlens.sync.runner import Syncer
from paperlens.sync.schedule import Scheduler
from paperlens.sync.sources import SyncFailed

from bench.fake_upstream import biorxiv_page, oai_page, synth_catalogue

TODAY = date(2026, 6, 12)
GIVE_UP = 50  # requests after which the test stops a run that would otherwise never end


def no_further_than(fake, route: str):
    """keep_going for a run: stop (Stopped) once the fake has seen GIVE_UP requests, so code that
    follows a loop fails the test instead of hanging it."""
    return lambda: len(fake.seen(route)) < GIVE_UP


def oai_repeating_its_token(fake):
    records = list(reversed(synth_catalogue(5)))
    original = fake.answer

    def answer(route, path, query):
        if route == "oai":
            return 200, oai_page(records, "same-token-every-time", 0, 1_000_000), {"Content-Type": "text/xml"}
        return original(route, path, query)

    fake.answer = answer


def biorxiv_endless(fake):
    """A total of 10^9, and the same three versions on every page; the cursor echoed as asked."""
    records = synth_catalogue(3)
    original = fake.answer

    def answer(route, path, query):
        if route == "biorxiv":
            cursor = int(path.rstrip("/").split("/")[-1])
            return 200, biorxiv_page(records, cursor, 10**9, "x"), {"Content-Type": "application/json"}
        return original(route, path, query)

    fake.answer = answer


def test_a_repeated_resumption_token_fails_the_run_at_once(fake, syncer, store):
    oai_repeating_its_token(fake)
    with pytest.raises(SyncFailed, match="same resumptionToken twice"):
        syncer.run("oai", {"set": "cs"}, today=TODAY, keep_going=no_further_than(fake, "oai"))
    assert len(fake.seen("oai")) == 2
    assert store.count() == 5  # the first page was stored


def test_a_biorxiv_total_of_a_billion_repeating_one_page_fails_the_run(fake, syncer, store):
    biorxiv_endless(fake)
    with pytest.raises(SyncFailed, match="same page of records twice"):
        syncer.run("biorxiv", {"server": "biorxiv", "from": "2026-06-01"}, today=TODAY,
                   keep_going=no_further_than(fake, "biorxiv"))
    assert len(fake.seen("biorxiv")) == 2
    assert store.count() == 3


def test_a_biorxiv_answer_for_another_cursor_fails_the_run(fake, syncer, store):
    records = synth_catalogue(3)
    fake.answer = lambda route, path, query: (200, biorxiv_page(records, 0, 10**9, "x"), {})
    with pytest.raises(SyncFailed, match="answered cursor 0 when asked for 3"):
        syncer.run("biorxiv", {"server": "biorxiv", "from": "2026-06-01"}, today=TODAY,
                   keep_going=no_further_than(fake, "biorxiv"))


def test_a_run_stops_at_its_page_cap_and_the_next_run_resumes_with_each_record_once(
        fake, sync_settings, store, feeds):
    fake.oai = list(reversed(synth_catalogue(1000, first_number=20_000)))  # 10 pages of 100
    capped = Syncer(dataclasses.replace(sync_settings, sync_max_pages=3), store, feeds)
    with pytest.raises(RunLimitReached, match="after 3 pages"):
        capped.run("oai", {"set": "cs"}, today=TODAY)
    assert len(fake.seen("oai")) == 3 and store.count() == 300
    counts = Syncer(sync_settings, store, feeds).run("oai", {"set": "cs"}, today=TODAY)
    assert counts.added == 700 and store.count() == 1000
    logged = [e for e in store.log_entries(0) if e.startswith("a:")]
    assert len(logged) == len(set(logged)) == 1000


def test_a_run_stops_at_its_deadline(fake, sync_settings, store, feeds):
    fake.oai = list(reversed(synth_catalogue(1000, first_number=30_000)))
    fake.page_delay = 0.3  # each page takes at least this long, so 1 s holds at most 4 pages
    limited = Syncer(dataclasses.replace(sync_settings, sync_run_seconds=1.0), store, feeds)
    with pytest.raises(RunLimitReached, match="PAPERLENS_SYNC_RUN_SECONDS"):
        limited.run("oai", {"set": "cs"}, today=TODAY, keep_going=no_further_than(fake, "oai"))
    assert 1 <= len(fake.seen("oai")) <= 4


def test_a_looping_feed_releases_the_lock_and_the_other_feeds_run(fake, syncer, store, feeds):
    biorxiv_endless(fake)
    fake.oai = list(reversed(synth_catalogue(30, first_number=40_000)))
    feeds.add("biorxiv", {"server": "biorxiv", "from": "2026-06-01"}, 3600)
    feeds.add("oai", {"set": "cs"}, 3600)
    runs = Scheduler(syncer, feeds, holder_name("test")).run_due()
    assert [run.feed.kind for run in runs] == ["biorxiv", "oai"]
    assert "same page of records twice" in runs[0].error
    assert runs[1].error is None and runs[1].counts.added == 30
    assert feeds.lock_holder() is None
    assert len(fake.seen("biorxiv")) == 2
