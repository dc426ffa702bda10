"""Locks with a lease in Redis: held only while the holder keeps renewing it, so a holder killed
with -9 frees it when the lease runs out. One key each; `sync/lock.py` keeps one renewed from a
thread (the feeds' sync lock, the summaries-ahead lock)."""

from __future__ import annotations

import redis

RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
TAKE_OVER = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
             "return redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) end return false")


class Lease:
    def __init__(self, client: redis.Redis, key: str, name: str):
        self.r = client
        self.key = key
        self.name = name  # whose lock it is, for logs: "sync", "summaries", ...
        self._renew = client.register_script(RENEW)
        self._release = client.register_script(RELEASE)
        self._take_over = client.register_script(TAKE_OVER)

    def acquire_lock(self, holder: str, lease_ms: int) -> bool:
        return bool(self.r.set(self.key, holder, nx=True, px=lease_ms))

    def renew_lock(self, holder: str, lease_ms: int) -> bool:
        return bool(self._renew(keys=[self.key], args=[holder, lease_ms]))

    def release_lock(self, holder: str) -> None:
        self._release(keys=[self.key], args=[holder])

    def take_over_lock(self, dead_holder: str, holder: str, lease_ms: int) -> bool:
        """Take the lock from a holder known to be dead, if it still holds it."""
        return bool(self._take_over(keys=[self.key], args=[dead_holder, holder, lease_ms]))

    def lock_holder(self) -> str | None:
        return self.r.get(self.key)
