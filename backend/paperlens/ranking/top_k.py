"""The k best documents for a query, exactly, reading as few postings as exactness allows.

Term-at-a-time MaxScore over one segment. Each query term has an upper bound on what it can add
to any document (its weight times the largest g(tf, dl) among its postings). Terms are scanned
into a dense score vector, most bound per posting first, while the bounds of the terms not yet
scanned still add up to a score that could reach the top k. After that no document outside the
ones already scored can make it, so the rest of the terms are only looked up for the surviving
candidates, which are dropped as soon as their score plus what is left cannot reach the k-th best
known score. A document is dropped only when it provably scores below k others, so the result
is the exhaustive top k, ties still broken by the lower document number.

The k-th best known score rises while scanning: from the best partial scores seen (a partial
score only grows when no weight is negative), and from scoring the best documents so far in full
before long lists and once more when no unseen document can make it any more. Lists between two
such points are scanned together, one range of 65,536 papers at a time, so the scattered additions
stay in the L2 cache; so are the lists scanned after the last unseen document is out, while too
many documents are still in the running to look them up.

The bounds are exact under changing corpus statistics: a term keeps the (tf, dl) pairs of its
postings that no other posting dominates (higher tf and shorter dl), and since g grows with tf
and shrinks with dl for every average length, its largest g is always among them, evaluated with
the current g table. Negative query weights (dismissed papers' words) bound at 0.

The hot loops index with unsigned integers (np.uint64): numba checks every signed index for a
negative value to count from the end, a compare and select on each access that also keeps loops
from vectorising; without it a related query at 1M papers runs ~1.25x faster (same results).
Signed and unsigned integers are never mixed in one expression: numba makes that a float.

Postings store documents as 2-byte offsets within ranges of 2**16 papers, with each list's range
boundaries known (postings.py): the scan goes range by range, adding each range's first document
to the offsets, and a look-up first finds its document's range in the list.

A look-up (a candidate in a list it was not scanned in) reads one block of the list from memory.
The blocks of the next LOOKAHEAD look-ups are found first and their cache lines requested
(prefetch), so their memory latencies overlap instead of adding up: ~80 ns a look-up at 1M papers
where it was ~120.
"""

from __future__ import annotations

import numba
import numpy as np

from . import postings
from .prefetch import prefetch

SMALLEST = 5e-324  # the smallest positive float64: v > 0 is v >= SMALLEST
BLOCK = 64  # scores per block that a pass over the score vector skips when none can enter
# Bounds and thresholds are float sums taken in other orders than a document's score: a bound is
# compared with the k-th best score lowered by this relative margin, so rounding never drops a
# document that ties with the k-th.
MARGIN = 1e-9
# A candidate looked up in a posting list costs about this many scanned postings (a look-up reads
# a block from memory, ~80 ns even with its reads requested ahead; a scanned posting ~1.4 ns).
LOOKUP_COST = 48
FINAL_ESTIMATE_RATIO = 100  # see pruned_top_k: the remaining lists' postings against look-ups' cost
SAMPLE_STRIDE = 251  # every n-th score, to estimate how many candidates a threshold keeps
# Full scorings of the best partial documents, to raise the threshold early. Each one also ends a
# pass over the score vector (the lists after it are scanned in another), which costs more than a
# second estimate saves on a query as long as an abstract (more than LONG_QUERY terms): one there.
MAX_ESTIMATES = 2
LONG_QUERY = 32
SPARSE_RATIO = 4  # below n_docs / this many postings scanned, results are collected from the lists
# Every SKIP-th document of the postings array (skip_docs): a look-up searches this small array
# (at 1M papers 3.4 MB, and the part a query touches stays in the cache) before the SKIP postings
# of one block, instead of binary-searching a list of up to a million documents, whose every step
# was a cache (and TLB) miss.
SKIP = 128
# A list at most this many times longer than the candidates looked up in it is walked, not searched.
MERGE_RATIO = 24


@numba.njit(cache=True, nogil=True)
def skip_docs(docs):
    """docs[::SKIP]: the first document of each block of SKIP postings (blocks are global, so they
    may straddle two terms' lists; a look-up only uses the blocks that start inside its list)."""
    return docs[::SKIP].copy()


