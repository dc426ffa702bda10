"""Digest feed secrets: the credential in a user's digest feed URL, one per user, shown once and
stored only as a SHA-256 hash (256 random bits, like tokens, so an unsalted hash is safe).

A feed secret is not a token. Feed readers cannot send headers, so this credential has to live in
a URL, where it can leak (history, logs, a shared OPML file); it therefore opens that user's digest
feed and nothing else. Tokens are looked up in another key space, so neither works as the other.

  feedsecret:<hash>          hash    user, created: what the secret opens
  {u:<user>}:feed-secret     string  the hash of the user's current secret

A secret is valid only while the user's pointer names its hash, so rotating or revoking voids the
old secret at the moment the pointer changes, even if deleting its record fails afterwards.
"""

from __future__ import annotations

import hmac
import secrets
import time

import redis

from .keys import Keys
from .tokens import hash_token

PREFIX = "plf_"  # tells a feed secret from a token (pl_) at a glance
MAX_LENGTH = 100


class FeedSecrets:
    def __init__(self, client: redis.Redis, keys: Keys):
        self.r = client
        self.keys = keys

    def create(self, user: str) -> str:
        """A new secret for `user`'s digest feed (shown once); the user's previous one stops working."""
        secret = PREFIX + secrets.token_urlsafe(32)
        digest = hash_token(secret)
        pointer = self.keys.feed_secret_of(user)
        old = self.r.get(pointer)
        self.r.hset(self.keys.feed_secret(digest), mapping={"user": user, "created": str(time.time())})
        self.r.set(pointer, digest)  # from here on only the new secret is valid
        if old:
            self.r.delete(self.keys.feed_secret(old))
        return secret

    def revoke(self, user: str) -> bool:
        """Void `user`'s feed secret; False when there was none."""
        pointer = self.keys.feed_secret_of(user)
        old = self.r.get(pointer)
        if not old:
            return False
        self.r.delete(pointer)
        self.r.delete(self.keys.feed_secret(old))
        return True

    def created(self, user: str) -> float | None:
        """When `user`'s current feed secret was made, or None when there is none."""
        digest = self.r.get(self.keys.feed_secret_of(user))
        created = self.r.hget(self.keys.feed_secret(digest), "created") if digest else None
        return float(created) if created else None

    def lookup(self, secret: str) -> str | None:
        """The user whose feed `secret` opens, or None (unknown, rotated or revoked)."""
        if not secret or len(secret) > MAX_LENGTH or not secret.startswith(PREFIX):
            return None
        digest = hash_token(secret)
        user = self.r.hget(self.keys.feed_secret(digest), "user")
        if not user:
            return None
        current = self.r.get(self.keys.feed_secret_of(user)) or ""
        return user if hmac.compare_digest(current, digest) else None
