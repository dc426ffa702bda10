"""What a domain call can refuse with (api/errors.py turns each into its HTTP status), and the store's
failures that pass through it."""

from __future__ import annotations

# The store's own failures pass through domain calls unchanged (catching and re-raising them in
# every call would cost a try per call and say nothing more): the domain's callers, the blueprints
# and the commands, catch them under these names rather than reaching into store/.
from ..store import BadRedisUrl, StoreUnavailable

__all__ = ["BadRedisUrl", "Conflict", "DomainError", "Invalid", "NotFound", "StoreUnavailable", "Unavailable",
           "Unreadable"]


class DomainError(Exception):
    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(DomainError):
    """No such paper or entry (404)."""


class Invalid(DomainError):
    """Well-formed but not acceptable: a limit, or metadata that names another paper (422)."""


class Conflict(DomainError):
    """It exists already: a feed that follows the same thing (409)."""


class Unreadable(DomainError):
    """The body cannot be read at all: empty, not UTF-8, not JSON (400)."""


class Unavailable(DomainError):
    """The store could not finish a change it started; trying again is safe (503)."""
