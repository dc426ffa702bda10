"""Bearer tokens: created once and shown once, stored only as a SHA-256 hash. Each has a name, the
user whose reading list it acts for, and whether it is an admin token.

A token has 256 bits of randomness, so a plain (unsalted) hash is safe to store and lets a request
find its token in one look-up; comparing the stored hash in constant time guards the last step.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

import redis

from .keys import Keys

NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


@dataclass(frozen=True)
class TokenInfo:
    name: str  # the token's own name: one token per name ("ext-firefox", "alice-laptop")
    user: str  # the reading list it acts for; several tokens may share one user
    admin: bool  # may change what the whole server does (feeds)
    created: float


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# Token records and the names hash live in different Cluster slots, so a change is a few single-key
# steps in an order that never leaves a valid token unlisted: the replaced token's record goes
# first, the name then points at the new digest, and the new record comes last. A writer stopped in
# between leaves at most a name whose token does not work (create it again).

# KEYS: names.  ARGV: name, value.  Sets the name's value and returns the value it replaced.
_SWAP = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return old
"""

# KEYS: names.  ARGV: name, value.  Removes the name only while it still has this value.
_FORGET = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
"""


class ReplacedMeanwhile(ValueError):
    """Another `token create` for the same name ran at the same moment and won."""


class TokenStore:
    def __init__(self, client: redis.Redis, keys: Keys):
        self.r = client
        self.keys = keys
        self._swap = client.register_script(_SWAP)
        self._forget = client.register_script(_FORGET)

    def create(self, name: str, *, user: str | None = None, admin: bool = False) -> str:
        """A new token named `name` acting for `user` (default: the name itself). One token per
        name: creating again replaces the old one."""
        user = name if user is None else user
        for label, value in (("token names", name), ("user names", user)):
            if not NAME.match(value):
                raise ValueError(f"{label} are 1-64 letters, digits, '_', '.', '@' or '-'")
        token = "pl_" + secrets.token_urlsafe(32)
        digest = hash_token(token)
        now = str(time.time())
        entry = f"{digest}:{now}"
        old = self.r.hget(self.keys.token_names, name)
        if old:
            self.r.delete(self._record(old))
        replaced = self._swap(keys=[self.keys.token_names], args=[name, entry])
        if replaced and replaced != old:  # a token made for this name since we looked
            self.r.delete(self._record(replaced))
        self.r.hset(self.keys.token(digest), mapping={"name": name, "digest": digest, "created": now, "user": user,
                                                      "admin": "1" if admin else "0"})
        if self.r.hget(self.keys.token_names, name) != entry:
            self.r.delete(self.keys.token(digest))  # replaced by a create that ran at the same moment
            raise ReplacedMeanwhile(f"token {name!r} was created again at the same moment; this one is void")
        return token

    def revoke(self, name: str) -> bool:
        old = self.r.hget(self.keys.token_names, name)
        if not old:
            return False
        self.r.delete(self._record(old))
        self._forget(keys=[self.keys.token_names], args=[name, old])
        return True

    def _record(self, names_entry: str) -> str:
        return self.keys.token(names_entry.split(":", 1)[0])

    def make_admin(self, name: str) -> bool:
        """Give the token `name` admin rights (the first-run token of an install made before tokens
        had them); False when there is no such token."""
        old = self.r.hget(self.keys.token_names, name)
        if not old:
            return False
        key = self._record(old)
        if not self.r.exists(key):
            return False
        self.r.hset(key, "admin", "1")
        return True

    def list(self) -> list[TokenInfo]:
        names = self.r.hgetall(self.keys.token_names)
        pipe = self.r.pipeline(transaction=False)
        for value in names.values():
            pipe.hgetall(self._record(value))
        records = pipe.execute()
        infos = [_info(record, name, float(value.split(":", 1)[1]))
                 for (name, value), record in zip(names.items(), records)]
        return sorted(infos, key=lambda t: t.name)

    def lookup(self, token: str) -> TokenInfo | None:
        """What a presented token may do, or None for an unknown or revoked token (revoking or
        replacing a token deletes its record, so one look-up answers)."""
        if not token or len(token) > 200:
            return None
        digest = hash_token(token)
        record = self.r.hgetall(self.keys.token(digest))
        if not record or not hmac.compare_digest(record.get("digest", ""), digest):
            return None
        return _info(record, record["name"], float(record.get("created") or 0))


def _info(record: dict, name: str, created: float) -> TokenInfo:
    # Records written before tokens had a user and an admin flag act for their own name, as then.
    return TokenInfo(name, record.get("user") or name, record.get("admin") == "1", created)
