"""The running server's address, for the commands run beside it: `paperlens serve` writes
`serve.json` (0600) in the data folder when it starts serving and removes it when it stops, so
`paperlens connect` and `paperlens token create --feed` print the URL being served (`serve --port
9721` included), not the one their own settings would give."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..settings import Settings

FILE = "serve.json"


def write(settings: Settings) -> Path:
    path = settings.data_dir / FILE
    record = {"pid": os.getpid(), "url": settings.base_url, "host": settings.host, "port": settings.port}
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(record, handle)
    os.replace(temporary, path)
    return path


def remove(settings: Settings) -> None:
    path = settings.data_dir / FILE
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def served_url(settings: Settings) -> str:
    """The URL of the server running on this data folder, else the one these settings would serve."""
    if settings.public_url:
        return settings.base_url
    try:
        record = json.loads((settings.data_dir / FILE).read_text())
        pid, url = int(record["pid"]), str(record["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return settings.base_url
    return url if _alive(pid) else settings.base_url


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
