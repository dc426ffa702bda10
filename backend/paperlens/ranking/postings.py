"""How a segment's posting lists are laid out: 2-byte documents within ranges of papers.

A posting's document is stored as its offset within a range of 2**bits papers (RANGE_BITS = 16:
65,536 papers, 2 bytes), and each list records where its postings of each range start. A related
query's scans read a list range by range anyway (top_k._scan keeps the scores of one range in the
L2 cache), so knowing the range boundaries costs the scan nothing, and reading 2 bytes per document
instead of 4 makes it ~1.2x faster (bench/two_byte_docs.py) and the postings a third smaller.

Per term t, its ranges are entries range_indptr[t] .. range_indptr[t + 1] - 1 of range_ids (the
range numbers, ascending) and range_starts (the global position of the range's first posting).
Postings of one term are contiguous and the terms follow one another, so an entry's postings end
where the next entry's start: range_starts has one more element, the number of postings.
"""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np

RANGE_BITS = 16  # 2**16 papers per range: the most whose offsets fit in 2 bytes

# The arrays the kernels read, in one argument. `skip` is every top_k.SKIP-th posting's full
# document (blocks are global, so a block may straddle lists and ranges; a look-up only uses the
# blocks that start inside the range it searches). A kernel takes the arrays out of it once, into
# local names, before its loops: each `lists.x` counts a reference to the array up and down again
# (atomic operations), which in a loop cost more than the loop's work (~70 ns a look-up).
Lists = namedtuple("Lists", "indptr lows codes range_indptr range_ids range_starts skip bits")


@numba.njit(cache=True, nogil=True)
def range_table(indptr, docs, bits, offset):
    """(range_indptr, range_ids, range_starts without its final element) of the lists in CSR
    (indptr, docs), positions shifted by `offset` (where these lists start in the whole array)."""
    n_terms = len(indptr) - 1
    range_indptr = np.zeros(n_terms + 1, dtype=np.int64)
    n = 0
    for t in range(n_terms):
        prev = -1
        for p in range(indptr[t], indptr[t + 1]):
            r = np.int64(docs[p]) >> bits
            if r != prev:
                n += 1
                prev = r
        range_indptr[t + 1] = n
    ids = np.empty(n, dtype=np.int32)
    starts = np.empty(n, dtype=np.int64)
    e = 0
    for t in range(n_terms):
        prev = -1
        for p in range(indptr[t], indptr[t + 1]):
            r = np.int64(docs[p]) >> bits
            if r != prev:
                ids[e] = r
                starts[e] = offset + p
                e += 1
                prev = r
    return range_indptr, ids, starts


def lows(docs: np.ndarray, bits: int) -> np.ndarray:
    """Documents as their offsets within their ranges (uint16)."""
    return (np.asarray(docs) & ((1 << bits) - 1)).astype(np.uint16)


def layout(indptr: np.ndarray, docs: np.ndarray, bits: int = RANGE_BITS):
    """(lows, range_indptr, range_ids, range_starts) of CSR lists with full documents."""
    range_indptr, ids, starts = range_table(indptr, docs, bits, 0)
    return lows(docs, bits), range_indptr, ids, np.append(starts, np.int64(len(docs)))


@numba.njit(cache=True, nogil=True)
def documents(lists):
    """Every posting's full document (int32): for tools and tests, never the query path."""
    lows, range_ids, range_starts, bits = lists.lows, lists.range_ids, lists.range_starts, lists.bits
    out = np.empty(len(lows), dtype=np.int32)
    for e in range(len(range_ids)):
        b = np.int64(range_ids[e]) << bits
        for p in range(range_starts[e], range_starts[e + 1]):
            out[p] = b + np.int64(lows[p])
    return out


@numba.njit(cache=True, nogil=True, inline="always")
def entry(range_indptr, range_ids, t, r):
    """The entry of term t's list for range r, or -1 when the list has no posting there. Range
    numbers rise by at least one per entry, so r's entry is at most r after the first: a long
    list has a posting in every range and finds it there with no search."""
    first, last = range_indptr[t], range_indptr[t + 1]
    e = first + r
    if e < last and range_ids[e] == r:
        return e
    lo, hi = first, min(last, e)
    while lo < hi:
        mid = (lo + hi) >> 1
        if range_ids[mid] < r:
            lo = mid + 1
        else:
            hi = mid
    if lo < last and range_ids[lo] == r:
        return lo
    return np.int64(-1)


@numba.njit(cache=True, nogil=True)
def position(lists, t, doc):
    """Where `doc` is in term t's list (-1 if not there): its range's entry, then a binary search
    of the 2-byte offsets."""
    lows, range_starts = lists.lows, lists.range_starts
    e = entry(lists.range_indptr, lists.range_ids, t, np.int64(doc) >> lists.bits)
    if e < 0:
        return np.int64(-1)
    low = np.int64(doc) & ((np.int64(1) << lists.bits) - 1)
    lo, hi = range_starts[e], range_starts[e + 1]
    end = hi
    while lo < hi:
        mid = (lo + hi) >> 1
        if np.int64(lows[mid]) < low:
            lo = mid + 1
        else:
            hi = mid
    if lo < end and np.int64(lows[lo]) == low:
        return lo
    return np.int64(-1)


def documents_of(lists, t) -> np.ndarray:
    """Term t's list's full documents (int32): for tools and tests, never the query path."""
    first, last = lists.range_indptr[t], lists.range_indptr[t + 1]
    starts = np.asarray(lists.range_starts[first : last + 1])
    bases = np.repeat(np.asarray(lists.range_ids[first:last], dtype=np.int64) << lists.bits, np.diff(starts))
    return (bases + lists.lows[starts[0] : starts[-1]]).astype(np.int32)
