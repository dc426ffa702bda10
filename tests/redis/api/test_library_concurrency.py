"""Twenty clients at once on one reading list (a live threaded server): nothing is lost or left half."""

from __future__ import annotations

import pytest
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import redis
import requests

from paperlens.store.keys import Keys

from tests.corpus import demo_papers

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


def run_together(tasks):
    """Run the callables in 20 threads released at the same moment; return their results."""
    barrier = threading.Barrier(len(tasks))

    def go(task):
        barrier.wait()
        return task()

    with ThreadPoolExecutor(len(tasks)) as pool:
        return list(pool.map(go, tasks))


def client_for(live_server):
    user = f"conc{uuid.uuid4().hex[:8]}"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {live_server.make_token(user)}"
    base = f"{live_server.url}/api/v1/library"
    return user, session, base


def url(base, paper_id):
    return f"{base}/{quote(paper_id, safe='')}"


def test_twenty_parallel_tag_adds_lose_no_tag(live_server):
    user, s, base = client_for(live_server)
    paper = demo_papers()[0].id
    assert s.put(url(base, paper), json={"tags": ["base"]}, timeout=10).status_code == 201
    # a fresh session per thread: requests.Session is not meant to be shared across threads
    tasks = [lambda i=i: requests.patch(url(base, paper), json={"add_tags": [f"t{i:02d}"]},
                                        headers=s.headers, timeout=20).status_code for i in range(20)]
    assert run_together(tasks) == [200] * 20
    item = s.get(base, timeout=10).json()["items"][0]
    assert item["tags"] == sorted(["base"] + [f"t{i:02d}" for i in range(20)])


def test_parallel_saves_edits_and_removes_end_consistent(live_server):
    user, s, base = client_for(live_server)
    papers = [p.id for p in demo_papers()[:20]]
    for pid in papers[:10]:
        assert s.put(url(base, pid), json={"tags": ["base"]}, timeout=10).status_code == 201
    h = dict(s.headers)

    def task(i):
        if i < 10:
            a = requests.patch(url(base, papers[0]), json={"add_tags": [f"t{i}"]}, headers=h, timeout=20)
            b = requests.put(url(base, papers[10 + i]), json={"tags": ["new"], "note": f"n{i}"}, headers=h, timeout=20)
            return a.status_code, b.status_code
        if i < 19:
            a = requests.patch(url(base, papers[0]), json={"add_tags": [f"u{i}"]}, headers=h, timeout=20)
            b = requests.delete(url(base, papers[i - 9]), headers=h, timeout=20)
            return a.status_code, b.status_code
        a = requests.put(url(base, papers[0]), headers=h, timeout=20)  # saving again keeps the tags
        b = requests.patch(url(base, papers[0]), json={"note": "kept"}, headers=h, timeout=20)
        return a.status_code, b.status_code

    results = run_together([lambda i=i: task(i) for i in range(20)])
    assert results == [(200, 201)] * 10 + [(200, 204)] * 9 + [(200, 200)]
    body = s.get(base, params={"per_page": 200}, timeout=10).json()
    items = {it["paper"]["id"]: it for it in body["items"]}
    assert body["total"] == 11 and set(items) == {papers[0]} | set(papers[10:])
    assert items[papers[0]]["tags"] == sorted(["base"] + [f"t{i}" for i in range(10)] + [f"u{i}" for i in range(10, 19)])
    assert items[papers[0]]["note"] == "kept"
    assert all(items[p]["tags"] == ["new"] for p in papers[10:])
    assert sorted(items[p]["note"] for p in papers[10:]) == sorted(f"n{i}" for i in range(10))
    assert_no_orphans(live_server, user)


def test_racing_saves_and_removes_of_one_paper_leave_no_half_entry(live_server):
    user, s, base = client_for(live_server)
    paper = demo_papers()[1].id
    h = dict(s.headers)

    def task(i):
        if i % 2:
            return requests.delete(url(base, paper), headers=h, timeout=20).status_code
        return requests.put(url(base, paper), json={"tags": [f"t{i}"], "note": f"n{i}"}, headers=h,
                            timeout=20).status_code

    for _ in range(3):
        statuses = run_together([lambda i=i: task(i) for i in range(20)])
        assert set(statuses) <= {200, 201, 204, 404}
        items = s.get(base, timeout=10).json()["items"]
        assert len(items) <= 1
        if items:
            assert len(items[0]["tags"]) == 1 and items[0]["note"] == "n" + items[0]["tags"][0][1:]
        assert_no_orphans(live_server, user)


def assert_no_orphans(live_server, user):
    """Every entry hash and tag set belongs to a saved id: no edit outlived a removal."""
    keys = Keys(live_server.settings.key_prefix)
    r = redis.Redis.from_url(live_server.settings.redis_url, decode_responses=True)
    saved = set(r.zrange(keys.library_saved(user), 0, -1))
    for part in ("entry", "tags"):
        prefix = keys.user(user, f"lib:{part}:")
        for key in r.scan_iter(prefix + "*"):
            assert key[len(prefix):] in saved, key
