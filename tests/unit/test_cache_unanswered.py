"""A cache that cannot answer is a miss, not an error: for a single Redis and for a Redis Cluster's
client, whose own errors (no node answering, a slot nobody serves) do not derive from redis-py's."""

from __future__ import annotations

import logging

import pytest
from redis.exceptions import ConnectionError, RedisClusterException

from paperlens.store.cache import Cache
from paperlens.store.keys import Keys


class Unanswering:
    """A Redis client every command of which fails as `error` says."""

    def __init__(self, error: Exception):
        self.error = error

    def __getattr__(self, command):
        def fail(*args, **kwargs):
            raise self.error
        return fail


@pytest.mark.parametrize("error", [ConnectionError("refused"), RedisClusterException("no node serves slot 1234")])
def test_reads_miss_and_writes_are_skipped(error, caplog):
    cache = Cache(Unanswering(error), Keys("t"))
    assert cache.get("related", "a") is None
    assert cache.get_many("related", [("a",), ("b",)]) == [None, None]
    with caplog.at_level(logging.WARNING, logger="paperlens.store.cache"):
        cache.set("related", ("a",), {"x": 1}, ttl=60)
        cache.set_many("related", [(("a",), 1)], ttl=60)
    assert caplog.text.count("cache write skipped") == 2


def test_a_bulk_job_is_told_when_the_cluster_cannot_answer():
    cache = Cache(Unanswering(RedisClusterException("no node serves slot 1234")), Keys("t"))
    with pytest.raises(RedisClusterException):
        cache.set_many("summary", [(("a",), 1)], ttl=60, quiet=False)
