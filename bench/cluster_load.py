"""Paperlens on one Redis server and on a Redis Cluster, under load: requests per second of one
`paperlens serve` worker (one core) for cached related, uncached related and search, driven by wrk in
a second process; ingest time into each; and how long a paper posted to one node of the Cluster
takes to be searchable on another. These are the request figures of docs/deploy.md's capacity
table (`--write` puts them there).

It starts its own redis-server and its own local Cluster (3 masters, 3 replicas, bench/redis_server.py,
which the test suite uses too) on free ports with their data in bench/out/cluster-load, never the Redis
on 6379.

    .venv/bin/python -m bench.cluster_load --corpus ../shared/data/arxiv-cs-75k.jsonl.gz --write
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import redis

from . import corpora
from .http_load import parse_wrk, wait_for
from .redis_server import LocalCluster, RedisServer, free_port
from .shared_memory import smaps_rollup

WORK = corpora.OUT / "cluster-load"
VENV_BIN = Path(sys.executable).parent
DOCS = corpora.HERE.parent / "docs" / "deploy.md"

WALK = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[((i - 1) %% #paths) + 1])
end
"""


def wrk(base: str, paths: list[str], name: str, seconds: int, connections: int = 8) -> dict:
    script = WORK / f"{name}.lua"
    script.write_text(WALK % ",".join(json.dumps(p) for p in paths))
    text = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
                           "-s", str(script), base], capture_output=True, text=True, timeout=seconds + 60).stdout
    return parse_wrk(text)


def get(url: str, timeout: float = 120) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def post(url: str, body) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


class Served:
    def __init__(self, env: dict, name: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "paperlens"), "serve", "--port", str(self.port), "--workers", "1"],
            env={**env, "PAPERLENS_DATA_DIR": str(WORK / name)}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(f"{self.base}/api/v1/health", 900)

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


def ingest(env: dict, corpus: Path) -> float:
    started = time.monotonic()
    done = subprocess.run([str(VENV_BIN / "paperlens"), "ingest", str(corpus), "--no-index"], env=env,
                          capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stderr[-2000:]
    return time.monotonic() - started


def load(base: str, ids: list[str], queries: list[str], seconds: int) -> dict:
    hot = [f"/api/v1/papers/{i}/related?k=10&summaries=none" for i in ids[:200]]
    for path in hot:
        get(base + path)
    wrk(base, hot, "discarded", 5)  # the first seconds under load pay for lazy set-up
    return {
        "cached related": wrk(base, hot, "cached", seconds),
        "uncached related": wrk(base, [f"/api/v1/papers/{i}/related?k=10&summaries=none" for i in ids[1000:]],
                                "uncached", seconds),
        "search": wrk(base, [f"/api/v1/search?q={q}&k=10&summaries=none" for q in queries], "search", seconds),
    }


def propagation(a: Served, b: Served, samples: int = 10) -> list[float]:
    waits = []
    for n in range(samples):
        marker = f"zyzzogeton{n}x{int(time.time() * 1000) % 100000}"
        post(f"{a.base}/api/v1/papers", {"title": f"Propagation probe {marker}", "abstract": f"About {marker}.",
                                         "arxiv_id": f"2699.{n:05d}"})
        started = time.monotonic()
        while not get(f"{b.base}/api/v1/search?q={marker}&k=1")["results"]:
            time.sleep(0.01)
        waits.append(time.monotonic() - started)
        time.sleep(0.3)
    return waits


def measure(corpus: Path, seconds: int) -> dict:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    with gzip.open(corpus, "rt") as handle:
        records = [json.loads(line) for line in handle]
    ids = [f"arxiv:{r['id']}" for r in records]
    queries = ["+".join(re.findall(r"[A-Za-z]{4,}", r["title"])[:3]) for r in records[::150]]
    queries = [q for q in queries if q]
    (WORK / "single").mkdir()
    single = RedisServer(free_port(), WORK / "single", options=("--appendonly", "yes"))
    (WORK / "cluster").mkdir()
    cluster = LocalCluster(WORK / "cluster")
    result = {"papers": len(ids), "seconds": seconds, "load_before": open("/proc/loadavg").read().split()[:3],
              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                       cwd=corpora.HERE.parent).stdout.strip(), "backends": {}}
    served: list[Served] = []
    try:
        single.start()
        cluster.start()
        for name, url in (("one Redis server", single.url), ("Redis Cluster (3+3)", cluster.url)):
            env = {**os.environ, "PAPERLENS_REDIS_URL": url, "PAPERLENS_RATE_LIMIT": "100000000/minute",
                   "PAPERLENS_DEMO_CORPUS": "0", "PAPERLENS_SUMMARY_CPU": "0"}
            took = ingest({**env, "PAPERLENS_DATA_DIR": str(WORK / f"ingest-{len(served)}")}, corpus)
            masters = [single.port] if url == single.url else [p for p in cluster.running()
                                                               if cluster.node(p).info("replication")["role"] == "master"]
            used = sum(int(redis.Redis(port=p).info("memory")["used_memory"]) for p in masters)
            folder = WORK / f"node-{len(served)}"
            started = time.monotonic()
            subprocess.run([str(VENV_BIN / "paperlens"), "reindex"], env={**env, "PAPERLENS_DATA_DIR": str(folder)},
                           check=True, capture_output=True, timeout=3600)
            built = time.monotonic() - started
            index_mb = sum(f.stat().st_size for f in (folder / "index").rglob("*") if f.is_file()) / 2**20
            node = Served(env, folder.name)
            served.append(node)
            runs = load(node.base, ids, queries, seconds)
            workers = subprocess.run(["pgrep", "-P", str(node.proc.pid), "-f", "paperlens"], capture_output=True,
                                     text=True).stdout.split()
            result["backends"][name] = {"ingest_s": round(took, 1), "redis_mb": round(used / 2**20, 1),
                                        "index_build_s": round(built, 1), "index_mb": round(index_mb, 1),
                                        "workers": [smaps_rollup(int(pid)) for pid in workers], "runs": runs}
            if url == cluster.url:
                other = Served(env, f"node-{len(served)}")
                served.append(other)
                waits = propagation(node, other)
                result["propagation_s"] = {"p50": round(statistics.median(waits), 2), "max": round(max(waits), 2),
                                           "samples": len(waits)}
            node.stop()
        result["load_after"] = open("/proc/loadavg").read().split()[:3]
    finally:
        for node in served:
            if node.proc.poll() is None:
                node.stop()
        cluster.stop()
        single.stop()
    return result


