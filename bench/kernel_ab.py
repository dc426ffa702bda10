"""A/B of the top-k kernel: ranking/top_k.py as it is now against the same file at a git revision,
in one process, on one corpus size's saved index and query sets.

    python -m bench.kernel_ab REV [N] [--kind long|long_in|short] [--passes 3] [--cold MB]

Each query is answered by both kernels back to back, which one goes first alternating from query to
query and pass to pass, so both see the same load and caches; the two must return the same
documents and scores (it stops at the first query where they differ). Both are compiled fresh
(cache=False), so neither starts from a stale numba cache. With --cold MB, a buffer of that many MB
is read and written before every answer (untimed), evicting the caches as the other engines of the
paired benchmark do between two of Paperlens's answers; without it both run warm. Prints p50s and their ratio (above 1: the
working tree is faster). Needs the index of `python -m bench.engines build paperlens N ...` (or a
`python -m bench.run`). How this round's kernel changes were measured (docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import engines, queries

KERNEL = "backend/paperlens/ranking/top_k.py"
ROOT = Path(__file__).resolve().parents[1]


def load_kernel(source: str, name: str, folder: Path):
    """The kernel module from its source text, numba's on-disk cache off. It is loaded as a module
    of paperlens.ranking, so its relative imports (.prefetch) resolve to the installed package."""
    path = folder / f"{name}.py"
    path.write_text(source.replace("cache=True", "cache=False"))
    qualified = f"paperlens.ranking.{name}"
    spec = importlib.util.spec_from_file_location(qualified, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module  # numba resolves a kernel's globals through its module
    spec.loader.exec_module(module)
    return module


def _takes_full_documents(kernel) -> bool:
    """Whether the kernel predates 2-byte documents (its pruned_top_k takes `docs`)."""
    return "docs" in inspect.signature(kernel.pruned_top_k.py_func).parameters


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="git revision of the kernel to compare against (e.g. HEAD~1)")
    parser.add_argument("n", nargs="?", type=int, default=1_000_000, help="corpus size (default 1,000,000)")
    parser.add_argument("--kind", default="long", choices=["long", "long_in", "short"])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--cold", type=int, default=0, metavar="MB",
                        help="evict the caches before each answer by touching this many MB (more than the L3 cache)")
    args = parser.parse_args(argv)

    before = subprocess.run(["git", "show", f"{args.rev}:{KERNEL}"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        kernels = {"before": load_kernel(before, "top_k_before", Path(tmp)),
                   "now": load_kernel((ROOT / KERNEL).read_text(), "top_k_now", Path(tmp))}
        opened = engines.Opened("paperlens", args.n)
        index = opened.index
        seg = index.segments[0]
        acc = np.zeros(seg.n_docs)
        # A kernel from before 2-byte documents (it takes indptr, docs, skip, codes and a span)
        # reads a copy of the postings with full documents; one whose block size (SKIP) differs
        # from the index's gets its own skip array.
        full = None
        if any(_takes_full_documents(kernel) for kernel in kernels.values()):
            # memory-mapped from a file, as a snapshot's postings are (an array in private memory
            # may sit on 2 MB pages, which alone made a kernel ~3-5% faster)
            np.save(Path(tmp) / "docs.npy", seg.documents())
            full = np.load(Path(tmp) / "docs.npy", mmap_mode="r")
        skips = {name: seg.skip if len(seg.skip) == -(-len(seg.lows) // kernel.SKIP)
                 else kernel.skip_docs(full if full is not None else seg.documents())
                 for name, kernel in kernels.items()}
        plans = []
        for q in queries.load(args.n)[args.kind]:
            terms, weights, bounds = index._plan(seg, index.query(q["tokens"]))
            plans.append((terms, weights, bounds, np.array(sorted(q.get("exclude") or []), dtype=np.int64)))

        def answer(name, plan):
            terms, weights, bounds, exclude = plan
            stats = np.zeros(4, np.int64)
            kernel = kernels[name]
            if _takes_full_documents(kernel):
                return kernel.pruned_top_k(acc, seg.indptr, full, skips[name], seg.codes, index.g, terms, weights,
                                           bounds, engines.K, exclude, -np.inf, stats, kernel.RANGE)
            lists = seg.lists._replace(skip=skips[name])
            return kernel.pruned_top_k(acc, lists, index.g, terms, weights, bounds, engines.K, exclude, -np.inf, stats)

        for name in kernels:  # compile both
            answer(name, plans[0])
        flush = np.zeros(args.cold * 2**20 // 8) if args.cold else None
        times: dict[str, list[float]] = {name: [] for name in kernels}
        for p in range(args.passes):
            for i, plan in enumerate(plans):
                order = ["before", "now"] if (i + p) % 2 == 0 else ["now", "before"]
                got = {}
                for name in order:
                    if flush is not None:
                        flush += 1.0  # reads and writes every line: the caches now hold this buffer
                    start = time.perf_counter()
                    got[name] = answer(name, plan)
                    times[name].append(time.perf_counter() - start)
                same = all(np.array_equal(a, b) for a, b in zip(got["before"], got["now"]))
                if not same:
                    sys.exit(f"query {i} ({args.kind}): the kernels disagree: {got}")
    old, new = np.array(times["before"]), np.array(times["now"])
    print(f"{args.kind} at {args.n:,} papers, {len(plans)} queries x {args.passes} passes, identical results: "
          f"{'cold' if args.cold else 'warm'}, {args.rev} p50 {np.median(old) * 1e3:.2f} ms, now {np.median(new) * 1e3:.2f} ms, "
          f"ratio {np.median(old) / np.median(new):.3f} (per-query ratio median {np.median(old / new):.3f})")


if __name__ == "__main__":
    main()
