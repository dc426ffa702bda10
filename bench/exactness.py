"""How far each engine's scores and top 10s are from rank-bm25's on the same tokens."""

from __future__ import annotations

import numpy as np

from . import corpora, engines


def max_relative_difference(ours: np.ndarray, reference: np.ndarray) -> float:
    """max |ours - ref| / |ref| over documents the reference scores (nonzero); a document the
    reference scores 0 but we do not counts as a relative difference of 1."""
    ours, reference = np.asarray(ours, np.float64), np.asarray(reference, np.float64)
    nonzero = reference != 0
    rel = np.abs(ours[nonzero] - reference[nonzero]) / np.abs(reference[nonzero])
    worst = float(rel.max()) if rel.size else 0.0
    if np.any(ours[~nonzero] != 0):
        worst = max(worst, 1.0)
    return worst


def top10_agreement(ours: list[dict], reference: list[dict]) -> dict:
    """Mean share of the reference top 10 found in ours, and how many lists are identical.
    Lists that differ only inside a run of exactly tied scores count as identical."""
    overlaps, identical = [], 0
    for a, b in zip(ours, reference):
        overlaps.append(len(set(a["docs"]) & set(b["docs"])) / max(len(b["docs"]), 1))
        same = a["docs"] == b["docs"] or (
            len(a["docs"]) == len(b["docs"]) and np.allclose(a["scores"], b["scores"], rtol=1e-9)
            and sorted(a["docs"]) == sorted(b["docs"]))
        identical += bool(same)
    return {"queries": len(overlaps), "mean_overlap": float(np.mean(overlaps)) if overlaps else None,
            "identical_lists": identical}


def compare_all(serve: list[dict]) -> list[dict]:
    by = {(r["engine"], r["n"]): r for r in serve}
    rows = []
    for (engine, n), res in sorted(by.items()):
        ref = by.get(("rank_bm25", n))
        if ref is None or engine == "rank_bm25":
            continue
        row = {"engine": engine, "n": n}
        for kind in ("long", "short"):
            if kind in ref and kind in res:
                m = len(ref[kind]["tops"])
                row[kind] = top10_agreement(res[kind]["tops"][:m], ref[kind]["tops"])
        ours_path = corpora.OUT / "scores" / f"{engine}-{n}.npz"
        ref_path = corpora.OUT / "scores" / f"rank_bm25-{n}.npz"
        if ours_path.exists() and ref_path.exists():
            a, b = np.load(ours_path), np.load(ref_path)
            diffs = [max_relative_difference(a[k], b[k]) for k in b.files if k in a.files]
            row["max_rel_diff"] = max(diffs) if diffs else None
            row["scored_queries"] = len(diffs)
        rows.append(row)
    return rows


class _Sampled(dict):
    """Term counts of some documents, with the corpus's length, as rank_bm25's doc_freqs list."""

    def __init__(self, counts: dict, n_docs: int):
        super().__init__(counts)
        self.n_docs = n_docs

    def __len__(self) -> int:
        return self.n_docs


def rank_bm25_on_samples(n: int, n_queries: int = 5, n_random: int = 2000, seed: int = 11) -> dict:
    """At sizes where a full rank-bm25 index does not fit the time (1M papers: ~90 s per query and
    many GB of dicts), rank_bm25's own code scores the engine's top 10 and random documents.

    The reference is a BM25Okapi whose idf comes from its own _calc_idf and whose scores come from
    its own get_batch_scores; it is given the sampled documents' term counts (from the tokenizer)
    and the corpus statistics it cannot get without a full build (document frequencies, average
    length) from the saved index. So this checks the engine's postings, codes, g table and kernel at
    full size against rank_bm25's formula; the 10k and 100k rows check everything end to end."""
    from collections import Counter

    from rank_bm25 import BM25Okapi

    from paperlens.ranking import snapshot
    from paperlens.ranking.tokenizer import tokenize

    from . import queries

    path = engines.index_dir("paperlens", n)
    index, _ = snapshot.load(next(p for p in path.iterdir() if p.name.startswith("v")))
    qs = queries.load(n)
    rng = np.random.default_rng(seed)
    picked = {"long": qs["long"][:n_queries], "short": qs["short"][:n_queries]}
    chosen: dict[str, list] = {}
    need_docs: set[int] = set(rng.choice(index.n_docs, size=n_random, replace=False).tolist())
    for kind, items in picked.items():
        for item in items:
            docs, _ = index.rank(index.query(item["tokens"]), 10)
            need_docs.update(docs.tolist())
    counts = {d: Counter(tokenize(corpora.text_of(paper))) for d, paper in enumerate(corpora.iter_papers(n))
              if d in need_docs}

    df = np.asarray(index.df)
    reference = BM25Okapi.__new__(BM25Okapi)
    reference.k1, reference.b, reference.epsilon = 1.5, 0.75, 0.25
    reference.corpus_size = index.n_docs
    reference.avgdl = float(np.asarray(index.doc_len).sum()) / index.n_docs
    # get_batch_scores reads doc_freqs[d] and doc_len[d] only for the documents it is asked about.
    reference.doc_freqs = _Sampled(counts, index.n_docs)
    doc_len = np.array(index.doc_len, dtype=np.int64)
    for d, c in counts.items():
        doc_len[d] = sum(c.values())
    reference.doc_len = doc_len
    worst, lengths_differ = 0.0, 0
    for d, c in counts.items():
        lengths_differ += int(sum(c.values()) != int(index.doc_len[d]))
    for kind, items in picked.items():
        for item in items:
            terms = sorted(set(item["tokens"]))
            ids = index.vocab.lookup(terms)
            # rank_bm25 averages idf over the whole vocabulary: every term's df, keyed by id, with
            # the query's own terms keyed by their text so get_batch_scores finds them.
            nd = {i: int(v) for i, v in enumerate(df) if v > 0}
            for t, i in zip(terms, ids):
                if i >= 0:
                    nd[t] = nd.pop(int(i))
            reference.idf = {}
            reference._calc_idf(nd)
            docs = sorted(counts)
            theirs = np.asarray(reference.get_batch_scores(item["tokens"], docs))
            ours = index.scores(index.query(item["tokens"]))[docs]
            worst = max(worst, max_relative_difference(ours, theirs))
    return {"n": n, "queries": sum(len(v) for v in picked.values()), "documents": len(counts),
            "max_rel_diff": worst, "doc_lengths_differ": lengths_differ}