def table(result: dict) -> str:
    lines = ["| Redis | ingest of the corpus | Redis memory (masters) | cached related | uncached related | search |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, backend in result["backends"].items():
        cells = [f"{r['requests_per_s']:,.0f}/s (p50 {r['p50_ms']:.1f} ms)" + (f", {r['non_2xx']} non-2xx" if r["non_2xx"] else "")
                 for r in backend["runs"].values()]
        lines.append(f"| {name} | {backend['ingest_s']} s | {backend['redis_mb']:,.0f} MB | " + " | ".join(cells) + " |")
    prop = result.get("propagation_s", {})
    return "\n".join(lines) + (
        f"\n\nCommand: `.venv/bin/python -m bench.cluster_load --corpus <arxiv-cs-75k.jsonl.gz> --write`; "
        f"{result['papers']:,} papers; one `paperlens serve` worker (8 threads) per run, wrk (1 thread, 8 "
        f"connections, {result['seconds']} s per run) on the same machine; summaries=none (ranking only; TL;DRs "
        f"come from the cache once summaries-ahead has run); commit {result['commit']}; load average before "
        f"{' '.join(result['load_before'])}, after {' '.join(result.get('load_after', ['?']))}. A paper posted to one "
        f"Cluster node was searchable on another after {prop.get('p50', '?')} s (median of {prop.get('samples', '?')}), "
        f"{prop.get('max', '?')} s at most (PAPERLENS_INDEX_REFRESH_SECONDS 0.5).")


def write(result: dict) -> None:
    text = DOCS.read_text()
    block = f"<!-- cluster-load:start -->\n{table(result)}\n<!-- cluster-load:end -->"
    DOCS.write_text(re.sub(r"<!-- cluster-load:start -->.*?<!-- cluster-load:end -->", lambda _: block, text,
                           flags=re.S))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=corpora.REAL)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="put the table into docs/deploy.md")
    args = parser.parse_args()
    measured = measure(args.corpus, args.seconds)
    (corpora.OUT / "cluster-load.json").write_text(json.dumps(measured, indent=1))
    print(json.dumps(measured, indent=1))
    print(table(measured))
    if args.write:
        write(measured)
