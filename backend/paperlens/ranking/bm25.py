"""BM25Okapi exactly as rank_bm25 0.2.2 defines it, computed as arrays instead of per-document dicts.

A posting stores its document and a code for its (term frequency, document length) pair. The
BM25 term weight is idf(term) * g(tf, dl), and g has only a few thousand distinct values in a
corpus, so a query looks them up in a small float64 table that stays in cache. Because idf and
the g table are recomputed from the current corpus statistics in microseconds, postings never
need rewriting when papers are added: scores stay exactly rank_bm25's for the whole corpus.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from . import postings

K1 = 1.5
B = 0.75
EPSILON = 0.25


def idf_table(df: np.ndarray, n_docs: int) -> np.ndarray:
    """rank_bm25's IDF: ln(N - n + 0.5) - ln(n + 0.5); a negative value becomes
    EPSILON * (mean of all raw IDFs, negatives included). Terms with df 0 (not in the corpus) get 0."""
    present = df > 0
    raw = np.zeros(len(df), dtype=np.float64)
    n = df[present].astype(np.float64)
    raw[present] = np.log(n_docs - n + 0.5) - np.log(n + 0.5)
    if not present.any():
        return raw
    average = math.fsum(raw[present]) / int(present.sum())
    return np.where(present & (raw < 0), EPSILON * average, raw)


def saturation(tf, dl, avgdl: float, k1: float = K1, b: float = B):
    """BM25's term-frequency saturation g(tf, dl) = tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)),
    written with rank_bm25's operation order so each term weight idf * g is bit-for-bit the one it
    computes. Arrays broadcast (the index's pair table, TextRank's sentence-by-term matrix)."""
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))


def g_table(pair_tf: np.ndarray, pair_dl: np.ndarray, avgdl: float) -> np.ndarray:
    """g(tf, dl) for every known (tf, dl) pair."""
    tf = pair_tf.astype(np.float64)
    dl = pair_dl.astype(np.float64)
    if avgdl == 0:
        return np.zeros(len(tf))
    return saturation(tf, dl, avgdl)


@numba.njit(cache=True, nogil=True)
def build_postings(doc_terms, doc_offsets, n_terms):
    """From each document's token ids (concatenated, with offsets) to term-major postings.

    Returns indptr (per term), docs and tfs (per posting), df (per term). Rows come out sorted by
    document because documents are scattered in order; repeats of a term within a document are
    adjacent in its row and collapse into one posting with their count.
    """
    n_docs = len(doc_offsets) - 1
    counts = np.zeros(n_terms + 1, dtype=np.int64)
    for t in doc_terms:
        counts[t + 1] += 1
    starts = np.cumsum(counts)
    fill = starts[:-1].copy()
    raw_docs = np.empty(len(doc_terms), dtype=np.int32)
    for d in range(n_docs):
        for i in range(doc_offsets[d], doc_offsets[d + 1]):
            t = doc_terms[i]
            raw_docs[fill[t]] = d
            fill[t] += 1

    # Count postings first so docs and tfs are allocated at their final size (at a million
    # papers, token-sized scratch arrays would cost hundreds of MB each).
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    for t in range(n_terms):
        prev = -1
        n = 0
        for i in range(starts[t], starts[t + 1]):
            if raw_docs[i] != prev:
                n += 1
                prev = raw_docs[i]
        indptr[t + 1] = indptr[t] + n
    docs = np.empty(indptr[n_terms], dtype=np.int32)
    tfs = np.empty(indptr[n_terms], dtype=np.int32)
    p = 0
    for t in range(n_terms):
        prev = -1
        for i in range(starts[t], starts[t + 1]):
            d = raw_docs[i]
            if d == prev:
                tfs[p - 1] += 1
            else:
                docs[p] = d
                tfs[p] = 1
                p += 1
                prev = d
    df = np.diff(indptr).astype(np.int32)
    return indptr, docs, tfs, df


@numba.njit(cache=True, nogil=True)
def accumulate(scores, doc_base, lists, q_terms, q_weights, g):
    """scores[doc_base + doc] += q_weight * g[code] over the postings of each query term (lists:
    a segment's postings.Lists). q_weights already hold idf(term) * (the term's count in the query)."""
    indptr, lows, codes, bits = lists.indptr, lists.lows, lists.codes, lists.bits
    range_indptr, range_ids, range_starts = lists.range_indptr, lists.range_ids, lists.range_starts
    for j in range(len(q_terms)):
        t = q_terms[j]
        if t < 0 or t + 1 >= len(indptr):
            continue
        w = q_weights[j]
        for e in range(range_indptr[t], range_indptr[t + 1]):
            base = doc_base + (np.int64(range_ids[e]) << bits)
            for p in range(range_starts[e], range_starts[e + 1]):
                scores[base + np.int64(lows[p])] += w * g[codes[p]]


@numba.njit(cache=True, nogil=True)
def contributions(doc, lists, q_terms, q_weights, g):
    """Each query term's share of one document's score (0 where the document lacks the term)."""
    out = np.zeros(len(q_terms), dtype=np.float64)
    for j in range(len(q_terms)):
        t = q_terms[j]
        if t < 0 or t + 1 >= len(lists.indptr):
            continue
        p = postings.position(lists, t, doc)
        if p >= 0:
            out[j] = q_weights[j] * g[lists.codes[p]]
    return out
