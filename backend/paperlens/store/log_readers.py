"""Background readers of the corpus log: each keeps how many entries it has handled, and moves on
only from where it was (compare and set), so two readers never both count the same step."""

from __future__ import annotations

import redis

ADVANCE = ("local at = tonumber(redis.call('get', KEYS[1]) or '0') "
           "if at == tonumber(ARGV[1]) then redis.call('set', KEYS[1], ARGV[2]) return 1 end return 0")


class LogReader:
    def __init__(self, client: redis.Redis, key: str):
        self.r = client
        self.key = key
        self._advance = client.register_script(ADVANCE)

    def position(self) -> int:
        return int(self.r.get(self.key) or 0)

    def advance(self, old: int, new: int) -> bool:
        """Record that entries before `new` are handled, if the reader was still at `old`."""
        return bool(self._advance(keys=[self.key], args=[old, new]))
