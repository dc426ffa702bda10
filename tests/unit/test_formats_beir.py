"""BEIR corpus.jsonl (SciFact here): _id, title, and the abstract in text."""

from pathlib import Path

from paperlens.corpus.formats import Skipped, beir
from paperlens.corpus.paper import Paper

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


def parse(name):
    with open(FIXTURES / name, encoding="utf-8") as stream:
        return list(beir.parse(stream))


def test_scifact_documents_become_papers_with_text_as_abstract():
    papers = parse("beir-scifact-20.jsonl")
    assert len(papers) == 20 and all(isinstance(p, Paper) for p in papers)
    first = papers[0]
    assert first.source == "beir" and first.source_id == "4983"
    assert first.title.startswith("Microstructural development of human newborn cerebral white matter")
    assert first.abstract.startswith("Alterations of the architecture of cerebral white matter")
    assert first.id.startswith("title:")  # SciFact gives no arXiv id or DOI


def test_broken_and_untitled_documents_are_skipped_by_line():
    records = parse("beir-malformed.jsonl")
    assert [r.source_id for r in records if isinstance(r, Paper)] == ["4983", "5836"]
    skipped = [r for r in records if isinstance(r, Skipped)]
    assert [s.position for s in skipped] == ["line 2", "line 3", "line 4"]
    assert skipped[0].reason.startswith("invalid JSON")
    assert skipped[1].reason == "no title"
    assert skipped[2].reason == "metadata must be an object"
