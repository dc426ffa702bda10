"""Running one sync: ask the source for a page, store its papers through the corpus's merge path,
and only then move the checkpoint on. A sync killed at any point resumes from the last page it
stored; a page stored twice merges into what is there, so nothing is lost and nothing doubled."""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from typing import Callable

from ..indexing.live_index import LiveIndex
from ..settings import Settings
from ..store.feeds import FeedStore
from ..store.papers import PaperStore
from .polite_http import Politeness, Stopped, Upstreams
from .run_limits import LimitedUpstream
from .sources import SOURCES, Page, source_key

log = logging.getLogger(__name__)


@dataclass
class Counts:
    fetched: int = 0
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    skipped: int = 0
    requests: int = 0
    trimmed: int = 0  # stored after trimming to the corpus's limits (corpus/limits.py)

    def to_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        trimmed = f", trimmed {self.trimmed:,}" if self.trimmed else ""
        return (f"fetched {self.fetched:,}, added {self.added:,}, merged {self.merged:,}, unchanged {self.unchanged:,}, "
                f"skipped {self.skipped:,}{trimmed} ({self.requests:,} requests)")


def politeness(settings: Settings) -> Politeness:
    return Politeness(delay=max(0.0, settings.sync_delay), timeout=max(0.1, settings.sync_timeout),
                      contact=settings.contact)


class Syncer:
    """Runs syncs against the corpus; one Upstreams is shared so the pause between requests to one
    service holds from one sync to the next. With an `index`, the syncer also builds its snapshot
    when a sync has moved the corpus on by a fold's worth (and after a run that changed texts), so
    that the serving processes load the new snapshot rather than each building it in their own time."""

    def __init__(self, settings: Settings, papers: PaperStore, feeds: FeedStore, upstreams: Upstreams | None = None,
                 index: LiveIndex | None = None):
        self.settings = settings
        self.papers = papers
        self.feeds = feeds
        self.upstreams = upstreams or Upstreams(politeness(settings))
        self.index = index
        self._building: threading.Thread | None = None

    def run(self, kind: str, options: dict, *, today: date | None = None,
            keep_going: Callable[[], bool] = lambda: True,
            on_page: Callable[[Counts, Page], None] | None = None) -> Counts:
        """Sync `kind` with checked `options` from its checkpoint until the source is done.
        Raises UpstreamError or SyncFailed when the upstream fails for good, goes round in a loop or
        the run reaches its page cap or deadline (RunLimitReached), Stopped when
        keep_going() turns false; pages stored before that stay stored, and so does the checkpoint."""
        source = SOURCES[kind]
        key = source_key(kind, options)
        base_url = getattr(self.settings, source.URL_SETTING)
        upstream = self.upstreams.for_url(base_url)
        counts = Counts()
        requests_before = upstream.requests
        today = today or datetime.now(timezone.utc).date()
        limited = LimitedUpstream(upstream, max(1, self.settings.sync_max_pages), self.settings.sync_run_seconds)
        try:
            for page in source.pages(options, self.feeds.checkpoint(key), limited, base_url, today):
                if not keep_going():
                    raise Stopped("stopped before storing a page")
                for stored in self.papers.add_many(page.papers):
                    setattr(counts, stored.status, getattr(counts, stored.status) + 1)
                self.feeds.save_checkpoint(key, page.checkpoint)
                if counts.added or counts.merged:
                    self._keep_index_current()
                counts.fetched += page.fetched
                counts.skipped += len(page.skipped)
                counts.trimmed += page.trimmed
                counts.requests = upstream.requests - requests_before
                if on_page:
                    on_page(counts, page)
        finally:
            counts.requests = upstream.requests - requests_before
        self._keep_index_current(final=True, updates=counts.merged > 0)
        return counts

    def _keep_index_current(self, final: bool = False, updates: bool = False) -> None:
        """Build the snapshot if the corpus has moved on by a fold's worth: in a thread while pages
        keep coming (one build at a time), and once more, waited for, when the run ends."""
        if self.index is None:
            return
        if self._building is not None and self._building.is_alive():
            if not final:
                return
            self._building.join()
        if final:
            self._build_quietly(updates)
            return
        self._building = threading.Thread(target=self._build_quietly, name="paperlens-sync-index", daemon=True)
        self._building.start()

    def _build_quietly(self, updates: bool = False) -> None:
        try:
            self.index.build_if_behind(updates=updates)
        except Exception:  # the sync goes on; the serving processes fold on their own as before
            log.exception("building the index snapshot during a sync failed")
