"""Processes `paperlens serve` runs beside its workers (summaries ahead of time, the feeds' syncer in
sync/schedule.py): each its own Python process, so its work never holds a
worker's GIL, reading the same PAPERLENS_* settings, stopping when asked or when the server is gone.
serve's master watches, restarts and stops them (server/children.py)."""

from __future__ import annotations

import os
import subprocess
import sys


def start(module: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module], env=os.environ.copy())
