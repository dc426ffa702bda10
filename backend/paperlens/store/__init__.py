"""Everything that touches Redis, behind one door: `Store` hands out the papers, the cache, the
tokens, the digest feed secrets, the extension's pairing codes, the sync feeds and each user's
reading list; `StoreUnavailable` is what any of them raises when Redis cannot answer. No module
outside this package imports redis."""

from __future__ import annotations

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
from .redis_client import bytes_pool, connect
from .tokens import TokenStore

StoreUnavailable = redis.RedisError


class Store:
    def __init__(self, client: redis.Redis, keys: Keys, url: str | None = None):
        self._redis = client
        self.keys = keys
        self.url = url or _url_of(client)
        self.papers = PaperStore(client, keys)
        self.cache = Cache(client, keys)
        self.tokens = TokenStore(client, keys)
        self.feed_secrets = FeedSecrets(client, keys)
        self.pairing = PairingCodes(client, keys)
        self.feeds = FeedStore(client, keys)

    @classmethod
    def open(cls, settings: Settings, client: redis.Redis | None = None) -> "Store":
        """The store for `settings`: PAPERLENS_REDIS_URL, else the embedded server (started if needed)."""
        if client is not None:
            return cls(client, Keys(settings.key_prefix))
        client, url = connect(settings)
        return cls(client, Keys(settings.key_prefix), url)

    def lease(self, name: str) -> Lease:
        """The lock with a lease of one background job (see store/leases.py)."""
        return Lease(self._redis, self.keys.lease(name))

    def log_reader(self, name: str) -> LogReader:
        """Where a background reader of the corpus log has got to."""
        return LogReader(self._redis, self.keys.log_reader(name))

    def reading_list(self, user: str) -> ReadingList:
        return ReadingList(self._redis, self.keys, user)

    def limiter_pool(self) -> redis.ConnectionPool:
        """Connections for the rate limiter (the `limits` package reads bytes), with this store's
        timeouts and stall breaker."""
        return bytes_pool(self._redis)

    def is_persistent(self) -> bool | None:
        """Whether Redis keeps data across a restart (AOF or RDB snapshots on); None if it cannot tell."""
        try:
            info = self._redis.info("persistence")
            return bool(info.get("aof_enabled") or self._redis.config_get("save").get("save"))
        except redis.RedisError:
            return None


def _url_of(client: redis.Redis) -> str:
    """A URL for a client made elsewhere (tests hand one in), from its connection settings."""
    kwargs = client.connection_pool.connection_kwargs
    if kwargs.get("path"):
        return f"unix://{kwargs['path']}"
    return f"redis://{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
