"""The BM25 index over papers: a vocabulary, postings segments, and the corpus statistics.

An index is a large main segment (built once, saved as plain arrays and memory-mapped so worker
processes share one copy) plus a small delta segment of papers added since. Both are scored with
the statistics of the whole corpus, so results are exactly rank_bm25's over every indexed paper.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import signal
import threading
from collections import Counter, deque
from dataclasses import dataclass, field

import numba
import numpy as np

from . import bm25, postings, top_k
from .tokenizer import TOKENIZER_VERSION, token_ids


def term_hash(term: str) -> int:
    """A stable 64-bit hash: the saved vocabulary is these hashes, so no process has to hold a
    Python dict of a million strings."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class _HashMemo(dict):
    """term -> term_hash(term) for query terms, which repeat across queries (bounded)."""

    def __missing__(self, term: str) -> int:
        if len(self) > 500_000:
            self.clear()
        value = self[term] = term_hash(term)
        return value


_query_hashes = _HashMemo()


class Vocabulary:
    """Term hash -> term id. Ids are given in order of first appearance and never change, so a
    delta segment can add terms without renumbering the main segment."""

    def __init__(self, hashes: np.ndarray | None = None):
        self.hashes = np.asarray(hashes if hashes is not None else np.empty(0, np.uint64), dtype=np.uint64)
        self._order = np.argsort(self.hashes, kind="stable")
        self._sorted = self.hashes[self._order]
        self._extra: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.hashes) + len(self._extra)

    def lookup(self, terms: list[str]) -> np.ndarray:
        """Term ids for `terms`, -1 for terms never seen."""
        if not terms:
            return np.empty(0, dtype=np.int64)
        hs = np.fromiter(map(_query_hashes.__getitem__, terms), dtype=np.uint64, count=len(terms))
        pos = np.searchsorted(self._sorted, hs)
        pos_clipped = np.minimum(pos, max(len(self._sorted) - 1, 0))
        found = (pos < len(self._sorted)) & (self._sorted[pos_clipped] == hs) if len(self._sorted) else np.zeros(len(hs), bool)
        ids = np.where(found, self._order[pos_clipped] if len(self._sorted) else -1, -1).astype(np.int64)
        for i in np.flatnonzero(~found):
            ids[i] = self._extra.get(int(hs[i]), -1)
        return ids

    def extended(self, new_terms: list[str]) -> tuple["Vocabulary", np.ndarray]:
        """A copy that also knows `new_terms`; returns it and their ids."""
        ids = self.lookup(new_terms)
        vocab = Vocabulary.__new__(Vocabulary)
        vocab.hashes, vocab._order, vocab._sorted = self.hashes, self._order, self._sorted
        vocab._extra = dict(self._extra)
        for i in np.flatnonzero(ids < 0):
            h = term_hash(new_terms[i])
            if h not in vocab._extra:
                vocab._extra[h] = len(vocab)
            ids[i] = vocab._extra[h]
        return vocab, ids

    def all_hashes(self) -> np.ndarray:
        extra = sorted(self._extra.items(), key=lambda kv: kv[1])
        return np.concatenate([self.hashes, np.array([h for h, _ in extra], dtype=np.uint64)])


class _TermIds(dict):
    """term -> a new id on first sight; used with map() so the per-token work stays in C."""

    def __missing__(self, term: str) -> int:
        self[term] = len(self)
        return self[term]