@numba.njit(cache=True, nogil=True)
def bound_pairs(indptr, codes, pair_tf, pair_dl):
    """Per term, the codes of its (tf, dl) pairs that no other posting of the term dominates.

    Returns (bound_indptr, bound_codes), CSR by term. One pass over the postings; per term the
    pairs are walked from the highest tf down, keeping a pair when its dl is shorter than every
    pair with a higher tf."""
    n_terms = len(indptr) - 1
    max_tf = 1
    for i in range(len(pair_tf)):
        max_tf = max(max_tf, pair_tf[i])
    shortest = np.full(max_tf + 1, -1, dtype=np.int64)  # per tf: code of the shortest document
    seen = np.empty(max_tf + 1, dtype=np.int64)
    out_indptr = np.zeros(n_terms + 1, dtype=np.int64)
    out = np.empty(max(16, n_terms * 2), dtype=codes.dtype)
    n_out = 0
    for t in range(n_terms):
        n_seen = 0
        for p in range(indptr[t], indptr[t + 1]):
            c = codes[p]
            tf = pair_tf[c]
            if shortest[tf] < 0:
                shortest[tf] = c
                seen[n_seen] = tf
                n_seen += 1
            elif pair_dl[c] < pair_dl[shortest[tf]]:
                shortest[tf] = c
        tfs = np.sort(seen[:n_seen])
        best_dl = np.iinfo(np.int64).max
        for a in range(n_seen - 1, -1, -1):
            c = shortest[tfs[a]]
            if pair_dl[c] < best_dl:
                best_dl = pair_dl[c]
                if n_out == len(out):
                    grown = np.empty(2 * len(out), dtype=out.dtype)
                    grown[:n_out] = out[:n_out]
                    out = grown
                out[n_out] = c
                n_out += 1
            shortest[tfs[a]] = -1
        out_indptr[t + 1] = n_out
    return out_indptr, out[:n_out].copy()


@numba.njit(cache=True, nogil=True)
def term_bounds(terms, weights, bound_indptr, bound_codes, g):
    """The most each query term can add to one document's score (0 for negative weights and for
    terms the segment lacks)."""
    out = np.zeros(len(terms), dtype=np.float64)
    for j in range(len(terms)):
        t = terms[j]
        if weights[j] <= 0 or t < 0 or t + 1 >= len(bound_indptr):
            continue
        best = 0.0
        for p in range(bound_indptr[t], bound_indptr[t + 1]):
            best = max(best, g[bound_codes[p]])
        out[j] = weights[j] * best
    return out


# -- a small heap of the best (score, document) pairs: root = the worst kept ---------------------
@numba.njit(cache=True, nogil=True, inline="always")
def _worse(s1, d1, s2, d2):
    """(s1, d1) ranks below (s2, d2): lower score, or the same score and a higher document."""
    return s1 < s2 or (s1 == s2 and d1 > d2)


@numba.njit(cache=True, nogil=True)
def _heap_offer(heap_s, heap_d, size, s, d):
    """Keep (s, d) if it beats the worst kept pair (or the heap is not full); returns the new size."""
    k = len(heap_s)
    if size < k:
        j = size
        size += 1
        while j > 0:
            parent = (j - 1) // 2
            if _worse(s, d, heap_s[parent], heap_d[parent]):
                heap_s[j] = heap_s[parent]
                heap_d[j] = heap_d[parent]
                j = parent
            else:
                break
        heap_s[j] = s
        heap_d[j] = d
        return size
    if not _worse(heap_s[0], heap_d[0], s, d):
        return size
    heap_s[0] = s
    heap_d[0] = d
    _sift_down(heap_s, heap_d, size, 0)
    return size


@numba.njit(cache=True, nogil=True)
def _sift_down(heap_s, heap_d, size, j):
    """Restore the heap below position j after its pair got better (moved away from the root)."""
    s, d = heap_s[j], heap_d[j]
    while True:
        c = 2 * j + 1
        if c >= size:
            break
        if c + 1 < size and _worse(heap_s[c + 1], heap_d[c + 1], heap_s[c], heap_d[c]):
            c += 1
        if _worse(heap_s[c], heap_d[c], s, d):
            heap_s[j] = heap_s[c]
            heap_d[j] = heap_d[c]
            j = c
        else:
            break
    heap_s[j] = s
    heap_d[j] = d


@numba.njit(cache=True, nogil=True)
def _offer_partial(heap_s, heap_d, size, s, d, exclude):
    """Keep the k best partial scores, each document once with its latest (higher) score."""
    for i in range(size):
        if heap_d[i] == d:
            heap_s[i] = s
            _sift_down(heap_s, heap_d, size, i)
            return size
    if _excluded(exclude, d):
        return size
    return _heap_offer(heap_s, heap_d, size, s, d)


