"""kill -9 of the API workers and of Redis in the middle of a burst of saves from several clients:
after a restart every save that got a 2xx is there, none twice, and nothing else in the list moved."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from urllib.parse import quote

import pytest
import redis
import requests

from paperlens.store.embedded import answers, socket_path

from .test_durability import kill_group, start_serve, wait_healthy
from bench.redis_server import free_port

CLIENTS = 6


@pytest.mark.slow
def test_saves_acknowledged_during_a_crash_all_survive(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    port = free_port()
    server = start_serve(data_dir, port)
    redis_pid = None
    try:
        wait_healthy(server, port)
        headers = {"Authorization": f"Bearer {(data_dir / 'token').read_text().strip()}"}
        base = f"http://127.0.0.1:{port}/api/v1"
        # entries saved before the burst must come through untouched
        for i in range(5):
            r = requests.put(f"{base}/library/{quote(f'arxiv:2998.{i:05d}', safe='')}", headers=headers, timeout=30,
                             json={"paper": {"title": f"Before the crash {i}"}, "tags": ["old"], "note": f"kept {i}"})
            assert r.status_code == 201
        before = requests.get(f"{base}/library", params={"per_page": 200}, headers=headers, timeout=30).json()["items"]

        acknowledged: dict[str, list[str]] = {}
        lock = threading.Lock()
        stop = threading.Event()

        def client(n: int) -> None:
            i = 0
            session = requests.Session()
            while not stop.is_set():
                paper_id = f"arxiv:2999.{n:02d}{i:03d}"
                try:
                    r = session.put(f"{base}/library/{quote(paper_id, safe='')}", headers=headers, timeout=5,
                                    json={"paper": {"title": f"Burst paper {n}-{i}"}, "tags": [f"c{n}", "burst"]})
                except requests.RequestException:
                    return  # the server died under us: this save was never acknowledged
                if r.status_code in (200, 201):
                    with lock:
                        acknowledged[r.json()["paper"]["id"]] = sorted([f"c{n}", "burst"])
                i += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        sock = socket_path(data_dir)
        redis_pid = int(redis.Redis(unix_socket_path=str(sock)).info("server")["process_id"])
        kill_group(server)  # gunicorn master and workers, mid-burst
        os.kill(redis_pid, signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join(10)
        assert len(acknowledged) >= 60, "the burst was under way when the crash came"
        deadline = time.monotonic() + 10
        while answers(sock) and time.monotonic() < deadline:
            time.sleep(0.05)

        port = free_port()
        server = start_serve(data_dir, port)
        wait_healthy(server, port)
        base = f"http://127.0.0.1:{port}/api/v1"
        items, page = [], 1
        while True:
            body = requests.get(f"{base}/library", params={"per_page": 200, "page": page}, headers=headers, timeout=30).json()
            items += body["items"]
            if len(items) >= body["total"]:
                break
            page += 1
        ids = [it["paper"]["id"] for it in items]
        assert len(ids) == len(set(ids)), "no entry is duplicated"
        found = {it["paper"]["id"]: it for it in items}
        missing = [pid for pid in acknowledged if pid not in found]
        assert not missing, f"{len(missing)} acknowledged saves lost: {missing[:5]}"
        assert all(sorted(found[pid]["tags"]) == tags for pid, tags in acknowledged.items())
        for old in before:
            assert found[old["paper"]["id"]] == old, "an entry from before the burst changed"
        redis_pid = int(redis.Redis(unix_socket_path=str(sock)).info("server")["process_id"])
        print(f"\n{len(acknowledged)} saves acknowledged before kill -9, all {len(acknowledged)} found after restart; "
              f"{len(items) - len(before) - len(acknowledged)} unacknowledged ones also landed")
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill_group(server)
        if redis_pid:
            try:
                os.kill(redis_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

