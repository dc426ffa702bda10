"""The one paper record every source is turned into, and the rules that give a paper its id."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields

# arXiv ids: new style 2401.12345 (4 or 5 digits) and old style hep-th/9901001, optional version.
# Ids are read after NFKC (fullwidth "２４０１" is "2401") and must then be ASCII: \d would also take
# Arabic-Indic or other digits, and a look-alike id would make a second paper beside the real one.
ARXIV_NEW = re.compile(r"^([0-9]{4}\.[0-9]{4,5})(v[0-9]+)?$")
ARXIV_OLD = re.compile(r"^([a-z\-]+(?:\.[A-Z]{2})?/[0-9]{7})(v[0-9]+)?$")
ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf|html)/([^\s?#]+?)(?:\.pdf)?/?(?:[?#].*)?$", re.I)
DOI = re.compile(r"^10\.[0-9]{4,9}/\S+$")
# A paper id as clients write it: arxiv:<id>, doi:<doi> or title:<hash>.
PAPER_ID = r"^(arxiv|doi|title):[^\s*{}\[\]?#]{1,300}$"
_PAPER_ID = re.compile(PAPER_ID)
# Names in one string: "A, B, and C", "A, B and C", "A and B", "A; B" (BibTeX's own rule, where a
# comma belongs to a name, "Last, First", lives with its parser in library/bibtex.py).
AUTHOR_SEPARATOR = re.compile(r"\s*[,;]\s*(?:and\s+)?|\s+and\s+")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """`text` with lone UTF-16 surrogates (which JSON's "\\ud800" escapes can produce, and which no
    encoder can write) replaced by U+FFFD, so every string we keep can be stored and sent."""
    return text if text.isascii() else LONE_SURROGATE.sub("\ufffd", text)


def clean_arxiv_id(raw: str | None) -> str | None:
    """Return the arXiv id without version or prefix ('arXiv:1706.03762v5' -> '1706.03762'), or None."""
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    url = ARXIV_URL.search(text)
    if url:
        text = url.group(1)
    text = re.sub(r"^arxiv:", "", text, flags=re.I)
    for pattern in (ARXIV_NEW, ARXIV_OLD):
        match = pattern.match(text)
        if match:
            return match.group(1)
    return None


def clean_doi(raw: str | None) -> str | None:
    """Return a lowercased bare DOI ('https://doi.org/10.1/ABC' -> '10.1/abc'), or None."""
    if not raw:
        return None
    text = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", unicodedata.normalize("NFKC", raw).strip(),
                  flags=re.I).lower()
    return text if DOI.match(text) else None


def normalise_title(title: str) -> str:
    """Casefolded letters and digits only, so 'Attention Is All You Need.' and
    'attention is all you need' name the same paper."""
    text = unicodedata.normalize("NFKC", title or "").casefold()
    return " ".join(re.findall(r"[^\W_]+", text))


def title_key(title: str) -> str | None:
    norm = normalise_title(title)
    if not norm:
        return None
    return hashlib.blake2b(norm.encode(), digest_size=8).hexdigest()


def canonical_id(paper_id: str) -> str | None:
    """A well-formed paper id in the form papers are stored under (arxiv:2401.00001v2 ->
    arxiv:2401.00001, DOIs lowercased), or None when it is not an id at all."""
    if not _PAPER_ID.match(paper_id):
        return None
    scheme, _, value = paper_id.partition(":")
    if scheme == "arxiv":
        value = clean_arxiv_id(value) or value
    elif scheme == "doi":
        value = clean_doi(value) or value
    return f"{scheme}:{value}"


def page_url(arxiv_id: str | None, doi: str | None, url: str | None) -> str | None:
    """A paper's canonical page: its arXiv abstract page, else its DOI's, else the url it came with."""
    if arxiv_id:
        return f"https://arxiv.org/abs/{arxiv_id}"
    if doi:
        return f"https://doi.org/{doi}"
    return url


def url_key(url: str | None) -> str | None:
    """The form a paper's stored URL is looked up by: scheme, "www.", fragment and a trailing "/"
    dropped, host lowercased (http://www.X/a/ and https://x/a#top are one page); None for
    anything that is not an http(s) URL."""
    if not url or len(url) > 2000:
        return None
    m = re.match(r"(?i)^https?://(?:www\.)?([^/?#]+)([^#]*)", url.strip())
    if not m:
        return None
    rest = m.group(2)
    path, sep, query = rest.partition("?")
    return f"{m.group(1).lower()}{path.rstrip('/')}{sep}{query}"


def year_of(published: str | None) -> int | None:
    return int(published[:4]) if published and published[:4].isascii() and published[:4].isdigit() else None


def date_key(published: str | None) -> str:
    """A published date as YYYY-MM-DD for comparing and sorting ('2024' -> '2024-01-01',
    '2024-05' -> '2024-05-01'); '' for none."""
    if not published:
        return ""
    parts = published.split("-")
    return "-".join(parts + ["01"] * (3 - len(parts))) if len(parts) <= 3 else published


def indexed_text(title: str | None, abstract: str | None) -> str:
    """What ranking sees of a paper: the title followed by the abstract."""
    return f"{title or ''}\n{abstract or ''}".strip()


def split_authors(names: str) -> list[str]:
    """One string of names -> the names (see AUTHOR_SEPARATOR)."""
    return [name for name in AUTHOR_SEPARATOR.split(" ".join(names.split())) if name]


def paper_id_for(arxiv_id: str | None, doi: str | None, title: str | None) -> str | None:
    """arxiv:<id> when known, else doi:<doi>, else title:<hash of the normalised title>."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    if doi:
        return f"doi:{doi}"
    key = title_key(title or "")
    return f"title:{key}" if key else None


@dataclass
class Paper:
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    arxiv_id: str | None = None
    doi: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD (or YYYY-MM / YYYY when that is all we know)
    url: str | None = None
    source: str = "unknown"
    source_id: str | None = None
    categories: list[str] = field(default_factory=list)
    upvotes: int | None = None
    # When the version this text is from was made (arXiv/bioRxiv version date, YYYY-MM-DD): a record
    # with a later one is a newer version, and its text replaces the stored one.
    updated: str | None = None
    id: str = ""

    def __post_init__(self) -> None:
        self.title = " ".join(valid_text(self.title or "").split())
        self.abstract = " ".join(valid_text(self.abstract or "").split())
        self.authors = [" ".join(valid_text(a).split()) for a in self.authors if a and a.strip()]
        self.categories = [valid_text(c) for c in self.categories]
        self.source_id = valid_text(self.source_id) if self.source_id else self.source_id
        self.arxiv_id = clean_arxiv_id(self.arxiv_id) or clean_arxiv_id(self.url)
        self.doi = clean_doi(self.doi)
        self.url = self.url or page_url(self.arxiv_id, self.doi, None)
        self.id = paper_id_for(self.arxiv_id, self.doi, self.title) or ""

    @property
    def indexed_text(self) -> str:
        return indexed_text(self.title, self.abstract)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict, source: str | None = None) -> "Paper":
        """The paper a dict of Paper's fields describes (other keys are ignored, and so is `id`:
        ids come from the paper's own ids); `source` names where it came from."""
        names = {f.name for f in fields(cls)} - {"id"}
        given = {k: v for k, v in data.items() if k in names}
        return cls(**given) if source is None else cls(**{**given, "source": source})

    def aliases(self) -> list[str]:
        """Every id under which this paper may already be stored (the same paper from another source)."""
        keys = []
        if self.arxiv_id:
            keys.append(f"arxiv:{self.arxiv_id}")
        if self.doi:
            keys.append(f"doi:{self.doi}")
        tkey = title_key(self.title)
        if tkey:
            keys.append(f"title:{tkey}")
        return keys


