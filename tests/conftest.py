"""Fixtures that start real things: a private redis-server, the Flask app, a live HTTP server, and
(for the tests that ask for it) a Redis Cluster of 3 masters and 3 replicas. They sit at the top
because tests/redis, tests/cluster and tests/browser all use them; tests/unit must not
(tests/README.md, checked by tests/unit/conftest.py).

Tests never touch a Redis they did not start: each session runs its own redis-server on a free
port with its data in a temporary folder, and each test gets a fresh key prefix.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import urllib.request
import uuid
from dataclasses import dataclass

import pytest
import redis

from bench.fake_upstream import FakeUpstream
from bench.redis_server import LocalCluster, RedisServer, free_port
from paperlens.app import create_app
from paperlens.settings import Settings
from paperlens.store.keys import Keys
from paperlens.store.papers import PaperStore
from paperlens.store.tokens import TokenStore

from .corpus import demo_papers
from .servers import redis_client


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


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A tiny BERT-shaped model over the demo corpus's words, for the related-by-meaning tests."""
    from .fixtures.tiny_model import write_tiny_model  # late: onnx is loaded only by the tests that ask

    folder = tmp_path_factory.mktemp("tiny-model")
    write_tiny_model(folder, [p.indexed_text for p in demo_papers()])
    return folder


@pytest.fixture
def fake():
    """A local stand-in for arXiv, Hugging Face and bioRxiv (bench/fake_upstream.py) on a free port."""
    upstream = FakeUpstream().start()
    yield upstream
    upstream.stop()


@pytest.fixture
def sync_settings(settings, fake):
    """The test's settings with every source pointed at the fake upstream, no pause between requests
    and a short timeout."""
    return dataclasses.replace(settings, sync_delay=0.0, sync_timeout=2.0, **fake.settings_overrides())


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
    # The first ranking builds the index and compiles the ranking kernels: seconds on a quiet
    # machine, over a minute with both cores busy. Done here, once, as `paperlens serve` does before
    # it answers, so that no browser test's page waits on it.
    base = f"http://127.0.0.1:{port}/api/v1"
    for path in ("/search?q=attention&k=3", f"/papers/{demo_papers()[0].id}/related?k=3"):
        with urllib.request.urlopen(base + path, timeout=600) as answer:
            assert answer.status == 200
    log.seen.clear()  # counts start with the tests
    yield LiveServer(f"http://127.0.0.1:{port}", port, tokens.create("alice"), settings, tokens.create, log)
    server.shutdown()
    zotero.stop()
