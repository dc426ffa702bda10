"""BibTeX for reading lists: writing entries Zotero and JabRef import, and reading them back.

Writing: @misc for preprints (@article when a DOI is known), arXiv papers with eprint,
archivePrefix and primaryClass; unique ASCII keys (vaswani2017attention, ...a, ...b); LaTeX's
special characters escaped and everything else kept as UTF-8. Tags go to `keywords`, the note to
`annote` (both import into Zotero as tags and a note), the saved time to JabRef's `timestamp`.

Reading: a small, total parser (no input makes it raise anything but BibtexError): @string
macros, # concatenation, braced and quoted values, @comment/@preamble skipped, and the common
LaTeX accents and escapes turned back into Unicode.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile(r"[\\&%$#_~^{}@]")
_STOP = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "is", "are", "via", "from", "by", "at"}


class BibtexError(ValueError):
    pass


# -- writing ------------------------------------------------------------------------------------
def escape(text: str, keep_lines: bool = False) -> str:
    """LaTeX-escape a field value. Braces become \\{ \\} when they pair up within the value (so
    BibTeX's brace counting stays balanced) and \\textbraceleft{}/\\textbraceright{} otherwise.
    Whitespace is collapsed, except that `keep_lines` keeps line breaks (notes)."""
    if keep_lines:
        text = "\n".join(" ".join(line.split()) for line in str(text).replace("\r\n", "\n").split("\n"))
    else:
        text = " ".join(str(text).split())
    balanced = _braces_balance(text)

    def one(match: re.Match) -> str:
        ch = match.group(0)
        if ch == "@":
            # braced, so no line of the value starts with '@': line-based readers (bibtexparser 2)
            # take a line starting "@misc{" for a new entry even inside a value
            return "{@}"
        if ch in "{}":
            if balanced:
                return "\\" + ch
            return r"\textbraceleft{}" if ch == "{" else r"\textbraceright{}"
        return _ESCAPES[ch]

    return _SPECIAL.sub(one, text)


def _braces_balance(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded).lower()


def _last_name(author: str) -> str:
    author = author.strip()
    if "," in author:
        return author.split(",", 1)[0]
    parts = author.split()
    return parts[-1] if parts else ""


def cite_key(paper: dict, taken: set[str]) -> str:
    """<first author's last name><year><first telling title word>, made unique with a, b, c ..."""
    authors = paper.get("authors") or []
    name = _ascii_word(_last_name(authors[0])) if authors else ""
    year = (paper.get("published") or "")[:4]
    year = year if year.isdigit() else ""
    words = [_ascii_word(w) for w in re.split(r"[\s\-:/]+", paper.get("title") or "")]
    word = next((w for w in words if w and w not in _STOP), "")
    base = (name + year + word) if name else (word + year)
    base = base or "paper"
    key, n = base, 0
    while key in taken:
        key = base + _suffix(n)
        n += 1
    taken.add(key)
    return key


def _suffix(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(97 + rem) + letters
    return letters


def entry(item: dict, key: str) -> str:
    """One BibTeX entry for a reading-list item {paper, tags, note, saved_at}."""
    paper = item["paper"]
    fields: list[tuple[str, str, bool]] = []  # name, escaped value, bare (a macro such as a month)

    def add(name: str, value, escaped: bool = False):
        if value:
            fields.append((name, value if escaped else escape(value), False))

    add("title", paper.get("title"))
    authors = [a for a in paper.get("authors") or [] if a.strip()]
    # a name that itself contains the word "and" is braced so BibTeX does not split it
    add("author", " and ".join(_author(a) for a in authors), escaped=True)
    published = paper.get("published") or ""
    if published[:4].isdigit():
        fields.append(("year", published[:4], False))
    if len(published) >= 7 and published[5:7].isdigit() and 1 <= int(published[5:7]) <= 12:
        fields.append(("month", MONTHS[int(published[5:7]) - 1], True))
    if published[:4].isdigit():
        fields.append(("date", published, False))
    arxiv_id = paper.get("arxiv_id")
    if arxiv_id:
        add("eprint", arxiv_id)
        fields.append(("archivePrefix", "arXiv", False))
        categories = paper.get("categories") or []
        if categories:
            add("primaryClass", categories[0])
    add("doi", paper.get("doi"))
    add("url", paper.get("url"))
    add("abstract", paper.get("abstract"))
    add("keywords", ", ".join(item.get("tags") or []))
    if item.get("note"):
        add("annote", escape(item["note"], keep_lines=True), escaped=True)
    add("timestamp", item.get("saved_at"))
    if paper.get("categories"):
        add("categories", ", ".join(paper["categories"]))
    add("paperlensid", paper.get("id"))
    kind = "article" if paper.get("doi") else "misc"
    body = ",\n".join(f"  {name} = {value if bare else '{' + value + '}'}" for name, value, bare in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def _author(name: str) -> str:
    # escape first, then brace a name containing the word "and" so BibTeX does not split it there
    text = escape(name)
    return "{" + text + "}" if re.search(r"\band\b", name, re.I) else text


def dumps(items: list[dict]) -> str:
    taken: set[str] = set()
    return "\n".join(entry(item, cite_key(item["paper"], taken)) for item in items)


# -- reading ------------------------------------------------------------------------------------
@dataclass
class BibEntry:
    kind: str
    key: str
    fields: dict[str, str]
    position: int  # line where the entry starts


@dataclass
class BibSkip:
    position: int
    reason: str


_ACCENTS = {"`": "\u0300", "'": "\u0301", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
            "r": "\u030a"}
_SYMBOLS = {"ss": "ß", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
            "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ", "textbackslash": "\\", "textasciitilde": "~",
            "textasciicircum": "^", "textbraceleft": "{", "textbraceright": "}", "textendash": "–",
            "textemdash": "—", "textunderscore": "_", "textbar": "|", "textless": "<", "textgreater": ">"}


_LATEX = re.compile(
    r"\\(?P<sym>" + "|".join(sorted(_SYMBOLS, key=len, reverse=True)) + r")(?:\{\}|(?![A-Za-z])\s?)"
    r"|\\(?P<acc>[`'^\"~=.])\s*(?:\{(?P<ab>\\?[A-Za-z]?)\}|(?P<ac>\\?[A-Za-z]))"
    r"|\\(?P<accw>[uvHckr])(?:\{(?P<wb>\\?[A-Za-z])\}|\s+(?P<wc>[A-Za-z]))"
    r"|\\(?P<esc>[&%$#_{}\s,;!])"
    r"|(?P<brace>[{}])"
    r"|(?P<tie>~)"
)


def latex_to_unicode(text: str) -> str:
    r"""Undo what `escape` writes and the accents other tools write ({\"u}, \'{e}, \ss{}), and drop
    grouping and case-protection braces; other commands (math, say) are kept as written."""

    def one(m: re.Match) -> str:
        if m.group("sym"):
            return _SYMBOLS[m.group("sym")]
        if m.group("acc"):
            base = m.group("ab") if m.group("ab") is not None else m.group("ac")
            return _accent(base, m.group("acc")) if base else m.group("acc")
        if m.group("accw"):
            return _accent(m.group("wb") or m.group("wc"), m.group("accw"))
        if m.group("esc") is not None:
            ch = m.group("esc")
            return "" if ch == "!" else (" " if ch.isspace() or ch in ",;" else ch)
        if m.group("brace"):
            return ""
        return " "  # a tie is a space

    return unicodedata.normalize("NFC", _LATEX.sub(one, text))


def _accent(base: str, command: str) -> str:
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + _ACCENTS[command])


class TooManyEntries(BibtexError):
    def __init__(self, limit: int):
        super().__init__(f"more than {limit:,} entries")
        self.limit = limit


def parse(text: str, max_entries: int | None = None) -> tuple[list[BibEntry], list[BibSkip]]:
    """Entries and skipped entries (with their line and reason) of a BibTeX text. With
    `max_entries`, a text with more entry lines than that is refused (TooManyEntries) before any
    work proportional to them is done."""
    if max_entries is not None:
        lines = itertools.islice(ENTRY_LINE.finditer(text), max_entries + 1)
        if sum(1 for _ in lines) > max_entries:
            raise TooManyEntries(max_entries)
    parser = _Parser(text)
    return parser.run()


ENTRY_LINE = re.compile(r"(?m)^[ \t]*(@)")


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.strings = {m: str(i + 1) for i, m in enumerate(MONTHS)}
        # Where entries start on their own line: after a broken entry, parsing goes on from the
        # next one, so every part of the text is read a bounded number of times whatever the input.
        self.starts = [m.start(1) for m in ENTRY_LINE.finditer(text)]
        # Each '{' and the '}' that closes it, found in one pass: a braced value ends where BibTeX
        # says it does, however many lines it spans and whatever they start with (a note line
        # "@misc{..." is text inside its value, not a new entry), and in constant time.
        self.braces = BraceTable(text)
        self._counted = (0, 1)  # (position, line there): line numbers are counted incrementally

    def line(self, pos: int) -> int:
        at, line = self._counted
        if pos < at:
            at, line = 0, 1
        line += self.text.count("\n", at, pos)
        self._counted = (pos, line)
        return line

    def boundary(self, pos: int) -> int:
        i = bisect.bisect_right(self.starts, pos)
        return self.starts[i] if i < len(self.starts) else len(self.text)

    def run(self) -> tuple[list[BibEntry], list[BibSkip]]:
        entries: list[BibEntry] = []
        skips: list[BibSkip] = []
        while True:
            at = self.text.find("@", self.pos)
            if at == -1:
                return entries, skips
            self.pos = at + 1
            start = at
            try:
                kind = self.name().lower()
                self.space()
                opener = self.peek()
                if opener not in "{(":
                    raise BibtexError("expected '{' or '(' after the entry type")
                closer = "}" if opener == "{" else ")"
                self.pos += 1
                if kind == "comment":
                    self.skip_balanced(closer)
                    continue
                if kind == "preamble":
                    self.value()
                    self.space()
                    self.expect(closer)
                    continue
                if kind == "string":
                    self.space()
                    name = self.name().lower()
                    self.space()
                    self.expect("=")
                    self.strings[name] = self.value()
                    self.space()
                    self.expect(closer)
                    continue
                self.space()
                key = self.key()
                fields: dict[str, str] = {}
                while True:
                    self.space()
                    if self.peek() == ",":
                        self.pos += 1
                        self.space()
                    if self.peek() == closer:
                        self.pos += 1
                        break
                    if self.pos >= len(self.text):
                        raise BibtexError("the entry is not closed")
                    name = self.name().lower()
                    self.space()
                    self.expect("=")
                    fields[name] = self.value()
                entries.append(BibEntry(kind, key, fields, self.line(start)))
            except BibtexError as exc:
                skips.append(BibSkip(self.line(start), str(exc)))
                # go on at the next entry that starts a line: an unclosed brace must not swallow
                # the entries after it
                self.pos = self.boundary(start)

    # -- pieces -----------------------------------------------------------------------------
    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def expect(self, ch: str) -> None:
        self.space()
        if self.peek() != ch:
            found = self.peek() or "the end of the text"
            raise BibtexError(f"expected {ch!r} but found {found!r}")
        self.pos += 1

    def name(self) -> str:
        match = re.compile(r"[A-Za-z_][\w\-:.+/]*").match(self.text, self.pos)
        if not match:
            raise BibtexError("expected a name")
        self.pos = match.end()
        return match.group(0)

    def key(self) -> str:
        match = re.compile(r"[^,\s{}()=\"#%]*").match(self.text, self.pos)
        self.pos = match.end()
        self.space()
        if self.peek() == ",":
            self.pos += 1
        return match.group(0)

    def value(self) -> str:
        parts = []
        while True:
            self.space()
            ch = self.peek()
            if ch == "{":
                self.pos += 1
                parts.append(self.skip_balanced("}"))
            elif ch == '"':
                parts.append(self.quoted())
            elif ch.isdigit():
                match = re.compile(r"\d+").match(self.text, self.pos)
                self.pos = match.end()
                parts.append(match.group(0))
            elif ch.isalpha() or ch == "_":
                macro = self.name().lower()
                if macro not in self.strings:
                    raise BibtexError(f"unknown macro {macro!r}")
                parts.append(self.strings[macro])
            else:
                raise BibtexError("expected a value in braces, quotes, a number or a macro")
            self.space()
            if self.peek() != "#":
                return "".join(parts)
            self.pos += 1

    def skip_balanced(self, closer: str) -> str:
        """Text up to the matching closer (the opener is consumed already); escaped braces count
        as text, not as grouping."""
        start, depth = self.pos, 0
        if closer == "}":
            end = self.braces.closing(start - 1)
            if end is None:
                raise BibtexError("a '{' is never closed")
            self.pos = end + 1
            return self.text[start:end]
        opener = "("
        end = self.boundary(self.pos)
        while self.pos < end:
            ch = self.text[self.pos]
            if ch == "\\" and self.pos + 1 < len(self.text) and self.text[self.pos + 1] in "{}":
                self.pos += 2
                continue
            if ch == opener:
                depth += 1
            elif ch == closer:
                if depth == 0:
                    self.pos += 1
                    return self.text[start:self.pos - 1]
                depth -= 1
            self.pos += 1
        raise BibtexError("a '{' is never closed")

    def quoted(self) -> str:
        self.pos += 1
        start, depth = self.pos, 0
        end = self.boundary(self.pos)
        while self.pos < end:
            ch = self.text[self.pos]
            if ch == "\\" and self.pos + 1 < len(self.text):
                self.pos += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == '"' and depth <= 0:
                self.pos += 1
                return self.text[start:self.pos - 1]
            self.pos += 1
        raise BibtexError("a quoted value is never closed")


class BraceTable:
    """Each '{' of a text and the '}' that closes it (escaped \\{ and \\} are text, a '}' with
    nothing open is ignored), computed with array operations on first use: a text of 16 MB of
    braces takes a few seconds and a few hundred MB, not minutes of Python loops."""

    def __init__(self, text: str):
        self.text = text
        self.open_at: np.ndarray | None = None
        self.close_at: np.ndarray | None = None

    def closing(self, open_pos: int) -> int | None:
        if self.open_at is None:
            self.open_at, self.close_at = _pairs(self.text)
        i = int(np.searchsorted(self.open_at, open_pos))
        if i < len(self.open_at) and self.open_at[i] == open_pos:
            return int(self.close_at[i])
        return None


def _pairs(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the '{' that are closed, sorted; the position of each one's '}')."""
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    brace = (chars == ord("{")) | (chars == ord("}"))
    brace[1:] &= chars[:-1] != ord("\\")  # \{ and \} are text
    where = np.flatnonzero(brace).astype(np.int32)
    del brace
    opens = chars[where] == ord("{")
    del chars
    if not len(where):
        return where, where
    total = np.cumsum(np.where(opens, 1, -1).astype(np.int32))
    # depth after each brace, never below zero: a '}' with nothing open pushes the floor down
    depth = total - np.minimum(np.minimum.accumulate(total), 0)
    del total
    before = np.empty_like(depth)
    before[0] = 0
    before[1:] = depth[:-1]
    keep = opens | (before > 0)  # a '}' closes something only when something is open
    del before
    where, opens, depth = where[keep], opens[keep], depth[keep]
    depth[~opens] += 1  # an open and the close that ends it share a level
    order = np.lexsort((where, depth))
    del depth
    where, opens = where[order], opens[order]
    # in level-then-position order braces come as (open, close) pairs; an open never closed comes
    # last in its level and pairs with nothing
    first = np.flatnonzero(opens[:-1] & ~opens[1:])
    open_at, close_at = where[first], where[first + 1]
    order = np.argsort(open_at, kind="stable")
    return open_at[order], close_at[order]


# " and " between names; a match starts only at the first blank of a run and never gives back
# what it took, so a field of 120,000 spaces is one linear scan (it was quadratic).
_AND = re.compile(r"((?<!\s)\s++and\s++|[{}])", re.I)


def split_authors(value: str) -> list[str]:
    """BibTeX's 'A and B and {C and D Ltd}' -> names, splitting only on top-level 'and'."""
    names, depth, current = [], 0, []
    tokens = _AND.split(value)
    for tok in tokens:
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        if depth == 0 and tok and tok not in "{}" and tok.strip().lower() == "and":
            names.append("".join(current))
            current = []
        else:
            current.append(tok or "")
    names.append("".join(current))
    return [" ".join(latex_to_unicode(n).split()) for n in names if latex_to_unicode(n).strip()]
