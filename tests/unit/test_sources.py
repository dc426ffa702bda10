"""Opening a source: the format is told from the head of the input, for files, .gz files and stdin."""

import gzip
import io
import shutil
import sys
from pathlib import Path

import pytest

from paperlens.corpus.formats import Skipped
from paperlens.corpus.paper import Paper
from paperlens.corpus.sources import UnknownFormat, detect_format, read_records

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"

FIXTURE_FORMATS = {
    "jsonl-good.jsonl": "jsonl",
    "jsonl-malformed.jsonl": "jsonl",
    "beir-scifact-20.jsonl": "beir",
    "beir-malformed.jsonl": "beir",
    "arxiv-oai-kaggle.jsonl": "arxiv-oai",
    "arxiv-oai-malformed.jsonl": "arxiv-oai",
    "arxiv-atom-3.xml": "arxiv-atom",
    "arxiv-atom-truncated.xml": "arxiv-atom",
    "arxiv-atom-entity-bomb.xml": "arxiv-atom",
    "hf-daily-seed.txt": "hf-daily",
    "hf-daily-missing-date.txt": "hf-daily",
}


@pytest.mark.parametrize("name, expected", sorted(FIXTURE_FORMATS.items()))
def test_detection_picks_the_format_of_each_fixture(name, expected):
    head = (FIXTURES / name).read_text(encoding="utf-8")[:65536]
    assert detect_format(head) == expected


def test_detection_skips_a_broken_first_line_and_reads_the_first_good_object():
    head = '{"_id": "1", "title": \n{"_id": "2", "title": "T", "text": "abstract"}\n'
    assert detect_format(head) == "beir"


def test_detection_refuses_unknown_input_with_a_message_naming_the_formats():
    with pytest.raises(UnknownFormat, match="cannot tell the format.*jsonl, beir, arxiv-oai, arxiv-atom, arxiv-oai-pmh, hf-daily, hf-daily-json, biorxiv"):
        detect_format("id,title\n1,Something\n")
    with pytest.raises(UnknownFormat, match="neither an Atom feed.*nor OAI-PMH"):
        detect_format('<?xml version="1.0"?><rss version="2.0"></rss>')
    with pytest.raises(UnknownFormat, match="match no known format"):
        detect_format('{"name": "not a paper"}\n')


def test_gzipped_file_is_detected_and_read():
    records = list(read_records(FIXTURES / "arxiv-oai-20.jsonl.gz"))
    assert len(records) == 20 and all(isinstance(r, Paper) and r.source == "arxiv-oai" for r in records)


def test_gzip_is_recognised_by_its_content_not_its_name(tmp_path):
    plain_name = tmp_path / "papers.jsonl"
    shutil.copy(FIXTURES / "arxiv-oai-20.jsonl.gz", plain_name)
    assert len(list(read_records(plain_name))) == 20


def test_stdin_is_read_when_the_path_is_a_dash(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO((FIXTURES / "hf-daily-seed.txt").read_text(encoding="utf-8")))
    papers = list(read_records("-", year=2025))
    assert len(papers) == 85 and papers[0].published == "2025-05-18"


def test_input_longer_than_the_detection_head_loses_no_line(tmp_path, monkeypatch):
    """The 64 KB head read for detection ends mid-line; it must be replayed whole before the rest."""
    lines = gzip.open(FIXTURES / "arxiv-oai-20.jsonl.gz", "rt", encoding="utf-8").read().splitlines()
    big = "\n".join(lines * 10) + "\n"  # about 250 KB
    assert len(big) > 3 * 65536
    monkeypatch.setattr(sys, "stdin", io.StringIO(big))
    records = list(read_records("-"))
    assert len(records) == 200 and all(isinstance(r, Paper) for r in records)
    assert [r.source_id for r in records[:20]] == [r.source_id for r in records[20:40]]


def test_an_explicit_format_overrides_detection():
    records = list(read_records(FIXTURES / "arxiv-oai-kaggle.jsonl", "jsonl"))
    assert [r.source for r in records] == ["jsonl", "jsonl"]


def test_unknown_format_name_and_unknown_content_fail_before_reading_records(tmp_path):
    with pytest.raises(UnknownFormat, match="unknown format 'csv'"):
        read_records(FIXTURES / "jsonl-good.jsonl", "csv")
    other = tmp_path / "notes.txt"
    other.write_text("just some notes\n")
    with pytest.raises(UnknownFormat):
        read_records(other)


def test_skips_come_through_read_records_with_their_positions():
    records = list(read_records(FIXTURES / "arxiv-atom-truncated.xml"))
    assert len([r for r in records if isinstance(r, Paper)]) == 2
    assert isinstance(records[-1], Skipped) and records[-1].position == "line 89, column 46"


def test_atom_feed_longer_than_the_detection_head_reads_every_entry(monkeypatch):
    feed = (FIXTURES / "arxiv-atom-3.xml").read_text(encoding="utf-8")
    start, end = feed.index("  <entry>"), feed.rindex("</entry>") + len("</entry>\n")
    big = feed[:start] + feed[start:end] * 40 + feed[end:]  # 120 entries, about 200 KB
    assert len(big) > 3 * 65536
    monkeypatch.setattr(sys, "stdin", io.StringIO(big))
    records = list(read_records("-"))
    assert len(records) == 120 and all(isinstance(r, Paper) for r in records)
    assert [r.arxiv_id for r in records[-3:]] == ["1706.03762", "2503.11742", "hep-th/9711200"]
