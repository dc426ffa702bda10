"""How much a better threshold or tighter bounds could still save a related query, on one corpus
size's saved index (what to weigh before redesigning the kernel):

    python -m bench.pruning_headroom [N] [--queries 100] [--ranges 32768 4096 512]

1. An oracle threshold: each query answered twice by the landed kernel (ranking/top_k.py), once
   as in the server (theta -inf) and once told its final 10th-best score from the start, order
   alternating; the two must agree. Prints both p50s and the postings scanned and candidates looked
   up: what a perfect threshold estimate would be worth.
2. Per-range bounds (block-max over ranges of documents): with that oracle threshold, how many
   postings MaxScore's open phase scans (lists scanned whole while the bounds of the terms after
   them could lift an unseen paper into the top 10) with each term's one bound, against a bound per
   term and range of R papers (a range closes on its own once its bounds fall below the threshold).
   Counts only, no timing: an upper limit on what such bounds save in the open phase.

Needs the index of `python -m bench.engines build paperlens N ...` (or a `python -m bench.run`).
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np

from paperlens.ranking import postings, top_k

from . import engines, queries


@numba.njit(cache=True)
def _range_bounds_and_counts(indptr, docs, codes, g, t, width, n_ranges):
    """Per range of `width` documents: the term's largest g and its number of postings."""
    best = np.zeros(n_ranges)
    count = np.zeros(n_ranges, np.int64)
    for p in range(indptr[t], indptr[t + 1]):
        r = docs[p] // width
        best[r] = max(best[r], g[codes[p]])
        count[r] += 1
    return best, count


def open_postings(seg, g, terms, weights, bounds, theta, width) -> tuple[int, int]:
    """Postings the open phase scans with the oracle threshold: (one bound per term, one per range)."""
    n_ranges = -(-seg.n_docs // width)
    per_range = np.zeros((len(terms) + 1, n_ranges))
    counts = np.zeros((len(terms), n_ranges), np.int64)
    for j, t in enumerate(terms):
        docs = postings.documents_of(seg.lists, t)
        best, counts[j] = _range_bounds_and_counts(np.array([0, len(docs)]), docs, seg.codes[seg.indptr[t]:],
                                                   g, 0, width, n_ranges)
        per_range[j] = max(weights[j], 0.0) * best
    rem = np.append(np.cumsum(bounds[::-1])[::-1], 0.0)
    whole = int(counts[: int(np.argmax(rem < theta))].sum())
    rem_range = np.cumsum(per_range[::-1], axis=0)[::-1]  # its last row (no terms left) is 0
    first_closed = np.argmax(rem_range < theta, axis=0)
    ranged = int(sum(counts[: first_closed[r], r].sum() for r in range(n_ranges)))
    return whole, ranged


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--ranges", type=int, nargs="*", default=[32_768, 4_096, 512])
    args = parser.parse_args(argv)

    index = engines.Opened("paperlens", args.n).index
    seg = index.segments[0]
    acc = np.zeros(seg.n_docs)
    plans = []
    for q in queries.load(args.n)["long"][: args.queries]:
        terms, weights, bounds = index._plan(seg, index.query(q["tokens"]))
        plans.append((terms, weights, bounds, np.array(sorted(q.get("exclude") or []), dtype=np.int64)))

    def answer(plan, theta):
        terms, weights, bounds, exclude = plan
        stats = np.zeros(4, np.int64)
        start = time.perf_counter()
        found = top_k.pruned_top_k(acc, seg.lists, index.g, terms, weights, bounds, engines.K, exclude, theta, stats)
        return time.perf_counter() - start, found, stats

    answer(plans[0], -np.inf)  # compile
    finals = [answer(plan, -np.inf)[1][1] for plan in plans]
    # just under the final 10th-best score: the k-th paper itself must still be found
    oracles = [s[-1] - abs(s[-1]) * 1e-12 if len(s) == engines.K else -np.inf for s in finals]
    seen = {"server": ([], []), "oracle": ([], [])}
    for i, (plan, oracle) in enumerate(zip(plans, oracles)):
        runs = {}
        for name in (["server", "oracle"] if i % 2 == 0 else ["oracle", "server"]):
            runs[name] = answer(plan, -np.inf if name == "server" else oracle)
            seen[name][0].append(runs[name][0])
            seen[name][1].append(runs[name][2])
        if not all(np.array_equal(a, b) for a, b in zip(runs["server"][1], runs["oracle"][1])):
            raise SystemExit(f"query {i}: the oracle threshold changed the answer")
    print(f"{len(plans)} held-out related queries at {args.n:,} papers")
    for name, (times, stats) in seen.items():
        stats = np.array(stats)
        print(f"  threshold {name:6}: p50 {np.median(times) * 1e3:.2f} ms, postings scanned {np.median(stats[:, 0]):,.0f}, "
              f"candidates looked up {np.median(stats[:, 1]):,.0f} (medians)")
    for width in args.ranges:
        whole = ranged = 0
        for plan, oracle in zip(plans, oracles):
            a, b = open_postings(seg, index.g, plan[0], plan[1], plan[2], oracle, width)
            whole, ranged = whole + a, ranged + b
        print(f"  open phase with the oracle threshold, ranges of {width:,} papers: {whole / len(plans):,.0f} postings "
              f"with one bound per term, {ranged / len(plans):,.0f} with one per range ({ranged / whole:.3f})")


if __name__ == "__main__":
    main()
