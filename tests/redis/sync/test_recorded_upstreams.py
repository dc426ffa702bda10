"""Each source against the real recorded responses, served unmodified by the fake upstream."""

from __future__ import annotations

import time
from datetime import date

import pytest

from paperlens.corpus.formats import hf_daily_json
from paperlens.sync.sources import SyncFailed

from bench.fake_upstream import body, recording, status

TODAY = date(2026, 6, 12)


def test_arxiv_api_recorded_page_is_stored_whole(fake, syncer, store):
    fake.fixed["arxiv"] = body(recording("arxiv-api-testing-10.xml"), content_type="application/atom+xml")
    counts = syncer.run("arxiv", {"query": "all:testing", "max": 10}, today=TODAY)
    assert (counts.fetched, counts.added, counts.requests) == (10, 10, 1)
    paper = store.get("arxiv:2202.12139")
    assert paper.title.startswith("Testing Deep Learning Models") and paper.categories[:2] == ["cs.SE", "cs.LG"]
    (request,) = fake.seen("arxiv")
    assert request.query["search_query"] == "all:testing" and request.query["sortBy"] == "submittedDate"
    assert request.query["sortOrder"] == "descending" and request.query["start"] == "0"


def test_arxiv_api_error_feed_fails_the_sync_with_arxivs_reason(fake, syncer, store):
    fake.fixed["arxiv"] = body(recording("arxiv-api-error-400.xml"), code=400)
    with pytest.raises(SyncFailed, match="refused the query: incorrect id format for abc"):
        syncer.run("arxiv", {"query": "id:abc"}, today=TODAY)
    assert len(fake.seen("arxiv")) == 1 and store.count() == 0  # a refusal is not retried


def test_arxiv_api_empty_result_is_a_clean_finish(fake, syncer, store):
    fake.fixed["arxiv"] = body(recording("arxiv-api-empty.xml"))
    counts = syncer.run("arxiv", {"category": ["cs.XX"]}, today=TODAY)
    assert counts.added == 0 and counts.requests == 1


def test_oai_recorded_list_is_stored_whole_and_its_newest_day_is_where_the_next_run_starts(fake, syncer, store, feeds):
    fake.fixed["oai"] = body(recording("oai-cs-46.xml"), content_type="text/xml")
    counts = syncer.run("oai", {"set": "cs", "from": "2015-01-16", "until": "2015-01-18"}, today=TODAY)
    assert (counts.added, counts.requests) == (46, 1) and store.count() == 46
    (request,) = fake.seen("oai")
    assert request.query == {"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "cs", "from": "2015-01-16",
                             "until": "2015-01-18"}
    again = syncer.run("oai", {"set": "cs", "from": "2015-01-16", "until": "2015-01-18"}, today=TODAY)
    assert again.added == 0 and again.unchanged == 46
    assert fake.seen("oai")[-1].query["from"] == "2015-01-16"  # every record of the recording is dated 2015-01-16


def test_oai_recorded_bad_resumption_token_restarts_from_the_last_day_completed(fake, syncer, store):
    fake.script("oai", body(recording("oai-arxivraw-6-token.xml")), body(recording("oai-bad-resumption-token.xml")),
                body(recording("oai-cs-46.xml")))
    counts = syncer.run("oai", {"from": "2014-10-01"}, today=TODAY)
    first, with_token, restart = fake.seen("oai")
    assert with_token.query == {"verb": "ListRecords", "resumptionToken": "726959|1001"}
    # The recorded page's datestamps are not in order, so only the run's own start is a safe restart.
    assert restart.query["from"] == "2014-10-01" and "resumptionToken" not in restart.query
    assert counts.added == 6 + 46 and store.count() == 52


def test_oai_recorded_no_records_match_is_a_clean_finish_with_nothing(fake, syncer, store):
    fake.fixed["oai"] = body(recording("oai-no-records-match.xml"))
    counts = syncer.run("oai", {"set": "moo"}, today=TODAY)
    assert counts.added == 0 and counts.requests == 1 and store.count() == 0


def test_oai_recorded_503_with_retry_after_is_waited_out(fake, syncer, store):
    fake.script("oai", status(503, recording("oai-503-retry-after.html"), retry_after=1, content_type="text/html"))
    fake.fixed["oai"] = body(recording("oai-cs-46.xml"))
    started = time.monotonic()
    counts = syncer.run("oai", {"set": "cs"}, today=TODAY)
    flow_control, answered = fake.seen("oai")
    assert answered.at - flow_control.at >= 1.0 and time.monotonic() - started < 5
    assert counts.added == 46


def test_hf_daily_recorded_list_keeps_upvotes(fake, syncer, store):
    fake.fixed["hf"] = body(recording("hf-daily-papers-30.json"), content_type="application/json")
    counts = syncer.run("hf-daily", {"date": "2026-06-12"}, today=TODAY)
    assert (counts.added, counts.requests) == (30, 1)
    assert fake.seen("hf")[0].query == {"date": "2026-06-12", "limit": "100"}
    assert store.get("arxiv:2606.00467").title.startswith("On the Limits of LLM Adaptability")
    recorded = hf_daily_json.read_page(recording("hf-daily-papers-30.json").decode()).records
    assert [store.get(p.id).upvotes for p in recorded] == [p.upvotes for p in recorded]
    assert max(p.upvotes for p in recorded) > 0


def test_biorxiv_recorded_answer_is_stored(fake, syncer, store):
    fake.fixed["biorxiv"] = body(recording("biorxiv-details-1.json"), content_type="application/json")
    counts = syncer.run("biorxiv", {"server": "biorxiv", "from": "2020-06-11", "until": "2020-06-12"}, today=TODAY)
    assert (counts.added, counts.requests) == (1, 1)
    assert fake.seen("biorxiv")[0].path == "/biorxiv/details/biorxiv/2020-06-11/2020-06-12/0"
    assert store.get("doi:10.1101/2020.06.11.145425").title == "Machine Learning Maps Research Needs in COVID-19 Literature"
