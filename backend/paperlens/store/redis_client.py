"""Opening the Redis connection: a given URL, or the embedded server under the data folder."""

from __future__ import annotations

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from ..settings import Settings


def connect(settings: Settings) -> tuple[redis.Redis, str]:
    """A client for PAPERLENS_REDIS_URL, or for the embedded server (started if needed), and its URL."""
    url = settings.redis_url
    if not url:
        from .embedded import ensure_embedded_redis

        url = ensure_embedded_redis(settings.data_dir)
    client = redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=settings.redis_timeout,
        socket_connect_timeout=settings.redis_timeout,
        health_check_interval=10,
        # One quick retry rides out a blip; redis-py's default (10 with backoff) would hold every
        # request for seconds during an outage, when the index could be answering instead.
        retry=Retry(ExponentialBackoff(cap=0.1, base=0.02), 1),
    )
    return client, url
