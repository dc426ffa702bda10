"""The formats sync reads, on real recorded responses: arXiv OAI-PMH XML, Hugging Face daily-papers JSON,
bioRxiv JSON and the arXiv API's page-level facts; whole pages or a clear refusal, never half a page."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from paperlens.corpus.formats import MalformedPage, Skipped, arxiv_atom, arxiv_oai_pmh, biorxiv, hf_daily_json
from paperlens.corpus.paper import Paper
from paperlens.corpus.sources import read_records

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"


def text(name: str) -> str:
    return (FEEDS / name).read_text(encoding="utf-8")


def test_oai_arxiv_records_become_papers_with_versions_and_authors():
    page = arxiv_oai_pmh.read_page(text("oai-cs-46.xml"))
    assert len(page.records) == 46 and all(isinstance(r, Paper) for r in page.records)
    first = page.records[0]
    assert first.id == "arxiv:1101.4388" and first.title == "Reproducing Kernel Banach Spaces with the l1 Norm"
    assert first.authors == ["Guohui Song", "Haizhang Zhang", "Fred J. Hickernell"]
    assert first.published == "2011-01-23" and first.updated == "2012-03-28"
    assert first.categories == ["stat.ML", "cs.LG", "math.FA"] and first.doi == "10.1016/j.acha.2012.03.009"
    assert first.abstract.startswith("Targeting at sparse learning, we construct Banach spaces")
    assert page.records[1].authors[1] == "Heiko Röglin"  # &#xf6; read as a character reference, not an entity
    assert page.token is None and page.error_code is None
    assert page.datestamps[:2] == ["2015-01-16", "2015-01-16"]


def test_oai_arxivraw_page_gives_its_resumption_token_and_version_dates():
    page = arxiv_oai_pmh.read_page(text("oai-arxivraw-6-token.xml"))
    assert len(page.records) == 6
    assert page.token == "726959|1001" and page.complete_list_size == 58011
    first = page.records[0]
    assert first.arxiv_id == "0704.0471" and first.published == "2007-04-03"
    assert first.authors == ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]
    assert first.doi == "10.1103/physrevc.76.024606"  # the first of the two DOIs


@pytest.mark.parametrize("name, code", [("oai-no-records-match.xml", "noRecordsMatch"),
                                        ("oai-bad-resumption-token.xml", "badResumptionToken")])
def test_oai_errors_are_read_as_errors(name, code):
    page = arxiv_oai_pmh.read_page(text(name))
    assert page.error_code == code and page.records == [] and page.error_message


def test_oai_page_cut_off_anywhere_is_refused_whole():
    body = text("oai-cs-46.xml")
    for cut in (len(body) // 3, len(body) - 30, len(body) - 3):  # the last cut leaves "</OAI-PM"
        with pytest.raises(MalformedPage):
            arxiv_oai_pmh.read_page(body[:cut])


def test_oai_refuses_entity_declarations_without_expanding():
    bomb = ('<?xml version="1.0"?><!DOCTYPE OAI-PMH [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>&b;</ListRecords></OAI-PMH>')
    started = time.perf_counter()
    with pytest.raises(MalformedPage, match="DOCTYPE"):
        arxiv_oai_pmh.read_page(bomb)
    assert time.perf_counter() - started < 0.5


def test_oai_html_and_empty_bodies_are_not_pages():
    for garbage in (text("oai-503-retry-after.html"), "", "x" * 100_000, "<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'/>"):
        with pytest.raises(MalformedPage):
            arxiv_oai_pmh.read_page(garbage)


def test_oai_deleted_record_and_record_without_title_are_skipped_with_reasons():
    body = text("oai-cs-46.xml").replace("<header>", '<header status="deleted">', 1)
    body = body.replace("<title>Improved Smoothed Analysis of Multiobjective Optimization</title>", "<title> </title>")
    page = arxiv_oai_pmh.read_page(body)
    skipped = [r for r in page.records if isinstance(r, Skipped)]
    assert [s.reason for s in skipped] == ["deleted from the repository", "no title"]
    assert "oai:arXiv.org:1101.4388" in skipped[0].position and len(page.datestamps) == 46


def test_atom_page_gives_total_entries_and_the_error_entry():
    page = arxiv_atom.read_page(text("arxiv-api-testing-10.xml"))
    assert page.total == 214881 and len(page.records) == 10
    assert page.entries[0] == ("2202.12139", "2022-02-24T15:05:19Z")
    assert page.records[0].updated == "2022-02-24"
    error = arxiv_atom.read_page(text("arxiv-api-error-400.xml"))
    assert error.error == "incorrect id format for abc"
    assert arxiv_atom.read_page(text("arxiv-api-empty.xml")).total == 0
    with pytest.raises(MalformedPage):
        arxiv_atom.read_page(text("arxiv-api-testing-10.xml")[:5000])


def test_hf_daily_json_keeps_arxiv_ids_authors_and_upvotes():
    page = hf_daily_json.read_page(text("hf-daily-papers-30.json"))
    assert len(page.records) == 30 and all(isinstance(r, Paper) for r in page.records)
    first = page.records[0]
    assert first.id == "arxiv:2606.00467" and first.title.startswith("On the Limits of LLM Adaptability")
    assert first.authors == ["Etienne Casanova", "Rafal Kocielnik", "R. Michael Alvarez"]
    assert first.published == "2026-05-30" and first.upvotes == 0
    assert max(p.upvotes for p in page.records) > 0


def test_hf_daily_json_hostile_bodies_are_refused_or_skipped():
    with pytest.raises(MalformedPage, match="too deeply"):
        hf_daily_json.read_page("[" * 100_000 + "]" * 100_000)
    with pytest.raises(MalformedPage):
        hf_daily_json.read_page(text("hf-daily-papers-30.json")[:-200])  # cut off
    with pytest.raises(MalformedPage):
        hf_daily_json.read_page('{"error": "Invalid date"}')
    page = hf_daily_json.read_page(json.dumps([{"paper": {"title": "x" * 3000, "id": "2601.00001"}}, 5, {"paper": {}},
                                               {"paper": {"title": "T", "authors": "not a list"}}]))
    assert isinstance(page.records[0], Paper) and [type(r) for r in page.records[1:]] == [Skipped] * 3


def test_biorxiv_details_become_papers_and_the_newest_version_of_a_doi_wins():
    page = biorxiv.read_page(text("biorxiv-details-1.json"))
    (paper,) = page.records
    assert paper.id == "doi:10.1101/2020.06.11.145425" and paper.title == "Machine Learning Maps Research Needs in COVID-19 Literature"
    assert paper.authors[:2] == ["Doanvo, A. L.", "Qian, X."] and paper.updated == "2020-06-12"
    assert paper.url == "https://www.biorxiv.org/content/10.1101/2020.06.11.145425v1"
    item = json.loads(text("biorxiv-details-1.json"))["collection"][0]
    newer = {**item, "version": "2", "date": "2020-07-01", "abstract": "Revised."}
    two = biorxiv.read_page(json.dumps({"messages": [{"status": "ok", "cursor": "0", "count": 2, "total": "2"}],
                                        "collection": [newer, item]}))
    assert [p.abstract for p in two.records] == ["Revised."] and two.items == 2 and two.total == 2


def test_biorxiv_no_posts_and_hostile_bodies():
    empty = biorxiv.read_page('{"messages": [{"status": "no posts found"}], "collection": []}')
    assert empty.records == [] and empty.status == "no posts found"
    for bad in ('{"collection": []}', "[]", '{"messages": [], "collection": []}', '{"messages": [{}], "collection": 5}',
                '{"messages": [{"status": "ok"}], "collection": [' * 50_000):
        with pytest.raises(MalformedPage):
            biorxiv.read_page(bad)


@pytest.mark.parametrize("name, fmt, papers", [
    ("oai-cs-46.xml", "arxiv-oai-pmh", 46), ("hf-daily-papers-30.json", "hf-daily-json", 30),
    ("biorxiv-details-1.json", "biorxiv", 1), ("arxiv-api-testing-10.xml", "arxiv-atom", 10)])
def test_paperlens_ingest_reads_saved_responses_of_every_source(name, fmt, papers):
    records = list(read_records(FEEDS / name))
    assert sum(isinstance(r, Paper) for r in records) == papers
    assert all(r.source == fmt for r in records if isinstance(r, Paper))


def test_ingest_of_a_saved_oai_error_says_what_the_error_was():
    records = list(arxiv_oai_pmh.parse(io.StringIO(text("oai-bad-resumption-token.xml"))))
    assert records == [Skipped("input", "OAI-PMH error badResumptionToken: The resumptionToken supplied is illegal for this repository")]
    assert list(arxiv_oai_pmh.parse(io.StringIO(text("oai-no-records-match.xml")))) == []
