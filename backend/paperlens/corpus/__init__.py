"""Papers: the record and its ids, one parser per source format, and merging of duplicates."""

from .paper import Paper, normalise_title, paper_id_for

__all__ = ["Paper", "normalise_title", "paper_id_for"]
