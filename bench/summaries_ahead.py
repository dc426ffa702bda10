"""Uncached related lists over HTTP on the real 75k corpus, before and after summaries ahead of time
have caught up (issue 14.3): `paperlens serve` with its background summariser, driven by wrk.

    .venv/bin/python -m bench.summaries_ahead [seconds per run]

It starts its own redis-server on a free port (data in bench/out/summaries-ahead), ingests the
corpus, serves it, and measures uncached related lists with TL;DRs (each paper asked once, so
every answer is ranked afresh) three ways: with the summariser off (every TL;DR computed on the
request), right after start while the summariser works through the backlog, and once it is done.
One connection measures what a single request costs; eight (two workers of four threads on the
2 cores wrk shares) measure throughput, and their p50 includes waiting for a free core.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

from . import corpora
from .http_load import VENV_BIN, WORK as SCRIPTS, free_port, wait_for, wrk

WORK = corpora.OUT / "summaries-ahead"


def health(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/v1/health", timeout=30) as answer:
        return json.load(answer)


def serve(env: dict, summary_cpu: str) -> subprocess.Popen:
    # The server's log is kept (bench/out/summaries-ahead/serve-*.log): a non-2xx in a run is explained there.
    log = open(WORK / f"serve-summary-cpu-{summary_cpu}.log", "ab")
    return subprocess.Popen([str(VENV_BIN / "paperlens"), "serve"], env={**env, "PAPERLENS_SUMMARY_CPU": summary_cpu},
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, 15)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, 9)


def measure(seconds: int) -> dict:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    SCRIPTS.mkdir(parents=True, exist_ok=True)  # where wrk's scripts go
    redis_port, port = free_port(), free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--dir", str(WORK),
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    env = dict(os.environ, PAPERLENS_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", PAPERLENS_DATA_DIR=str(WORK / "data"),
               PAPERLENS_PORT=str(port), PAPERLENS_RATE_LIMIT="100000000/minute", PAPERLENS_DEMO_CORPUS="0")
    base = f"http://127.0.0.1:{port}"
    result: dict = {"load_before": open("/proc/loadavg").read().split()[:3], "cores": os.cpu_count()}
    try:
        time.sleep(0.5)
        subprocess.run([str(VENV_BIN / "paperlens"), "ingest", str(corpora.REAL)], env=env, capture_output=True,
                       check=True, timeout=1800)
        with gzip.open(corpora.REAL, "rt") as handle:
            ids = [f"arxiv:{json.loads(line)['id']}" for line in handle]
        runs = {}
        server = serve(env, "0")
        try:
            wait_for(f"{base}/api/v1/health", 600)
            wrk(base, ids[:2000], 0, "none", 5)  # discarded warm-up
            # Each run asks papers no earlier run asked, so every related list is ranked afresh.
            runs["summariser_off_1"] = wrk(base, ids[5_000:], 0, "tldr", seconds, connections=1)
            runs["summariser_off"] = wrk(base, ids[10_000:], 0, "tldr", seconds)
        finally:
            stop(server)
        server = serve(env, "1")
        try:
            wait_for(f"{base}/api/v1/health", 600)
            backlog = health(base)["summaries_backlog"]
            runs["during_backlog"] = {**wrk(base, ids[30_000:], 0, "tldr", seconds), "backlog_at_start": backlog}
            started = time.monotonic()
            while health(base)["summaries_backlog"]:
                time.sleep(2)
            result["backlog_done_s"] = round(time.monotonic() - started, 1)
            runs["after_backlog_1"] = wrk(base, ids[45_000:], 0, "tldr", seconds, connections=1)
            runs["after_backlog"] = wrk(base, ids[55_000:], 0, "tldr", seconds)
        finally:
            stop(server)
        result["runs"] = runs
        result["load_after"] = open("/proc/loadavg").read().split()[:3]
    finally:
        redis.terminate()
        redis.wait(timeout=30)
    return result


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 15), indent=1))
