"""Hostile upstream pages cost little and end cleanly: junk around the records is freed as it is
read, nesting and page size are bounded, a parse has a deadline, and an odd value (a charset Python
cannot decode with, superscript digits, a 5,000-digit number) skips only its record, never with a
traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from datetime import date

import pytest

from paperlens.corpus.formats import arxiv_oai_pmh, hf_daily_json, safe_xml
from paperlens.corpus.formats.records import CostlyPage
from paperlens.sync.polite_http import UpstreamError

from bench.fake_upstream import OAI_HEAD, body, hf_daily, oai_page, synth_catalogue

TODAY = date(2026, 6, 12)


PARSE_PEAK = """
import tracemalloc
from paperlens.corpus.formats import safe_xml
text = "<root><list>" + "<x>junk</x>" * 9_000 + "<record><t>word</t></record>" * 150_000 + "</list></root>"
tracemalloc.start()
read = sum(1 for _ in safe_xml.iter_elements(safe_xml.TextChunks(text), {"record"}))
print(read, tracemalloc.get_traced_memory()[1])
"""


def test_elements_outside_records_are_freed_as_they_are_read():
    # Junk, then 150,000 records: what the parser keeps must not grow with the page. Measured in a
    # fresh interpreter: tracemalloc counts every thread's allocations, and a test worker may have
    # threads of earlier tests still running (a peak of 10.5 MB was seen that way).
    out = subprocess.run([sys.executable, "-c", PARSE_PEAK], capture_output=True, text=True, check=True).stdout
    read, peak = map(int, out.split())
    assert read == 150_000
    assert peak < 4 * 1024 * 1024, f"parsing held {peak / 2**20:.1f} MB"  # each kept shell would cost ~100 bytes


def test_thirty_mb_of_junk_outside_records_is_refused_at_once(fake, syncer, store):
    fake.oai = list(reversed(synth_catalogue(20)))
    junk = (OAI_HEAD + "<ListRecords>" + "<x/>" * (30 * 1024 * 1024 // 4) + "</ListRecords></OAI-PMH>").encode()
    fake.script("oai", body(junk, content_type="text/xml"))
    started = time.monotonic()
    with pytest.raises(UpstreamError, match="more than 10,000 elements outside the records"):
        syncer.run("oai", {"set": "cs"}, today=TODAY)
    assert len(fake.seen("oai")) == 1  # refused, not retried: the same page would cost the same again
    assert time.monotonic() - started < 30


def test_unclosed_nesting_is_refused_at_its_depth(fake, syncer, store):
    fake.script("oai", body((OAI_HEAD + "<ListRecords>" + "<a>" * 1_000_000).encode()))
    with pytest.raises(UpstreamError, match="nested deeper than 64"):
        syncer.run("oai", {"set": "cs"}, today=TODAY)


def test_hugging_face_json_of_millions_of_empty_objects_is_refused_before_it_is_built(fake, syncer, store):
    fake.script("hf", body(("[" + "{}," * 8_000_000 + "{}]").encode(), content_type="application/json"))
    tracemalloc.start()
    try:
        with pytest.raises(UpstreamError, match="JSON page of up to"):
            syncer.run("hf-daily", {"date": "2026-06-12"}, today=TODAY)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 1024 * 1024  # the body and its text; 8M dicts would be ~2 GB


def test_a_parse_past_its_deadline_is_refused(monkeypatch):
    # A real page of 1,000 records with no time at all to read it: the clock is looked at as it goes.
    monkeypatch.setattr(safe_xml, "CHECK_EVERY", 16)
    text = oai_page(synth_catalogue(1000), None, 0, 1000).decode()
    with pytest.raises(CostlyPage, match="parsing took longer than"):
        list(safe_xml.iter_elements(safe_xml.TextChunks(text), {"record"}, seconds=0.0))
    assert len(arxiv_oai_pmh.read_page(text).records) == 1000  # with the real deadline it reads whole


def test_a_charset_python_cannot_decode_with_is_read_as_utf8(fake, syncer, store):
    papers = list(reversed(synth_catalogue(12)))
    fake.script("oai", body(oai_page(papers, None, 0, 12), content_type="text/xml; charset=idna"))
    counts = syncer.run("oai", {"set": "cs"}, today=TODAY)
    assert counts.added == 12


def test_superscript_digits_in_complete_list_size_are_no_total(fake, syncer, store):
    page = oai_page(list(reversed(synth_catalogue(7))), "", 0, 7).replace(b'completeListSize="7"',
                                                                           'completeListSize="⁷²"'.encode())
    fake.script("oai", body(page, content_type="text/xml; charset=utf-8"))
    seen = []
    counts = syncer.run("oai", {"set": "cs"}, today=TODAY, on_page=lambda c, p: seen.append(p.total))
    assert counts.added == 7 and seen == [None]


@pytest.mark.parametrize("upvotes, reason", [('"²³"', "upvotes must be a whole number, got '²³'"),
                                             ("9" * 5000, "upvotes must be a whole number, got a number of 5000 digits")])
def test_an_odd_upvote_count_skips_that_record_with_its_reason(fake, syncer, store, upvotes, reason):
    papers = synth_catalogue(3)
    text = hf_daily(papers).decode().replace('"upvotes": 1,', f'"upvotes": {upvotes},', 1)
    assert text.count(upvotes) == 1
    fake.script("hf", body(text.encode(), content_type="application/json"))
    skipped = []
    counts = syncer.run("hf-daily", {"date": "2026-06-12"}, today=TODAY,
                        on_page=lambda c, p: skipped.extend(p.skipped))
    assert counts.added == 2 and counts.skipped == 1
    assert [s.reason for s in skipped] == [reason]


def test_a_5000_digit_bioRxiv_total_is_no_total(fake, syncer, store):
    page = ('{"messages": [{"status": "ok", "cursor": 0, "count": 1, "total": ' + "9" * 5000 + '}], "collection": ['
            '{"doi": "10.1101/2026.06.01.000001", "title": "A paper", "version": "1", "date": "2026-06-01"}]}')
    fake.script("biorxiv", body(page.encode(), content_type="application/json"))
    assert syncer.run("biorxiv", {"server": "biorxiv", "from": "2026-06-01"}, today=TODAY).added == 1


def test_ingest_of_odd_values_reports_skips_and_no_traceback(tmp_path, sync_settings):
    saved = tmp_path / "day.json"
    saved.write_text(hf_daily(synth_catalogue(2)).decode().replace('"upvotes": 1,', '"upvotes": ' + "7" * 5000 + ",", 1))
    env = {**os.environ, "PAPERLENS_REDIS_URL": sync_settings.redis_url, "PAPERLENS_KEY_PREFIX": sync_settings.key_prefix,
           "PAPERLENS_DATA_DIR": str(sync_settings.data_dir)}
    done = subprocess.run([sys.executable, "-m", "paperlens.cli", "ingest", str(saved), "--format", hf_daily_json.NAME],
                          env=env, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == 0, done.stderr
    assert "upvotes must be a whole number" in done.stdout + done.stderr


def test_paperlens_sync_names_each_skipped_record_and_why(fake, sync_settings, store):
    papers = synth_catalogue(3, first_number=900)  # upvotes 9, 10, 0
    text = hf_daily(papers).decode().replace('"upvotes": 9,', '"upvotes": "²³",', 1)
    fake.script("hf", body(text.encode(), content_type="application/json"))
    env = {**os.environ, **fake.env(), "PAPERLENS_REDIS_URL": sync_settings.redis_url,
           "PAPERLENS_KEY_PREFIX": sync_settings.key_prefix, "PAPERLENS_DATA_DIR": str(sync_settings.data_dir),
           "PAPERLENS_SYNC_DELAY": "0"}
    done = subprocess.run([sys.executable, "-m", "paperlens.cli", "sync", "hf-daily", "--date", "2026-06-12"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "added 2, merged 0, unchanged 0, skipped 1" in done.stdout
    assert "  skipped item 1: upvotes must be a whole number, got '²³'" in done.stderr
    assert "Traceback" not in done.stderr
