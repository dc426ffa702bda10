"""Fixtures that start real things: a private redis-server, the Flask app, a live HTTP server, and
(for the tests that ask for it) a Redis Cluster of 3 masters and 3 replicas.

Tests never touch a Redis they did not start: each session runs its own redis-server on a free
port with its data in a temporary folder, and each test gets a fresh key prefix.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from paperlens.app import create_app
from paperlens.corpus.sources import read_records
from paperlens.corpus.paper import Paper
from paperlens.settings import Settings
from paperlens.store.embedded import redis_server_binary
from paperlens.store.keys import Keys
from paperlens.store.papers import PaperStore
from paperlens.store.redis_client import cluster_client, is_cluster_url
from paperlens.store.tokens import TokenStore

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_CORPUS = Path(__file__).parent / "fixtures" / "formats" / "hf-daily-seed.txt"  # the 85 papers of ../shared/seed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RedisServer:
    port: int
    data_dir: Path
    process: subprocess.Popen | None = None
    options: tuple[str, ...] = ("--appendonly", "yes", "--appendfsync", "always")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.data_dir), "--save", "", "--logfile", str(self.data_dir / "redis.log"), *self.options],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                if redis.Redis(port=self.port, socket_timeout=0.5).ping():
                    return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("test redis-server did not start")
            time.sleep(0.05)

    def stop(self, hard: bool = False) -> None:
        if self.process and self.process.poll() is None:
            if hard:
                self.process.kill()
            else:
                self.process.terminate()
            try:  # an AOF server just resumed from SIGSTOP can take long to exit on a loaded machine
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)


class ServeProcess:
    """A real `paperlens serve` (gunicorn, its syncer and summariser) in its own session, with its
    output in `log`; `wait_healthy` until /health answers, `stop` with SIGTERM as systemd would."""

    def __init__(self, env: dict, log: Path, port: int | None = None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = open(log, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "paperlens.cli", "serve", "--port", str(self.port)],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_healthy(self, timeout: float = 120) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_path.read_text()[-3000:]
            try:
                if requests.get(f"{self.base}/api/v1/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"paperlens serve did not answer within {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()


def redis_client(url: str):
    """A client (str replies) for a test's Redis: one server, or a Cluster given as redis+cluster://."""
    if is_cluster_url(url):
        return cluster_client(url, 5.0, decode_responses=True)
    return redis.Redis.from_url(url, decode_responses=True)


def free_cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    for _ in range(200):
        port = free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


