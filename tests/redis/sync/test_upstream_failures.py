"""The ways real upstreams fail, scripted at the fake upstream: every record still arrives exactly once,
or the sync fails with a clear reason and the next run resumes where it stopped."""

from __future__ import annotations

import dataclasses
import time
from datetime import date

import pytest

from paperlens.store.papers import PaperStore
from paperlens.sync.polite_http import UpstreamError
from paperlens.sync.runner import Syncer
from paperlens.sync.sources import SyncFailed

from bench.fake_upstream import atom_feed, body, cut_short, recording, reset, stall, status, synth_catalogue, trickle, truncate

TODAY = date(2026, 6, 12)


def assert_each_once(store: PaperStore, papers) -> None:
    expected = sorted(f"arxiv:{p.arxiv_id}" for p in papers)
    assert store.count() == len(expected)
    logged = sorted(e[2:] for e in store.log_entries(0) if e.startswith("a:"))
    assert logged == expected  # logged (and so indexed) once each


def oai_catalogue(fake, count: int):
    fake.oai = list(reversed(synth_catalogue(count, first_number=10_000)))  # oldest datestamp first
    return fake.oai


def arxiv_with_empty_page(fake, start: str, times: int | None):
    """arXiv answering the page at `start` with no entries (though totalResults says more), `times`
    times (None: always)."""
    original, asked = fake.answer, []

    def answer(route, path, query):
        if route == "arxiv" and query.get("start") == start and (times is None or len(asked) < times):
            asked.append(start)
            return 200, atom_feed([], len(fake.arxiv), int(start)), {}
        return original(route, path, query)

    fake.answer = answer
    return original


def test_transient_empty_arxiv_page_is_asked_again(fake, syncer, store):
    fake.arxiv = synth_catalogue(250)
    arxiv_with_empty_page(fake, "100", times=2)
    counts = syncer.run("arxiv", {"category": ["cs.CL"], "max": 1000}, today=TODAY)
    assert [r.query["start"] for r in fake.seen("arxiv")] == ["0", "100", "100", "100", "200"]
    assert counts.added == 250
    assert_each_once(store, fake.arxiv)


def test_arxiv_page_that_stays_empty_fails_and_the_next_run_resumes_there(fake, syncer, store):
    fake.arxiv = synth_catalogue(250)
    original = arxiv_with_empty_page(fake, "100", times=None)
    with pytest.raises(SyncFailed, match="empty 4 times although it reports 250"):
        syncer.run("arxiv", {"category": ["cs.CL"], "max": 1000}, today=TODAY)
    assert store.count() == 100
    fake.answer = original
    counts = syncer.run("arxiv", {"category": ["cs.CL"], "max": 1000}, today=TODAY)
    assert [r.query["start"] for r in fake.seen("arxiv")[-2:]] == ["100", "200"] and counts.added == 150
    assert_each_once(store, fake.arxiv)


@pytest.mark.parametrize("failure", [
    pytest.param(status(503, b"busy", retry_after=0), id="503-retry-after"),
    pytest.param(status(500, b"oops"), id="500"),
    pytest.param(status(429, b"slow down"), id="429"),
    pytest.param(reset(), id="connection-reset"),
    pytest.param(truncate(3000), id="truncated-body"),
    pytest.param(cut_short(3000), id="body-cut-short-with-a-matching-length"),
    pytest.param(body(b"<html>Bad Gateway</html>"), id="html-instead-of-xml"),
    pytest.param(stall(3.0), id="slower-than-the-timeout"),
])
def test_a_failed_page_mid_list_is_retried_and_every_record_arrives_once(fake, syncer, store, failure):
    oai_catalogue(fake, 450)
    fake.script("oai", None, None, failure)  # the third request (the third page) fails once
    counts = syncer.run("oai", {"set": "cs"}, today=TODAY)
    assert counts.added == 450 and counts.requests == 5 + 1
    assert_each_once(store, fake.oai)


def test_a_never_ending_response_is_cut_at_the_timeout(fake, syncer, store):
    oai_catalogue(fake, 150)
    fake.script("oai", trickle())  # headers, then a byte every 0.1 s for ever
    started = time.monotonic()
    counts = syncer.run("oai", {"set": "cs"}, today=TODAY)
    assert time.monotonic() - started < 2.0 + 2.0  # one 2 s timeout, then the retry
    assert counts.added == 150


