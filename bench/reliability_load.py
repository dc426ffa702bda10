"""A bounded mixed load on loopback: 50 concurrent clients for 60 s mixing related papers, search and
reading-list saves against `paperlens serve` (gunicorn, embedded Redis), driven by wrk in a second
process. Prints the figures and, with --write, puts them into docs/reliability.md.

    .venv/bin/python -m bench.reliability_load [--corpus ../shared/data/arxiv-cs-75k.jsonl.gz] [--write]

Needs wrk (Debian package `wrk`). Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reliability.md"
WORDS = ["diffusion", "transformer", "graph neural network", "reinforcement learning", "retrieval augmented",
         "protein structure", "language model alignment", "contrastive learning", "federated", "robot grasping",
         "speech recognition", "quantization", "sparse attention", "benchmark", "causal inference"]

LUA = r"""
local ids = {%(ids)s}
local words = {%(words)s}
local token = "%(token)s"
local counter = 0
math.randomseed(%(seed)d)
request = function()
  counter = counter + 1
  local r = math.random()
  local headers = {["Authorization"] = "Bearer " .. token}
  if r < 0.5 then
    local id = ids[math.random(#ids)]
    return wrk.format("GET", "/api/v1/papers/" .. id .. "/related?k=10", headers)
  elseif r < 0.8 then
    return wrk.format("GET", "/api/v1/search?k=10&q=" .. words[math.random(#words)], headers)
  else
    headers["Content-Type"] = "application/json"
    local id = ids[math.random(#ids)]
    return wrk.format("PUT", "/api/v1/library/" .. id, headers, '{"tags": ["load"], "note": "load test"}')
  end
end
local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d errors_connect=%%d errors_read=%%d errors_write=%%d errors_status=%%d errors_timeout=%%d duration_us=%%d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, summary.duration))
  io.write(string.format("RESULT p50_ms=%%.2f p90_ms=%%.2f p99_ms=%%.2f max_ms=%%.2f\n", latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", help="a file to ingest first (default: the 85-paper demo corpus)")
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--write", action="store_true", help="write the figures into docs/reliability.md")
    args = ap.parse_args()

    data = Path(tempfile.mkdtemp(prefix="paperlens-load-"))
    port = free_port()
    env = {**os.environ, "PAPERLENS_DATA_DIR": str(data), "PAPERLENS_PORT": str(port),
           "PAPERLENS_WORKERS": str(args.workers), "PAPERLENS_RATE_LIMIT": "10000000/minute"}
    env.pop("PAPERLENS_REDIS_URL", None)
    cli = [sys.executable, "-m", "paperlens.cli"]
    if args.corpus:
        subprocess.run(cli + ["ingest", args.corpus], env=env, check=True)
    server = subprocess.Popen(cli + ["serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                health = requests.get(f"{base}/api/v1/health", timeout=5).json()
                break
            except requests.RequestException:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("server did not start")
                time.sleep(0.3)
        token = (data / "token").read_text().strip()
        ids = set()
        for w in WORDS:
            for r in requests.get(f"{base}/api/v1/search", params={"q": w, "k": 100}, timeout=30).json()["results"]:
                ids.add(r["id"])
        ids = sorted(ids)
        random.Random(7).shuffle(ids)
        script = data / "mixed.lua"
        script.write_text(LUA % {
            "ids": ", ".join(json.dumps(quote(i, safe="")) for i in ids),
            "words": ", ".join(json.dumps(quote(w)) for w in WORDS),
            "token": token, "seed": 7,
        })
        cmd = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s", "-s", str(script), base]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 60).stdout
        figures = dict(re.findall(r"(\w+)=([\d.]+)", " ".join(l for l in out.splitlines() if l.startswith("RESULT"))))
        saved = requests.get(f"{base}/api/v1/library", params={"per_page": 1}, timeout=30,
                             headers={"Authorization": f"Bearer {token}"}).json()["total"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)

    requests_total = int(figures["requests"])
    seconds = int(figures["duration_us"]) / 1e6
    errors = sum(int(figures[k]) for k in figures if k.startswith("errors_"))
    report = {
        "papers": health["papers"], "ids_used": len(ids), "connections": args.connections, "workers": args.workers,
        "duration_s": round(seconds, 1), "requests": requests_total, "rps": round(requests_total / seconds, 1),
        "errors": errors, "p50_ms": float(figures["p50_ms"]), "p90_ms": float(figures["p90_ms"]),
        "p99_ms": float(figures["p99_ms"]), "max_ms": float(figures["max_ms"]), "library_entries_after": saved,
        "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}",
        "loadavg_after": Path("/proc/loadavg").read_text().split()[:3],
    }
    print(json.dumps(report, indent=1))
    if args.write:
        write_doc(report, args)


def write_doc(report: dict, args) -> None:
    block = (
        f"<!-- load:start -->\n"
        f"Command: `.venv/bin/python -m bench.reliability_load {'--corpus ' + args.corpus + ' ' if args.corpus else ''}--write`\n\n"
        f"| corpus | clients | duration | requests | throughput | errors | p50 | p90 | p99 | max |\n"
        f"|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {report['papers']:,} papers | {report['connections']} | {report['duration_s']} s | {report['requests']:,} | "
        f"{report['rps']:,} req/s | {report['errors']} | {report['p50_ms']} ms | {report['p90_ms']} ms | "
        f"{report['p99_ms']} ms | {report['max_ms']} ms |\n\n"
        f"Mix: 50% related papers (GET /papers/{{id}}/related, {report['ids_used']:,} distinct ids), 30% search, "
        f"20% reading-list saves (PUT /library/{{id}}), all with a bearer token; gunicorn with "
        f"{report['workers']} gthread workers on the embedded Redis; wrk (2 threads) in a second process on "
        f"loopback. Errors count connect/read/write/timeouts and every non-2xx answer. Machine: {report['machine']}; "
        f"load average after the run {' '.join(report['loadavg_after'])}.\n"
        f"<!-- load:end -->"
    )
    text = DOC.read_text() if DOC.exists() else "<!-- load:start -->\n<!-- load:end -->\n"
    DOC.write_text(re.sub(r"<!-- load:start -->.*?<!-- load:end -->", lambda _: block, text, flags=re.S))


if __name__ == "__main__":
    main()
