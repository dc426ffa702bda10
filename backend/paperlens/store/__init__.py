"""Everything that touches Redis, behind one door: `Store` hands out the papers, the cache, the
tokens, the digest feed secrets, the extension's pairing codes, the sync feeds and each user's
reading list; `StoreUnavailable` is what any of them raises when Redis cannot answer. No module
outside this package imports redis. The same code runs on one Redis server and on a Redis Cluster
(PAPERLENS_REDIS_URL=redis+cluster://HOST:PORT,...): every multi-key step stays within one hash
slot (docs/deploy.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import redis

from ..settings import Settings
from .cache import Cache
from .feed_secrets import FeedSecrets
from .feeds import FeedStore
from .keys import Keys
from .leases import Lease
from .library import ReadingList
from .log_readers import LogReader
from .pairing import PairingCodes
from .papers import PaperStore
from .redis_client import BadRedisUrl, StoreUnavailable, bytes_pool, cluster_options, connect, is_cluster
from .replication import Replication
from .tokens import TokenStore
from .vectors import VectorStore

__all__ = ["BadRedisUrl", "LimiterStorage", "Store", "StoreUnavailable"]


@dataclass(frozen=True)
class LimiterStorage:
    """Where the rate limits count: the `limits` storage URI and options, and their keys."""

    uri: str
    options: dict
    key_prefix: str  # of every counter (Keys.rate_limits)
    in_flight_key: Callable[[str], str]  # a caller's costly requests running now (Keys.costly_in_flight)


class Store:
    def __init__(self, client: redis.Redis, keys: Keys, url: str | None = None, replication: Replication | None = None):
        self._redis = client
        self.keys = keys
        self.url = url or _url_of(client)
        self.replication = replication or Replication(client, 1, 1000)
        self.papers = PaperStore(client, keys)
        self.cache = Cache(client, keys)
        self.tokens = TokenStore(client, keys)
        self.feed_secrets = FeedSecrets(client, keys)
        self.pairing = PairingCodes(client, keys)
        self.feeds = FeedStore(client, keys)

    @classmethod
    def open(cls, settings: Settings, client: redis.Redis | None = None) -> "Store":
        """The store for `settings`: PAPERLENS_REDIS_URL, else the embedded server (started if needed)."""
        url = None
        if client is None:
            client, url = connect(settings)
        # WAIT blocks its connection: it must end well before the socket timeout would cut it off
        wait_ms = min(settings.redis_wait_ms, int(settings.redis_timeout * 1000 / 2))
        return cls(client, Keys(settings.key_prefix), url, Replication(client, settings.redis_wait_replicas, wait_ms))

    def lease(self, name: str) -> Lease:
        """The lock with a lease of one background job (see store/leases.py)."""
        return Lease(self._redis, self.keys.lease(name), name)

    def log_reader(self, name: str) -> LogReader:
        """Where a background reader of the corpus log has got to."""
        return LogReader(self._redis, self.keys.log_reader(name))

    def vectors(self, model: str) -> VectorStore:
        """The papers' embedding vectors under `model` (the semantic signal)."""
        return VectorStore(self._redis, self.keys, model)

    def reading_list(self, user: str) -> ReadingList:
        return ReadingList(self._redis, self.keys, user, self.replication)

    def limiter_storage(self, timeout: float) -> LimiterStorage:
        """Where the rate limiter counts (it reads bytes), with this store's timeouts and stall
        breaker: this server's connections, or this Cluster's nodes; and the keys it counts under."""
        if is_cluster(self._redis):
            uri, options = self.url, cluster_options(self.url, timeout)
        else:
            uri, options = "redis://", {"connection_pool": bytes_pool(self._redis)}
        return LimiterStorage(uri, options, self.keys.rate_limits, self.keys.costly_in_flight)

    def is_persistent(self) -> bool | None:
        """Whether Redis keeps data across a restart (AOF or RDB snapshots on, on every master of a
        Cluster); None if it cannot tell."""
        try:
            if is_cluster(self._redis):
                masters = self._redis.get_primaries()
                return all(_persists(self._redis.get_redis_connection(node)) for node in masters)
            return _persists(self._redis)
        except StoreUnavailable:
            return None


def _persists(server: redis.Redis) -> bool:
    return bool(server.info("persistence").get("aof_enabled") or server.config_get("save").get("save"))


def _url_of(client: redis.Redis) -> str:
    """A URL for a client made elsewhere (tests hand one in), from its connection settings."""
    if is_cluster(client):
        return "redis+cluster://" + ",".join(node.name for node in client.get_primaries())
    kwargs = client.connection_pool.connection_kwargs
    if kwargs.get("path"):
        return f"unix://{kwargs['path']}"
    return f"redis://{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