@numba.njit(cache=True, nogil=True)
def _scan(acc, lists, g, terms, weights, first, last, best_s, best_d, size, exclude):
    """acc[doc] += weight * g[code] over the lists of terms[first:last], keeping the best partial
    scores in the heap (best_s, best_d); returns the heap's size. With no negative weights a score
    only grows, so k documents surely reach the k-th best of those (_kth): a threshold that rises
    as lists are scanned.

    The lists are scanned together, one range of papers (postings.py) at a time: each term's
    postings in a range go into a part of acc small enough to stay in the L2 cache (512 KB), so
    the scattered additions hit the cache instead of memory (at 3M papers acc is 24 MB; one list
    at a time touched most of it per common term)."""
    lows, codes, bits = lists.lows, lists.codes, lists.bits  # once, outside the loops (postings.Lists)
    range_indptr, range_ids, range_starts = lists.range_indptr, lists.range_ids, lists.range_starts
    k = len(best_s)
    bar = best_s[0] if size == k else 0.0
    entries = np.empty(last - first, dtype=np.int64)  # each list's next range entry
    total = 0
    for j in range(first, last):
        entries[j - first] = range_indptr[terms[j]]
        total += lists.indptr[terms[j] + 1] - lists.indptr[terms[j]]
    # Request acc's lines when most get an addition and acc is larger than an L2 cache (1 MB here;
    # at 100k papers, 0.8 MB, it stays there and the requests only cost time)
    dense = total * SPARSE_RATIO >= len(acc) and len(acc) > 2 << bits
    n_ranges = (len(acc) + (1 << bits) - 1) >> bits
    for r in range(n_ranges):
        if dense:
            _request_range(acc, r, bits)
        for j in range(first, last):
            e = entries[j - first]
            if e == range_indptr[terms[j] + 1] or range_ids[e] != r:
                continue
            entries[j - first] = e + 1
            w = weights[j]
            base = np.uint64(np.int64(r) << bits)
            p = np.uint64(range_starts[e])
            end = np.uint64(range_starts[e + 1])
            while p < end:
                p = _add_until(acc, lows, codes, g, w, base, p, end, bar)
                d = base + np.uint64(lows[p - np.uint64(1)])
                if acc[d] > bar:  # rare once the heap is full
                    size = _offer_partial(best_s, best_d, size, acc[d], np.int64(d), exclude)
                    bar = best_s[0] if size == k else 0.0
    return size


@numba.njit(cache=True, nogil=True, inline="always")
def _request_range(acc, r, bits):
    """Ask for every cache line of range r's part of acc, in order, before its postings are added:
    the additions then find their lines on the way instead of each first touch waiting on a random
    read (at 3M papers acc is 24 MB, at 1M 8 MB: neither stays in the L2 cache between ranges)."""
    lo = np.uint64(np.int64(r) << bits)
    hi = min(lo + np.uint64(np.int64(1) << bits), np.uint64(len(acc)))
    for q in range(lo, hi, np.uint64(8)):
        prefetch(acc, q)


@numba.njit(cache=True, nogil=True)
def _add_until(acc, lows, codes, g, w, base, p, end, bar):
    """acc[base + lows[q]] += w * g[codes[q]] for q from p until end or until a score passes
    `bar`; returns the position after the last posting added. A function of its own, with few
    values live: inside _scan's loops numba's code kept the arrays' addresses on the stack and
    read them again for every posting. Unsigned positions and documents: no wraparound test per
    access (module docstring)."""
    while p < end:
        d = base + np.uint64(lows[p])
        v = acc[d] + w * g[codes[p]]
        acc[d] = v
        p += np.uint64(1)
        if v > bar:
            break
    return p


@numba.njit(cache=True, nogil=True)
def _add_list(acc, lists, g, t, w):
    """acc[doc] += w * g[code] over term t's whole list (a negative weight: no heap to keep)."""
    lows, codes, bits = lists.lows, lists.codes, lists.bits  # once, outside the loops (postings.Lists)
    range_indptr, range_ids, range_starts = lists.range_indptr, lists.range_ids, lists.range_starts
    for e in range(range_indptr[t], range_indptr[t + 1]):
        base = np.uint64(np.int64(range_ids[e]) << bits)
        for p in range(np.uint64(range_starts[e]), np.uint64(range_starts[e + 1])):
            acc[base + np.uint64(lows[p])] += w * g[codes[p]]


@numba.njit(cache=True, nogil=True)
def _ranked(heap_s, heap_d, size):
    """The heap's pairs best first (higher score, then lower document)."""
    docs = heap_d[:size].copy()
    scores = heap_s[:size].copy()
    for a in range(1, size):  # insertion sort: k is small
        s, d = scores[a], docs[a]
        b = a - 1
        while b >= 0 and _worse(scores[b], docs[b], s, d):
            scores[b + 1] = scores[b]
            docs[b + 1] = docs[b]
            b -= 1
        scores[b + 1] = s
        docs[b + 1] = d
    return docs, scores


@numba.njit(cache=True, nogil=True, inline="always")
def _excluded(exclude, d):
    if len(exclude) == 0:
        return False
    i = np.searchsorted(exclude, d)
    return i < len(exclude) and exclude[i] == d


@numba.njit(cache=True, nogil=True, inline="always")
def _dead(bound, bar):
    """A document whose score cannot exceed `bound` is out: results need a positive score, and
    `bar` is (just under) a score k other documents already reach."""
    return bound <= 0.0 or bound < bar


