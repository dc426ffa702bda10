"""Following sources on a schedule: a feed is checked before it is saved (its kind, its options, how
often it runs), and each saved feed is shown with how its runs went. The API and `paperlens feeds`
both come through here."""

from __future__ import annotations

import json

from ..corpus.timestamps import iso_utc
from ..store import Store
from ..store.feeds import Feed, FeedExists
from ..sync.schedule import format_every, parse_every
from ..sync.sources import SOURCES, checked_options
from .errors import Conflict, Invalid, NotFound

__all__ = ["Feed", "add", "describe", "remove", "view", "views"]


def add(store: Store, kind: str, options: dict, every: str) -> Feed:
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
        return store.feeds.add(kind, checked, seconds)
    except FeedExists as exc:
        raise Conflict(str(exc), {"feed": exc.feed.id}) from None


def remove(store: Store, feed_id: str) -> None:
    if len(feed_id) > 20 or not store.feeds.remove(feed_id):
        raise NotFound(f"No feed {feed_id[:20]!r}; GET /api/v1/feeds and `paperlens feeds list` show them.")


def views(store: Store) -> list[dict]:
    """Every feed with its schedule and the outcome of its last run."""
    return [view(store, feed) for feed in store.feeds.list()]


def view(store: Store, feed: Feed) -> dict:
    status = store.feeds.status(feed.id)
    last_run = None
    if status.get("last_finished"):
        last_run = {"started": iso_utc(float(status["last_started"])),
                    "finished": iso_utc(float(status["last_finished"])),
                    **json.loads(status.get("last_counts") or "{}")}
    next_run = store.feeds.next_run(feed.id)
    return {
        "id": feed.id, "kind": feed.kind, "options": feed.options, "every": format_every(feed.every),
        "description": describe(feed.kind, feed.options), "created": iso_utc(feed.created),
        "running_since": iso_utc(float(status["running_since"])) if status.get("running_since") else None,
        "last_run": last_run, "last_error": status.get("last_error") or None,
        "added_total": int(status.get("added_total", 0)),
        "next_run": iso_utc(next_run) if next_run is not None else None,
    }


def describe(kind: str, options: dict) -> str:
    """'arxiv category=cs.CL,cs.LG since=2025-01-01'."""
    parts = [f"{name}={','.join(value) if isinstance(value, list) else value}" for name, value in options.items()]
    return " ".join([kind, *parts])
