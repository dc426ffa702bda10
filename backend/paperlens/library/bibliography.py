"""The papers a draft's bibliography names, each as the ids that identify a paper (arXiv id, DOI,
normalised title: Paper.aliases), read from BibTeX (as the import reads it) or from a list of ids."""

from __future__ import annotations

from dataclasses import dataclass

from ..corpus.list_limits import MAX_IMPORT
from ..corpus.paper import Paper, canonical_id
from . import bibtex, from_bibtex


@dataclass(frozen=True)
class Bibliography:
    entries: list[list[str]]  # per entry, the ids it can be known by
    skipped: list[dict]  # {"position", "reason"} of entries that name no paper

    @property
    def aliases(self) -> set[str]:
        return {alias for entry in self.entries for alias in entry}


class TooLong(ValueError):
    """More entries than a bibliography may hold."""


def read_bibtex(text: str) -> Bibliography:
    """Every entry of a BibTeX text with a title, an arXiv eprint or a DOI; TooLong past MAX_IMPORT
    entries (refused before any work proportional to them)."""
    try:
        entries, skips = bibtex.parse(text, max_entries=2 * MAX_IMPORT)
    except bibtex.TooManyEntries:
        raise TooLong(f"at most {MAX_IMPORT:,} entries") from None
    if len(entries) > MAX_IMPORT:
        raise TooLong(f"at most {MAX_IMPORT:,} entries; {len(entries):,} given")
    skipped = [{"position": f"line {s.position}", "reason": s.reason} for s in skips]
    found = []
    for entry in entries:
        item = from_bibtex.item(entry)
        fields = {k: bibtex.latex_to_unicode(v).strip() for k, v in entry.fields.items() if k in ("eprint", "doi")}
        paper = item["paper"] if item else {"title": "", "arxiv_id": fields.get("eprint"), "doi": fields.get("doi")}
        aliases = Paper.from_dict(paper).aliases()
        if aliases:
            found.append(aliases)
        else:
            skipped.append({"position": f"line {entry.position}", "reason": "no title, arXiv id or DOI"})
    return Bibliography(found, skipped)


def read_ids(ids: list[str]) -> Bibliography:
    """Paper ids (arxiv:, doi:, title:) in any accepted spelling."""
    return Bibliography([[canonical_id(i) or i] for i in ids], [])
