"""Related-papers latency in-process on the real 75k arXiv corpus: Paperlens and rank-bm25 on the
same queries in one run, with the largest score difference between them.

    .venv/bin/python -m bench.related_75k [--corpus ../shared/data/arxiv-cs-75k.jsonl.gz] [--reference-queries 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import time
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from paperlens.ranking import tokenize
from paperlens.ranking.index import Index

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "arxiv-cs-75k.jsonl.gz"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(DEFAULT))
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--reference-queries", type=int, default=5)
    args = ap.parse_args()
    with gzip.open(args.corpus, "rt") as f:
        texts = [(lambda d: f"{d['title']}\n{d['abstract']}")(json.loads(line)) for line in f]
    started = time.perf_counter()
    index = Index.build(texts)
    build_s = time.perf_counter() - started
    picks = random.Random(42).sample(range(len(texts)), args.queries)
    queries = [tokenize(texts[i]) for i in picks]
    index.rank(index.query(queries[0]), 10)  # load the compiled kernels
    ours = []
    for i, tokens in zip(picks, queries):
        t = time.perf_counter()
        index.rank(index.query(tokens), 10, i)
        ours.append((time.perf_counter() - t) * 1000)
    reference = BM25Okapi([tokenize(t) for t in texts])
    theirs, worst = [], 0.0
    for i, tokens in list(zip(picks, queries))[: args.reference_queries]:
        t = time.perf_counter()
        expected = reference.get_scores(tokens)
        theirs.append((time.perf_counter() - t) * 1000)
        got = index.scores(index.query(tokens))
        worst = max(worst, float(np.max(np.abs(got - expected) / np.maximum(np.abs(expected), 1e-12))))
    p50, p95, ref = np.percentile(ours, 50), np.percentile(ours, 95), np.percentile(theirs, 50)
    print(f"{len(texts):,} papers; index built in {build_s:.1f} s ({os.cpu_count()} cores, {platform.processor() or platform.machine()})")
    print(f"Paperlens related (title + abstract, top 10): p50 {p50:.2f} ms, p95 {p95:.2f} ms over {len(ours)} queries")
    print(f"rank-bm25 get_scores, same queries: p50 {ref:,.0f} ms over {len(theirs)} queries ({ref / p50:,.0f}x slower)")
    print(f"max relative score difference: {worst:.1e}")


if __name__ == "__main__":
    main()