def test_upstream_failing_for_good_fails_the_sync_and_the_next_run_resumes(fake, syncer, store, feeds):
    oai_catalogue(fake, 450)
    fake.script("oai", None, None, *[status(502, b"down")] * 6)  # 1 try + 5 retries, all failing
    with pytest.raises(UpstreamError, match="failed 6 times; last: HTTP 502"):
        syncer.run("oai", {"set": "cs"}, today=TODAY)
    assert store.count() == 200  # the two pages stored before the failure stay stored
    counts = syncer.run("oai", {"set": "cs"}, today=TODAY)
    assert "resumptionToken" in fake.seen("oai")[-3].query  # resumed with the saved token
    assert counts.added == 250
    assert_each_once(store, fake.oai)


def test_expired_resumption_token_restarts_from_the_last_day_completed(fake, syncer, store):
    papers = oai_catalogue(fake, 450)
    fake.script("oai", None, None, body(recording("oai-bad-resumption-token.xml")))
    counts = syncer.run("oai", {"set": "cs"}, today=TODAY)
    restart = fake.seen("oai")[3]
    assert "resumptionToken" not in restart.query
    assert restart.query["from"] == papers[199].day.isoformat()  # the last datestamp of the second page
    assert counts.added == 450
    assert_each_once(store, papers)


def test_retry_after_longer_than_ten_minutes_ends_the_run_for_later(fake, syncer, store):
    oai_catalogue(fake, 50)
    fake.script("oai", status(503, b"", retry_after=3600))
    with pytest.raises(UpstreamError, match="asks to wait 3600 s"):
        syncer.run("oai", {"set": "cs"}, today=TODAY)
    assert len(fake.seen("oai")) == 1


def test_huge_body_is_refused_without_reading_it_all(fake, sync_settings, store, feeds):
    from paperlens.sync import polite_http

    oai_catalogue(fake, 50)
    fake.script("oai", body(b"<" * (3 * 1024 * 1024)))
    syncer = Syncer(sync_settings, store, feeds)
    syncer.upstreams.politeness = dataclasses.replace(syncer.upstreams.politeness, max_body=1024 * 1024)
    with pytest.raises(UpstreamError, match="larger than 1 MB"):
        syncer.run("oai", {"set": "cs"}, today=TODAY)
    assert polite_http.MAX_BODY >= 8 * 1024 * 1024  # a real 1,000-record page (~2.5 MB) fits the default


def test_gzip_bomb_is_refused_within_the_body_cap(fake, sync_settings, store, feeds):
    import gzip

    oai_catalogue(fake, 50)
    bomb = gzip.compress(b" " * (40 * 1024 * 1024))  # 40 MB of spaces in about 40 KB
    fake.script("oai", body(bomb, content_encoding="gzip"))
    with pytest.raises(UpstreamError, match="larger than 32 MB"):
        Syncer(sync_settings, store, feeds).run("oai", {"set": "cs"}, today=TODAY)


def test_gzipped_pages_are_read(fake, syncer, store):
    import gzip

    from bench.fake_upstream import oai_page

    papers = oai_catalogue(fake, 30)
    fake.script("oai", body(gzip.compress(oai_page(papers, None, 0, 30)), content_encoding="gzip"))
    assert syncer.run("oai", {"set": "cs"}, today=TODAY).added == 30


def test_entity_declarations_in_a_page_are_refused_and_retried(fake, syncer, store):
    oai_catalogue(fake, 50)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE OAI-PMH [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>&b;</ListRecords></OAI-PMH>')
    fake.script("oai", body(bomb))
    assert syncer.run("oai", {"set": "cs"}, today=TODAY).added == 50


def test_deep_json_from_hugging_face_is_refused_then_retried(fake, syncer, store):
    fake.hf = {"2026-06-12": synth_catalogue(5)}
    fake.script("hf", body(b"[" * 200_000 + b"]" * 200_000))
    assert syncer.run("hf-daily", {"date": "2026-06-12"}, today=TODAY).added == 5
