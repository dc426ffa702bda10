"""Reading-list saves are acknowledged only after a replica has them (WAIT on the connection that
wrote), a replica that does not confirm in time turns the save into a 503 that is safe to retry,
and a Redis without replicas is never waited on."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import uuid

import redis

from paperlens.app import create_app
from paperlens.settings import Settings
from paperlens.store.keys import Keys
from paperlens.store.papers import PaperStore

from tests.corpus import demo_papers
from tests.servers import redis_client


class Monitor:
    """Every command a Redis server runs, as MONITOR reports it, with the client that sent it."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"MONITOR\r\n")
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            *done, buffer = buffer.split(b"\r\n")
            self.lines += [line.decode("utf-8", "replace") for line in done]

    def commands(self) -> list[tuple[str, str]]:
        """(client address, command name) for each command seen."""
        seen = []
        for line in self.lines:
            if "[" not in line or '"' not in line:
                continue
            client = line.split("[", 1)[1].split("]", 1)[0]
            seen.append((client, line.split('"', 2)[1].upper()))
        return seen

    def close(self) -> None:
        self.sock.close()


def app_on(url: str, tmp_path, **overrides):
    settings = Settings(redis_url=url, data_dir=tmp_path / "data", key_prefix=f"t{uuid.uuid4().hex[:10]}",
                        index_refresh_seconds=0.0, demo_corpus=False, rate_limit="100000/minute", **overrides)
    client = redis_client(url)
    list(PaperStore(client, Keys(settings.key_prefix)).add_many(demo_papers()[:10]))
    from paperlens.store.tokens import TokenStore

    token = TokenStore(client, Keys(settings.key_prefix)).create("alice")
    app = create_app(settings)
    return app.test_client(), {"Authorization": f"Bearer {token}"}, settings


def test_a_save_returns_once_the_replica_of_its_master_has_it(redis_cluster, tmp_path):
    web, alice, settings = app_on(redis_cluster.url, tmp_path)
    saved_key = Keys(settings.key_prefix).library_saved("alice")
    master = redis_cluster.master_of(saved_key)
    replica = redis.Redis(port=redis_cluster.replica_of(master), decode_responses=True)
    replica.execute_command("READONLY")
    watch = Monitor(master)
    try:
        for paper in demo_papers()[:5]:
            answer = web.put(f"/api/v1/library/{paper.id}", json={"tags": ["x"]}, headers=alice)
            assert answer.status_code == 201, answer.get_json()
            # read straight from the replica the moment the save is answered
            assert replica.zscore(saved_key, paper.id) is not None, "acknowledged before the replica had it"
        time.sleep(0.2)
        commands = watch.commands()
    finally:
        watch.close()
    evals = [(n, client) for n, (client, name) in enumerate(commands) if name == "EVAL"]  # the library's scripts
    assert len(evals) == 5
    for n, client in evals:
        following = [name for c, name in commands[n + 1:] if c == client]
        assert following and following[0] == "WAIT", "WAIT must follow the write on the same connection"


def test_a_replica_that_does_not_confirm_in_time_makes_the_save_a_503_safe_to_retry(redis_cluster, tmp_path):
    web, alice, settings = app_on(redis_cluster.url, tmp_path, redis_wait_ms=300)
    paper = demo_papers()[0]
    saved_key = Keys(settings.key_prefix).library_saved("alice")
    replica = redis_cluster.pid(redis_cluster.replica_of(redis_cluster.master_of(saved_key)))
    os.kill(replica, signal.SIGSTOP)
    try:
        frozen = web.put(f"/api/v1/library/{paper.id}", json={"note": "kept"}, headers=alice)
    finally:
        os.kill(replica, signal.SIGCONT)
    assert frozen.status_code == 503 and frozen.headers["Retry-After"]
    assert frozen.get_json()["error"]["code"] == "unavailable"
    deadline = time.monotonic() + 10
    while True:  # the replica catches up; a retry of the same save then succeeds
        again = web.put(f"/api/v1/library/{paper.id}", json={"note": "kept"}, headers=alice)
        if again.status_code in (200, 201):
            break
        assert time.monotonic() < deadline, again.get_json()
        time.sleep(0.2)
    listed = web.get("/api/v1/library", headers=alice).get_json()["items"]
    assert [item["paper"]["id"] for item in listed] == [paper.id] and listed[0]["note"] == "kept"
    redis_cluster.wait_until_healthy()


def test_a_redis_without_replicas_is_never_waited_on(redis_server, tmp_path):
    web, alice, _ = app_on(redis_server.url, tmp_path, redis_wait_ms=2000)
    watch = Monitor(redis_server.port)
    try:
        started = time.monotonic()
        for paper in demo_papers()[:5]:
            assert web.put(f"/api/v1/library/{paper.id}", json={"tags": ["y"]}, headers=alice).status_code == 201
            assert web.post(f"/api/v1/library/{paper.id}/dismiss", headers=alice).status_code in (200, 204)
        elapsed = time.monotonic() - started
        time.sleep(0.2)
        names = [name for _, name in watch.commands()]
    finally:
        watch.close()
    assert "EVAL" in names or "EVALSHA" in names
    assert "WAIT" not in names
    assert elapsed < 5, "ten writes must not wait out a WAIT each (2 s)"


def test_waiting_can_be_turned_off(redis_cluster, tmp_path):
    web, alice, settings = app_on(redis_cluster.url, tmp_path, redis_wait_replicas=0)
    master = redis_cluster.master_of(Keys(settings.key_prefix).library_saved("alice"))
    watch = Monitor(master)
    try:
        assert web.put(f"/api/v1/library/{demo_papers()[1].id}", json={}, headers=alice).status_code == 201
        time.sleep(0.2)
        names = [name for _, name in watch.commands()]
    finally:
        watch.close()
    assert "WAIT" not in names and ("EVAL" in names or "EVALSHA" in names)
