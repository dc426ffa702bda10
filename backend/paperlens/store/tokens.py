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


class TokenStore:
    def __init__(self, client: redis.Redis, keys: Keys):
        self.r = client
        self.keys = keys

    def create(self, name: str, *, user: str | None = None, admin: bool = False) -> str:
        """A new token named `name` acting for `user` (default: the name itself). One token per
        name: creating again replaces the old one."""
        user = name if user is None else user
        for label, value in (("token names", name), ("user names", user)):
            if not NAME.match(value):
                raise ValueError(f"{label} are 1-64 letters, digits, '_', '.', '@' or '-'")
        token = "pl_" + secrets.token_urlsafe(32)
        digest = hash_token(token)
        old = self.r.hget(self.keys.token_names, name)
        now = str(time.time())
        pipe = self.r.pipeline(transaction=True)
        if old:
            pipe.delete(self.keys.token(old.split(":", 1)[0]))
        pipe.hset(self.keys.token(digest), mapping={"name": name, "digest": digest, "created": now, "user": user,
                                                    "admin": "1" if admin else "0"})
        pipe.hset(self.keys.token_names, name, f"{digest}:{now}")
        pipe.execute()
        return token

    def revoke(self, name: str) -> bool:
        old = self.r.hget(self.keys.token_names, name)
        if not old:
            return False
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(self.keys.token(old.split(":", 1)[0]))
        pipe.hdel(self.keys.token_names, name)
        pipe.execute()
        return True

    def make_admin(self, name: str) -> bool:
        """Give the token `name` admin rights (the first-run token of an install made before tokens
        had them); False when there is no such token."""
        old = self.r.hget(self.keys.token_names, name)
        if not old:
            return False
        key = self.keys.token(old.split(":", 1)[0])
        if not self.r.exists(key):
            return False
        self.r.hset(key, "admin", "1")
        return True

    def list(self) -> list[TokenInfo]:
        names = self.r.hgetall(self.keys.token_names)
        pipe = self.r.pipeline(transaction=False)
        for value in names.values():
            pipe.hgetall(self.keys.token(value.split(":", 1)[0]))
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
