"""The project's own JSONL: Paper field names, lenient about author strings and dates, strict about types."""

from pathlib import Path

from paperlens.corpus.formats import Skipped, jsonl
from paperlens.corpus.paper import Paper

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


def parse(name):
    with open(FIXTURES / name, encoding="utf-8") as stream:
        return list(jsonl.parse(stream))


def test_papers_keep_their_fields_and_the_file_id_as_source_id():
    attention, bert, bare = parse("jsonl-good.jsonl")
    assert attention == Paper(
        title="Attention Is All You Need",
        abstract="The dominant sequence transduction models...",
        authors=["Ashish Vaswani", "Noam Shazeer"],
        arxiv_id="1706.03762",
        published="2017-06-12",
        categories=["cs.CL", "cs.LG"],
        source="jsonl",
        source_id="arxiv:1706.03762",
    )
    assert attention.id == "arxiv:1706.03762"
    assert bert.authors == ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"]
    assert bert.doi == "10.18653/v1/n19-1423" and bert.id == "doi:10.18653/v1/n19-1423"
    assert bert.published == "2019-06-02"  # a timestamp keeps its day
    assert bert.upvotes == 12 and bert.url == "https://aclanthology.org/N19-1423/"
    assert bare.title == "A Paper With Only A Title" and bare.published == "2020"
    assert bare.source_id == "local-7" and bare.id.startswith("title:")


def test_each_bad_line_is_skipped_with_its_line_number_and_the_rest_loads():
    records = parse("jsonl-malformed.jsonl")
    papers = [r for r in records if isinstance(r, Paper)]
    skipped = {r.position: r.reason for r in records if isinstance(r, Skipped)}
    assert [p.title for p in papers] == [
        "Attention Is All You Need",
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
    ]
    assert set(skipped) == {"line 2", "line 3", "line 4", "line 5", "line 6", "line 7"}  # line 8 is blank
    assert skipped["line 2"].startswith("invalid JSON:")
    assert skipped["line 3"] == skipped["line 4"] == "no title"
    assert "upvotes" in skipped["line 5"]
    assert "published" in skipped["line 6"]
    assert skipped["line 7"] == "expected a JSON object, got a number"


def test_authors_of_the_wrong_type_skip_the_record_instead_of_crashing():
    import io

    records = list(jsonl.parse(io.StringIO('{"title": "T", "authors": [1, 2]}\n{"title": "U"}\n')))
    assert records[0] == Skipped("line 1", "authors must be a list of strings or a string, got a list")
    assert records[1].title == "U"
