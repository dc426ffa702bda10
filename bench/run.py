"""The benchmark, one command: `.venv/bin/python -m bench.run [--quick]`.

Builds every corpus size (10k to 3M papers; peers up to 1M), measures Paperlens, rank-bm25,
tantivy and bm25s side by side (each engine and phase in a fresh process), checks exactness
against rank-bm25, builds the target size the way a server does (through Redis), measures memory
shared by four processes over one snapshot, the HTTP server and summaries ahead of time, then
writes docs/benchmarks.md and the plots in docs/benchmarks/.
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

from . import corpora, engines, exactness, report, server_build, shared_memory

ROOT = corpora.HERE.parent


def plan(quick: bool) -> dict:
    if quick:
        return {"sizes": [10_000, 30_000], "peers_at": [10_000, 30_000], "target": 30_000,
                "rank_bm25": {10_000: (10, 10), 30_000: (3, 5)}, "shared_at": 30_000,
                "queries": (50, 100), "http_seconds": 5, "repeats": 1}
    # 3M is arXiv's size: Paperlens alone (the peers' 1M runs already take most of the hour).
    return {"sizes": [10_000, 100_000, 300_000, 1_000_000, 3_000_000], "peers_at": [10_000, 100_000, 1_000_000],
            "target": 1_000_000,
            # rank-bm25 takes ~8.5 s per long query at 100k: a sample, and the rest extrapolated.
            "rank_bm25": {10_000: (20, 20), 100_000: (5, 10)}, "shared_at": 1_000_000,
            "queries": (200, 300), "http_seconds": 15, "repeats": 2}


def machine() -> dict:
    import numba

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    versions = {}
    for name in ("rank_bm25", "tantivy", "bm25s", "numpy", "numba"):
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


def repeat_target(n: int, n_long: int, n_short: int, times: int) -> list[dict]:
    """Paperlens's queries at the target size again, last, each in a fresh process: single runs on
    a shared machine are noisy, so the report shows these beside the first."""
    out = []
    for _ in range(times):
        load = loadavg()
        out.append({**engines.run_in_subprocess("serve", "paperlens", n, n_long, n_short), "load": load})
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="10k and 30k papers, short HTTP runs (a few minutes); report in bench/out/quick-docs/")
    parser.add_argument("--skip-http", action="store_true", help="leave out the gunicorn + wrk measurements")
    parser.add_argument("--skip-peers", action="store_true", help="Paperlens and rank-bm25 only")
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
    for n in p["sizes"]:
        todo = ["paperlens"]
        if not args.skip_peers and n in p["peers_at"]:
            todo += ["tantivy", "bm25s"]
        for engine in todo:
            print(f"[{time.time() - started:6.0f}s] {engine} {n:,}: build", flush=True)
            results["build"].append(engines.run_in_subprocess("build", engine, n))
            if engine == "paperlens":
                results["build"][-1]["read_s"] = engines.run_in_subprocess("read", "corpus", n)["read_s"]
            print(f"[{time.time() - started:6.0f}s] {engine} {n:,}: queries", flush=True)
            results["serve"].append(engines.run_in_subprocess("serve", engine, n, n_long, n_short))
        if n in p["rank_bm25"]:
            rl, rs = p["rank_bm25"][n]
            print(f"[{time.time() - started:6.0f}s] rank_bm25 {n:,}: {rl} long + {rs} short queries", flush=True)
            results["build"].append(engines.run_in_subprocess("build", "rank_bm25", n))
            results["serve"].append(engines.run_in_subprocess("serve", "rank_bm25", n, rl, rs))
    print(f"[{time.time() - started:6.0f}s] exactness", flush=True)
    results["exactness"] = exactness.compare_all(results["serve"])
    results["exactness_large"] = exactness.rank_bm25_on_samples(p["target"])
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
    results["repeats"] = repeat_target(p["target"], n_long, n_short, p["repeats"])
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
