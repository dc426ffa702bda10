"""`paperlens serve` end to end on the embedded default: the demo corpus, search and related lists,
a posted paper in every worker, and a clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import requests

from bench.redis_server import free_port


def test_serve_on_the_embedded_default_loads_the_demo_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {**os.environ, "PAPERLENS_DATA_DIR": str(tmp_path / "data"), "PAPERLENS_PORT": str(port)}
    env.pop("PAPERLENS_REDIS_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "paperlens.cli", "serve"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = requests.get(f"{base}/health", timeout=10).json()
                break
            except (requests.ConnectionError, requests.Timeout):
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert health["papers"] == 3000 and health["status"] == "ok" and health["demo_corpus"] is True
        hit = requests.get(f"{base}/search", params={"q": "diffusion distillation", "k": 1}).json()["results"][0]
        related = requests.get(f"{base}/papers/{hit['id']}/related", params={"k": 5}).json()
        assert len(related["results"]) == 5 and all(r["tldr"] for r in related["results"])
        # a newcomer can click through: every demo paper links to arXiv and names its authors
        assert all(r["url"].startswith("https://arxiv.org/abs/") and r["authors"] for r in related["results"])
        assert related["demo_corpus"] is True and all(0 <= r["closeness"] <= 100 for r in related["results"])
        # a posted paper is found by every worker within 2 s, without a restart
        posted = requests.post(f"{base}/papers", json={"title": "Numbat foraging ecology", "abstract": "Termites."})
        assert posted.json()["added"] == 1
        deadline = time.monotonic() + 15.0  # about 0.5 s when the machine is idle; a margin for busy cores
        while True:
            answers = [requests.get(f"{base}/search", params={"q": "numbat"}).json()["results"] for _ in range(6)]
            if all(a and a[0]["title"] == "Numbat foraging ecology" for a in answers):
                break
            assert time.monotonic() < deadline, "a posted paper was not searchable in every worker"
            time.sleep(0.1)
        assert requests.get(f"{base}/health").json()["demo_corpus"] is False  # the corpus is no longer only the demo
        token_file = tmp_path / "data" / "token"
        assert token_file.stat().st_mode & 0o777 == 0o600
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert "embedded Redis stopped" in output
    assert not (tmp_path / "data" / "redis.sock").exists()
    assert (tmp_path / "data" / "appendonly.aof").exists() or (tmp_path / "data" / "appendonlydir").exists()
