"""Processes `paperlens serve` runs beside its workers (summaries ahead of time, the feeds' syncer in
sync/schedule.py): each its own Python process, so its work never holds a
worker's GIL, reading the same PAPERLENS_* settings, stopping when asked or when the server is gone."""

from __future__ import annotations

import os
import subprocess
import sys


def start(module: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module], env=os.environ.copy())


def stop(process: subprocess.Popen, grace: float = 15.0) -> None:
    """Ask it to stop (it finishes the step at hand) and wait for it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