class LocalCluster:
    """A Redis Cluster on loopback: `masters` masters with one replica each, from the system's
    redis-server, created with `redis-cli --cluster create`. A node that is not answering within
    `node_timeout_ms` is failed over to its replica."""

    def __init__(self, root: Path, masters: int = 3, node_timeout_ms: int = 1000):
        self.options = ("--appendonly", "yes", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", str(node_timeout_ms), "--repl-diskless-sync-delay", "0")
        self.nodes: dict[int, RedisServer] = {}
        for _ in range(masters * 2):
            port = free_cluster_port()
            (root / str(port)).mkdir()
            self.nodes[port] = RedisServer(port, root / str(port), options=self.options)
        self.ports = list(self.nodes)

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{port}" for port in self.ports[:3])

    def start(self) -> "LocalCluster":
        for server in self.nodes.values():
            server.start()
        cli = shutil.which("redis-cli")
        assert cli, "redis-cli is needed for the cluster tests (Debian package redis-tools)"
        created = subprocess.run([cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
                                  "--cluster-replicas", "1", "--cluster-yes"], capture_output=True, text=True,
                                 timeout=60)
        assert created.returncode == 0, created.stdout[-2000:] + created.stderr[-2000:]
        self.wait_until_healthy()
        return self

    def pid(self, port: int) -> int:
        return self.nodes[port].process.pid

    def running(self) -> list[int]:
        return [port for port, server in self.nodes.items() if server.process.poll() is None]

    def node(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, decode_responses=True, socket_timeout=2)

    def wait_until_healthy(self, timeout: float = 30) -> None:
        """Every running node sees the cluster ok, and every master has a replica in sync."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._healthy():
                    return
            except redis.RedisError:
                pass
            assert time.monotonic() < deadline, "the test cluster did not become healthy"
            time.sleep(0.1)

    def _healthy(self) -> bool:
        running = self.running()
        if any(self.node(p).cluster("info")["cluster_state"] != "ok" for p in running):
            return False
        masters = [p for p in running if self.node(p).info("replication")["role"] == "master"]
        return len(masters) == len(self.ports) // 2 and all(self.replicas_online(p) >= 1 for p in masters)

    def replicas_online(self, master: int) -> int:
        info = self.node(master).info("replication")
        return sum(1 for k, v in info.items() if k.startswith("slave") and isinstance(v, dict)
                   and v.get("state") == "online")

    def master_of(self, key: str) -> int:
        slot = self.node(self.running()[0]).cluster("keyslot", key)
        for port in self.running():
            for start, end, master, *_ in self.node(port).execute_command("CLUSTER", "SLOTS"):
                if start <= slot <= end:
                    return int(master[1])
        raise AssertionError(f"no master holds the slot of {key}")

    def replica_of(self, master: int) -> int:
        return int(self.node(master).info("replication")["slave0"]["port"])

    def kill(self, port: int) -> None:
        self.nodes[port].stop(hard=True)

    def restart(self, port: int) -> None:
        """Start a node again on its data folder: a killed master comes back as a replica."""
        self.nodes[port].start()

    def stop(self) -> None:
        for server in self.nodes.values():
            server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    """One Redis Cluster (3 masters, 3 replicas) for the tests of a session that do not break it."""
    cluster = LocalCluster(tmp_path_factory.mktemp("cluster")).start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def pytest_generate_tests(metafunc):
    # Tests marked cluster_too run twice: on the session's Redis server and on its Redis Cluster.
    if "redis_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker("cluster_too"):
        metafunc.parametrize("redis_url", ["single", "cluster"], indirect=True)


@pytest.fixture
def redis_url(request, redis_server) -> str:
    """The URL of the Redis a test runs on: the session's server, or (param "cluster") its Cluster."""
    if getattr(request, "param", "single") == "cluster":
        return request.getfixturevalue("redis_cluster").url
    return redis_server.url


@pytest.fixture
def settings(redis_url, tmp_path) -> Settings:
    """Settings for one test: the session's Redis, a fresh key prefix, a fresh index folder."""
    return Settings(
        redis_url=redis_url,
        data_dir=tmp_path / "data",
        key_prefix=f"t{uuid.uuid4().hex[:10]}",
        index_refresh_seconds=0.0,
        demo_corpus=False,
        rate_limit="100000/minute",
        cost_limit="100000000/minute",
    )


def demo_papers() -> list[Paper]:
    return [r for r in read_records(DEMO_CORPUS, "hf-daily", year=2025) if isinstance(r, Paper)]


@pytest.fixture
def store(settings) -> PaperStore:
    return PaperStore(redis_client(settings.redis_url), Keys(settings.key_prefix))


@pytest.fixture
def app(settings):
    app = create_app(settings)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_app(app, store):
    """The app with the 85-paper demo corpus loaded."""
    list(store.add_many(demo_papers()))
    return app


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture
def make_token(settings):
    tokens = TokenStore(redis_client(settings.redis_url), Keys(settings.key_prefix))
    return tokens.create


class RequestLog:
    """What the live server was asked (method, path, and which token asked, as a fingerprint), so
    a test can count requests: one batch per listing, not one per card."""

    def __init__(self, app):
        self.app = app
        self.seen: list[tuple[str, str, str]] = []

    @staticmethod
    def fingerprint(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()[:16] if token else ""

    def __call__(self, environ, start_response):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        self.seen.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), self.fingerprint(token)))
        return self.app(environ, start_response)

    def count(self, method: str, path: str, token: str | None = None) -> int:
        """Requests so far to `method path`, by the holder of `token` when one is given."""
        who = None if token is None else self.fingerprint(token)
        return sum(1 for m, p, t in self.seen if m == method and p == path and (who is None or t == who))


@dataclass
class LiveServer:
    url: str
    port: int
    token: str
    settings: Settings
    make_token: object
    requests: RequestLog


@pytest.fixture(scope="session")
def live_server(redis_server, tmp_path_factory):
    """The real app on a real WSGI server (werkzeug's threaded server in a thread) over the demo
    corpus, with a token for user 'alice'. Shared by the tests of a session."""
    from werkzeug.serving import make_server

    from .fakes.zotero import FakeZotero, zotero_item

    # Zotero's local API as the server's machine has it, so its import route answers as with Zotero running
    zotero = FakeZotero([zotero_item("Attention Is All You Need", url="https://arxiv.org/abs/1706.03762")]).start()
    port = free_port()
    settings = Settings(
        port=port,  # the links it makes (the digest feed URL) name the address it is served at
        redis_url=redis_server.url,
        data_dir=tmp_path_factory.mktemp("live"),
        key_prefix=f"live{uuid.uuid4().hex[:8]}",
        index_refresh_seconds=0.2,
        demo_corpus=False,
        rate_limit="100000/minute",
        cost_limit="100000000/minute",
        zotero_local_url=f"{zotero.url}/api",
        zotero_web_url=zotero.url,
    )
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    list(PaperStore(client, Keys(settings.key_prefix)).add_many(demo_papers()))
    tokens = TokenStore(client, Keys(settings.key_prefix))
    app = create_app(settings)
    log = RequestLog(app)
    server = make_server("127.0.0.1", port, log, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{port}", port, tokens.create("alice"), settings, tokens.create, log)
    server.shutdown()
    zotero.stop()
