"""Sync feeds in Redis: what each feed follows and how often, when it is due, how its last run went,
where each source resumes (checkpoints), and the one lock that makes syncs run one at a time."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

import redis

from .keys import Keys
from .leases import Lease

@dataclass(frozen=True)
class Feed:
    id: str
    kind: str
    options: dict
    every: int  # seconds between runs
    created: float

    def to_dict(self) -> dict:
        return asdict(self)


class FeedExists(ValueError):
    """A feed with the same kind and options is already saved."""

    def __init__(self, feed: Feed):
        super().__init__(f"feed {feed.id} already follows this ({feed.kind} {json.dumps(feed.options, sort_keys=True)})")
        self.feed = feed


class FeedStore:
    def __init__(self, client: redis.Redis, keys: Keys):
        self.r = client
        self.keys = keys
        self.lock = Lease(client, keys.sync_lock, "sync")  # one sync at a time (sync/lock.py holds it)

    # -- feeds ------------------------------------------------------------------------------------
    def add(self, kind: str, options: dict, every: int, now: float | None = None) -> Feed:
        """Save a feed, due at once. Raises FeedExists when one with the same kind and options is saved."""
        for feed in self.list():
            if feed.kind == kind and feed.options == options:
                raise FeedExists(feed)
        now = time.time() if now is None else now
        feed = Feed(str(self.r.incr(self.keys.feed_next_id)), kind, options, int(every), now)
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(self.keys.feed_definitions, feed.id, json.dumps(
            {"kind": kind, "options": options, "every": feed.every, "created": now}))
        pipe.zadd(self.keys.feed_schedule, {feed.id: now})
        pipe.execute()
        return feed

    def remove(self, feed_id: str) -> bool:
        pipe = self.r.pipeline(transaction=True)
        pipe.hdel(self.keys.feed_definitions, feed_id)
        pipe.zrem(self.keys.feed_schedule, feed_id)
        pipe.delete(self.keys.feed_status(feed_id))
        removed, _, _ = pipe.execute()
        return bool(removed)

    def get(self, feed_id: str) -> Feed | None:
        raw = self.r.hget(self.keys.feed_definitions, feed_id)
        return _feed(feed_id, raw) if raw else None

    def exists(self, feed_id: str) -> bool:
        return bool(self.r.hexists(self.keys.feed_definitions, feed_id))

    def list(self) -> list[Feed]:
        feeds = [_feed(fid, raw) for fid, raw in self.r.hgetall(self.keys.feed_definitions).items()]
        return sorted(feeds, key=lambda f: int(f.id) if f.id.isdigit() else 0)

    # -- schedule and status ------------------------------------------------------------------------
    def due(self, now: float) -> list[str]:
        return list(self.r.zrangebyscore(self.keys.feed_schedule, "-inf", now))

    def next_run(self, feed_id: str) -> float | None:
        return self.r.zscore(self.keys.feed_schedule, feed_id)

    def status(self, feed_id: str) -> dict:
        return self.r.hgetall(self.keys.feed_status(feed_id))

    def running(self) -> list[tuple[Feed, float]]:
        """Feeds whose run has started and not finished, with when it started, oldest first."""
        found = []
        for feed in self.list():
            since = self.status(feed.id).get("running_since")
            if since:
                found.append((feed, float(since)))
        return sorted(found, key=lambda pair: pair[1])

    def failures(self, feed_id: str) -> int:
        """How many runs of the feed in a row have failed."""
        return int(self.r.hget(self.keys.feed_status(feed_id), "failures") or 0)

    def mark_started(self, feed_id: str, now: float) -> None:
        self.r.hset(self.keys.feed_status(feed_id), "running_since", repr(now))

    def mark_finished(self, feed_id: str, started: float, finished: float, counts: dict, error: str | None,
                      next_run: float) -> None:
        """Record a finished run and when the feed is due next (only if it still exists)."""
        key = self.keys.feed_status(feed_id)
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(key, mapping={"last_started": repr(started), "last_finished": repr(finished),
                                "last_counts": json.dumps(counts), "last_error": error or ""})
        pipe.hincrby(key, "added_total", int(counts.get("added", 0)))
        if error:
            pipe.hincrby(key, "failures", 1)  # in a row: the schedule retries sooner than the period
        else:
            pipe.hset(key, "failures", 0)
        pipe.hdel(key, "running_since")
        pipe.zadd(self.keys.feed_schedule, {feed_id: next_run}, xx=True)
        pipe.execute()
        if not self.exists(feed_id):  # removed while it ran: drop the status the run just wrote
            self.r.delete(key)

    # -- checkpoints --------------------------------------------------------------------------------
    def checkpoint(self, source_key: str) -> dict | None:
        raw = self.r.get(self.keys.sync_checkpoint(source_key))
        return json.loads(raw) if raw else None

    def save_checkpoint(self, source_key: str, checkpoint: dict) -> None:
        self.r.set(self.keys.sync_checkpoint(source_key), json.dumps(checkpoint, sort_keys=True))

    # -- the sync lock (held while renewed: see store/leases.py) -----------------------------------
    def lock_holder(self) -> str | None:
        return self.lock.lock_holder()


def _feed(feed_id: str, raw: str) -> Feed:
    data = json.loads(raw)
    return Feed(feed_id, data["kind"], data["options"], int(data["every"]), float(data["created"]))
