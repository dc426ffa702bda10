"""Paired latency: one process answers each query with every engine back to back.

`python -m bench.paired N OUT.json ENGINE... [--repeats R]`

Separate processes run at different moments of a shared machine's load, so a ratio of their
medians mixes the engines with the load. Here every engine's index is open in one process;
each query is answered by every engine in turn, the order rotated from one query to the next
(and shifted by one each repeat) so no engine always runs right after another's cache damage.
Before timing, every engine answers every query --warm-passes times, untimed (the same warm-up for all: JIT
compilation for Lucene, numba's compiled kernels, the memory-mapped postings in the page cache).

Measured per repeat, per engine and query set: the p50 and p95 of its own times, and the ratio
of each peer's p50 to Paperlens's in that same repeat; the report gives the range over repeats.
Search (short queries) is measured two ways: interleaved as above (another engine's work between
two of its queries evicts its caches, as in a server doing other things) and warm (one engine's
search queries back to back, the best case for caches).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from . import engines, queries

KINDS = ("long", "long_in", "short")


def loadavg() -> list[str]:
    return open("/proc/loadavg").read().split()[:3]


def measure(n: int, names: list[str], repeats: int, n_long: int | None = None, n_in: int | None = None,
            n_short: int | None = None, warm_rounds: int = 3, warm_passes: int = 3, copies: bool = True) -> dict:
    qs = queries.load(n, n_long, n_short, n_in)
    out: dict = {"n": n, "engines": names, "repeats": [], "load_before": loadavg()}
    opened = {}
    for name in names:
        t0 = time.perf_counter()
        opened[name] = engines.Opened(name, n)
        out.setdefault("open_s", {})[name] = time.perf_counter() - t0
    # Warm-up: every engine answers every query warm_passes times, untimed, engine after engine
    # (one pass left Lucene's JIT still compiling: its first timed repeat was 3x its second).
    out["warm_passes"] = warm_passes
    t0 = time.perf_counter()
    for name in names:
        for _ in range(warm_passes):
            for kind in KINDS:
                for item in qs[kind]:
                    opened[name].run(item["tokens"], item["exclude"])
    out["warmup_s"] = time.perf_counter() - t0
    tops: dict = {name: {kind: [] for kind in KINDS} for name in names}
    for r in range(repeats):
        times = {name: {kind: [] for kind in KINDS} for name in names}
        load = loadavg()
        for kind in KINDS:
            for i, item in enumerate(qs[kind]):
                shift = (i + r) % len(names)
                for name in names[shift:] + names[:shift]:
                    t0 = time.perf_counter()
                    docs, _ = opened[name].run(item["tokens"], item["exclude"])
                    times[name][kind].append((time.perf_counter() - t0) * 1000)
                    if r == 0:
                        tops[name][kind].append([int(d) for d in docs])
        # Search, warm: each engine's search queries back to back, engine after engine.
        for name in names:
            for _ in range(warm_rounds):
                hot = []
                for item in qs["short"]:
                    t0 = time.perf_counter()
                    opened[name].run(item["tokens"], item["exclude"])
                    hot.append((time.perf_counter() - t0) * 1000)
            times[name]["short_warm"] = hot  # the last round: caches as warm as they get
        out["repeats"].append({"load_before": load, "load_after": loadavg(), "ms": times})
        print(f"paired {n:,} repeat {r + 1}/{repeats}: " + ", ".join(
            f"{name} {np.median(times[name]['long']):.2f}" for name in names) + " ms related p50", flush=True)
    for name in names:
        if name != "paperlens" and "paperlens" in names:
            opened[name].check_positions(tops[name]["long"][0])
    out["tops"] = tops
    if "paperlens" in names:
        # top-10 overlap with Paperlens's, which is rank-bm25's exact top 10 (tests and exactness.py)
        exact = tops["paperlens"]
        out["overlap"] = {name: {kind: float(np.mean([len(set(a) & set(b)) / max(len(b), 1)
                                                        for a, b in zip(tops[name][kind], exact[kind])]))
                                 for kind in KINDS} for name in names if name != "paperlens"}
        if copies:
            out["shared_runs"] = queries.shared_runs(n, {kind: exact[kind] for kind in ("long", "long_in")})
    out["load_after"] = loadavg()
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("engines", nargs="+")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--long", type=int)
    parser.add_argument("--long-in", type=int)
    parser.add_argument("--short", type=int)
    parser.add_argument("--warm-passes", type=int, default=3)
    parser.add_argument("--no-copies", action="store_true", help="skip counting shared sentence runs")
    args = parser.parse_args(argv)
    data = measure(args.n, args.engines, args.repeats, args.long, args.long_in, args.short,
                   warm_passes=args.warm_passes, copies=not args.no_copies)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data))


if __name__ == "__main__":
    main()
