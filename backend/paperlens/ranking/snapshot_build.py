"""Building an index snapshot from a stream of papers in bounded memory.

Papers are read in chunks. Each chunk is tokenized (by worker processes, while this process works
on the previous chunk), turned into term-major postings and written to temporary files, so only
one chunk of texts and postings is in memory at a time. The chunks are then merged a range of
terms at a time into the snapshot's arrays, which are written piece by piece. What stays in memory
is the vocabulary, the (tf, dl) pair table, and a few numbers per paper: at a million papers about
a tenth of what holding every text and posting took. The result is the same snapshot, array for
array, as building the index in memory and saving it.

Given a VectorSource (the semantic signal is on), the papers' vectors are written with it: int8
rows in document order for the papers that have one, read a tokenizer batch at a time, and each
document's row (ranking/vectors.py maps them back).
"""

from __future__ import annotations

import shutil
import struct
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path

import numba
import numpy as np

from . import bm25, postings, snapshot, top_k
from .index import TOKENIZE_BATCH, PairTable, TermNumbering, term_hash, tokenized_batches
from .tokenizer import TOKENIZER_VERSION
from .vectors import VectorSource

CHUNK_DOCS = 50_000  # papers per chunk of postings written to a temporary file
MERGE_POSTINGS = 8_000_000  # postings merged (and held) at a time


class NpyStream:
    """A .npy file written in pieces along its first axis (rows of `row` shape, () for a plain
    array); the header gets the final length on close."""

    HEADER = 128

    def __init__(self, path: Path, dtype, row: tuple[int, ...] = ()) -> None:
        self.path = path
        self.dtype = np.dtype(dtype)
        self.row = tuple(row)
        self.length = 0
        self._file = open(path, "wb")
        self._file.write(b"\0" * self.HEADER)

    def write(self, array) -> None:
        array = np.ascontiguousarray(array, dtype=self.dtype).reshape((-1, *self.row))
        self._file.write(memoryview(array).cast("B"))
        self.length += len(array)

    def close(self) -> None:
        header = repr({"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False,
                       "shape": (self.length, *self.row)}).encode("latin1")
        size = self.HEADER - 10  # magic (6) + version (2) + header length (2)
        self._file.seek(0)
        self._file.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", size) + header.ljust(size - 1) + b"\n")
        self._file.close()


def build(folder: Path, papers: Iterable[tuple[str, str, str]], *, corpus_version: int, log_position: int,
          workers: int = 1, chunk_docs: int = CHUNK_DOCS, vectors: VectorSource | None = None) -> Path:
    """Index `papers`, (paper id, record JSON, indexed text) in document order, into a new snapshot
    under `folder` with `workers` tokenizer processes, with their `vectors` if given; returns its
    path (see snapshot.publish)."""
    tmp = snapshot.temporary_folder(folder)
    try:
        # Read before any vector: every entry the filler had passed then has its vector stored. The
        # snapshot's papers end at log_position, so entries past it are not its to cover.
        covered = min(vectors.position(), log_position) if vectors is not None else 0
        writer = _Writer(tmp, vectors)
        for _, part in tokenized_batches(_batches(writer, papers), workers):
            writer.add_tokens(part, chunk_docs)
        writer.finish()
        meta = {"tokenizer": TOKENIZER_VERSION, "corpus_version": corpus_version, "log_position": log_position,
                "n_docs": writer.n_docs, "range_bits": postings.RANGE_BITS}
        if vectors is not None:
            meta["vectors"] = {"model": vectors.model, "dim": vectors.dim, "rows": writer.vector_rows.length,
                               "covered": covered}
        return snapshot.publish(tmp, folder, meta)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _batches(writer: "_Writer", papers) -> Iterator[tuple[None, list[str]]]:
    """Texts in batches for the tokenizer; each paper's record is written as it is read."""
    texts: list[str] = []
    ids: list[str] = []
    for paper_id, record, text in papers:
        writer.add_paper(paper_id, record)
        texts.append(text)
        ids.append(paper_id)
        if len(texts) == TOKENIZE_BATCH:
            writer.add_vectors(ids)
            yield None, texts
            texts, ids = [], []
    if texts:
        writer.add_vectors(ids)
        yield None, texts


