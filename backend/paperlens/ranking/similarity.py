"""Similarity between two sets of texts under the corpus's statistics: each text a sparse vector over
the index's terms (tf-idf or BM25 weights), and one compiled kernel that scores every text of one set
against every text of the other. Texts need not be in the corpus; words it has never seen weigh 0.
"""

from __future__ import annotations

import threading
from array import array
from dataclasses import dataclass, field

import numba
import numpy as np

from . import bm25
from .index import Index
from .tokenizer import stem, words


@dataclass(frozen=True)
class Bags:
    """Term counts of texts, one row per text (CSR over `terms`, the distinct stems). The index's
    ids of the terms are looked up once per index (term_ids)."""

    terms: list[str]
    indptr: np.ndarray  # int64, len = texts + 1
    cols: np.ndarray  # int64 index into terms
    counts: np.ndarray  # float64
    lengths: np.ndarray  # float64: tokens per text, BM25's document length
    said: list[str] | None = None  # with spelled=True: every word of the texts, in order (casefolded)
    first: np.ndarray | None = None  # with spelled=True: per entry, where in `said` its term first occurs
    _ids: dict = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def spelling(self, entry: int) -> str:
        """How the text of an entry writes its term (the word's first occurrence in that text)."""
        return self.said[self.first[entry]] if self.said is not None else self.terms[self.cols[entry]]

    def term_ids(self, index: Index) -> tuple[np.ndarray, np.ndarray]:
        """The index's ids of `terms` (-1 where the corpus has none) and their idf (0 there)."""
        found = self._ids.get(id(index))
        if found is None or found[0] is not index:
            ids = index.vocab.lookup(self.terms)
            known = ids >= 0
            known[known] = index.df[ids[known]] > 0
            idf = np.zeros(len(ids))
            idf[known] = index.idf[ids[known]]
            found = (index, np.where(known, ids, -1), idf)
            self._ids.clear()  # one index at a time: a Bags never keeps an old index alive for long
            self._ids[id(index)] = found
        return found[1], found[2]


