"""arXiv metadata JSON lines (Kaggle / OAI snapshot): authors_parsed, v1 date, first DOI."""

import gzip
from pathlib import Path

from paperlens.corpus.formats import Skipped, arxiv_oai
from paperlens.corpus.paper import Paper

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


def parse(name):
    opener = gzip.open if name.endswith(".gz") else open
    with opener(FIXTURES / name, "rt", encoding="utf-8") as stream:
        return list(arxiv_oai.parse(stream))


def test_snapshot_records_without_versions_are_dated_by_update_date():
    papers = parse("arxiv-oai-20.jsonl.gz")
    assert len(papers) == 20 and all(isinstance(p, Paper) for p in papers)
    safe = papers[1]
    assert safe.id == "arxiv:2503.11742" and safe.source == "arxiv-oai" and safe.source_id == "2503.11742"
    assert safe.title == "Safe Vision-Language Models via Unsafe Weights Manipulation"
    assert safe.authors[0] == "Moreno D'Incà" and safe.authors[-1] == "Massimiliano Mancini"
    assert len(safe.authors) == 6
    assert safe.categories == ["cs.CV", "cs.AI"]
    assert safe.published == "2025-03-18"
    assert "\n" not in safe.abstract and safe.abstract.startswith("Vision-language models (VLMs) often inherit")
    assert safe.url == "https://arxiv.org/abs/2503.11742"


def test_kaggle_records_take_v1_date_parsed_authors_and_doi():
    attention, maldacena = parse("arxiv-oai-kaggle.jsonl")
    assert attention.published == "2017-06-12"  # v1, not update_date 2023-08-03
    assert attention.authors[5] == "Aidan N. Gomez" and len(attention.authors) == 8
    assert maldacena.id == "arxiv:hep-th/9711200"
    assert maldacena.doi == "10.1023/a:1026654312961"
    assert maldacena.published == "1997-11-27"
    assert maldacena.authors == ["Juan M. Maldacena"]


def test_author_strings_split_on_commas_and_a_final_and():
    record = {"id": "2501.00001", "title": "T", "abstract": "", "authors": "A One, B Two, and C Three and D Four"}
    assert arxiv_oai.to_paper(record).authors == ["A One", "B Two", "C Three", "D Four"]


def test_malformed_line_is_skipped_with_its_line_number_and_rest_loads():
    records = parse("arxiv-oai-malformed.jsonl")
    assert [r.source_id for r in records if isinstance(r, Paper)] == ["2503.11731", "2503.11750", "2503.11780"]
    skipped = [r for r in records if isinstance(r, Skipped)]
    assert [s.position for s in skipped] == ["line 2", "line 5", "line 6", "line 7"]
    assert skipped[0].reason.startswith("invalid JSON: Unterminated string")
    assert skipped[1].reason == "no title"
    assert skipped[2].reason == "expected a JSON object, got a list"
    assert skipped[3].reason.startswith("authors must be")
