"""Redis goes away while the API serves: reads keep answering from the in-memory index, writes say
503 with Retry-After, /health says degraded, and everything recovers when Redis is back, without
restarting the API."""

from __future__ import annotations

import uuid

import pytest

from paperlens.app import create_app
from paperlens.settings import Settings
from paperlens.store.keys import Keys
from paperlens.store.papers import PaperStore

from bench.redis_server import free_port, RedisServer
from tests.corpus import demo_papers


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(free_port(), tmp_path / "redis")
    server.data_dir.mkdir()
    server.start()
    yield server
    server.stop()


def test_reads_survive_a_redis_outage_and_writes_recover(own_redis, tmp_path):
    settings = Settings(redis_url=own_redis.url, data_dir=tmp_path / "data", key_prefix=f"o{uuid.uuid4().hex[:6]}",
                        index_refresh_seconds=0.0, demo_corpus=False, rate_limit="100000/minute")
    papers = demo_papers()
    list(PaperStore(own_redis.client(), Keys(settings.key_prefix)).add_many(papers))
    client = create_app(settings).test_client()
    target = papers[7]
    before = client.get(f"/api/v1/papers/{target.id}/related?k=5").get_json()
    assert client.get("/api/v1/health").get_json()["status"] == "ok"

    own_redis.stop(hard=True)

    health = client.get("/api/v1/health")
    assert health.status_code == 200 and health.get_json()["status"] == "degraded"
    assert health.get_json()["redis"] is False and health.get_json()["papers"] == 85
    during = client.get(f"/api/v1/papers/{target.id}/related?k=5")
    assert during.status_code == 200
    assert [r["id"] for r in during.get_json()["results"]] == [r["id"] for r in before["results"]]
    assert client.get("/api/v1/search?q=diffusion").status_code == 200
    assert client.post("/api/v1/related", json={"title": target.title, "abstract": target.abstract}).status_code == 200
    assert client.get(f"/api/v1/papers/{target.id}").get_json()["title"] == target.title
    write = client.post("/api/v1/papers", json={"title": "Written during the outage"})
    assert write.status_code == 503 and write.headers["Retry-After"]
    assert write.get_json()["error"]["code"] == "unavailable"

    own_redis.start()  # same port, same data folder: the AOF brings the corpus back

    assert client.get("/api/v1/health").get_json()["status"] == "ok"
    assert client.post("/api/v1/papers", json={"title": "Written after the outage"}).get_json()["added"] == 1
    hits = client.get("/api/v1/search?q=written+after+outage&k=1").get_json()["results"]
    assert hits[0]["title"] == "Written after the outage"
