"""Saved papers survive cache flushes, and a Redis without persistence is reported at startup."""

from __future__ import annotations

import pytest
import redis

from bench.redis_server import RedisServer, free_port
from paperlens.cli.serving import warn_if_not_persistent
from paperlens.services import Services


def test_library_keys_have_no_ttl_and_survive_a_cache_flush(demo_client, make_token, settings):
    headers = {"Authorization": f"Bearer {make_token('alice')}"}
    paper = demo_client.get("/api/v1/search?q=diffusion&k=1").get_json()["results"][0]["id"]
    demo_client.put(f"/api/v1/library/{paper}", json={"tags": ["kept"], "note": "n"}, headers=headers)
    demo_client.get(f"/api/v1/papers/{paper}/related")  # fills the cache
    r = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    cache_keys = list(r.scan_iter(f"{settings.key_prefix}:cache:*"))
    library_keys = [k for k in r.scan_iter(f"{settings.key_prefix}:*") if ":lib:" in k]
    assert cache_keys and library_keys
    assert not set(cache_keys) & set(library_keys), "the cache and the library never share keys"
    assert all(r.ttl(k) > 0 for k in cache_keys), "cache keys are volatile (and so the only ones volatile-* evicts)"
    assert all(r.ttl(k) == -1 for k in library_keys), "library keys never expire"
    r.delete(*cache_keys)  # what a cache flush does
    item = demo_client.get("/api/v1/library", headers=headers).get_json()["items"][0]
    assert item["paper"]["id"] == paper and item["tags"] == ["kept"] and item["note"] == "n"


@pytest.fixture
def redis_without_persistence(tmp_path):
    server = RedisServer(free_port(), tmp_path, options=("--appendonly", "no"))
    server.start()
    yield server.client()
    server.stop()


def test_startup_warns_when_redis_keeps_nothing(redis_without_persistence, settings, capsys):
    warn_if_not_persistent(Services.create(settings, redis_without_persistence))
    assert "WARNING" in capsys.readouterr().err


def test_startup_is_quiet_when_redis_has_aof(redis_server, settings, capsys):
    warn_if_not_persistent(Services.create(settings, redis_server.client()))
    assert "WARNING" not in capsys.readouterr().err
