"""A Cluster master that stalls (SIGSTOP: it holds connections open and answers nothing) is given up
on at the timeout once, then failed fast by its node's breaker while the index answers reads; when
the Cluster has promoted its replica, the user's writes work again with no restart."""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest

from paperlens.app import create_app
from paperlens.settings import Settings
from paperlens.store.keys import Keys
from paperlens.store.papers import PaperStore
from paperlens.store.tokens import TokenStore

from bench.redis_server import LocalCluster
from tests.corpus import demo_papers
from tests.servers import redis_client

TIMEOUT = 1.5


@pytest.fixture
def own_cluster(tmp_path_factory):
    cluster = LocalCluster(tmp_path_factory.mktemp("stall-cluster")).start()
    yield cluster
    for port in cluster.running():
        os.kill(cluster.pid(port), signal.SIGCONT)
    cluster.stop()


def test_a_stalled_master_fails_fast_after_one_timeout_and_its_replica_takes_over(own_cluster, tmp_path):
    settings = Settings(redis_url=own_cluster.url, data_dir=tmp_path / "data", key_prefix=f"t{uuid.uuid4().hex[:8]}",
                        index_refresh_seconds=0.0, demo_corpus=False, rate_limit="100000/minute",
                        redis_timeout=TIMEOUT)
    client = redis_client(own_cluster.url)
    list(PaperStore(client, Keys(settings.key_prefix)).add_many(demo_papers()))
    alice = {"Authorization": f"Bearer {TokenStore(client, Keys(settings.key_prefix)).create('alice')}"}
    web = create_app(settings).test_client()
    paper_id = web.get("/api/v1/search?q=diffusion&k=1").get_json()["results"][0]["id"]
    assert web.put(f"/api/v1/library/{paper_id}", json={"note": "before"}, headers=alice).status_code == 201

    master = own_cluster.master_of(Keys(settings.key_prefix).library_saved("alice"))
    os.kill(own_cluster.pid(master), signal.SIGSTOP)
    stalled_at = time.monotonic()

    started = time.monotonic()
    first = web.get("/api/v1/library", headers=alice)
    assert first.status_code == 503 and first.headers["Retry-After"]
    assert time.monotonic() - started < 2 * TIMEOUT + 1.0, "the first command gives up at the timeout"

    started = time.monotonic()
    again = web.get("/api/v1/library", headers=alice)
    search = web.get("/api/v1/search?q=transformer&k=3")
    related = web.get(f"/api/v1/papers/{paper_id}/related?k=3")
    assert time.monotonic() - started < TIMEOUT, "once stalled, nothing waits for that node again"
    assert again.status_code in (200, 503)  # 200 once the replica has taken over
    assert search.status_code == 200 and search.get_json()["results"]
    assert related.status_code == 200 and related.get_json()["results"]

    deadline = time.monotonic() + 20
    while True:  # the Cluster promotes the replica; the app follows it with no restart
        saved = web.put(f"/api/v1/library/{paper_id}", json={"note": "after"}, headers=alice)
        if saved.status_code == 200:
            break
        assert saved.status_code == 503, saved.get_json()
        assert time.monotonic() < deadline, "writes did not come back after the failover"
        time.sleep(0.2)
    print(f"stalled master: writes back after {time.monotonic() - stalled_at:.1f} s")
    items = web.get("/api/v1/library", headers=alice).get_json()["items"]
    assert [(it["paper"]["id"], it["note"]) for it in items] == [(paper_id, "after")]
