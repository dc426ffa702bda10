"""Fixtures that start real things: a private redis-server, the Flask app, a live HTTP server.

Tests never touch a Redis they did not start: each session runs its own redis-server on a free
port with its data in a temporary folder, and each test gets a fresh key prefix.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
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
from paperlens.store.tokens import TokenStore

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_CORPUS = Path(__file__).parents[1] / "backend" / "paperlens" / "data" / "hf-daily-papers-demo.txt"


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
            self.process.wait(timeout=10)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(redis_server, tmp_path) -> Settings:
    """Settings for one test: the session's Redis, a fresh key prefix, a fresh index folder."""
    return Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path / "data",
        key_prefix=f"t{uuid.uuid4().hex[:10]}",
        index_refresh_seconds=0.0,
        demo_corpus=False,
        rate_limit="100000/minute",
    )


def demo_papers() -> list[Paper]:
    return [r for r in read_records(DEMO_CORPUS, "hf-daily", year=2025) if isinstance(r, Paper)]


@pytest.fixture
def store(settings) -> PaperStore:
    return PaperStore(redis.Redis.from_url(settings.redis_url, decode_responses=True), Keys(settings.key_prefix))


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
    tokens = TokenStore(redis.Redis.from_url(settings.redis_url, decode_responses=True), Keys(settings.key_prefix))
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

    settings = Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path_factory.mktemp("live"),
        key_prefix=f"live{uuid.uuid4().hex[:8]}",
        index_refresh_seconds=0.2,
        demo_corpus=False,
        rate_limit="100000/minute",
    )
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    list(PaperStore(client, Keys(settings.key_prefix)).add_many(demo_papers()))
    tokens = TokenStore(client, Keys(settings.key_prefix))
    app = create_app(settings)
    log = RequestLog(app)
    port = free_port()
    server = make_server("127.0.0.1", port, log, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{port}", port, tokens.create("alice"), settings, tokens.create, log)
    server.shutdown()