@dataclass
class Segment:
    """Postings of documents doc_base .. doc_base + n_docs - 1, term-major (CSR), documents stored
    as 2-byte offsets within ranges of papers (postings.py)."""

    doc_base: int
    n_docs: int
    indptr: np.ndarray  # int64, per term id (may cover fewer terms than the vocabulary)
    lows: np.ndarray  # uint16, document number within the segment, less its range's first
    codes: np.ndarray  # uint16/int32, index into the (tf, dl) pair table
    range_indptr: np.ndarray  # int64, per term: its entries in range_ids and range_starts
    range_ids: np.ndarray  # int32, per entry: which range of 2**range_bits documents
    range_starts: np.ndarray  # int64, per entry (and one past the last): its first posting
    skip: np.ndarray  # top_k.skip_docs(documents): every SKIP-th document, for look-ups
    # Per term, the codes of the (tf, dl) pairs that bound its weight (top_k.bound_pairs), CSR.
    bound_indptr: np.ndarray | None = None
    bound_codes: np.ndarray | None = None
    range_bits: int = postings.RANGE_BITS

    def __post_init__(self) -> None:
        if self.bound_indptr is None:
            self.bound_indptr = np.zeros(1, np.int64)
            self.bound_codes = np.empty(0, self.codes.dtype)
        self.lists = postings.Lists(self.indptr, self.lows, self.codes, self.range_indptr, self.range_ids,
                                    self.range_starts, self.skip, self.range_bits)

    @classmethod
    def from_documents(cls, doc_base: int, n_docs: int, indptr, docs, codes, pairs: "PairTable | None" = None,
                       range_bits: int | None = None) -> "Segment":
        """A segment from CSR lists of full document numbers (int32), with bounds when `pairs` is
        given. The range size is read when the segment is made (tests shrink it)."""
        bits = postings.RANGE_BITS if range_bits is None else range_bits
        lows, range_indptr, range_ids, range_starts = postings.layout(indptr, docs, bits)
        bound_indptr = bound_codes = None
        if pairs is not None:
            bound_indptr, bound_codes = top_k.bound_pairs(indptr, codes, pairs.tf, pairs.dl)
        return cls(doc_base, n_docs, indptr, lows, codes, range_indptr, range_ids, range_starts,
                   top_k.skip_docs(np.asarray(docs)), bound_indptr, bound_codes, bits)

    def documents(self) -> np.ndarray:
        """Every posting's full document number (int32, a new array): for tools and tests."""
        return postings.documents(self.lists)

    @property
    def df(self) -> np.ndarray:
        return np.diff(self.indptr)


@dataclass
class PairTable:
    """The distinct (term frequency, document length) pairs seen; a posting stores a pair's code."""

    tf: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    dl: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))

    def encode(self, tfs: np.ndarray, dls: np.ndarray) -> tuple["PairTable", np.ndarray]:
        """Codes of the (tf, dl) pairs, new pairs appended in order of first appearance."""
        tfs, dls = np.asarray(tfs, dtype=np.int32), np.asarray(dls, dtype=np.int32)
        max_tf = max(int(tfs.max(initial=0)), int(self.tf.max(initial=0))) + 1
        max_dl = max(int(dls.max(initial=0)), int(self.dl.max(initial=0))) + 1
        if max_tf * max_dl <= 64_000_000:
            # Document lengths and frequencies are small: a dense (tf, dl) table beats hashing.
            codes, new_tf, new_dl = _encode_dense(tfs, dls, self.tf, self.dl, max_tf, max_dl)
        else:
            keys = (tfs.astype(np.int64) << 32) | dls.astype(np.int64)
            known = (self.tf.astype(np.int64) << 32) | self.dl.astype(np.int64)
            codes, new_keys = _encode_keys(keys, known)
            new_tf, new_dl = (new_keys >> 32).astype(np.int32), (new_keys & 0xFFFFFFFF).astype(np.int32)
        table = PairTable(tf=np.concatenate([self.tf, new_tf]), dl=np.concatenate([self.dl, new_dl]))
        dtype = np.uint16 if len(table.tf) <= 65536 else np.int32
        return table, codes.astype(dtype, copy=False)


@numba.njit(cache=True, nogil=True)
def _encode_dense(tfs, dls, known_tf, known_dl, max_tf, max_dl):
    table = np.full(max_tf * max_dl, -1, dtype=np.int32)
    for i in range(len(known_tf)):
        table[known_tf[i] * max_dl + known_dl[i]] = i
    n = len(known_tf)
    new_tf = np.empty(max(len(tfs), 1), dtype=np.int32)
    new_dl = np.empty(max(len(tfs), 1), dtype=np.int32)
    codes = np.empty(len(tfs), dtype=np.int32)
    fresh = 0
    for i in range(len(tfs)):
        key = tfs[i] * max_dl + dls[i]
        c = table[key]
        if c < 0:
            c = n + fresh
            table[key] = c
            new_tf[fresh] = tfs[i]
            new_dl[fresh] = dls[i]
            fresh += 1
        codes[i] = c
    return codes, new_tf[:fresh].copy(), new_dl[:fresh].copy()


@numba.njit(cache=True)
def _encode_keys(keys, known):
    table = dict()
    for i in range(len(known)):
        table[known[i]] = i
    codes = np.empty(len(keys), dtype=np.int32)
    new_keys = []
    for i in range(len(keys)):
        k = keys[i]
        c = table.get(k, -1)
        if c < 0:
            c = len(table)
            table[k] = c
            new_keys.append(k)
        codes[i] = c
    out = np.empty(len(new_keys), dtype=np.int64)
    for i in range(len(new_keys)):
        out[i] = new_keys[i]
    return codes, out