def merge(old: Paper, new: Paper) -> Paper:
    """The same paper seen twice: keep the richer value of each field, and keep the old id so
    reading lists and cached lists that name it stay valid. When both records say which version
    they are (`updated`), the later version's text wins instead: a revised abstract may well be
    shorter, and an old version arriving late must not undo a revision."""

    def richer(a, b):
        if not a:
            return b
        if not b:
            return a
        if isinstance(a, str) and isinstance(b, str):
            return b if len(b) > len(a) else a
        if isinstance(a, list) and isinstance(b, list):
            return b if len(b) > len(a) else a
        return a

    def text(a, b):
        if later is new:
            return b or a
        if later is old:
            return a or b
        return richer(a, b)

    later = None
    if old.updated and new.updated and old.updated != new.updated:
        later = new if new.updated > old.updated else old
    merged = Paper(
        title=text(old.title, new.title),
        abstract=text(old.abstract, new.abstract),
        authors=text(old.authors, new.authors),
        arxiv_id=old.arxiv_id or new.arxiv_id,
        doi=old.doi or new.doi,
        published=_more_precise_date(old.published, new.published),
        url=old.url or new.url,
        source=old.source,
        source_id=old.source_id or new.source_id,
        categories=text(old.categories, new.categories),
        upvotes=max((v for v in (old.upvotes, new.upvotes) if v is not None), default=None),  # 0 is a count too
        updated=max(filter(None, [old.updated, new.updated]), default=None),
    )
    merged.id = old.id
    return merged


def _more_precise_date(a: str | None, b: str | None) -> str | None:
    if not a:
        return b
    if not b:
        return a
    return b if len(b) > len(a) else a
