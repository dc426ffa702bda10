"""Connecting the browser extension: the operator issues a one-time code at the terminal; the
extension trades it, once, for a token of its own that acts for the code's user."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ..store import Store
from ..store.pairing import TTL_SECONDS, PairingCode

__all__ = ["Paired", "Pairing", "PairingCode", "PairingRefused", "TTL_SECONDS"]


@dataclass(frozen=True)
class Paired:
    token: str  # shown once, to the extension
    user: str
    name: str  # the token's name in `paperlens token list`, e.g. ext-firefox-3f9a2c


class PairingRefused(Exception):
    def __init__(self, outcome: str):
        super().__init__(outcome)
        self.outcome = outcome  # wrong | expired | limited | busy


class Pairing:
    def __init__(self, store: Store):
        self._store = store

    def issue(self, user: str) -> PairingCode:
        """A fresh one-time code for `user`, for the operator's terminal."""
        return self._store.pairing.issue(user)

    def pair(self, code: str, client: str, caller: str) -> Paired:
        """Use up `code` and mint a token for its user, named after the browser it goes to, so that
        `paperlens token revoke ext-firefox-…` disconnects that browser alone. `caller` says who asks
        (address and Origin): wrong codes are counted against it, and never void anyone's code."""
        redeemed = self._store.pairing.redeem(code, caller)
        if redeemed.outcome != "ok":
            raise PairingRefused(redeemed.outcome)
        name = f"ext-{client}-{secrets.token_hex(3)}"
        return Paired(self._store.tokens.create(name, user=redeemed.user), redeemed.user, name)