class _Writer:
    def __init__(self, folder: Path, vectors: VectorSource | None = None) -> None:
        self.folder = folder
        self.vectors = vectors
        if vectors is not None:
            self.vector_rows = NpyStream(folder / "vectors.npy", np.int8, (vectors.dim,))
            self.doc_rows = array("i")
        self.numbering = TermNumbering()
        self.pairs = PairTable()
        self.blob = NpyStream(folder / "paper_blob.npy", np.uint8)
        self.paper_ends = array("q")
        self.paper_hashes = array("Q")
        self.doc_len_parts: list[np.ndarray] = []
        self.n_docs = 0
        self.chunks: list[tuple[int, int]] = []  # per chunk file: (terms it covers, postings)
        self.df = np.zeros(0, np.int64)
        self._pending_ids: list[np.ndarray] = []
        self._pending_len: list[np.ndarray] = []
        self._pending_docs = 0

    # -- reading ------------------------------------------------------------------------------
    def add_paper(self, paper_id: str, record: str) -> None:
        self.blob.write(np.frombuffer(record.encode(), dtype=np.uint8))
        self.paper_ends.append(self.blob.length)
        self.paper_hashes.append(term_hash(paper_id))

    def add_vectors(self, ids: list[str]) -> None:
        """The vectors of the papers just added (in document order): a row each for those that have one."""
        if self.vectors is None:
            return
        found = self.vectors.get_many(ids)
        rows = [np.asarray(v, dtype=np.int8) for v in found if v is not None]
        next_row = self.vector_rows.length
        for vector in found:
            self.doc_rows.append(next_row if vector is not None else -1)
            next_row += vector is not None
        if rows:
            self.vector_rows.write(np.stack(rows))

    def add_tokens(self, part, chunk_docs: int) -> None:
        ids, lengths = self.numbering.renumber(part)
        self._pending_ids.append(ids)
        self._pending_len.append(lengths)
        self._pending_docs += len(lengths)
        if self._pending_docs >= chunk_docs:
            self._write_chunk()

    def _write_chunk(self) -> None:
        """Postings of the pending documents, term-major, to chunk files (docs, codes, indptr)."""
        if not self._pending_docs:
            return
        ids = np.concatenate(self._pending_ids)
        lengths = np.concatenate(self._pending_len)
        self._pending_ids, self._pending_len, self._pending_docs = [], [], 0
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        n_terms = len(self.numbering)
        indptr, docs, tfs, df = bm25.build_postings(ids, offsets, n_terms)
        del ids
        self.pairs, codes = self.pairs.encode(tfs, lengths[docs])
        docs += self.n_docs
        c = len(self.chunks)
        docs.tofile(self.folder / f"chunk{c}.docs")
        codes.astype(np.int32).tofile(self.folder / f"chunk{c}.codes")
        indptr.tofile(self.folder / f"chunk{c}.indptr")
        self.chunks.append((n_terms, len(docs)))
        grown = np.zeros(n_terms, np.int64)
        grown[: len(self.df)] = self.df
        self.df = grown + df
        self.doc_len_parts.append(lengths)
        self.n_docs += len(lengths)

    # -- writing the snapshot ------------------------------------------------------------------
    def finish(self) -> None:
        self._write_chunk()
        self.blob.close()
        n_terms = len(self.numbering)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(self.df, out=indptr[1:])
        code_dtype = np.uint16 if len(self.pairs.tf) <= 65536 else np.int32
        lows_out = NpyStream(self.folder / "lows.npy", np.uint16)
        range_ids_out = NpyStream(self.folder / "range_ids.npy", np.int32)
        range_starts_out = NpyStream(self.folder / "range_starts.npy", np.int64)
        range_indptr = np.zeros(n_terms + 1, dtype=np.int64)
        codes_out = NpyStream(self.folder / "codes.npy", code_dtype)
        bound_codes_out = NpyStream(self.folder / "bound_codes.npy", code_dtype)
        bound_indptr = np.zeros(n_terms + 1, dtype=np.int64)
        # every SKIP-th posting's document, taken as the postings go by (mapping the written file
        # back to read them would put all of it in this process's memory at once)
        skip_parts = []
        start = 0
        while start < n_terms:
            # terms [start, end): at least one, at most MERGE_POSTINGS postings beyond the first
            end = int(np.searchsorted(indptr, indptr[start] + MERGE_POSTINGS, side="right")) - 1
            end = min(max(end, start + 1), n_terms)
            docs, codes = self._merged(indptr, start, end)
            local = indptr[start : end + 1] - indptr[start]
            b_indptr, b_codes = top_k.bound_pairs(local, codes, self.pairs.tf, self.pairs.dl)
            bound_indptr[start + 1 : end + 1] = bound_indptr[start] + b_indptr[1:]
            skip_parts.append(docs[(-int(indptr[start])) % top_k.SKIP :: top_k.SKIP].copy())
            r_indptr, r_ids, r_starts = postings.range_table(local, docs, postings.RANGE_BITS, indptr[start])
            range_indptr[start + 1 : end + 1] = range_indptr[start] + r_indptr[1:]
            lows_out.write(postings.lows(docs, postings.RANGE_BITS))
            range_ids_out.write(r_ids)
            range_starts_out.write(r_starts)
            codes_out.write(codes)
            bound_codes_out.write(b_codes)
            start = end
        range_starts_out.write(np.array([indptr[-1]], dtype=np.int64))  # where the last entry ends
        for stream in (lows_out, codes_out, bound_codes_out, range_ids_out, range_starts_out):
            stream.close()
        np.save(self.folder / "skip_docs.npy", np.concatenate(skip_parts) if skip_parts else np.empty(0, np.int32))
        for c in range(len(self.chunks)):
            for kind in ("docs", "codes", "indptr"):
                (self.folder / f"chunk{c}.{kind}").unlink()
        offsets = np.zeros(len(self.paper_ends) + 1, dtype=np.int64)
        offsets[1:] = np.frombuffer(self.paper_ends, dtype=np.int64)
        hashes = np.frombuffer(self.paper_hashes, dtype=np.uint64)
        order = np.argsort(hashes, kind="stable")
        doc_len = np.concatenate(self.doc_len_parts) if self.doc_len_parts else np.empty(0, np.int32)
        arrays = {
            "vocab_hashes": np.fromiter(map(term_hash, self.numbering.terms), dtype=np.uint64, count=n_terms),
            "indptr": indptr,
            "bound_indptr": bound_indptr,
            "range_indptr": range_indptr,
            "doc_len": doc_len.astype(np.int32),
            "pair_tf": self.pairs.tf,
            "pair_dl": self.pairs.dl,
            "paper_offsets": offsets,
            "paper_id_hashes": hashes[order],
            "paper_id_docs": order.astype(np.int64),
        }
        if self.vectors is not None:
            self.vector_rows.close()
            arrays["vector_doc_rows"] = np.frombuffer(self.doc_rows, dtype=np.int32)
        for name, array in arrays.items():
            np.save(self.folder / f"{name}.npy", np.ascontiguousarray(array))

    def _merged(self, indptr: np.ndarray, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """Postings of terms [start, end), each term's rows from every chunk in chunk order (so in
        document order), read from the chunk files."""
        size = int(indptr[end] - indptr[start])
        docs = np.empty(size, dtype=np.int32)
        codes = np.empty(size, dtype=np.int32)
        fill = indptr[start:end] - indptr[start]
        for c, (n_terms, _) in enumerate(self.chunks):
            stop = min(end, n_terms)
            if start >= stop:
                continue
            rows = np.fromfile(self.folder / f"chunk{c}.indptr", dtype=np.int64, count=stop - start + 1,
                               offset=8 * start)
            first, count = int(rows[0]), int(rows[-1] - rows[0])
            chunk_docs = np.fromfile(self.folder / f"chunk{c}.docs", dtype=np.int32, count=count, offset=4 * first)
            chunk_codes = np.fromfile(self.folder / f"chunk{c}.codes", dtype=np.int32, count=count, offset=4 * first)
            _place_rows(docs, codes, fill, rows - first, chunk_docs, chunk_codes)
        return docs, codes.astype(np.uint16 if len(self.pairs.tf) <= 65536 else np.int32, copy=False)


@numba.njit(cache=True, nogil=True)
def _place_rows(docs, codes, fill, rows, chunk_docs, chunk_codes):
    """Append each term's row of one chunk at its term's fill position."""
    for r in range(len(rows) - 1):
        at = fill[r]
        for p in range(rows[r], rows[r + 1]):
            docs[at] = chunk_docs[p]
            codes[at] = chunk_codes[p]
            at += 1
        fill[r] = at
