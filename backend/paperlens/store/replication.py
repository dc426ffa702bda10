"""Writes acknowledged only once a replica has them: a reading-list change is sent to the master
that holds its keys and followed, on the same connection, by WAIT <replicas> <timeout>, so a
failover to that replica keeps it. How many replicas a write waits for is the setting, at most the
master's live replicas: on a Cluster, those the Cluster lists for it and has not marked failed
(connected or not: a replica cut off for a moment must not be skipped, since it could be the one
promoted), on a single server those online. A master with no live replica (one Redis without
replicas; a master whose replica failed) acknowledges alone: there is no replica to fail over to.
The trade-off is in docs/deploy.md ("Failover").
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from redis.cluster import RedisCluster

from .redis_client import is_cluster

log = logging.getLogger(__name__)

REPLICAS_TTL = 5.0  # seconds a master's count of live replicas is trusted before asking again


class NotReplicated(redis.RedisError):
    """The master applied the write but no replica confirmed it in time: answered as unavailable,
    and safe to retry (every reading-list change is idempotent)."""


class Replication:
    def __init__(self, client: redis.Redis | RedisCluster, replicas: int, timeout_ms: int):
        self.r = client
        self.replicas = max(0, replicas)
        self.timeout_ms = max(1, timeout_ms)
        self._live: dict[str, tuple[int, float]] = {}  # master -> (live replicas, when counted)
        self._lock = threading.Lock()

    def eval(self, script: str, keys: list[str], args: list) -> object:
        return self.execute(keys[0], "EVAL", script, len(keys), *keys, *args)

    def execute(self, key: str, *command) -> object:
        """Run one command on the master holding `key` and return its answer once `replicas`
        replicas have it (as many as are online, at most)."""
        if not self.replicas:
            return self.r.execute_command(*command)
        for attempt in (1, 2):
            server, name = self._master_of(key)
            try:
                return self._acknowledged(server, name, command)
            except (redis.ConnectionError, redis.TimeoutError, redis.exceptions.MovedError,
                    redis.exceptions.ClusterDownError, redis.exceptions.TryAgainError):
                if attempt == 2 or not is_cluster(self.r):
                    raise
                # A failover or a slot moving: learn where the slot lives now and try once more.
                self.r.nodes_manager.initialize()
        raise AssertionError("unreachable")

    def _acknowledged(self, server: redis.Redis, name: str, command) -> object:
        wanted = min(self.replicas, self._live_replicas(server, name))
        if not wanted:
            return server.execute_command(*command)
        pipe = server.pipeline(transaction=False)  # one connection: WAIT counts what it wrote
        pipe.execute_command(*command)
        pipe.execute_command("WAIT", wanted, self.timeout_ms)
        answer, acked = pipe.execute()
        if acked >= wanted:
            return answer
        live = self._live_replicas(server, name, fresh=True)
        if live > acked:
            raise NotReplicated(f"{acked} of {wanted} replicas confirmed the write within {self.timeout_ms} ms")
        log.warning("Redis master %s has %d live replicas now; acknowledging with %d", name, live, acked)
        return answer

    def _master_of(self, key: str) -> tuple[redis.Redis, str]:
        if is_cluster(self.r):
            node = self.r.get_node_from_key(key)
            return self.r.get_redis_connection(node), node.name
        return self.r, "server"

    def _live_replicas(self, server: redis.Redis, name: str, fresh: bool = False) -> int:
        with self._lock:
            known = self._live.get(name)
        if known and not fresh and time.monotonic() - known[1] < REPLICAS_TTL:
            return known[0]
        info = server.execute_command("INFO", "replication")
        if info.get("role") != "master" and is_cluster(self.r):
            # demoted by a failover this client has not seen yet: its slots have moved
            raise redis.ConnectionError(f"Redis node {name} is no longer a master")
        live = sum(1 for field, value in info.items()
                   if field.startswith("slave") and isinstance(value, dict) and value.get("state") == "online")
        if is_cluster(self.r):
            live = max(live, _listed_replicas(server))
        with self._lock:
            self._live[name] = (live, time.monotonic())
        return live


def _listed_replicas(server: redis.Redis) -> int:
    """Replicas the Cluster (as this master sees it) lists for this master and has not marked failed."""
    nodes = server.execute_command("CLUSTER NODES")  # parsed: address -> {node_id, flags, master_id, ...}
    me = next((n["node_id"] for n in nodes.values() if "myself" in n["flags"]), None)
    return sum(1 for n in nodes.values()
               if n["master_id"] == me and "fail" not in n["flags"].split(","))
