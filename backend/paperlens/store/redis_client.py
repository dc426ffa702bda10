"""Opening the Redis connection: a given URL, or the embedded server under the data folder.

A stalled Redis (a stopped process, a frozen host) answers nothing, so every command would wait
out its own socket timeout and a request making five of them would wait five times as long. The
first command that times out therefore opens a breaker: from then on commands fail at once, so
routes answer from the index or with a 503 straight away, while a background probe PINGs Redis
and closes the breaker as soon as it answers again.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from ..settings import Settings

log = logging.getLogger(__name__)

PROBE_SECONDS = 0.5  # how often a stalled Redis is asked whether it answers again


class StallBreaker:
    """Shared by every connection of one client (redis-py deep-copies its retry object into each
    connection; copies of this are the same breaker)."""

    def __init__(self, probe, timeout: float):
        self.probe = probe  # () -> None, raises while Redis does not answer
        self.timeout = timeout
        self.stalled_since: float | None = None
        self._lock = threading.Lock()

    def __deepcopy__(self, memo) -> "StallBreaker":
        return self

    def check(self) -> None:
        if self.stalled_since is not None:
            waited = time.monotonic() - self.stalled_since
            raise redis.TimeoutError(f"Redis has not answered for {waited:.0f} s (stalled); not waiting again")

    def trip(self) -> None:
        with self._lock:
            if self.stalled_since is not None:
                return
            self.stalled_since = time.monotonic()
        log.warning("Redis timed out after %.1f s: answering without it until it responds again", self.timeout)
        threading.Thread(target=self._probe_until_answered, name="paperlens-redis-probe", daemon=True).start()

    def _probe_until_answered(self) -> None:
        while True:
            time.sleep(PROBE_SECONDS)
            try:
                self.probe()
            except (redis.RedisError, OSError):
                continue
            log.warning("Redis answers again after %.1f s", time.monotonic() - self.stalled_since)
            self.stalled_since = None
            return


class StallAwareRetry(Retry):
    """One quick retry after a dropped connection (a restarted Redis), none after a timeout (a
    stalled one), and the breaker around every command, pipeline, connect and health check."""

    def __init__(self, breaker: StallBreaker):
        # One quick retry rides out a blip; redis-py's default (10 with backoff) would hold every
        # request for seconds during an outage, when the index could be answering instead.
        super().__init__(ExponentialBackoff(cap=0.1, base=0.02), 1, supported_errors=(redis.ConnectionError,))
        self.breaker = breaker

    def __deepcopy__(self, memo) -> "StallAwareRetry":
        copy = StallAwareRetry(self.breaker)
        return copy

    def call_with_retry(self, do, fail, *args, **kwargs):
        self.breaker.check()
        try:
            return super().call_with_retry(do, fail, *args, **kwargs)
        except redis.TimeoutError:
            self.breaker.trip()
            raise


def connect(settings: Settings) -> tuple[redis.Redis, str]:
    """A client for PAPERLENS_REDIS_URL, or for the embedded server (started if needed), and its URL."""
    url = server_url(settings)
    return redis.Redis(connection_pool=connection_pool(url, settings.redis_timeout)), url


def connection_pool(url: str, timeout: float) -> redis.ConnectionPool:
    probe_client = redis.Redis.from_url(url, socket_timeout=min(1.0, timeout), socket_connect_timeout=min(1.0, timeout))
    breaker = _breakers.setdefault((url, timeout), StallBreaker(probe_client.ping, timeout))
    return redis.ConnectionPool.from_url(
        url,
        decode_responses=True,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=10,
        retry=StallAwareRetry(breaker),
    )


def bytes_pool(client: redis.Redis) -> redis.ConnectionPool:
    """A pool like `client`'s (same server, timeouts, retry and breaker) whose replies are bytes."""
    pool = client.connection_pool
    return redis.ConnectionPool(connection_class=pool.connection_class,
                                **{**pool.connection_kwargs, "decode_responses": False})


def server_url(settings: Settings) -> str:
    if settings.redis_url:
        return settings.redis_url
    from .embedded import ensure_embedded_redis

    return ensure_embedded_redis(settings.data_dir)


# One breaker per Redis server in a process: the app's client and the rate limiter's share it.
_breakers: dict[tuple[str, float], StallBreaker] = {}
