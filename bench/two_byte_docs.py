"""What 2-byte documents save in a bare scan loop: the measurement the postings format was chosen on.

    python -m bench.two_byte_docs [N] [--queries 100] [--terms 57] [--cold MB]

The kernel scans a related query's open lists range by range (top_k._scan). Before postings.py
stored each document as its offset within a range of 65,536 papers (2 bytes), with each list's
position at every range boundary known, documents were 4 bytes and the scan tested each against
its range's end. This copies each query's first --terms lists (about the open phase of a held-out
related query at 1M papers) into both layouts and times the same scatter-add over each, interleaved
query by query, order alternating; both must leave the same scores. A bare loop flatters the
format: inside the kernel it gained ~8% (bench/kernel_ab.py against the kernel before it; see
docs/benchmarks.md, What limits the figures). Needs the index of `python -m bench.engines build
paperlens N ...`.
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np

from paperlens.ranking import postings

SPAN = 65_536  # papers per range: the largest whose offsets fit in 16 bits


def layout(seg, terms, span: int = SPAN):
    """The lists of `terms` copied end to end: 4-byte documents, 2-byte documents (offsets within
    their range), codes, and off[j, r] = where list j's postings of range r start."""
    parts = [postings.documents_of(seg.lists, t) for t in terms]
    d32 = np.concatenate(parts) if parts else np.empty(0, np.int32)
    codes = (np.concatenate([np.asarray(seg.codes[seg.indptr[t]:seg.indptr[t + 1]]) for t in terms])
             if parts else np.empty(0, np.uint16))
    d16 = (d32 % span).astype(np.uint16)
    ranges = -(-seg.n_docs // span)
    off = np.empty((len(terms), ranges + 1), np.int64)
    start = 0
    for j, part in enumerate(parts):
        off[j] = start + np.searchsorted(part, np.arange(ranges + 1) * span)
        start += len(part)
    return d32, d16, codes, off


@numba.njit(nogil=True)
def scan4(acc, docs, codes, g, off, weights):
    """acc[doc] += weight * g[code], range by range, documents read as 4 bytes."""
    for r in range(off.shape[1] - 1):
        for j in range(off.shape[0]):
            w = weights[j]
            for p in range(np.uint64(off[j, r]), np.uint64(off[j, r + 1])):
                acc[np.uint64(docs[p])] += w * g[codes[p]]


@numba.njit(nogil=True)
def scan2(acc, docs, codes, g, off, weights, span):
    """The same additions with documents read as 2-byte offsets from their range's start."""
    for r in range(off.shape[1] - 1):
        base = np.uint64(r * span)
        for j in range(off.shape[0]):
            w = weights[j]
            for p in range(np.uint64(off[j, r]), np.uint64(off[j, r + 1])):
                acc[base + np.uint64(docs[p])] += w * g[codes[p]]


def main(argv: list[str] | None = None) -> None:
    from . import engines, queries

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--terms", type=int, default=57, help="lists per query, in the kernel's order")
    parser.add_argument("--cold", type=int, default=0, metavar="MB", help="evict the caches before each scan")
    args = parser.parse_args(argv)

    index = engines.Opened("paperlens", args.n).index
    seg = index.segments[0]
    acc, other = np.zeros(seg.n_docs), np.zeros(seg.n_docs)
    plans = []
    for q in queries.load(args.n)["long"][: args.queries]:
        terms, weights, _ = index._plan(seg, index.query(q["tokens"]))
        plans.append((layout(seg, terms[: args.terms]), weights[: args.terms].copy()))
    postings = np.mean([len(p[0]) for p, _ in plans])
    scans = {"4 bytes": lambda p, w, out: scan4(out, p[0], p[2], index.g, p[3], w),
             "2 bytes": lambda p, w, out: scan2(out, p[1], p[2], index.g, p[3], w, SPAN)}
    p, w = plans[0]
    scans["4 bytes"](p, w, acc)
    scans["2 bytes"](p, w, other)
    if not np.array_equal(acc, other):
        raise SystemExit("the two layouts disagree")
    flush = np.zeros(args.cold * 2**20 // 8) if args.cold else None
    times: dict[str, list[float]] = {name: [] for name in scans}
    for i, (p, w) in enumerate(plans * 2):
        for name in (list(scans) if i % 2 == 0 else list(scans)[::-1]):
            acc[:] = 0.0
            if flush is not None:
                flush += 1.0
            start = time.perf_counter()
            scans[name](p, w, acc)
            times[name].append(time.perf_counter() - start)
    four, two = np.median(times["4 bytes"]), np.median(times["2 bytes"])
    print(f"{args.n:,} papers, {len(plans)} queries x 2, {postings:,.0f} postings each ({'cold' if args.cold else 'warm'}): "
          f"4-byte documents {four * 1e3:.2f} ms ({four / postings * 1e9:.2f} ns a posting), "
          f"2-byte {two * 1e3:.2f} ms ({two / postings * 1e9:.2f} ns), ratio {four / two:.3f}")


if __name__ == "__main__":
    main()
