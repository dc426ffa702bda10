"""The embedded Redis keeps every user's notes and tags: its folder and files are this OS user's
alone, and it never uses a socket someone else could have put in its way (issue 15, findings 7, 10)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import redis

from paperlens.store import embedded
from paperlens.store.embedded import UnsafeDataFolder, ensure_embedded_redis, socket_path, stop_embedded_redis

from tests.waiting import until


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def rewritten(client) -> bool:
    info = client.info("persistence")
    return not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]


@pytest.fixture
def stopped_after():
    yield
    stop_embedded_redis()


def test_data_folder_and_everything_redis_writes_are_private(tmp_path, stopped_after):
    data = tmp_path / "data"
    url = ensure_embedded_redis(data)
    client = redis.Redis(unix_socket_path=url.removeprefix("unix://"))
    client.set("k", "a note")
    client.execute_command("BGREWRITEAOF")
    until(lambda: rewritten(client), 60, "the AOF rewrite")
    assert mode(data) == 0o700
    written = [p for p in data.rglob("*") if p.is_file() or p.is_socket()]
    assert any("appendonly" in p.name for p in written), written
    for path in written:
        assert mode(path) & 0o077 == 0, f"{path} is {oct(mode(path))}"


def test_an_open_data_folder_left_by_an_older_version_is_closed(tmp_path, stopped_after):
    data = tmp_path / "data"
    (data / "appendonlydir").mkdir(parents=True)
    aof = data / "appendonlydir" / "appendonly.aof.1.incr.aof"
    aof.write_text("")
    data.chmod(0o755)
    (data / "appendonlydir").chmod(0o755)
    aof.chmod(0o644)
    ensure_embedded_redis(data)
    assert mode(data) == 0o700 and mode(data / "appendonlydir") == 0o700 and mode(aof) == 0o600


def test_a_long_data_folder_puts_its_socket_in_a_private_folder(tmp_path, stopped_after):
    data = tmp_path / ("d" * 120)
    sock = socket_path(data)
    assert len(str(sock)) < 100
    assert sock.parent != Path("/tmp") and mode(sock.parent) == 0o700
    assert sock.parent.lstat().st_uid == os.getuid()
    url = ensure_embedded_redis(data)
    assert url == f"unix://{sock}"


@pytest.mark.skipif(os.getuid() != 0, reason="making a file of another user needs root")
def test_a_socket_folder_owned_by_someone_else_is_refused(tmp_path, monkeypatch):
    data = tmp_path / ("e" * 120)
    planted = socket_path(data).parent
    os.chown(planted, 65534, 65534)  # "nobody" got there first
    with pytest.raises(UnsafeDataFolder):
        socket_path(data)


@pytest.mark.skipif(os.getuid() != 0, reason="making a file of another user needs root")
def test_a_redis_socket_owned_by_someone_else_is_never_used(tmp_path, stopped_after):
    data = tmp_path / "data"
    url = ensure_embedded_redis(data)
    sock = Path(url.removeprefix("unix://"))
    os.chown(sock, 65534, 65534, follow_symlinks=False)
    with pytest.raises(UnsafeDataFolder):
        embedded.answers(sock)
