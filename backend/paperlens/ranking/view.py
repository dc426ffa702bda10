"""What a ranking reads: one consistent index and paper table (a View). Scorers take a view and do
no I/O; indexing/live_index.py makes the views a server process answers from."""

from __future__ import annotations

from dataclasses import dataclass

from .index import Index
from .snapshot import PaperTable


@dataclass(frozen=True)
class View:
    """One consistent index and paper table, and the corpus version they answer for. A request
    keeps the view it started with, and nothing in a view changes after it is made: catching up
    makes a new view (sharing the index when no paper was added), never edits a shared one."""

    index: Index
    papers: PaperTable
    version: int | None = None  # the corpus version this view answers for (default: the index's)
    log_position: int | None = None  # corpus log entries it covers (default: the index's)

    def __post_init__(self) -> None:
        if self.version is None:
            object.__setattr__(self, "version", self.index.corpus_version)
        if self.log_position is None:
            object.__setattr__(self, "log_position", self.index.log_position)
