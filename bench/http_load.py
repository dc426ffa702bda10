"""The HTTP server under load: `paperlens serve` (gunicorn, uvicorn workers) on the real 75k corpus, driven by
wrk in a second process over loopback, each run bounded in time.

It starts its own redis-server on a free port with its data in bench/out/http (never the Redis on
6379), ingests the corpus with `paperlens ingest`, serves with the rate limit lifted (the default
600/minute would measure the limiter), and runs wrk with Lua scripts that walk a list of paper ids.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from . import corpora
from .shared_memory import smaps_rollup

WORK = corpora.OUT / "http"
VENV_BIN = Path(sys.executable).parent

SCRIPT = """
local ids = {%s}
local i = %d
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/papers/" .. ids[(i %% #ids) + 1] .. "/related?k=10&summaries=%s")
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise TimeoutError(url)


def parse_wrk(text: str) -> dict:
    def ms(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    out = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))}
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", text, re.M)
        out[f"p{pct}_ms"] = ms(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", text)
    out["requests"] = int(m.group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non_2xx"] = int(bad.group(1)) if bad else 0
    errors = re.search(r"Socket errors: (.*)", text)
    out["socket_errors"] = errors.group(1) if errors else ""
    return out


def wrk(url: str, ids: list[str], start: int, mode: str, seconds: int, connections: int = 8) -> dict:
    script = WORK / f"walk-{mode}-{start}.lua"
    script.write_text(SCRIPT % (",".join(json.dumps(i) for i in ids), start, mode))
    text = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
                           "-s", str(script), url], capture_output=True, text=True, timeout=seconds + 60).stdout
    return {**parse_wrk(text), "connections": connections, "seconds": seconds, "mode": mode}


def warm(base: str, ids: list[str], mode: str) -> None:
    for paper_id in ids:
        with urllib.request.urlopen(f"{base}/api/v1/papers/{paper_id}/related?k=10&summaries={mode}", timeout=120) as r:
            r.read()


THREADS = 8  # the server's default (PAPERLENS_THREADS)


def measure(seconds: int = 15, workers: int = 2) -> dict:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    redis_port, port = free_port(), free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--dir", str(WORK),
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    env = dict(os.environ, PAPERLENS_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", PAPERLENS_DATA_DIR=str(WORK / "data"),
               PAPERLENS_PORT=str(port), PAPERLENS_WORKERS=str(workers), PAPERLENS_THREADS=str(THREADS),
               PAPERLENS_RATE_LIMIT="100000000/minute",
               # Summaries ahead of time off: its backlog of 75k abstracts would take CPU from the
               # runs here (bench/summaries_ahead.py measures it).
               PAPERLENS_DEMO_CORPUS="0", PAPERLENS_SUMMARY_CPU="0")
    server = None
    result: dict = {"workers": workers, "threads_per_worker": THREADS, "load_before": open("/proc/loadavg").read().split()[:3],
                    "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                             cwd=corpora.HERE.parent).stdout.strip()}
    try:
        time.sleep(0.5)
        started = time.time()
        ingest = subprocess.run([str(VENV_BIN / "paperlens"), "ingest", str(corpora.REAL)], env=env,
                                capture_output=True, text=True, timeout=1800)
        result["ingest_s"] = time.time() - started
        result["ingest_output"] = ingest.stdout.strip().splitlines()[-2:]
        server = subprocess.Popen([str(VENV_BIN / "paperlens"), "serve"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/api/v1/health", 600)
        with gzip.open(corpora.REAL, "rt") as handle:
            ids = [f"arxiv:{json.loads(line)['id']}" for line in handle]
        warm(base, ids[:2], "none")  # every worker's kernels are warm after the server's warm-up
        hot = ids[:200]
        runs = {}
        warm(base, hot, "none")
        wrk(base, hot, 0, "none", 5)  # discarded: the first seconds under load pay for lazy set-up
        runs["cached_none"] = wrk(base, hot, 0, "none", seconds)
        runs["uncached_none"] = wrk(base, ids[1000:], 0, "none", seconds)
        warm(base, hot, "tldr")
        runs["cached_tldr"] = wrk(base, hot, 0, "tldr", seconds)
        runs["uncached_tldr"] = wrk(base, ids[40000:], 0, "tldr", seconds)
        result["runs"] = runs
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        # serve -> gunicorn master (same process) -> workers
        result["worker_memory"] = [smaps_rollup(int(pid)) for pid in children]
        result["load_after"] = open("/proc/loadavg").read().split()[:3]
    finally:
        if server is not None:
            os.killpg(server.pid, 15)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, 9)
        redis.terminate()
        redis.wait(timeout=30)
    return result


if __name__ == "__main__":
    print(json.dumps(measure(seconds=int(sys.argv[1]) if len(sys.argv) > 1 else 10), indent=1))
