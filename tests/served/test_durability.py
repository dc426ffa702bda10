"""Saved papers survive kill -9 of the API and of the embedded Redis (a real `paperlens serve`);
cache flushes and a Redis without persistence are tests/redis/store/test_persistence.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import requests

from paperlens.store.embedded import answers, socket_path

from bench.redis_server import free_port

N = 30


def start_serve(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "PAPERLENS_DATA_DIR": str(data_dir), "PAPERLENS_PORT": str(port),
           "PAPERLENS_WORKERS": "2", "PAPERLENS_RATE_LIMIT": "100000/minute", "PAPERLENS_HOST": "127.0.0.1"}
    env.pop("PAPERLENS_REDIS_URL", None)
    log = open(data_dir.parent / f"serve-{port}.log", "w")
    # its own process group: the gunicorn master (this process) and its workers die together
    return subprocess.Popen([sys.executable, "-m", "paperlens.cli", "serve"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(proc: subprocess.Popen, port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"paperlens serve exited with {proc.returncode}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError("paperlens serve did not answer in time")


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=20)


@pytest.mark.slow
def test_every_acknowledged_save_survives_kill_9_of_api_and_redis(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    port = free_port()
    server = start_serve(data_dir, port)
    redis_pid = None
    try:
        wait_healthy(server, port)
        token = (data_dir / "token").read_text().strip()
        assert oct((data_dir / "token").stat().st_mode & 0o777) == "0o600"
        headers = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{port}/api/v1"
        demo = [r["id"] for r in requests.get(f"{base}/search", params={"q": "model", "k": N // 2},
                                              timeout=10).json()["results"]]
        saved: dict[str, tuple[list[str], str]] = {}
        for i in range(N):
            if i < len(demo):
                paper_id, body = demo[i], {}
            else:
                paper_id = f"arxiv:2999.{i:05d}"
                body = {"paper": {"title": f"Durable paper number {i}", "abstract": "Kept through kill -9."}}
            tags, note = [f"tag{i}", "durable"], f"note {i} ✓"
            r = requests.put(f"{base}/library/{quote(paper_id, safe='')}", json={**body, "tags": tags, "note": note},
                             headers=headers, timeout=10)
            assert r.status_code in (200, 201), r.text
            saved[r.json()["paper"]["id"]] = (sorted(tags), note)
        assert len(saved) == N

        sock = socket_path(data_dir)
        embedded = redis.Redis(unix_socket_path=str(sock), decode_responses=True)
        assert any(embedded.scan_iter("*:ratelimit*")), "the limiter counts in the embedded Redis (redis+unix://)"
        redis_pid = int(embedded.info("server")["process_id"])
        kill_group(server)
        os.kill(redis_pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while answers(sock) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not answers(sock), "the embedded Redis is dead"
        assert sock.exists(), "kill -9 leaves the socket file behind: the restart must cope with it"

        port = free_port()
        server = start_serve(data_dir, port)
        wait_healthy(server, port)
        assert (data_dir / "token").read_text().strip() == token, "the first-run token is kept"
        base = f"http://127.0.0.1:{port}/api/v1"
        body = requests.get(f"{base}/library", params={"per_page": 200}, headers=headers, timeout=10).json()
        found = {it["paper"]["id"]: (it["tags"], it["note"]) for it in body["items"]}
        assert body["total"] == N
        assert found == saved
        redis_pid = int(redis.Redis(unix_socket_path=str(sock)).info("server")["process_id"])
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)  # a clean stop also shuts its embedded Redis down
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill_group(server)
        if redis_pid:
            try:
                os.kill(redis_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
