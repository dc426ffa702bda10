"""Bearer tokens: created once and shown once, stored only as a SHA-256 hash.

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
    name: str  # also the user the token acts for
    created: float


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class TokenStore:
    def __init__(self, client: redis.Redis, keys: Keys):
        self.r = client
        self.keys = keys

    def create(self, name: str) -> str:
        """A new token for `name` (one token per name: creating again replaces the old one)."""
        if not NAME.match(name):
            raise ValueError("token names are 1-64 letters, digits, '_', '.', '@' or '-'")
        token = "pl_" + secrets.token_urlsafe(32)
        digest = hash_token(token)
        old = self.r.hget(self.keys.token_names, name)
        pipe = self.r.pipeline(transaction=True)
        if old:
            pipe.delete(self.keys.token(old.split(":", 1)[0]))
        pipe.hset(self.keys.token(digest), mapping={"name": name, "digest": digest, "created": str(time.time())})
        pipe.hset(self.keys.token_names, name, f"{digest}:{time.time()}")
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

    def list(self) -> list[TokenInfo]:
        entries = self.r.hgetall(self.keys.token_names)
        return sorted((TokenInfo(name, float(v.split(":", 1)[1])) for name, v in entries.items()), key=lambda t: t.name)

    def user_for(self, token: str) -> str | None:
        """The user a presented token acts for, or None for an unknown or revoked token (revoking
        or replacing a token deletes its record, so one look-up answers)."""
        if not token or len(token) > 200:
            return None
        digest = hash_token(token)
        record = self.r.hgetall(self.keys.token(digest))
        if not record or not hmac.compare_digest(record.get("digest", ""), digest):
            return None
        return record["name"]
