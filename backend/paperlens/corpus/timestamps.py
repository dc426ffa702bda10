"""Instants as Paperlens writes them everywhere (API answers, feeds, exports): ISO 8601 in UTC with a Z."""

from __future__ import annotations

from datetime import datetime, timezone


def iso_utc(seconds: float, timespec: str = "seconds") -> str:
    """Seconds since the epoch as '2026-12-06T09:30:00Z' (timespec="milliseconds": '…09:30:00.123Z',
    for an export that must give back what it was given)."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat(timespec=timespec).replace("+00:00", "Z")
