"""One-time pairing codes that connect the browser extension: kept only as SHA-256 hashes, each
good once and for minutes. Wrong guesses are limited per client and per time window, and never void
a code: a client that guesses wrong is refused for the rest of the window, the others are not."""

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
WINDOW_SECONDS = 600  # wrong guesses are counted in windows this long, from a client's first one
MAX_CLIENT_FAILURES = 10  # wrong codes one client may try in a window before it is refused for the rest
# Wrong codes all clients together may try in a window: a bound on guessing by clients that change
# their Origin (1,000 guesses at 2**49 codes), high enough that one client's flood never reaches it.
MAX_FAILURES = 1_000

# KEYS: codes hash, all clients' failures, this client's failures.
# ARGV: code digest, now (ms), max per client, max in all, window (ms).
# Returns ['ok', user] | ['expired'] | ['wrong'] | ['limited'] (this client) | ['busy'] (all clients).
# A client over its limit is refused before the code is looked at, so its guesses cost nothing.
_REDEEM = """
if tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[3]) then return {'limited'} end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[4]) then return {'busy'} end
local value = redis.call('HGET', KEYS[1], ARGV[1])
if value then
  redis.call('HDEL', KEYS[1], ARGV[1])
  local at = string.find(value, ':', 1, true)
  if tonumber(string.sub(value, 1, at - 1)) >= tonumber(ARGV[2]) then
    return {'ok', string.sub(value, at + 1)}
  end
  return {'expired'}
end
for i = 2, 3 do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
end
return {'wrong'}
"""


@dataclass(frozen=True)
class PairingCode:
    code: str  # as shown: ABCDE-FGHJK
    user: str
    expires_at: float  # seconds since the epoch


@dataclass(frozen=True)
class Redeemed:
    outcome: str  # ok | expired | wrong | limited | busy
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
        starts a new window for all clients together (not for a client that is being refused)."""
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

    def redeem(self, code: str, client: str) -> Redeemed:
        """Use a code up: the user it was issued for, once. A wrong code counts against `client`
        (who is asking: address and Origin) and against all clients together, for the window."""
        client_key = self.keys.pairing_client_failures(hashlib.sha256(client.encode("utf-8", "replace")).hexdigest()[:32])
        if not normalize(code):
            return Redeemed("wrong")
        outcome = self._redeem(keys=[self.keys.pairing_codes, self.keys.pairing_failures, client_key],
                               args=[_digest(code), int(time.time() * 1000), MAX_CLIENT_FAILURES, MAX_FAILURES,
                                     WINDOW_SECONDS * 1000])
        return Redeemed(*outcome)
