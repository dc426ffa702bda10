"""What every source shares: how it declares its options, the Page it yields, the failure it raises,
the key its checkpoint is stored under, and the checks its options go through."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from ...corpus.formats import Skipped
from ...corpus.limits import within_limits
from ...corpus.paper import Paper


# What an option's values are: free text, a day (YYYY-MM-DD), a whole number, or one of some words.
TEXT, DAY, COUNT, CHOICE = "text", "day", "count", "choice"


@dataclass(frozen=True)
class Option:
    """One option of a source, declared once in the source's OPTIONS: `paperlens sync KIND --NAME`
    and `feeds add KIND --NAME` (cli/sync.py) and the API's feed options (schemas/feeds.py) are
    made from it. The source's options(raw) still checks every value and says what is wrong."""

    name: str
    help: str | None = None  # the command line's help, in this source's words
    kind: str = TEXT
    many: bool = False  # may be given more than once (a list in the API)
    metavar: str | None = None  # the command line's placeholder (CAT in --category CAT)
    max_length: int | None = None  # characters of each value a request may send (TEXT)
    max_items: int | None = None  # values a request may send (many)
    low: int | None = None  # the range of a COUNT
    high: int | None = None
    choices: tuple[str, ...] = ()  # a CHOICE's words
    default: str | None = None  # what the command line shows and options(raw) assumes when it is not given
    api_help: str | None = None  # the API's description, after the kinds that take it ("arxiv: ...")


def option_names(declared: Sequence[Option]) -> set[str]:
    return {option.name for option in declared}


class SyncFailed(Exception):
    """The upstream answered, but with a refusal or an error the sync cannot go past."""


@dataclass
class Page:
    papers: list[Paper]
    skipped: list[Skipped]
    checkpoint: dict  # where the next run resumes once this page is stored
    fetched: int = 0  # records this response contributed (papers, skipped and duplicates alike)
    total: int | None = None  # records the whole sync will see, when the upstream says
    trimmed: int = 0  # papers brought within the corpus's limits (corpus/limits.py)


def page_of(records: list, checkpoint: dict, total: int | None = None, fetched: int | None = None) -> Page:
    """A Page from a parser's records (Papers and Skipped), in their order, each brought within the
    corpus's limits as the API's are; fetched defaults to how many records there are."""
    held, trimmed = [], 0
    for number, record in enumerate(records, 1):
        position = getattr(record, "source_id", None) or f"record {number}"
        record, was_trimmed = within_limits(record, position)
        held.append(record)
        trimmed += was_trimmed
    papers = [r for r in held if isinstance(r, Paper)]
    skipped = [r for r in held if isinstance(r, Skipped)]
    return Page(papers, skipped, checkpoint, fetched=len(records) if fetched is None else fetched, total=total,
                trimmed=trimmed)


def refused(response, service: str) -> SyncFailed:
    """The failure for an answer that is neither a page nor worth retrying (a 4xx)."""
    snippet = " ".join(response.text.split())[:120]
    return SyncFailed(f"{service} answered HTTP {response.status}" + (f": {snippet}" if snippet else ""))


def answer_page(response, service: str, read_page):
    """read_page(body) of a 200; any other status the retries left over is refused."""
    if response.status != 200:
        raise refused(response, service)
    return read_page(response.text)


class Repeats:
    """What a run has already been handed (tokens, cursors, pages' records): the same one twice
    means the upstream is going round in a loop, and the run fails rather than follow it."""

    def __init__(self, service: str):
        self.service = service
        self.seen: set = set()

    def check(self, what: str, value) -> None:
        if value in self.seen:
            shown = f"{len(value)} records" if isinstance(value, frozenset) else repr(str(value)[:60])
            raise SyncFailed(f"{self.service} sent the same {what} twice in one run ({shown}): it is going "
                             "round in a loop; this run stops, and the next one resumes from the last page stored")
        self.seen.add(value)

    def clear(self) -> None:
        self.seen.clear()


def records_of(records: list) -> frozenset:
    """A page by the papers in it (source ids, else ids), to tell a page sent twice; empty when
    it has none (pages of nothing but skips prove nothing)."""
    return frozenset(r.source_id or r.id for r in records if isinstance(r, Paper))


def source_key(kind: str, options: dict) -> str:
    """Feeds and one-off syncs with the same kind and options share one checkpoint."""
    canonical = json.dumps({"kind": kind, "options": options}, sort_keys=True)
    return f"{kind}:{hashlib.blake2b(canonical.encode(), digest_size=8).hexdigest()}"


# -- option checks shared by the sources --------------------------------------------------------
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def day(value, name: str) -> str | None:
    """A YYYY-MM-DD option (a date or a string), or None."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not DATE.match(value):
        raise ValueError(f"{name} must be a date as YYYY-MM-DD, got {str(value)[:40]!r}")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{name} is not a valid date: {value!r}") from None


def only(raw: dict, declared: Sequence[Option], kind: str) -> dict:
    """The options of `raw` that are given, refusing any the source does not declare."""
    allowed = option_names(declared)
    unknown = sorted(k for k, v in raw.items() if k not in allowed and v not in (None, "", [], ()))
    if unknown:
        raise ValueError(f"{kind} takes {', '.join(sorted(allowed)) or 'no options'}; not {', '.join(unknown)}")
    return {k: v for k, v in raw.items() if v not in (None, "", [], ())}


def date_range(found: dict) -> dict:
    """The from/until options present in `found`, checked: days, and from not after until."""
    checked = {name: day(found[name], name) for name in ("from", "until") if name in found}
    if checked.get("from") and checked.get("until") and checked["from"] > checked["until"]:
        raise ValueError("from is after until")
    return checked


def later(*days: str | None) -> str | None:
    """The latest of some YYYY-MM-DD days (None when all are None)."""
    return max((d for d in days if d), default=None)
