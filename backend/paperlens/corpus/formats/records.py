"""What every parser yields (a Paper or a Skipped), and the checks and loop the JSON-lines formats share."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, Iterator, TextIO, Union

from ..paper import Paper, split_authors


@dataclass(frozen=True)
class Skipped:
    """A record that could not become a Paper: where it is in the input and why, for the ingest report."""

    position: str  # "line 12" or "entry 3"
    reason: str  # "invalid JSON: Expecting ',' delimiter at column 40", "no title"


Record = Union[Paper, Skipped]


class BadRecord(ValueError):
    """Raised while converting one record; its message is the reason the user sees."""


class MalformedPage(ValueError):
    """A response body that is not one whole, well-formed page of its format (cut off, not XML or
    JSON, the wrong shape): the whole page is refused, never half of it taken."""


class CostlyPage(Exception):
    """An input that would cost too much memory or time to read (XML nested past any real page,
    millions of elements outside the records, a JSON page of millions of values, a parse past its
    deadline). Not retried: the same page would cost the same again."""


# One response is read within this many seconds; a real page of 1,000 records takes well under one.
PAGE_SECONDS = 10.0
# Values (objects, lists, strings, numbers) one JSON response may hold: a real HF day or bioRxiv page
# has a few thousand, and each costs Python 50-100 bytes once loaded.
MAX_JSON_VALUES = 1_000_000
MAX_DIGITS = 18  # a count longer than this is no count (Python refuses to read past 4,300 digits at all)


class OddNumber(str):
    """A JSON integer too long to be a count, kept as its text so the record that holds it is
    skipped with a reason instead of the whole page failing (json.loads raises ValueError on 4,301
    digits and more)."""


def _json_int(digits: str):
    return int(digits) if len(digits.lstrip("-")) <= MAX_DIGITS else OddNumber(digits)


def json_records(stream: TextIO, to_paper: Callable[[dict], Paper]) -> Iterator[Record]:
    """One JSON object per line -> to_paper(object). A bad line becomes a Skipped and the next line loads."""
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        position = f"line {number}"
        try:
            # Without its line ending, a line cut off mid-string reads "Unterminated string", not
            # "Invalid control character" (the newline).
            obj = json.loads(line.rstrip("\r\n"), parse_int=_json_int)
        except json.JSONDecodeError as err:
            # err's own "line 1 column 5" counts within this one line, so only the column is worth keeping.
            yield Skipped(position, f"invalid JSON: {err.msg.removesuffix(' at')} at column {err.colno}")
            continue
        if not isinstance(obj, dict):
            yield Skipped(position, f"expected a JSON object, got {type_name(obj)}")
            continue
        try:
            paper = to_paper(obj)
        except BadRecord as err:
            yield Skipped(position, str(err))
            continue
        yield paper


def type_name(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def text(obj: dict, key: str) -> str | None:
    """obj[key] as a string, None when absent or null; anything else is a bad record."""
    value = obj.get(key)
    if value is None or isinstance(value, str) and not isinstance(value, OddNumber):
        return value
    raise BadRecord(f"{key} must be a string, got {type_name(value)}")


def identifier(obj: dict, key: str) -> str | None:
    """Ids are strings, but some exports write numeric ids as numbers ({"_id": 4983})."""
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(obj, key)


def required_title(obj: dict, key: str = "title") -> str:
    title = text(obj, key)
    if not title or not title.strip():
        raise BadRecord("no title")
    return title


def author_list(obj: dict, key: str = "authors") -> list[str]:
    """A list of names, or one string of names separated by commas and "and"."""
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return split_authors(value)
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return value
    raise BadRecord(f"{key} must be a list of strings or a string, got {type_name(value)}")


def word_list(obj: dict, key: str) -> list[str]:
    """Categories: a list of strings, or one string separated by spaces or commas ("cs.CL cs.LG")."""
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [word for word in re.split(r"[\s,]+", value) if word]
    if isinstance(value, list) and all(isinstance(word, str) for word in value):
        return value
    raise BadRecord(f"{key} must be a list of strings or a string, got {type_name(value)}")


DIGITS = re.compile(r"[0-9]{1,%d}" % MAX_DIGITS)  # ASCII only: str.isdigit() also takes "²", which int() refuses


def whole_number(value) -> int | None:
    """A count as upstreams write it (a JSON number, or a string of ASCII digits), or None when it is
    not one: superscript or other non-ASCII digits, a sign, a fraction, too many digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value < 10 ** MAX_DIGITS else None
    if isinstance(value, str) and DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    return None


def count(obj: dict, key: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    number = whole_number(value)
    if number is None:
        shown = f"a number of {len(value)} digits" if isinstance(value, OddNumber) else repr(str(value)[:20])
        raise BadRecord(f"{key} must be a whole number, got {shown}")
    return number


ISO_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?(?:[T ].*)?$")


def iso_date(value: str | None, key: str = "published") -> str | None:
    """'2023-05-01T12:00:00Z' -> '2023-05-01'; 'YYYY-MM' and 'YYYY' stay as precise as they were."""
    if value is None or not value.strip():
        return None
    match = ISO_DATE.match(value.strip())
    if not match:
        raise BadRecord(f"{key} is not an ISO date: {value[:40]!r}")
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12 or day and not 1 <= int(day) <= 31:
        raise BadRecord(f"{key} is not a valid date: {value[:40]!r}")
    return "-".join(part for part in (year, month, day) if part)


def json_document(text: str):
    """A whole JSON response body; anything that is not one complete JSON document (cut off, not
    JSON, nested deeper than the parser's recursion limit) raises MalformedPage."""
    # An upper bound on the values in the document, counted at C speed before anything is built:
    # a value after the first in a list or object follows a comma, and a member is a key and a value.
    values = 2 * (text.count(",") + text.count("[") + text.count("{")) + 1
    if values > MAX_JSON_VALUES:
        raise CostlyPage(f"a JSON page of up to {values:,} values (more than {MAX_JSON_VALUES:,})")
    try:
        return json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as err:
        raise MalformedPage(f"not a complete JSON document: {err.msg} at line {err.lineno}, column {err.colno}") from None
    except RecursionError:
        raise MalformedPage("JSON nested too deeply") from None


def whole_page(stream: TextIO, read_page: Callable[[str], object]) -> Iterator[Record]:
    """parse() for a format that is read a whole page at a time: the page's records, or one Skipped
    saying why the input is not a page."""
    try:
        page = read_page(stream.read())
    except (MalformedPage, CostlyPage) as err:
        yield Skipped("input", str(err))
        return
    yield from page.records
