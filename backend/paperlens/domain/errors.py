"""What a domain call can refuse with; api/errors.py turns each into its HTTP status."""

from __future__ import annotations


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
