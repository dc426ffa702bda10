"""The Hugging Face daily-papers page saved as text: per paper a title, an abstract, "N authors",
"·", and a date ("May 18", "Dec 8, 2023") optionally followed by the upvote count ("Jul 10 14")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator, TextIO

from ..paper import Paper
from .records import Record, Skipped

NAME = "hf-daily"

AUTHORS = re.compile(r"^[•*\-\s]*(\d+)\s+authors?$")
DOT = re.compile(r"^·$")
# "May 18", "Jul 10 14" (14 upvotes), "Dec 8, 2023", "Jun 5, 2024 3"; a year always follows a comma.
# ASCII digits, and few of them: \d takes other scripts' digits, and int() refuses 4,301 digits and more
DATE = re.compile(r"^·?\s*([A-Z][a-z]{2})[a-z]*\.?\s+([0-9]{1,2})(?:,\s*([0-9]{4}))?(?:\s+([0-9]{1,18}))?$")
UPVOTES = re.compile(r"^([0-9]{1,18})$")
MONTHS = {name: number for number, name in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


@dataclass
class Block:
    """Consecutive non-blank text lines: the page chrome, a title or an abstract."""

    line: int
    text: str


@dataclass
class Footer:
    """The "N authors · date upvotes" lines that close a paper, with the text blocks that came before."""

    line: int
    texts: list[Block]
    date: tuple[str, str, str | None] | None = None  # month, day, year as written
    upvotes: int | None = None
    extra: list[str] = field(default_factory=list)


def parse(stream: TextIO, *, year: int | None = None, **_options) -> Iterator[Record]:
    """year fills in dates shown without one (the page omits the current year); default this year."""
    year = year or date.today().year
    texts: list[Block] = []
    footer: Footer | None = None
    first = True  # text before the first paper is page chrome ("Daily Papers", "Nov 3"), not a paper
    in_block = False
    for number, raw in enumerate(stream, 1):
        line = raw.strip()
        if not line:
            in_block = False
            continue
        authors = AUTHORS.match(line)
        if authors:
            if footer:
                yield from finish(footer, first, year)
                first = False
            footer, texts, in_block = Footer(number, texts), [], False
            continue
        if footer and DOT.match(line):
            continue
        if footer and footer.date is None and DATE.match(line):
            month, day, written_year, upvotes = DATE.match(line).groups()
            footer.date = (month, day, written_year)
            footer.upvotes = int(upvotes) if upvotes else None
            continue
        if footer and footer.date and footer.upvotes is None and UPVOTES.match(line):
            footer.upvotes = int(line)  # some copies put the count on its own line
            continue
        if footer:
            yield from finish(footer, first, year)
            footer, first = None, False
        if in_block:
            texts[-1].text += " " + line
        else:
            texts.append(Block(number, line))
            in_block = True
    if footer:
        yield from finish(footer, first, year)
    elif texts and not first:
        yield Skipped(f"line {texts[0].line}", f"text without an authors and date line after it: {texts[0].text[:60]!r}")


def finish(footer: Footer, first: bool, year: int) -> Iterator[Record]:
    """The paper a footer closes: the last two text blocks before it are its title and abstract."""
    texts = footer.texts
    if not first and len(texts) > 2:
        # Text between two papers that is not one: a paper whose authors/date lines are missing.
        yield Skipped(f"line {texts[0].line}", f"text without an authors and date line after it: {texts[0].text[:60]!r}")
    if len(texts) < 2:
        yield Skipped(f"line {footer.line}", "authors line without a title and abstract before it")
        return
    title, abstract = texts[-2:]
    if footer.date is None:
        yield Skipped(f"line {title.line}", f"no date after the authors line of {title.text[:60]!r}")
        return
    published = iso_date(*footer.date, default_year=year)
    if published is None:
        yield Skipped(f"line {title.line}", f"not a date: {' '.join(p for p in footer.date if p)!r}")
        return
    yield Paper(
        title=title.text,
        abstract=abstract.text,
        published=published,
        source=NAME,
        upvotes=footer.upvotes,
    )


def iso_date(month: str, day: str, written_year: str | None, *, default_year: int) -> str | None:
    number = MONTHS.get(month)
    if number is None:
        return None
    try:
        return date(int(written_year or default_year), number, int(day)).isoformat()
    except ValueError:  # "Feb 30"
        return None
