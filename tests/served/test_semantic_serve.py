"""Related by meaning in a real `paperlens serve` (issue 21): its filler process embeds the corpus
with the tiny model, and the workers' related lists turn hybrid without a restart."""

from __future__ import annotations

import os
import time

import requests

from tests.servers import ServeProcess


def test_serve_fills_the_vectors_in_the_background_and_related_lists_turn_hybrid(settings, tiny_model, tmp_path):
    """A real `paperlens serve` with the model in place: its filler process embeds the corpus, and
    the workers' related lists change from BM25's to the fused ones without a restart."""
    env = {**os.environ, "PAPERLENS_REDIS_URL": settings.redis_url, "PAPERLENS_KEY_PREFIX": settings.key_prefix,
           "PAPERLENS_DATA_DIR": str(tmp_path / "data"), "PAPERLENS_EMBED_MODEL": str(tiny_model),
           "PAPERLENS_WORKERS": "1", "PAPERLENS_RATE_LIMIT": "100000/minute", "PAPERLENS_SUMMARY_CPU": "0",
           "PAPERLENS_DEMO_CORPUS": "true"}
    server = ServeProcess(env, tmp_path / "serve.log")
    try:
        server.wait_healthy()
        paper = requests.get(f"{server.base}/api/v1/search?q=video&k=1", timeout=10).json()["results"][0]["id"]
        url = f"{server.base}/api/v1/papers/{paper}/related?k=5&summaries=none"
        deadline = time.monotonic() + 120
        while True:  # the filler works at its own pace: wait until /health says it is done (bounded)
            health = requests.get(f"{server.base}/api/v1/health", timeout=10).json()
            if health["vectors_backlog"] == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert health["semantic"]["on"] and health["vectors_backlog"] == 0, server.log_path.read_text()[-2000:]
        while True:  # then until the worker has loaded them (it catches up as requests come)
            answer = requests.get(url, timeout=10).json()
            if all(r["meaning"] is not None for r in answer["results"]) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert answer["rank"] == "hybrid" and all(isinstance(r["meaning"], float) for r in answer["results"])
        assert "related by meaning: on (tiny-test-bert)" in server.log_path.read_text()
    finally:
        server.stop()
