"""The Hugging Face daily-papers page as text: 85 papers in the seed, dates with and without years, upvotes."""

import io
from pathlib import Path

from paperlens.corpus.formats import Skipped, hf_daily
from paperlens.corpus.paper import Paper

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"


def parse(name, **options):
    with open(FIXTURES / name, encoding="utf-8") as stream:
        return list(hf_daily.parse(stream, **options))


def test_seed_page_gives_its_85_papers_without_the_page_chrome():
    papers = parse("hf-daily-seed.txt", year=2025)
    assert len(papers) == 85 and all(isinstance(p, Paper) for p in papers)
    assert len({p.id for p in papers}) == 85
    assert papers[0].title == "Few-Step Diffusion via Score identity Distillation"
    assert papers[0].abstract.startswith("Diffusion distillation has emerged as a promising strategy")
    assert papers[-1].title == "Technical Report of TeleChat2, TeleChat2.5 and T1"
    assert all(p.source == "hf-daily" and p.source_id is None and p.abstract for p in papers)
    assert not any(p.title in {"Daily Papers", "Nov 3", "Subscribe"} for p in papers)


def test_seed_dates_and_upvotes_in_every_written_variant():
    by_title = {p.title: p for p in parse("hf-daily-seed.txt", year=2025)}

    def date_and_votes(title):
        return by_title[title].published, by_title[title].upvotes

    assert date_and_votes("Few-Step Diffusion via Score identity Distillation") == ("2025-05-18", None)  # "May 18"
    assert date_and_votes(
        "SwiftBrush: One-Step Text-to-Image Diffusion Model with Variational Score Distillation"
    ) == ("2023-12-08", None)  # "Dec 8, 2023"
    assert date_and_votes("Skip a Layer or Loop it? Test-Time Depth Adaptation of Pretrained LLMs") == (
        "2025-07-10",
        14,
    )  # "Jul 10 14"
    assert date_and_votes("The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks") == (
        "2018-03-09",
        1,
    )  # "Mar 9, 2018 1"
    assert date_and_votes("Technical Report of TeleChat2, TeleChat2.5 and T1") == ("2025-07-23", 2)
    papers = by_title.values()
    assert sum(1 for p in papers if p.upvotes) == 10
    assert sum(1 for p in papers if p.published.startswith("2025")) == 13  # the dates written without a year


def test_dates_without_a_year_take_the_year_option():
    papers = parse("hf-daily-seed.txt", year=2024)
    assert papers[0].published == "2024-05-18"
    assert papers[1].published == "2023-12-08"


def test_windows_line_endings_parse_the_same():
    text = (FIXTURES / "hf-daily-seed.txt").read_text(encoding="utf-8")
    crlf = io.StringIO(text.replace("\n", "\r\n"), newline="")  # keep the \r in each line
    assert list(hf_daily.parse(crlf, year=2025)) == parse("hf-daily-seed.txt", year=2025)


def test_entry_missing_its_date_is_skipped_and_the_next_ones_load():
    records = parse("hf-daily-missing-date.txt", year=2025)
    assert [type(r).__name__ for r in records] == ["Paper", "Skipped", "Paper", "Paper", "Paper"]
    assert records[1].position == "line 21"
    assert records[1].reason.startswith("no date after the authors line of 'SwiftBrush")
    assert records[2].title == "Stitchable Neural Networks" and records[2].published == "2023-02-13"


def test_entry_missing_its_authors_and_date_lines_is_reported_not_merged():
    page = "Daily Papers\n\nFirst\n\nAbstract one.\n\n  • 2 authors\n·\nMay 1\n\nLost title\n\nLost abstract.\n\nThird\n\nAbstract three.\n\n  • 1 author\n·\nMay 3 5\n"
    records = list(hf_daily.parse(io.StringIO(page), year=2025))
    assert [getattr(r, "title", None) for r in records] == ["First", None, "Third"]
    assert records[1] == Skipped("line 11", "text without an authors and date line after it: 'Lost title'")
    assert records[2].published == "2025-05-03" and records[2].upvotes == 5
