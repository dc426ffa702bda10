"""Following sources on a schedule: a feed is checked before it is saved (its kind, its options, how
often it runs), and each saved feed is shown with how its runs went. The API and `paperlens feeds`
both come through here, and `paperlens sync` runs saved feeds with what it hands out."""

from __future__ import annotations

import json

from ..corpus.timestamps import iso_utc
from ..ranking.live_index import LiveIndex
from .meaning import snapshot_vectors
from ..settings import Settings
from ..store import Store
from ..store.feeds import Feed, FeedExists
from ..sync.lock import SyncLock, describe_holder, holder_name
from ..sync.runner import Syncer
from ..sync.schedule import Scheduler, format_every, parse_every
from ..sync.sources import SOURCES, checked_options
from .errors import Conflict, Invalid, NotFound

__all__ = ["Feed", "Feeds", "describe"]


class Feeds:
    """The feeds this server follows, over one store: `services().feeds` for the API, `Feeds.open`
    for the `feeds` and `sync` commands."""

    def __init__(self, store: Store):
        self._store = store

    @classmethod
    def open(cls, settings: Settings) -> "Feeds":
        return cls(Store.open(settings))

    def add(self, kind: str, options: dict, every: str) -> Feed:
        """Save a feed (due at once). Raises Invalid (details per field: kind, options, every), or
        Conflict for a feed that follows the same thing already."""
        try:
            checked = checked_options(kind, options)
        except ValueError as exc:
            raise Invalid(str(exc), {"options" if kind in SOURCES else "kind": [str(exc)]}) from None
        try:
            seconds = parse_every(every)
        except ValueError as exc:
            raise Invalid(str(exc), {"every": [str(exc)]}) from None
        try:
            return self._store.feeds.add(kind, checked, seconds)
        except FeedExists as exc:
            raise Conflict(str(exc), {"feed": exc.feed.id}) from None

    def remove(self, feed_id: str) -> None:
        if len(feed_id) > 20 or not self._store.feeds.remove(feed_id):
            raise NotFound(f"No feed {feed_id[:20]!r}; GET /api/v1/feeds and `paperlens feeds list` show them.")

    def saved(self) -> list[Feed]:
        return self._store.feeds.list()

    def views(self) -> list[dict]:
        """Every feed with its schedule and the outcome of its last run."""
        return [self.view(feed) for feed in self._store.feeds.list()]

    def view(self, feed: Feed) -> dict:
        feeds = self._store.feeds
        status = feeds.status(feed.id)
        last_run = None
        if status.get("last_finished"):
            last_run = {"started": iso_utc(float(status["last_started"])), "finished": iso_utc(float(status["last_finished"])),
                        **json.loads(status.get("last_counts") or "{}")}
        next_run = feeds.next_run(feed.id)
        return {
            "id": feed.id, "kind": feed.kind, "options": feed.options, "every": format_every(feed.every),
            "description": describe(feed.kind, feed.options), "created": iso_utc(feed.created),
            "running_since": iso_utc(float(status["running_since"])) if status.get("running_since") else None,
            "last_run": last_run, "last_error": status.get("last_error") or None,
            "added_total": int(status.get("added_total", 0)),
            "next_run": iso_utc(next_run) if next_run is not None else None,
        }

    # -- running them from a command -------------------------------------------------------------
    def syncer(self, settings: Settings) -> Syncer:
        """The syncer a command runs feeds with; it keeps this machine's index snapshot current, as
        `paperlens ingest` does."""
        index = LiveIndex(self._store.papers, settings.index_dir, vectors=snapshot_vectors(self._store, settings))
        return Syncer(settings, self._store.papers, self._store.feeds, index=index)

    def lock(self, role: str) -> SyncLock:
        """The sync lock (one sync at a time, server-wide), not yet acquired, for a holder in `role`."""
        return SyncLock(self._store.feeds.lock, holder_name(role))

    def scheduler(self, syncer: Syncer, lock: SyncLock) -> Scheduler:
        """Runs saved feeds under `lock`, recording each run as the server's schedule does."""
        return Scheduler(syncer, self._store.feeds, lock.holder, lease=lock.lease)

    def describe_holder(self, holder: str) -> str:
        """Who holds the sync lock, as a person reads it (the feed it runs, since when, its pid)."""
        return describe_holder(holder, self._store.feeds)


def describe(kind: str, options: dict) -> str:
    """'arxiv category=cs.CL,cs.LG since=2025-01-01'."""
    parts = [f"{name}={','.join(value) if isinstance(value, list) else value}" for name, value in options.items()]
    return " ".join([kind, *parts])
