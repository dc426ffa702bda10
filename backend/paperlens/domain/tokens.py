"""Who may call: the API tokens (created once and shown once, one per name, each acting for one
user's reading list) and the one rule for user names, for the blueprints and the `token`,
`connect` and `export` commands alike."""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import Settings
from ..store import Store
from ..store.tokens import NAME, TokenInfo, hash_token
from .errors import Invalid

USER_NAMES = "user names are 1-64 letters, digits, '_', '.', '@' or '-'"


def check_user_name(user: str) -> str:
    """`user`, or Invalid when it cannot name a reading list (the rule the store applies to tokens)."""
    if not NAME.match(user):
        raise Invalid(USER_NAMES)
    return user


def fingerprint(token: str) -> str:
    """What the store keeps of a token (its SHA-256): the same for every request with that token,
    and safe to keep anywhere, e.g. as a rate-limit bucket's name."""
    return hash_token(token)


@dataclass(frozen=True)
class Caller:
    """Whom a request's valid token acts for."""
    name: str  # the token's own name
    user: str  # the reading list it acts for
    admin: bool  # may change what the whole server does (feeds)


class Tokens:
    def __init__(self, store: Store):
        self._tokens = store.tokens

    @classmethod
    def open(cls, settings: Settings) -> "Tokens":
        """The tokens of the Redis `settings` names, without the index or the corpus around them."""
        return cls(Store.open(settings))

    def create(self, name: str, *, user: str | None = None, admin: bool = False) -> str:
        """A new token named `name` acting for `user` (default: the name); it replaces the name's
        old token. Invalid for a bad name, or when another create of the same name won meanwhile."""
        try:
            return self._tokens.create(name, user=user, admin=admin)
        except ValueError as exc:
            raise Invalid(str(exc)) from None

    def list(self) -> list[TokenInfo]:
        return self._tokens.list()

    def users(self) -> set[str]:
        """The users some token acts for: the reading lists anyone can have saved to."""
        return {info.user for info in self._tokens.list()}

    def revoke(self, name: str) -> bool:
        return self._tokens.revoke(name)

    def make_admin(self, name: str) -> bool:
        return self._tokens.make_admin(name)

    def lookup(self, token: str) -> Caller | None:
        """Whom `token` acts for, or None for a token that is unknown or revoked."""
        info = self._tokens.lookup(token)
        return None if info is None else Caller(info.name, info.user, info.admin)