@dataclass
class Query:
    terms: list[str]  # distinct known stems of the query, in first-seen order
    term_ids: np.ndarray
    weights: np.ndarray  # idf(term) * count in query


@dataclass
class Index:
    vocab: Vocabulary
    segments: list[Segment]
    doc_len: np.ndarray  # int32 per document
    pairs: PairTable
    corpus_version: int = 0
    log_position: int = 0  # how many entries of the corpus log this index covers
    tokenizer: str = TOKENIZER_VERSION

    def __post_init__(self) -> None:
        self.n_docs = int(len(self.doc_len))
        self.avgdl = float(self.doc_len.sum()) / self.n_docs if self.n_docs else 0.0
        df = np.zeros(len(self.vocab), dtype=np.int64)
        for seg in self.segments:
            seg_df = seg.df
            df[: len(seg_df)] += seg_df
        self.df = df
        self.idf = bm25.idf_table(df, self.n_docs)
        self.g = bm25.g_table(self.pairs.tf, self.pairs.dl, self.avgdl)

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def build(cls, texts, *, corpus_version: int = 0, log_position: int = 0, workers: int | None = None) -> "Index":
        """An index with one segment over `texts` (an iterable of strings, one per document)."""
        return cls.empty(corpus_version=corpus_version).with_documents(
            texts, corpus_version=corpus_version, log_position=log_position, workers=workers
        )

    @classmethod
    def empty(cls, corpus_version: int = 0) -> "Index":
        return cls(Vocabulary(), [], np.empty(0, np.int32), PairTable(), corpus_version=corpus_version)

    def with_documents(self, texts, *, corpus_version: int, log_position: int, workers: int | None = None) -> "Index":
        """A new index that also holds `texts` as documents n_docs, n_docs + 1, ...

        The new documents go into the delta segment (rebuilt from the previous delta plus them),
        leaving the main segment untouched and shared. Large batches are tokenized by `workers`
        processes (default: one per core from PARALLEL_MIN_DOCS documents on)."""
        texts = texts if isinstance(texts, list) else list(texts)
        new_terms, doc_terms, new_len = _tokenized(texts, workers)
        vocab, global_ids = self.vocab.extended(new_terms)
        doc_terms = global_ids.astype(np.int32).take(doc_terms) if len(doc_terms) else np.empty(0, np.int32)
        doc_offsets = np.zeros(len(new_len) + 1, dtype=np.int64)
        np.cumsum(new_len, out=doc_offsets[1:])

        main, delta = self._split_segments()
        base = self.n_docs
        if delta is not None:
            # Rebuilding the delta from its postings plus the new documents is cheap because a
            # delta is small; the main segment is never rewritten here.
            delta_terms, delta_offsets = _segment_tokens(delta, self.pairs.tf)
            doc_terms = np.concatenate([delta_terms, doc_terms])
            doc_offsets = np.concatenate([delta_offsets, delta_offsets[-1] + doc_offsets[1:]])
            base = delta.doc_base
        indptr, docs, tfs, _ = bm25.build_postings(doc_terms, doc_offsets, len(vocab))
        del doc_terms
        doc_len = np.concatenate([self.doc_len, new_len])
        pairs, codes = self.pairs.encode(tfs, doc_len[base + docs])
        del tfs
        segment = Segment.from_documents(base, len(doc_offsets) - 1, indptr, docs, codes, pairs)
        kept = [main] if main is not None else []
        return Index(vocab, kept + [segment], doc_len, pairs, corpus_version, log_position)

    def _split_segments(self):
        if not self.segments:
            return None, None
        if len(self.segments) == 1:
            return self.segments[0], None
        return self.segments[0], self.segments[-1]

    # -- querying ---------------------------------------------------------------------------
    def query(self, tokens: list[str]) -> Query:
        counts = Counter(tokens)
        terms = list(counts)
        ids = self.vocab.lookup(terms)
        known = ids >= 0
        terms = [t for t, k in zip(terms, known) if k]
        ids = ids[known]
        weights = self.idf[ids] * np.array([counts[t] for t in terms], dtype=np.float64)
        return Query(terms, ids, weights)

    def scores(self, query: Query) -> np.ndarray:
        """The BM25 score of every document for the query (float64, length n_docs): for a caller that
        needs the scores of a given set of papers rather than the best k (the digest narrows its
        window of new papers with it)."""
        scores = np.zeros(self.n_docs, dtype=np.float64)
        for seg in self.segments:
            bm25.accumulate(scores, seg.doc_base, seg.lists, query.term_ids, query.weights, self.g)
        return scores

    def rank(self, query: Query, k: int, exclude=(), stats: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Documents and scores of the k best-scoring documents (score > 0), best first, ties to the
        lower document number: the top-k entry behind search, related papers, recommendations and
        the closeness scale (`scores` gives every document's score instead). `exclude` is a
        document number or a collection of them (-1 and numbers outside the index are ignored);
        excluded documents are never returned.

        The main segment is searched with MaxScore pruning (top_k.pruned_top_k), which returns
        the exhaustive top k; the small delta segment is scored in full, adding the terms in the
        order the main search summed them, so equal papers in either segment get equal scores and
        the tie goes to the lower number. `stats`, if given (up to 4 integers), receives what the
        main segment's search read: postings scanned, candidates looked up, threshold estimates,
        and how many terms it scanned whole before closing (see pruned_top_k)."""
        if self.n_docs == 0 or len(query.term_ids) == 0 or k <= 0:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        excluded = _documents(exclude)
        counters = np.zeros(4, np.int64)
        scores = _score_buffer(self.n_docs)
        main = self.segments[0]
        terms, weights, bounds = self._plan(main, query)
        docs, best = top_k.pruned_top_k(
            scores[: main.n_docs], main.lists, self.g, terms, weights, bounds, k, excluded[excluded < main.n_docs],
            -np.inf, counters,
        )
        if stats is not None:
            stats[: len(counters)] = counters[: len(stats)]
        if len(self.segments) > 1:
            # the main search's summing order, then the terms only the delta holds
            rest = ~np.isin(query.term_ids, terms)
            terms = np.concatenate([terms, query.term_ids[rest]])
            weights = np.concatenate([weights, query.weights[rest]])
            found_docs, found_scores = [docs], [best]
            for seg in self.segments[1:]:
                part = scores[seg.doc_base : seg.doc_base + seg.n_docs]
                bm25.accumulate(part, 0, seg.lists, terms, weights, self.g)
                local = excluded[(excluded >= seg.doc_base) & (excluded < seg.doc_base + seg.n_docs)] - seg.doc_base
                seg_docs, seg_best = top_k.top_k(part, k, local, True)
                found_docs.append(seg_docs + seg.doc_base)
                found_scores.append(seg_best)
            docs, best = np.concatenate(found_docs), np.concatenate(found_scores)
            ranked = np.lexsort((docs, -best))[:k]
            docs, best = docs[ranked], best[ranked]
        _buffers.dirty = False
        return docs, best

    def _plan(self, seg: Segment, query: Query) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The query's terms that `seg` holds, in the order pruned_top_k scans them (most bound per
        posting first, negative weights last), with their weights and bounds."""
        ids, weights = query.term_ids, query.weights
        held = (ids < len(seg.indptr) - 1) & (weights != 0)
        ids, weights = ids[held], weights[held]
        df = np.asarray(seg.indptr[ids + 1] - seg.indptr[ids])
        ids, weights, df = ids[df > 0], weights[df > 0], df[df > 0]
        bounds = top_k.term_bounds(ids, weights, seg.bound_indptr, seg.bound_codes, self.g)
        order = np.lexsort((-bounds / df, weights <= 0))
        return ids[order], weights[order], bounds[order]

    def contributions(self, query: Query, doc: int) -> np.ndarray:
        """Each query term's share of `doc`'s score."""
        for seg in self.segments:
            if seg.doc_base <= doc < seg.doc_base + seg.n_docs:
                return bm25.contributions(doc - seg.doc_base, seg.lists, query.term_ids, query.weights, self.g)
        return np.zeros(len(query.term_ids))


def _documents(exclude) -> np.ndarray:
    """Document numbers to leave out, sorted and unique: one number or any collection of them."""
    if isinstance(exclude, (int, np.integer)):
        values = np.array([exclude], dtype=np.int64)
    else:
        values = np.fromiter(exclude, dtype=np.int64)
    values = np.unique(values)
    return values[values >= 0]


# Below this many documents one process tokenizes: starting workers costs more than it saves.
PARALLEL_MIN_DOCS = 20_000
TOKENIZE_BATCH = 5_000  # documents per task sent to a tokenizer worker


def _default_signals() -> None:
    """In a tokenizer worker: the default SIGTERM/SIGINT handling, not the forking server's."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def default_workers(n_texts: int) -> int:
    return len(os.sched_getaffinity(0)) if n_texts >= PARALLEL_MIN_DOCS else 1


def tokenized_batches(batches, workers: int):
    """token_ids() of each batch's texts, in order: yields (payload, part) for each (payload,
    texts) in `batches`. With workers > 1, forked processes tokenize while the caller works on
    earlier parts; at most two batches per worker are in flight, so a stream of papers is never
    read far ahead into memory."""
    if workers <= 1:
        for payload, texts in batches:
            yield payload, token_ids(texts)
        return
    # A fold runs inside a gunicorn worker: children drop its signal handlers, and leave by
    # close() + join() (a normal exit) rather than being sent SIGTERM.
    pool = mp.get_context("fork").Pool(workers, initializer=_default_signals)
    pending: deque = deque()
    try:
        for payload, texts in batches:
            pending.append((payload, pool.apply_async(token_ids, (texts,))))
            if len(pending) >= 2 * workers:
                payload, result = pending.popleft()
                yield payload, result.get()
        while pending:
            payload, result = pending.popleft()
            yield payload, result.get()
    finally:
        pool.close()
        pool.join()


class TermNumbering:
    """Term ids in order of first appearance across parts of tokenizer output (token_ids()), and
    each part's tokens renumbered to them with its documents' lengths."""

    def __init__(self) -> None:
        self._ids = _TermIds()

    @property
    def terms(self) -> list[str]:
        return list(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def renumber(self, part) -> tuple[np.ndarray, np.ndarray]:
        """(int32 term ids of the part's kept tokens, int32 tokens per document)."""
        local_terms, ids, offsets = part
        to_global = np.fromiter(map(self._ids.__getitem__, local_terms), dtype=np.int32, count=len(local_terms))
        ids = np.frombuffer(ids, dtype=np.int32) if len(ids) else np.empty(0, np.int32)
        offsets = np.frombuffer(offsets, dtype=np.int64)
        keep = ids >= 0
        kept_before = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(keep, out=kept_before[1:])
        return to_global.take(ids[keep]), np.diff(kept_before[offsets]).astype(np.int32)


def _tokenized(texts: list[str], workers: int | None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Token ids of `texts`: (terms in first-seen order, int32 ids of all tokens, int32 tokens per
    document). Python's per-word work is one dict look-up."""
    workers = default_workers(len(texts)) if workers is None else workers
    numbering = TermNumbering()
    kept_parts, length_parts = [], []
    batches = ((None, texts[i : i + TOKENIZE_BATCH]) for i in range(0, max(len(texts), 1), TOKENIZE_BATCH))
    for _, part in tokenized_batches(batches, workers if len(texts) >= 2 * workers else 1):
        kept, lengths = numbering.renumber(part)
        kept_parts.append(kept)
        length_parts.append(lengths)
    flat = np.concatenate(kept_parts) if kept_parts else np.empty(0, np.int32)
    lengths = np.concatenate(length_parts) if length_parts else np.empty(0, np.int32)
    return numbering.terms, flat, lengths


_buffers = threading.local()


def _score_buffer(n_docs: int) -> np.ndarray:
    """A zeroed float64 vector of n_docs for this thread, reused across queries: a fresh 8 MB array
    per query at a million papers costs page faults on every first touch. The top-k kernels leave
    it all zero, so it is only cleared here when a query did not finish (the caller marks it clean).
    Each server thread has its own, so concurrent queries never share one."""
    buffer = getattr(_buffers, "scores", None)
    if buffer is None or len(buffer) != n_docs:
        buffer = np.zeros(n_docs, dtype=np.float64)
        _buffers.scores = buffer
    elif getattr(_buffers, "dirty", False):
        buffer.fill(0.0)
    _buffers.dirty = True
    return buffer


@numba.njit(cache=True)
def _segment_tokens_kernel(indptr, docs, codes, pair_tf, n_docs):
    """Turn postings (full documents) back into per-document term lists (each term repeated tf
    times)."""
    lengths = np.zeros(n_docs + 1, dtype=np.int64)
    for t in range(len(indptr) - 1):
        for p in range(indptr[t], indptr[t + 1]):
            lengths[docs[p] + 1] += pair_tf[codes[p]]
    offsets = np.cumsum(lengths)
    fill = offsets[:-1].copy()
    out = np.empty(offsets[-1], dtype=np.int64)
    for t in range(len(indptr) - 1):
        for p in range(indptr[t], indptr[t + 1]):
            d = docs[p]
            for _ in range(pair_tf[codes[p]]):
                out[fill[d]] = t
                fill[d] += 1
    return out, offsets


def _segment_tokens(segment: Segment, pair_tf: np.ndarray):
    return _segment_tokens_kernel(segment.indptr, segment.documents(), segment.codes, pair_tf, segment.n_docs)
