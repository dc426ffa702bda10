"""Waiting on what a test is waiting for, with generous deadlines: the suite runs on 2 busy cores,
so a fixed sleep or a tight window is a race that load decides (issue 18, finding 15)."""

from __future__ import annotations

import time
from typing import Callable


def until(check: Callable[[], object], timeout: float = 60.0, what: str = "the condition",
          interval: float = 0.05, ignoring: tuple[type[BaseException], ...] = ()) -> float:
    """Call check() until it is true; the seconds it took. Exceptions of the `ignoring` kinds
    count as "not yet" (a server still starting). Fails the test after `timeout` seconds."""
    started = time.monotonic()
    while True:
        try:
            if check():
                return time.monotonic() - started
        except ignoring:
            pass
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(interval)