@numba.njit(cache=True, nogil=True, inline="always")
def _bar(theta):
    return theta - abs(theta) * MARGIN


@numba.njit(cache=True, nogil=True)
def top_k(scores, k, exclude, clear):
    """The k best positive scores of a dense vector as (documents, scores), best first, ties by
    lower document; `exclude` is a sorted array of documents left out. With `clear`, the vector is
    left all zero (it is a reused buffer). Blocks where no score can enter are skipped after
    counting the scores that can (_live_count)."""
    heap_s = np.empty(max(k, 1), dtype=np.float64)
    heap_d = np.empty(max(k, 1), dtype=np.int64)
    size = 0
    n = len(scores)
    for block_ in range(0, n, BLOCK):
        block = np.uint64(block_)
        end = np.uint64(min(block_ + BLOCK, n))
        least = heap_s[0] if size == k else SMALLEST  # kept scores are positive: heap_s[0] > 0
        if k > 0 and _live_count(scores, block, end, 0.0, least) > 0:
            for i in range(block, end):
                s = scores[i]
                if s > 0.0 and not _excluded(exclude, np.int64(i)):
                    size = _heap_offer(heap_s, heap_d, size, s, np.int64(i))
        if clear:
            for i in range(block, end):
                scores[i] = 0.0
    return _ranked(heap_s, heap_d, size)


LOOKAHEAD = 16  # look-ups whose cache lines are requested before the first of them is read


@numba.njit(cache=True, nogil=True, inline="always")
def _block(skip, lo, hi, d):
    """The part of [lo, hi) (unsigned) that holds document d if the list has it: a short range
    whole, else one block of SKIP postings found in the skip array (the part of it a query reads
    stays in the cache), or the few postings before the first block that starts inside the range."""
    size = np.uint64(SKIP)
    if hi - lo <= np.uint64(2) * size:
        return lo, hi
    first = (lo + size - np.uint64(1)) // size  # first block that starts inside [lo, hi)
    last = (hi - np.uint64(1)) // size
    if first > last or skip[first] > d:
        return lo, min(hi, first * size)
    # the last block start at or before d (skip[first] <= d), searched with selects, not branches:
    # which way each step goes is random, and a mispredicted step costs more than the compare
    a = first
    n = last - first + np.uint64(1)
    while n > np.uint64(1):
        half = n >> np.uint64(1)
        a = a + half if skip[a + half] <= d else a
        n -= half
    return a * size, min(hi, a * size + size)