def bags(texts: list[str], spelled: bool = False) -> Bags:
    """The term counts of `texts` through the one tokenizer (tokenize() of each text); `spelled`
    also keeps how each text writes each of its terms (Bags.spelling), for showing matched words."""
    table = _words.current()
    numbers = array("i")
    offsets = array("q", [0])
    said: list[str] = []
    for text in texts:
        if text:
            written = words(text)
            numbers.extend(map(table.__getitem__, written))
            if spelled:
                said.extend(written)
        offsets.append(len(numbers))
    numbers = np.frombuffer(numbers, dtype=np.int32) if len(numbers) else np.empty(0, np.int32)
    row = np.repeat(np.arange(len(texts), dtype=np.int64), np.diff(np.frombuffer(offsets, dtype=np.int64)))
    kept = numbers >= 0
    position = np.flatnonzero(kept)
    row, numbers = row[kept], numbers[kept]
    used, cols = np.unique(numbers, return_inverse=True)
    width = max(len(used), 1)
    pairs, first, counts = np.unique(row * width + cols, return_index=True, return_counts=True)
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(pairs // width, minlength=len(texts)), out=indptr[1:])
    lengths = np.bincount(row, minlength=len(texts)).astype(np.float64)
    return Bags([table.stems[n] for n in used.tolist()], indptr, pairs % width, counts.astype(np.float64), lengths,
                said if spelled else None, position[first] if spelled else None)


class _WordTable(dict):
    """word -> a process-wide number of its token (-1 for a word the tokenizer drops), so a batch of
    texts becomes numbers in one C-level map() with no Python code for words seen before (token_ids
    numbers afresh for each batch, which costs a call per distinct word). Numbers only grow; a full
    table is replaced by an empty one, never changed, so a batch keeps using the table it started with."""

    LIMIT = 500_000

    def __init__(self) -> None:
        super().__init__()
        self.numbers: dict[str, int] = {}
        self.stems: list[str] = []
        self.lock = threading.Lock()

    def __missing__(self, word: str) -> int:
        token = stem(word)
        number = -1 if token is None else self.numbers.get(token)
        if number is None:
            with self.lock:
                number = self.numbers.setdefault(token, len(self.stems))
                if number == len(self.stems):
                    self.stems.append(token)
        self[word] = number
        return number


class _Words:
    def __init__(self) -> None:
        self.table = _WordTable()

    def current(self) -> _WordTable:
        if len(self.table) > _WordTable.LIMIT:
            self.table = _WordTable()
        return self.table


_words = _Words()


@dataclass(frozen=True)
class Vectors:
    """Texts as weighted vectors over the index's term ids, each row sorted by term id."""

    indptr: np.ndarray  # int64
    terms: np.ndarray  # int64 term ids of the index
    weights: np.ndarray  # float64
    source: np.ndarray  # int64: the Bags entry each entry comes from (Bags.spelling)

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def rows(self, chosen: np.ndarray) -> "Vectors":
        """The vectors of the rows `chosen`, in that order."""
        chosen = np.asarray(chosen, dtype=np.int64)
        sizes = self.indptr[chosen + 1] - self.indptr[chosen]
        indptr = np.zeros(len(chosen) + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        take = _ranges(self.indptr[chosen], sizes)
        return Vectors(indptr, self.terms[take], self.weights[take], self.source[take])


def tfidf(b: Bags, index: Index) -> Vectors:
    """(1 + ln tf) × idf, each row scaled to unit length: the cosine of two rows is their dot product."""
    ids, idf = b.term_ids(index)
    weights = (1.0 + np.log(np.maximum(b.counts, 1.0))) * idf[b.cols]
    vectors = _vectors(b, ids, weights)
    norms = np.sqrt(row_sums(vectors.weights ** 2, vectors.indptr))
    scale = np.repeat(np.where(norms > 0, 1.0 / np.where(norms > 0, norms, 1.0), 0.0), np.diff(vectors.indptr))
    return Vectors(vectors.indptr, vectors.terms, vectors.weights * scale, vectors.source)


def row_sums(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """The sum of each row's values (0 for an empty row)."""
    sums = np.add.reduceat(np.append(values, 0.0), indptr[:-1]) if len(indptr) > 1 else np.empty(0)
    return np.where(np.diff(indptr) > 0, sums, 0.0)


def bm25_documents(b: Bags, index: Index, avgdl: float | None = None) -> Vectors:
    """Each text as a BM25 document: saturation(tf, its length, the average length) per term, so a
    bm25_queries row scores against it exactly as the index would score it. The average is the
    corpus's unless given (texts of another kind, such as sentences, give their own)."""
    ids, _ = b.term_ids(index)
    lengths = np.repeat(b.lengths, np.diff(b.indptr))
    return _vectors(b, ids, bm25.saturation(b.counts, lengths, avgdl or index.avgdl or 1.0))


def bm25_queries(b: Bags, index: Index) -> Vectors:
    """Each text as a BM25 query: idf × the term's count in it (Index.query's weights)."""
    ids, idf = b.term_ids(index)
    return _vectors(b, ids, b.counts * idf[b.cols])


def _vectors(b: Bags, ids: np.ndarray, weights: np.ndarray) -> Vectors:
    terms = ids[b.cols]
    row = np.repeat(np.arange(len(b), dtype=np.int64), np.diff(b.indptr))
    kept = (terms >= 0) & (weights != 0)
    source = np.flatnonzero(kept)
    row, terms, weights = row[kept], terms[kept], weights[kept]
    order = np.argsort(row * (int(terms.max(initial=0)) + 1) + terms)  # by row, then term
    indptr = np.zeros(len(b) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=len(b)), out=indptr[1:])
    return Vectors(indptr, terms[order], weights[order], source[order])


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """start, start + 1, ..., start + size - 1 for each pair, concatenated."""
    ends = np.cumsum(sizes)
    return np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(starts - (ends - sizes), sizes)


@dataclass(frozen=True)
class Postings:
    """Vectors turned term-major, to score many texts against all of them at once."""

    terms: np.ndarray  # sorted distinct term ids
    indptr: np.ndarray  # into rows / weights, per term
    rows: np.ndarray  # int64 row of `of`
    weights: np.ndarray
    of: Vectors

    @classmethod
    def build(cls, vectors: Vectors) -> "Postings":
        row = np.repeat(np.arange(len(vectors), dtype=np.int64), np.diff(vectors.indptr))
        order = np.lexsort((row, vectors.terms))
        terms = vectors.terms[order]
        distinct, starts = np.unique(terms, return_index=True)
        indptr = np.append(starts, len(terms)).astype(np.int64)
        return cls(distinct, indptr, row[order], vectors.weights[order], vectors)


def pairwise(a: Vectors, b: Postings) -> np.ndarray:
    """The dot product of every row of `a` with every row of `b`: a (len(a), len(b.of)) matrix."""
    return _pairwise(a.indptr, a.terms, a.weights, b.terms, b.indptr, b.rows, b.weights, len(b.of))


def shared_parts(a: Vectors, b: Vectors, nearest: np.ndarray) -> np.ndarray:
    """Per entry of `a` (aligned with a.terms), its part of row i's dot products with the rows of
    `b` that nearest[i] names (-1: none), summed: how much each word of a text counts towards its
    similarity with those texts."""
    return _shared_parts(a.indptr, a.terms, a.weights, b.indptr, b.terms, b.weights, nearest)


@numba.njit(cache=True, nogil=True)
def _pairwise(a_indptr, a_terms, a_weights, b_terms, b_indptr, b_rows, b_weights, n_b):
    out = np.zeros((len(a_indptr) - 1, n_b))
    for i in range(len(a_indptr) - 1):
        for p in range(a_indptr[i], a_indptr[i + 1]):
            term = a_terms[p]
            j = np.searchsorted(b_terms, term)
            if j < len(b_terms) and b_terms[j] == term:
                w = a_weights[p]
                for q in range(b_indptr[j], b_indptr[j + 1]):
                    out[i, b_rows[q]] += w * b_weights[q]
    return out


@numba.njit(cache=True, nogil=True)
def _shared_parts(a_indptr, a_terms, a_weights, b_indptr, b_terms, b_weights, nearest):
    out = np.zeros(len(a_terms))
    for i in range(len(a_indptr) - 1):
        for j in nearest[i]:
            if j < 0:
                continue
            p, q = a_indptr[i], b_indptr[j]
            while p < a_indptr[i + 1] and q < b_indptr[j + 1]:
                if a_terms[p] < b_terms[q]:
                    p += 1
                elif a_terms[p] > b_terms[q]:
                    q += 1
                else:
                    out[p] += a_weights[p] * b_weights[q]
                    p += 1
                    q += 1
    return out
