"""arXiv API Atom feeds: entries read as they stream in; a broken or hostile feed stops cleanly."""

import time
from pathlib import Path

from paperlens.corpus.formats import Skipped, arxiv_atom, arxiv_oai
from paperlens.corpus.paper import Paper

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


def parse(name):
    with open(FIXTURES / name, encoding="utf-8") as stream:
        return list(arxiv_atom.parse(stream))


def test_entries_become_papers_with_every_field():
    attention, safe, maldacena = parse("arxiv-atom-3.xml")
    assert attention.id == "arxiv:1706.03762" and attention.arxiv_id == "1706.03762"
    assert attention.source == "arxiv-atom" and attention.source_id == "1706.03762v7"
    assert attention.title == "Attention Is All You Need"
    assert attention.abstract.startswith("The dominant sequence transduction models are based on complex recurrent or convolutional")
    assert attention.authors == ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]
    assert attention.published == "2017-06-12"
    assert attention.url == "http://arxiv.org/abs/1706.03762v7"
    assert attention.categories == ["cs.CL", "cs.LG"]  # primary first, listed once
    assert safe.authors[0] == "Moreno D'Incà" and safe.categories == ["cs.CV", "cs.AI"]
    assert maldacena.id == "arxiv:hep-th/9711200" and maldacena.doi == "10.1023/a:1026654312961"


def test_same_paper_from_atom_and_oai_gets_the_same_id():
    atom = {p.arxiv_id: p for p in parse("arxiv-atom-3.xml")}
    with open(FIXTURES / "arxiv-oai-kaggle.jsonl", encoding="utf-8") as stream:
        oai = {p.arxiv_id: p for p in arxiv_oai.parse(stream)}
    for arxiv_id in ("1706.03762", "hep-th/9711200"):
        assert atom[arxiv_id].id == oai[arxiv_id].id
        assert atom[arxiv_id].title == oai[arxiv_id].title
        assert atom[arxiv_id].published == oai[arxiv_id].published  # atom published == OAI v1 date
    assert atom["1706.03762"].abstract == oai["1706.03762"].abstract


def test_truncated_feed_keeps_the_entries_before_the_break_and_says_where_it_broke():
    records = parse("arxiv-atom-truncated.xml")
    assert [r.arxiv_id for r in records[:-1]] == ["1706.03762", "2503.11742"]
    assert records[-1] == Skipped(
        "line 89, column 46", "malformed XML, stopped reading: no element found: line 89, column 46"
    )


def test_entity_bomb_is_refused_without_expanding_anything():
    started = time.perf_counter()
    records = parse("arxiv-atom-entity-bomb.xml")
    assert time.perf_counter() - started < 1
    assert records == [Skipped("line 2", "the XML declares a DOCTYPE, which is refused: entities are never expanded")]


def test_a_declaration_split_across_read_chunks_is_still_caught():
    import io

    padding = " " * (arxiv_atom.CHUNK - 5)
    feed = f'<?xml version="1.0"?>{padding}<!DOCTYPE feed [<!ENTITY a "b">]><feed xmlns="http://www.w3.org/2005/Atom"/>'
    records = list(arxiv_atom.parse(io.StringIO(feed)))
    assert len(records) == 1 and "DOCTYPE" in records[0].reason


def test_api_error_entry_is_reported_not_stored_as_a_paper():
    assert parse("arxiv-atom-api-error.xml") == [
        Skipped("entry 1", "arXiv API error: incorrect id format for 1234.12345")
    ]


def test_entry_without_title_is_skipped_by_entry_number():
    import io

    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        "<entry><id>http://arxiv.org/abs/2101.00001v1</id><title> </title></entry>"
        "<entry><id>http://arxiv.org/abs/2101.00002v1</id><title>Kept</title></entry></feed>"
    )
    first, second = arxiv_atom.parse(io.StringIO(feed))
    assert first == Skipped("entry 1", "no title")
    assert isinstance(second, Paper) and second.id == "arxiv:2101.00002"
