"""Snapshots: an index and its papers as a folder of plain arrays, memory-mapped back.

Worker processes that load the same snapshot share its pages through the OS page cache, so four
workers over a million papers hold about one copy. A snapshot is written to a temporary folder
(snapshot_build streams papers into one) and renamed into place, so a reader never sees half of one.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from .index import Index, PairTable, Segment, Vocabulary, term_hash
from .tokenizer import TOKENIZER_VERSION
from .vectors import MappedVectors

# 2: per-term bound pairs (bound_indptr, bound_codes) for pruned top-k; 3: skip_docs (every
# top_k.SKIP-th document) for look-ups; 4: the papers' vectors (vectors, vector_doc_rows and
# meta's "vectors") when the semantic signal was on; 5: 2-byte documents (lows, range_indptr,
# range_ids, range_starts; meta's "range_bits") in place of docs. A snapshot of another format is
# not loaded by latest(): the server builds a new one.
FORMAT = 5
PAPER_ARRAYS = ("paper_blob", "paper_offsets", "paper_id_hashes", "paper_id_docs")  # the rest is the index


class PaperTable:
    """Document number -> the paper's JSON (id, title, abstract, authors, ...), and id -> number.

    The main part lives in the snapshot (a byte blob with offsets); papers added since are held
    in memory. Results and related-by-id queries read papers here, so they keep answering while
    Redis is unreachable. `vectors` are the main part's papers' vectors, when the snapshot holds them."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray, id_hashes: np.ndarray, id_docs: np.ndarray,
                 extra: list[str] | None = None, vectors: MappedVectors | None = None):
        self.blob, self.offsets = blob, offsets
        self.id_hashes, self.id_docs = id_hashes, id_docs
        self.extra = extra or []
        self.vectors = vectors
        self._extra_ids = {json.loads(raw)["id"]: len(offsets) - 1 + i for i, raw in enumerate(self.extra)}

    @classmethod
    def from_json(cls, records: list[str]) -> "PaperTable":
        encoded = [r.encode() for r in records]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        blob = np.frombuffer(b"".join(encoded), dtype=np.uint8) if encoded else np.empty(0, np.uint8)
        hashes = np.array([term_hash(json.loads(r)["id"]) for r in records], dtype=np.uint64)
        order = np.argsort(hashes, kind="stable")
        return cls(blob, offsets, hashes[order], order.astype(np.int64))

    def __len__(self) -> int:
        return len(self.offsets) - 1 + len(self.extra)

    def with_extra(self, records: list[str]) -> "PaperTable":
        return PaperTable(self.blob, self.offsets, self.id_hashes, self.id_docs, self.extra + records, self.vectors)

    def raw(self, doc: int) -> str:
        main = len(self.offsets) - 1
        if doc >= main:
            return self.extra[doc - main]
        return bytes(self.blob[self.offsets[doc] : self.offsets[doc + 1]]).decode()

    def paper(self, doc: int) -> dict:
        return json.loads(self.raw(doc))

    def doc_of(self, paper_id: str) -> int:
        """The document number of a paper id, or -1."""
        if paper_id in self._extra_ids:
            return self._extra_ids[paper_id]
        h = np.uint64(term_hash(paper_id))
        pos = int(np.searchsorted(self.id_hashes, h))
        while pos < len(self.id_hashes) and self.id_hashes[pos] == h:
            doc = int(self.id_docs[pos])
            if json.loads(self.raw(doc))["id"] == paper_id:
                return doc
            pos += 1
        return -1


def temporary_folder(folder: Path) -> Path:
    """A fresh folder beside the snapshots to write one into."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".tmp-{os.getpid()}-{time.monotonic_ns()}"
    tmp.mkdir()
    return tmp


def publish(tmp: Path, folder: Path, meta: dict) -> Path:
    """Give a fully written snapshot in `tmp` its name, folder/v<corpus version>-<log position>, and
    -<how far its vectors reach> when it holds them (a rebuild of the same papers with more vectors is
    a newer snapshot), in one rename (readers never see half of one); returns that path."""
    final = folder / f"v{meta['corpus_version']:010d}-{meta['log_position']}"
    if "vectors" in meta:
        final = final.with_name(f"{final.name}-{meta['vectors']['covered']:010d}")
    meta = {"format": FORMAT, **meta, "created": time.time()}
    (tmp / "meta.json").write_text(json.dumps(meta, indent=1))
    if final.exists() and not _current(final):
        # one of an older format (or tokenizer) under the same name: set aside, so the new one takes
        # the name; a process still mapping the old files keeps reading them until it lets go
        old = temporary_folder(folder)
        os.rename(final, old / final.name)
        shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        shutil.rmtree(tmp)  # another process wrote the same version first
    else:
        os.rename(tmp, final)
    return final


def _current(path: Path) -> bool:
    """Whether the snapshot at `path` is complete and of this format and tokenizer."""
    try:
        meta = json.loads((path / "meta.json").read_text())
    except (OSError, ValueError):
        return False
    return meta.get("format") == FORMAT and meta.get("tokenizer") == TOKENIZER_VERSION


def load(path: Path) -> tuple[Index, PaperTable]:
    meta = json.loads((path / "meta.json").read_text())
    a = {p.stem: np.load(p, mmap_mode="r") for p in path.glob("*.npy")}
    n_docs = meta["n_docs"]
    segments = [Segment(0, n_docs, a["indptr"], a["lows"], a["codes"], a["range_indptr"], a["range_ids"],
                        a["range_starts"], a["skip_docs"], a["bound_indptr"], a["bound_codes"],
                        meta["range_bits"])] if n_docs else []
    index = Index(
        Vocabulary(np.asarray(a["vocab_hashes"])),
        segments,
        a["doc_len"],
        PairTable(np.asarray(a["pair_tf"]), np.asarray(a["pair_dl"])),
        corpus_version=meta["corpus_version"],
        log_position=meta["log_position"],
        tokenizer=meta["tokenizer"],
    )
    vectors = None
    if "vectors" in meta:
        about = meta["vectors"]
        vectors = MappedVectors(about["model"], about["dim"], about["covered"],
                                a["vectors"].reshape(about["rows"], about["dim"]), a["vector_doc_rows"],
                                a["paper_id_hashes"], a["paper_id_docs"])
    papers = PaperTable(a["paper_blob"], a["paper_offsets"], a["paper_id_hashes"], a["paper_id_docs"],
                        vectors=vectors)
    return index, papers


def vectors_covered(path: Path) -> int:
    """How far the vector log reaches in the snapshot at `path` (-1: it holds no vectors)."""
    return json.loads((path / "meta.json").read_text()).get("vectors", {}).get("covered", -1)


def latest(folder: Path) -> Path | None:
    """The newest complete snapshot made with the current tokenizer and format, if any."""
    if not folder.exists():
        return None
    for path in sorted((p for p in folder.iterdir() if p.name.startswith("v")), reverse=True):
        if _current(path):
            return path
    return None


def prune(folder: Path, keep: int = 2) -> None:
    """Drop all but the newest `keep` snapshots. Processes still mapping an old one keep reading it:
    unlinked files live on until unmapped."""
    snaps = sorted((p for p in folder.iterdir() if p.name.startswith("v")), reverse=True)
    for old in snaps[keep:]:
        shutil.rmtree(old, ignore_errors=True)