@numba.njit(cache=True, nogil=True, inline="always")
def _request(lows, codes, a, b):
    """Ask for the cache lines of lows[a:b] and codes[a:b] (2-byte documents: 32 to a 64-byte
    line; uint16 codes: 32, uint32: 16)."""
    for q in range(a, b, np.uint64(32)):
        prefetch(lows, q)
    for q in range(a, b, np.uint64(64 // codes.itemsize)):
        prefetch(codes, q)


@numba.njit(cache=True, nogil=True, inline="always")
def _position(lows, a, b, low):
    """Where the offset `low` is in lows[a:b] (one range of one list; -1 if not there). The
    offsets below it are counted, not binary-searched: no branch to mispredict, and the count
    vectorises."""
    below = np.uint64(0)
    target = np.uint16(low)  # compared as 2-byte numbers, 32 to a vector register
    for q in range(a, b):
        below += np.uint64(lows[q] < target)
    p = a + below
    if p < b and lows[p] == target:
        return np.int64(p)
    return np.int64(-1)


@numba.njit(cache=True, nogil=True, inline="always")
def _locate(range_indptr, range_ids, range_starts, skip, bits, t, d):
    """The block of term t's list that holds document d if the list has it (empty if the list
    has no posting in d's range), and d's offset within its range."""
    low = np.int64(d) & ((np.int64(1) << bits) - 1)
    e = postings.entry(range_indptr, range_ids, t, np.int64(d) >> bits)
    if e < 0:
        return np.uint64(0), np.uint64(0), low
    a, b = _block(skip, np.uint64(range_starts[e]), np.uint64(range_starts[e + 1]), d)
    return a, b, low


@numba.njit(cache=True, nogil=True)
def _look_up(cand_d, cand_s, nc, lists, t, g, w):
    """cand_s[i] += w * g(its posting) for the candidates (in document order) that term t's list
    holds, LOOKAHEAD at a time: their blocks are found and requested, then read. The candidates'
    ranges only move forward in the list, and so does the search within one range."""
    lows, codes, bits = lists.lows, lists.codes, lists.bits  # once, outside the loops (postings.Lists)
    range_indptr, range_ids, range_starts, skip = lists.range_indptr, lists.range_ids, lists.range_starts, lists.skip
    mask = (np.int64(1) << bits) - 1
    e, e_end = range_indptr[t], range_indptr[t + 1]
    r = np.int64(-1)
    lo, hi = np.uint64(0), np.uint64(0)  # the part of range r's postings the next candidates can be in
    starts = np.empty(LOOKAHEAD, dtype=np.uint64)
    ends = np.empty(LOOKAHEAD, dtype=np.uint64)
    for i0 in range(0, nc, LOOKAHEAD):
        i1 = min(nc, i0 + LOOKAHEAD)
        for i in range(i0, i1):
            d = np.int64(cand_d[i])
            if d >> bits != r:
                r = d >> bits
                while e < e_end and range_ids[e] < r:
                    e += 1
                lo, hi = np.uint64(0), np.uint64(0)
                if e < e_end and range_ids[e] == r:
                    lo, hi = np.uint64(range_starts[e]), np.uint64(range_starts[e + 1])
            a, b = lo, lo
            if lo < hi:
                a, b = _block(skip, lo, hi, d)
                lo = a  # the later candidates are in this block or after it
            starts[i - i0] = a
            ends[i - i0] = b
            _request(lows, codes, a, b)
        for i in range(i0, i1):
            p = _position(lows, starts[i - i0], ends[i - i0], np.int64(cand_d[i]) & mask)
            if p >= 0:
                cand_s[i] += w * g[codes[p]]


@numba.njit(cache=True, nogil=True)
def _score_fully(part_s, lists, g, terms, weights, rem, done, pick_d, n_pick, full_s, full_d, n_full):
    """Raise the threshold early: the documents with the best partial scores after the first
    `done` terms (pick_d, with those scores in part_s) are scored in full by looking up every
    other term, and offered to the heap of fully scored documents, whose k-th best is then a
    score k documents surely reach, whatever the signs of the weights. A document stops being
    looked up once its score plus what the remaining terms can add (rem) cannot enter that heap.
    Returns the heap's new size."""
    lows, codes, bits = lists.lows, lists.codes, lists.bits  # once, outside the loops (postings.Lists)
    range_indptr, range_ids, range_starts = lists.range_indptr, lists.range_ids, lists.range_starts
    skip = lists.skip
    k = len(full_s)
    starts = np.empty(len(terms), dtype=np.uint64)
    ends = np.empty(len(terms), dtype=np.uint64)
    offsets = np.empty(len(terms), dtype=np.int64)
    for i in range(n_pick):
        d = pick_d[i]
        known = False
        for f in range(n_full):
            known = known or full_d[f] == d
        if known:
            continue
        s = part_s[i]
        # the blocks of the next LOOKAHEAD terms are requested ahead of reading them (_look_up)
        for j in range(done, min(len(terms), done + LOOKAHEAD)):
            starts[j], ends[j], offsets[j] = _locate(range_indptr, range_ids, range_starts, skip, bits, terms[j], d)
            _request(lows, codes, starts[j], ends[j])
        for j in range(done, len(terms)):
            if n_full == k and s + rem[j] < full_s[0]:
                s = -np.inf  # cannot be among the k best scored in full
                break
            ahead = j + LOOKAHEAD
            if ahead < len(terms):
                starts[ahead], ends[ahead], offsets[ahead] = _locate(range_indptr, range_ids, range_starts, skip,
                                                                     bits, terms[ahead], d)
                _request(lows, codes, starts[ahead], ends[ahead])
            p = _position(lows, starts[j], ends[j], offsets[j])
            if p >= 0:
                s += weights[j] * g[codes[p]]
        if s > -np.inf:
            n_full = _heap_offer(full_s, full_d, n_full, s, d)
    return n_full


@numba.njit(cache=True, nogil=True)
def _kth(heap_s, size, k):
    """The k-th best score in a heap of up to 2k (-inf if it holds fewer than k)."""
    if k == 0 or size < k:
        return -np.inf
    return np.sort(heap_s[:size])[size - k]


@numba.njit(cache=True, nogil=True, inline="always")
def _estimate_due(size, n_docs, since, scanned, estimates, k, most):
    """Score the best documents in full before a long list (one in 256 papers or more), once the
    postings scanned since the last time have doubled the total: early enough to stop scanning
    sooner, late enough that the rare terms have found the best documents (one in 64 was 2-3%
    slower at 1M-3M papers, one in 32 4% slower at 3M)."""
    return k > 0 and estimates < most and scanned > 0 and size >= n_docs // 256 and 2 * since >= scanned


@numba.njit(cache=True, nogil=True)
def _alive_estimate(acc, bound, bar):
    """About how many documents of the score vector could still reach the top k with `bound` more."""
    alive = 0
    for d in range(0, len(acc), SAMPLE_STRIDE):
        if not _dead(acc[d] + bound, bar):
            alive += 1
    return alive * SAMPLE_STRIDE


@numba.njit(cache=True, nogil=True)
def pruned_top_k(acc, lists, g, terms, weights, bounds, k, exclude, theta, stats):
    """The exact top k of one segment: (documents, scores), best first, ties by lower document.

    acc: an all-zero float64 vector of the segment's length (left all zero). lists: the segment's
    postings (postings.Lists). terms, weights and bounds are in processing order: positive weights
    by bound per posting, most first, then the negative ones (bound 0). exclude: sorted documents
    left out. theta: a score k documents elsewhere already reach (-inf if none). stats[0..3] receive postings scanned, candidates looked up, threshold
    estimates, and the term at which whole lists stopped being open (for benchmarks). Every
    document's score is summed in the order of `terms`."""
    n_terms = len(terms)
    n_docs = len(acc)
    indptr = lists.indptr
    rem = np.zeros(n_terms + 1)  # what the terms from j on can still add to one document
    for j in range(n_terms - 1, -1, -1):
        rem[j] = rem[j + 1] + bounds[j]
    negative = False
    for j in range(n_terms):
        negative = negative or weights[j] < 0
    scanned = 0
    estimates = 0
    most = 1 if n_terms > LONG_QUERY else MAX_ESTIMATES
    full_s = np.empty(max(k, 1), dtype=np.float64)
    full_d = np.empty(max(k, 1), dtype=np.int64)
    n_full = 0
    # The 2k best partial scores: the k-th best of them is a threshold, and they are the
    # documents an estimate scores in full (more than k, as some were scored before).
    best_s = np.empty(max(2 * k, 1), dtype=np.float64)
    best_d = np.empty(max(2 * k, 1), dtype=np.int64)
    n_best = 0
    j = 0
    # 1. Open: any document may still reach the top k, so whole lists are scanned. Before a long
    # list, once the postings scanned since the last estimate have doubled the total, the
    # threshold is raised by scoring the best documents so far in full; the terms between two
    # such points are scanned together (_scan).
    since = 0
    while j < n_terms and not _dead(rem[j], _bar(theta)):
        end = j
        while end < n_terms and not _dead(rem[end], _bar(theta)):
            size = indptr[terms[end] + 1] - indptr[terms[end]]
            if end > j and _estimate_due(size, n_docs, since, scanned, estimates, k, most):
                break
            scanned += size
            since += size
            end += 1
        n_best = _scan(acc, lists, g, terms, weights, j, end, best_s, best_d, n_best, exclude)
        j = end
        if not negative:
            theta = max(theta, _kth(best_s, n_best, k))
        size = indptr[terms[j] + 1] - indptr[terms[j]] if j < n_terms else 0
        if j < n_terms and _estimate_due(size, n_docs, since, scanned, estimates, k, most):
            n_full = _score_fully(acc[best_d[:n_best]], lists, g, terms, weights, rem, j, best_d, n_best, full_s,
                                  full_d, n_full)
            if n_full == k:
                theta = max(theta, full_s[0])
            estimates += 1
            since = 0
    stats[3] = j
    # Before deciding which lists are still worth scanning, the best documents so far are scored
    # in full once more: the open phase is over, so this ends no pass, and the higher threshold
    # leaves fewer documents alive, so fewer lists are scanned (closed 6.1 -> 4.8 ms at 3M papers).
    # It costs up to n_best look-ups per remaining list: worth it when those lists are long (1.02-
    # 1.03x at 1M-3M papers, where they hold ~300-900 times that cost in postings; 0.98x at 100k, ~30).
    left = 0
    for t in terms[j:]:
        left += indptr[t + 1] - indptr[t]
    if k > 0 and j < n_terms and n_best > 0 and left >= FINAL_ESTIMATE_RATIO * n_best * (n_terms - j) * LOOKUP_COST:
        n_full = _score_fully(acc[best_d[:n_best]], lists, g, terms, weights, rem, j, best_d, n_best, full_s,
                              full_d, n_full)
        if n_full == k:
            theta = max(theta, full_s[0])
        estimates += 1
    # 2. Closed, while many documents are still in the running: scanning beats looking them up.
    # Lists that pass the test are scanned together (_scan), range by range as in the open phase:
    # one list at a time went through the whole score vector each time, which at 3M papers (24 MB)
    # comes from memory, not the L2 cache (grouped: 1.17x at 3M, 1.06x at 1M). A group grows while
    # each next list passes the test on the scores as they were before the group. Positive weights
    # only raise scores, so at the same threshold such a list passes it after the lists before it
    # too: the group holds no list that scanning one at a time would not have scanned.
    while j < n_terms:
        bar = _bar(theta)
        if weights[j] > 0:
            end = j
            while end < n_terms and weights[end] > 0:
                size = indptr[terms[end] + 1] - indptr[terms[end]]
                if _alive_estimate(acc, rem[end], bar) * LOOKUP_COST < size:
                    break
                scanned += size
                end += 1
            if end == j:
                break
            n_best = _scan(acc, lists, g, terms, weights, j, end, best_s, best_d, n_best, exclude)
            if not negative:
                theta = max(theta, _kth(best_s, n_best, k))
            j = end
        else:
            t = terms[j]
            lo, hi = indptr[t], indptr[t + 1]
            if _alive_estimate(acc, rem[j], bar) * LOOKUP_COST < hi - lo:
                break
            _add_list(acc, lists, g, t, weights[j])
            scanned += hi - lo
            j += 1
    stats[0] = scanned
    stats[2] = estimates
    # Few postings scanned (a search): collecting from their lists beats a pass over every score.
    sparse = scanned * SPARSE_RATIO < n_docs
    if j == n_terms:
        if sparse:
            return _top_k_from_lists(acc, lists, terms[:j], k, exclude)
        return top_k(acc, k, exclude, True)
    # 3. Candidates: the documents that can still reach the top k, with their partial scores.
    bar = _bar(theta)
    if sparse:
        cand_d, cand_s = _candidates_from_lists(acc, lists, terms[:j], scanned, rem[j], bar, exclude)
    else:
        cand_d, cand_s = _candidates(acc, rem[j], bar, exclude)
    nc = len(cand_d)
    looked_up = 0
    heap_s = np.empty(max(k, 1), dtype=np.float64)
    heap_d = np.empty(max(k, 1), dtype=np.int64)
    if k > 0 and j < n_terms and nc > 2 * k:
        # The candidates with the best partial scores are scored in full first (a few hundred
        # random look-ups): the k-th best full score is near the final one, so the candidates that
        # cannot reach it are dropped before the term-by-term look-ups below, which cost one
        # look-up per candidate and list.
        n_pick = 0
        for i in range(nc):
            n_pick = _heap_offer(best_s, best_d, n_pick, cand_s[i], cand_d[i])
        n_full = _score_fully(best_s[:n_pick], lists, g, terms, weights, rem, j, best_d, n_pick, full_s, full_d,
                              n_full)
        stats[2] = estimates + 1
        if n_full == k:
            theta = max(theta, full_s[0])
            bar = _bar(theta)
            kept = 0
            for i in range(nc):
                if not _dead(cand_s[i] + rem[j], bar):
                    cand_d[kept] = cand_d[i]
                    cand_s[kept] = cand_s[i]
                    kept += 1
            nc = kept
    while j < n_terms and nc > 0:
        t = terms[j]
        hi = indptr[t + 1]
        p = indptr[t]
        w = weights[j]
        looked_up += nc
        if hi - p <= MERGE_RATIO * nc:
            # Candidates are dense in this list: walk it alongside them. A binary search per
            # candidate mispredicts about half its branches; this loop streams the list.
            _walk_beside(cand_d, cand_s, nc, lists, t, g, w)
        else:
            _look_up(cand_d, cand_s, nc, lists, t, g, w)
        j += 1
        if not negative and k > 0:
            # partial scores only grow from here: the k-th best of them is reached for sure
            size = 0
            for i in range(nc):
                if size < k or cand_s[i] >= heap_s[0]:  # most fall here, without a call
                    size = _heap_offer(heap_s, heap_d, size, cand_s[i], cand_d[i])
            if size == k:
                theta = max(theta, heap_s[0])
        bar = _bar(theta)
        kept = 0
        for i in range(nc):
            if not _dead(cand_s[i] + rem[j], bar):
                cand_d[kept] = cand_d[i]
                cand_s[kept] = cand_s[i]
                kept += 1
        nc = kept
    stats[1] = looked_up
    size = 0
    for i in range(nc):
        if cand_s[i] > 0.0 and k > 0:
            size = _heap_offer(heap_s, heap_d, size, cand_s[i], cand_d[i])
    return _ranked(heap_s, heap_d, size)


@numba.njit(cache=True, nogil=True)
def _walk_beside(cand_d, cand_s, nc, lists, t, g, w):
    """cand_s[i] += w * g(its posting) for the candidates (in document order) that term t's list
    holds, walking the list's postings range by range beside them."""
    lows, codes, bits = lists.lows, lists.codes, lists.bits  # once, outside the loops (postings.Lists)
    range_indptr, range_ids, range_starts = lists.range_indptr, lists.range_ids, lists.range_starts
    e, e_end = range_indptr[t], range_indptr[t + 1]
    mask = (np.int64(1) << bits) - 1
    up, uhi = np.uint64(0), np.uint64(0)
    r = np.int64(-1)  # the range whose postings [up, uhi) hold
    for i in range(nc):
        d = np.int64(cand_d[i])
        dr = d >> bits
        if dr != r:
            while e < e_end and range_ids[e] < dr:
                e += 1
            if e == e_end:
                break
            r = dr
            if range_ids[e] == dr:
                up, uhi = np.uint64(range_starts[e]), np.uint64(range_starts[e + 1])
            else:
                up, uhi = np.uint64(0), np.uint64(0)  # the list has nothing in this range
        low = d & mask
        while up < uhi and np.int64(lows[up]) < low:
            up += np.uint64(1)
        if up < uhi and np.int64(lows[up]) == low:
            cand_s[i] += w * g[codes[up]]


@numba.njit(cache=True, nogil=True)
def _top_k_from_lists(acc, lists, terms, k, exclude):
    """top_k(acc, ...) when only the lists of `terms` touched acc: their postings are walked again
    instead of every score, and acc is cleared behind them."""
    lows, codes, bits = lists.lows, lists.codes, lists.bits  # once, outside the loops (postings.Lists)
    range_indptr, range_ids, range_starts = lists.range_indptr, lists.range_ids, lists.range_starts
    heap_s = np.empty(max(k, 1), dtype=np.float64)
    heap_d = np.empty(max(k, 1), dtype=np.int64)
    size = 0
    for t in terms:
        for e in range(range_indptr[t], range_indptr[t + 1]):
            base = np.uint64(np.int64(range_ids[e]) << bits)
            for p in range(np.uint64(range_starts[e]), np.uint64(range_starts[e + 1])):
                d = base + np.uint64(lows[p])
                s = acc[d]
                if s != 0.0:
                    acc[d] = 0.0
                    if s > 0.0 and k > 0 and not _excluded(exclude, np.int64(d)):
                        size = _heap_offer(heap_s, heap_d, size, s, np.int64(d))
    return _ranked(heap_s, heap_d, size)


@numba.njit(cache=True, nogil=True)
def _candidates_from_lists(acc, lists, terms, scanned, bound, bar, exclude):
    """_candidates when only the lists of `terms` (`scanned` postings) touched acc; the candidates
    are put in document order afterwards."""
    lows, codes, bits = lists.lows, lists.codes, lists.bits  # once, outside the loops (postings.Lists)
    range_indptr, range_ids, range_starts = lists.range_indptr, lists.range_ids, lists.range_starts
    found_d = np.empty(scanned, dtype=np.int64)
    found_s = np.empty(scanned, dtype=np.float64)
    nc = 0
    for t in terms:
        for e in range(range_indptr[t], range_indptr[t + 1]):
            base = np.uint64(np.int64(range_ids[e]) << bits)
            for p in range(np.uint64(range_starts[e]), np.uint64(range_starts[e + 1])):
                d = base + np.uint64(lows[p])
                s = acc[d]
                if s != 0.0:
                    acc[d] = 0.0  # seen: later postings of the document find 0
                    if not _dead(s + bound, bar) and not _excluded(exclude, np.int64(d)):
                        found_d[nc] = d
                        found_s[nc] = s
                        nc += 1
    order = np.argsort(found_d[:nc])
    return found_d[order], found_s[order]


@numba.njit(cache=True, nogil=True, inline="always")
def _live_count(acc, lo, hi, bound, least):
    """How many of acc[lo:hi] plus `bound` reach `least`. A count with one compare per score is
    what the CPU vectorises (numba's max over floats is not: a block's max cost 0.55 ns a score
    against 0.12 for this count), so blocks without a candidate are passed over at memory speed."""
    live = 0
    for i in range(lo, hi):
        if acc[i] + bound >= least:
            live += 1
    return live


@numba.njit(cache=True, nogil=True)
def _candidates(acc, bound, bar, exclude):
    """The documents whose score plus `bound` can still reach the top k, with their scores, in
    document order; clears acc. Called once no untouched document can reach the top k (so a zero
    score is dead too). One pass that reads, clears and tests each score: by then a few percent of
    the documents are candidates, so the branch is nearly always predicted. The arrays are
    allocated at full length but only the pages written become memory."""
    n_docs = len(acc)
    cand_d = np.empty(n_docs + 1, dtype=np.int64)
    cand_s = np.empty(n_docs + 1, dtype=np.float64)
    nc = 0
    n = np.uint64(n_docs)
    least = max(bar, SMALLEST)  # not _dead(v, bar) is v >= least
    for lo in range(np.uint64(0), n, np.uint64(BLOCK)):
        hi = min(lo + np.uint64(BLOCK), n)
        if _live_count(acc, lo, hi, bound, least) > 0:
            for i in range(lo, hi):
                s = acc[i]
                if not _dead(s + bound, bar):
                    cand_d[nc] = i
                    cand_s[nc] = s
                    nc += 1
        for i in range(lo, hi):
            acc[i] = 0.0
    kept = 0
    for i in range(nc):
        if not _excluded(exclude, cand_d[i]):
            cand_d[kept] = cand_d[i]
            cand_s[kept] = cand_s[i]
            kept += 1
    return cand_d[:kept], cand_s[:kept]
