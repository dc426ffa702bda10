"""Opening the Redis connection: a given URL, or the embedded server under the data folder."""

from __future__ import annotations

import redis

from ..settings import Settings


def connect(settings: Settings) -> redis.Redis:
    """A client for PAPERLENS_REDIS_URL, or for the embedded server (started if needed)."""
    url = settings.redis_url
    if not url:
        from .embedded import ensure_embedded_redis

        url = ensure_embedded_redis(settings.data_dir)
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=settings.redis_timeout,
        socket_connect_timeout=settings.redis_timeout,
        health_check_interval=10,
    )
