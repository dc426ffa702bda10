"""One-time pairing codes that connect the browser extension: kept only as SHA-256 hashes, each
good once and for minutes, and all of them void after a few wrong guesses."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

import redis

from .keys import Keys

# No 0/O, 1/I/L or U: a code read off a terminal and typed is hard to get wrong.
ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
LENGTH = 10  # 30**10, about 2**49 codes
TTL_SECONDS = 600
MAX_FAILURES = 10  # wrong codes tried, across all live codes, before every live code is void

# KEYS: codes hash, failures counter. ARGV: code digest, now (ms), max failures, TTL (ms).
# Returns ['ok', user] | ['expired'] | ['wrong'] | ['locked'].
_REDEEM = """
local failures = tonumber(redis.call('GET', KEYS[2]) or '0')
if failures >= tonumber(ARGV[3]) then return {'locked'} end
local value = redis.call('HGET', KEYS[1], ARGV[1])
if value then
  redis.call('HDEL', KEYS[1], ARGV[1])
  local at = string.find(value, ':', 1, true)
  if tonumber(string.sub(value, 1, at - 1)) >= tonumber(ARGV[2]) then
    return {'ok', string.sub(value, at + 1)}
  end
  return {'expired'}
end
failures = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
if failures >= tonumber(ARGV[3]) then redis.call('DEL', KEYS[1]) end
return {'wrong'}
"""


@dataclass(frozen=True)
class PairingCode:
    code: str  # as shown: ABCDE-FGHJK
    user: str
    expires_at: float  # seconds since the epoch


@dataclass(frozen=True)
class Redeemed:
    outcome: str  # ok | expired | wrong | locked
    user: str | None = None


def normalize(code: str) -> str:
    """What a person may type for a code: any case, spaces and dashes anywhere."""
    return re.sub(r"[\s-]+", "", code or "").upper()[:64]


def _digest(code: str) -> str:
    return hashlib.sha256(normalize(code).encode("utf-8", "surrogatepass")).hexdigest()


class PairingCodes:
    def __init__(self, client: redis.Redis, keys: Keys):
        self.r = client
        self.keys = keys
        self._redeem = client.register_script(_REDEEM)

    def issue(self, user: str, ttl: int = TTL_SECONDS) -> PairingCode:
        """A fresh code for `user`. Issuing is what the operator does at the terminal, so it also
        lifts a lock left by wrong guesses."""
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        expires_at = time.time() + ttl
        now_ms = int(time.time() * 1000)
        stale = [digest for digest, value in self.r.hgetall(self.keys.pairing_codes).items()
                 if int(value.split(":", 1)[0]) < now_ms]
        pipe = self.r.pipeline(transaction=True)
        if stale:
            pipe.hdel(self.keys.pairing_codes, *stale)
        pipe.hset(self.keys.pairing_codes, _digest(raw), f"{int(expires_at * 1000)}:{user}")
        pipe.pexpire(self.keys.pairing_codes, ttl * 1000)
        pipe.delete(self.keys.pairing_failures)
        pipe.execute()
        return PairingCode(f"{raw[:LENGTH // 2]}-{raw[LENGTH // 2:]}", user, expires_at)

    def redeem(self, code: str) -> Redeemed:
        """Use a code up: the user it was issued for, once; a wrong code counts towards the lock."""
        if not normalize(code):
            return Redeemed("wrong")
        outcome = self._redeem(keys=[self.keys.pairing_codes, self.keys.pairing_failures],
                               args=[_digest(code), int(time.time() * 1000), MAX_FAILURES, TTL_SECONDS * 1000])
        return Redeemed(*outcome)
