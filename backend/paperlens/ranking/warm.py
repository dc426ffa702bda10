"""Compile every ranking kernel before a server answers anyone.

numba compiles a kernel on its first call (about 20 s for all of them on a 2-core machine) and
keeps the result in its on-disk cache, which later processes load in about a second. `paperlens
serve` calls `compile_kernels` in its master process before the workers fork, so the workers
inherit compiled code and no request (nor the first index build) ever waits on a compile.
"""

from __future__ import annotations

import importlib
import os
import time

import numpy as np
from numba.core.registry import CPUDispatcher

# Every module of this room that holds numba kernels; a test checks the list is complete.
KERNEL_MODULES = ("bm25", "index", "similarity", "snapshot_build", "top_k")

# Enough distinct words that a long query has terms of every kind (rare, common, in most
# documents) and the pruned top-k takes its scanning, look-up and candidate paths.
_WORDS = [f"w{n}" for n in range(400)]


def kernels() -> list[CPUDispatcher]:
    """The numba kernels of ranking/, except those inlined into their callers (never called alone)."""
    found = []
    for name in KERNEL_MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        for value in vars(module).values():
            if isinstance(value, CPUDispatcher) and value.targetoptions.get("inline", "never") != "always":
                found.append(value)
    return found


def uncompiled() -> list[str]:
    """Names of kernels with no compiled version in this process yet."""
    return [k.py_func.__qualname__ for k in kernels() if not k.signatures]


def cached() -> bool:
    """Whether numba's on-disk cache seems to hold the kernels (loading them then takes about a
    second): checked on the two slowest to compile, the pruned top-k and the postings builder."""
    from .bm25 import build_postings
    from .top_k import pruned_top_k

    try:
        return all(os.path.exists(k._cache._cache_file._index_path) for k in (pruned_top_k, build_postings))
    except AttributeError:  # numba's cache layout is not a public API: then assume a compile is ahead
        return False


def compile_kernels() -> float:
    """Make every kernel ready in this process; returns the seconds it took."""
    started = time.monotonic()
    exercise()
    return time.monotonic() - started


def exercise(part: str = "all") -> None:
    """Run the kernels of `part` once on a small generated corpus: "building" (index and snapshot
    building, similarity), "ranking" (top-k, scores, contributions) or "all"."""
    texts = _texts()
    if part in ("building", "all"):
        _building(texts)
    if part in ("ranking", "all"):
        _ranking(texts)


def _texts() -> list[str]:
    rng = np.random.default_rng(7)
    # Zipf-like word choice: a few words in most documents, most words in few.
    weights = 1.0 / np.arange(1, len(_WORDS) + 1)
    weights /= weights.sum()
    return [" ".join(rng.choice(_WORDS, size=int(rng.integers(20, 80)), p=weights)) for _ in range(600)]


def _building(texts: list[str]) -> None:
    import tempfile
    from pathlib import Path

    from . import snapshot, snapshot_build
    from .index import PairTable
    from .similarity import Postings, bags, bm25_documents, bm25_queries, pairwise, shared_parts, tfidf

    with tempfile.TemporaryDirectory() as folder:
        papers = ((f"warm:{n}", '{"id": "warm:%d"}' % n, text) for n, text in enumerate(texts[:500]))
        path = snapshot_build.build(Path(folder), papers, corpus_version=1, log_position=500, workers=1)
        index = snapshot.load(path)[0]
    index = index.with_documents(texts[500:550], corpus_version=2, log_position=550)
    index = index.with_documents(texts[550:], corpus_version=3, log_position=600)  # grows the delta
    PairTable().encode(np.array([70_000]), np.array([1_000]))  # a document too long for the dense table
    saved, candidates = bags(texts[:20]), bags(texts[20:60], spelled=True)
    for vectors in (tfidf(saved, index), bm25_documents(saved, index)):
        other = bm25_queries(candidates, index)
        similarity = pairwise(other, Postings.build(vectors))
        shared_parts(other, vectors, np.argsort(-similarity, axis=1)[:, :3].astype(np.int64))


def _ranking(texts: list[str]) -> None:
    from . import tokenize
    from .index import Index

    index = Index.build(texts[:550], workers=1).with_documents(texts[550:], corpus_version=2, log_position=600)
    for text in (texts[3], texts[580], "w1 w7 w120", "w399"):
        query = index.query(tokenize(text))
        docs, _ = index.rank(query, 10, exclude=3)
        index.rank(query, 1000)
        index.scores(query)
        if len(docs):
            index.contributions(query, int(docs[0]))

