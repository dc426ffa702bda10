"""Cached JSON answers (related lists, summaries). Cache keys live apart from library keys and
always carry a TTL, so flushing or evicting them never touches what users saved."""

from __future__ import annotations

import json
import logging

import redis

from .keys import Keys
from .redis_client import StoreUnavailable, mget

log = logging.getLogger(__name__)


class Cache:
    def __init__(self, client: redis.Redis, keys: Keys):
        self.r = client
        self.keys = keys

    def get(self, kind: str, *parts: str):
        try:
            raw = self.r.get(self.keys.cache(kind, *parts))
        except StoreUnavailable:
            return None  # a cache that cannot answer is a miss, not an error
        return json.loads(raw) if raw else None

    def get_many(self, kind: str, parts_list: list[tuple[str, ...]]) -> list:
        if not parts_list:
            return []
        try:
            raws = mget(self.r, [self.keys.cache(kind, *parts) for parts in parts_list])
        except StoreUnavailable:
            return [None] * len(parts_list)
        return [json.loads(raw) if raw else None for raw in raws]

    def set(self, kind: str, parts: tuple[str, ...], value, ttl: int) -> None:
        try:
            self.r.set(self.keys.cache(kind, *parts), json.dumps(value, ensure_ascii=False), ex=ttl)
        except StoreUnavailable as exc:
            log.warning("cache write skipped: %s", exc.__class__.__name__)

    def set_many(self, kind: str, items: list[tuple[tuple[str, ...], object]], ttl: int, *,
                 quiet: bool = True) -> None:
        """Store many answers in one round trip; `quiet=False` (bulk jobs) lets a Redis error out."""
        if not items:
            return
        try:
            pipe = self.r.pipeline(transaction=False)
            for parts, value in items:
                pipe.set(self.keys.cache(kind, *parts), json.dumps(value, ensure_ascii=False), ex=ttl)
            pipe.execute()
        except StoreUnavailable as exc:
            if not quiet:
                raise
            log.warning("cache write skipped: %s", exc.__class__.__name__)

    def present(self, kind: str, parts_list: list[tuple[str, ...]]) -> list[bool]:
        """Which answers are cached, in one round trip (for bulk jobs: a Redis error is raised)."""
        pipe = self.r.pipeline(transaction=False)
        for parts in parts_list:
            pipe.exists(self.keys.cache(kind, *parts))
        return [bool(found) for found in pipe.execute()]
