"""Redis reaching `maxmemory` in the middle of an ingest (issue 15, finding 5): the request gets a
503, no paper is left half-written for good, posting the same papers again finishes them (once
each, searchable), and `paperlens doctor` finds and finishes any paper a stopped writer left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from paperlens.app import create_app
from paperlens.settings import Settings
from paperlens.store.keys import Keys

from bench.redis_server import free_port, RedisServer
from tests.servers import redis_client

ABSTRACT = "We study sparse retrieval for scientific claims with long abstracts and many citations. " * 20


@pytest.fixture
def small_redis(tmp_path):
    server = RedisServer(free_port(), tmp_path, options=("--appendonly", "no", "--maxmemory-policy", "noeviction"))
    server.start()
    yield server.port, server.client()
    server.stop()


def papers(n: int, offset: int = 0) -> list[dict]:
    return [{"title": f"Claim verification study number {i}", "abstract": ABSTRACT + f" Variant {i}.",
             "arxiv_id": f"2402.{i:05d}"} for i in range(offset, offset + n)]


def test_an_ingest_cut_short_by_maxmemory_is_a_503_and_finishes_when_posted_again(small_redis, tmp_path):
    port, client = small_redis
    settings = Settings(redis_url=f"redis://127.0.0.1:{port}/0", data_dir=tmp_path / "data",
                        key_prefix=f"t{uuid.uuid4().hex[:8]}", index_refresh_seconds=0.0, demo_corpus=False,
                        rate_limit="100000/minute")
    app = create_app(settings)
    web = app.test_client()
    assert web.post("/api/v1/papers", json=papers(20)).status_code == 200
    used = int(client.info("memory")["used_memory"])
    client.config_set("maxmemory", used + 60_000)  # room for some of the next 150 papers, not all
    batch = papers(150, offset=20)
    cut = web.post("/api/v1/papers", json=batch)
    assert cut.status_code == 503, cut.get_data(as_text=True)[:300]
    assert cut.get_json()["error"]["code"] == "unavailable"
    keys = Keys(settings.key_prefix)
    claimed = sum(1 for _ in client.scan_iter(keys.paper("*")))
    assert 20 < claimed < 170, f"the limit should cut the ingest part way ({claimed} records)"
    assert client.llen(keys.corpus_log) == 20, "nothing half-written reached the log"

    client.config_set("maxmemory", 0)
    again = web.post("/api/v1/papers", json=batch)
    assert again.status_code == 200, again.get_data(as_text=True)[:300]
    statuses = {r["status"] for r in again.get_json()["results"]}
    assert statuses <= {"added", "unchanged", "merged"}
    log = client.lrange(keys.corpus_log, 0, -1)
    added = [e for e in log if e.startswith("a:")]
    assert len(added) == len(set(added)) == 170, "every paper logged exactly once"
    assert int(client.get(keys.corpus_count)) == 170
    hits = web.get("/api/v1/search?q=claim+verification+study+number+169&k=100").get_json()["results"]
    assert "arxiv:2402.00169" in {h["id"] for h in hits}
    assert web.get("/api/v1/health").get_json()["papers"] == 170


@pytest.mark.cluster_too
def test_doctor_finishes_papers_a_stopped_writer_left_behind(settings):
    client = redis_client(settings.redis_url)
    keys = Keys(settings.key_prefix)
    env = {**os.environ, "PAPERLENS_REDIS_URL": settings.redis_url, "PAPERLENS_KEY_PREFIX": settings.key_prefix,
           "PAPERLENS_DATA_DIR": str(settings.data_dir), "PAPERLENS_DEMO_CORPUS": "0"}
    # a claimed record with no alias and no log entry, as a writer killed mid-ingest leaves it
    orphan = {"title": "Orphaned paper about graph neural networks", "abstract": "Graph networks for molecules.",
              "authors": [], "arxiv_id": "2403.00001", "doi": None, "published": None,
              "url": "https://arxiv.org/abs/2403.00001", "source": "api", "source_id": None, "categories": [],
              "upvotes": None, "id": "arxiv:2403.00001"}
    client.set(keys.paper("arxiv:2403.00001"), json.dumps(orphan))
    # a finished record the log never named (an ingest before papers were logged as they were stored)
    unlogged = {**orphan, "title": "Unlogged paper about protein folding", "arxiv_id": "2403.00002",
                "url": "https://arxiv.org/abs/2403.00002", "id": "arxiv:2403.00002"}
    client.set(keys.paper("arxiv:2403.00002"), json.dumps(unlogged))
    client.set(keys.alias("arxiv:2403.00002"), "arxiv:2403.00002")
    # and a merge a writer began (marked pending) and never finished
    client.sadd(keys.corpus_pending, "arxiv:2403.00002")

    def doctor(*args):
        return subprocess.run([sys.executable, "-m", "paperlens.cli", "doctor", *args], env=env, capture_output=True,
                              text=True, timeout=120)

    report = doctor("--dry-run")
    assert report.returncode == 1, report.stderr
    assert "1 unfinished, 1 missing from the corpus log, 1 merges unfinished" in report.stdout
    assert client.llen(keys.corpus_log) == 0, "a dry run changes nothing"
    fixed = doctor()
    assert fixed.returncode == 0, fixed.stderr
    assert sorted(client.lrange(keys.corpus_log, 0, -1)) == ["a:arxiv:2403.00001", "a:arxiv:2403.00002",
                                                             "u:arxiv:2403.00002"]
    assert client.get(keys.alias("arxiv:2403.00001")) == "arxiv:2403.00001"
    assert int(client.get(keys.corpus_count)) == 2
    assert "0 unfinished, 0 missing from the corpus log, 0 merges unfinished" in doctor("--dry-run").stdout
