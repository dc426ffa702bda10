"""Compile every ranking kernel before a server answers anyone.

numba compiles a kernel on its first call (about 20 s for all of them on a 2-core machine) and
keeps the result in its on-disk cache, which later processes load in about a second. `paperlens
serve` calls `compile_kernels` in its master process before the workers fork, so the workers
inherit compiled code and no request (nor the first index build) ever waits on a compile.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import time

import numpy as np
from numba.core.registry import CPUDispatcher

# Every module of this room that holds numba kernels; a test checks the list is complete.
KERNEL_MODULES = ("bm25", "index", "postings", "similarity", "snapshot_build", "top_k")

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


def compile_kernels(view=None) -> float:
    """Make every kernel ready in this process, for the array types of a generated corpus served
    as a server serves one (a mapped snapshot plus an in-memory delta) and, given the served View,
    for its own (a corpus with more than 65,536 distinct (tf, length) pairs stores 32-bit codes).
    Returns the seconds it took."""
    started = time.monotonic()
    texts = _texts()
    served = _building(texts)
    _ranking(served, texts[:3] + ["w1 w7 w120", "w399"])
    if view is not None and view.index.n_docs:
        real = [_title(view, doc) for doc in range(min(view.index.n_docs, 30))]
        queries = [real[0], " ".join(real)]
        _ranking(view.index, queries)
        _ranking(view.index.with_documents(real[:2], corpus_version=0, log_position=0, workers=1), queries)
    return time.monotonic() - started


def _title(view, doc: int) -> str:
    return json.loads(view.papers.raw(doc)).get("title") or ""


def _texts() -> list[str]:
    rng = np.random.default_rng(7)
    # Zipf-like word choice: a few words in most documents, most words in few.
    weights = 1.0 / np.arange(1, len(_WORDS) + 1)
    weights /= weights.sum()
    return [" ".join(rng.choice(_WORDS, size=int(rng.integers(20, 80)), p=weights)) for _ in range(600)]


def _building(texts: list[str]):
    """Build and map a snapshot, grow a delta on it twice, and score with the similarity kernels;
    returns the index as a server holds it."""
    import tempfile
    from pathlib import Path

    from . import snapshot, snapshot_build
    from .index import PairTable
    from .similarity import Postings, bags, bm25_documents, bm25_queries, pairwise, shared_parts, tfidf

    with tempfile.TemporaryDirectory() as folder:
        papers = ((f"warm:{n}", '{"id": "warm:%d"}' % n, text) for n, text in enumerate(texts[:500]))
        path = snapshot_build.build(Path(folder), papers, corpus_version=1, log_position=500, workers=1)
        # copied out of the mapping (the folder goes away) but kept read-only, as a mapping is
        index = snapshot.load(path)[0]
        index.segments[0] = _read_only_copy(index.segments[0])
    index = index.with_documents(texts[500:550], corpus_version=2, log_position=550)
    index = index.with_documents(texts[550:], corpus_version=3, log_position=600)  # grows the delta
    PairTable().encode(np.array([70_000]), np.array([1_000]))  # a document too long for the dense table
    saved, candidates = bags(texts[:20]), bags(texts[20:60], spelled=True)
    for vectors in (tfidf(saved, index), bm25_documents(saved, index)):
        other = bm25_queries(candidates, index)
        similarity = pairwise(other, Postings.build(vectors))
        shared_parts(other, vectors, np.argsort(-similarity, axis=1)[:, :3].astype(np.int64))
    return index


def _read_only_copy(segment):
    def frozen(array):
        copy = np.array(array)
        copy.setflags(write=False)
        return copy

    arrays = ("indptr", "lows", "codes", "range_indptr", "range_ids", "range_starts", "skip", "bound_indptr",
              "bound_codes")
    return dataclasses.replace(segment, **{name: frozen(getattr(segment, name)) for name in arrays})


def _ranking(index, texts: list[str]) -> None:
    from . import tokenize

    for text in texts:
        query = index.query(tokenize(text))
        docs, _ = index.rank(query, 10, exclude=0)
        index.rank(query, 1000)
        index.scores(query)
        if len(docs):
            index.contributions(query, int(docs[0]))
