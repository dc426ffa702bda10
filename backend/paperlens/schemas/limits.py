"""How much one request may ask for: the counts and sizes the schemas (and the body limits) hold
requests to. What one paper may hold is corpus/limits.py's; what a reading-list entry or an import
may hold is library/limits.py's, re-exported here for the API's side."""

from __future__ import annotations

from ..library.limits import MAX_IMPORT, MAX_IMPORT_BYTES

MAX_K = 100  # results of one ranking
MAX_QUERY = 2000  # characters of a search
MAX_CANDIDATES = 200  # papers of one listing ranked by a reading list (a whole listing page)
MAX_SUMMARY_SENTENCES = 10
MAX_SUMMARIZE_BYTES = 100_000  # checked by the view, so a longer text gets 413 rather than 422

__all__ = ["MAX_CANDIDATES", "MAX_IMPORT", "MAX_IMPORT_BYTES", "MAX_K", "MAX_QUERY", "MAX_SUMMARIZE_BYTES",
           "MAX_SUMMARY_SENTENCES"]
