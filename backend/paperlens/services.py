"""The long-lived parts a server process shares between requests: Redis, the papers, the index."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from flask import current_app

from .ranking.live_index import LiveIndex
from .settings import Settings
from .store.cache import Cache
from .store.keys import Keys
from .store.papers import PaperStore
from .store.redis_client import connect


@dataclass
class Services:
    settings: Settings
    redis: redis.Redis
    keys: Keys
    papers: PaperStore
    index: LiveIndex
    cache: Cache

    @classmethod
    def create(cls, settings: Settings, client: redis.Redis | None = None) -> "Services":
        client = client or connect(settings)
        keys = Keys(settings.key_prefix)
        papers = PaperStore(client, keys)
        index = LiveIndex(papers, settings.index_dir, settings.index_refresh_seconds)
        return cls(settings, client, keys, papers, index, Cache(client, keys))


def services() -> Services:
    return current_app.extensions["paperlens"]
