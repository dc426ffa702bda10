"""Which model ranks a listing by a reading list best? Precision@10 of each option on libraries and
candidates built from the real 75k arXiv file, one seeded run.

    .venv/bin/python -m bench.for_you_quality [--corpus ../shared/data/arxiv-cs-75k.jsonl.gz] [--trials 20]

A trial takes a library of 20 papers whose primary arXiv category is C and 200 candidates: 20 more
papers of primary category C (the relevant ones) and 180 papers that do not list C at all. Each
option orders the candidates; precision@10 is the share of relevant papers among its first 10
(chance: 0.10). "Two fields" libraries hold 10 + 10 papers of categories C and D, with 10 + 10
relevant candidates. The dismissal rows add 10 "not interested" papers of a third category E and
20 candidates of E, and count how many E candidates reach the top 10.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from paperlens.ranking import list_closeness
from bench.corpora import REAL
from bench.doc_sections import write_section
from paperlens.ranking.recommend import profile
from paperlens.ranking.index import Index
from paperlens.ranking.view import View
from paperlens.ranking.similarity import Postings, Vectors, bags, bm25_documents, bm25_queries, pairwise, row_sums, tfidf
from paperlens.ranking.snapshot import PaperTable

LIBRARY, RELEVANT, CANDIDATES = 20, 20, 200
MIN_CATEGORY = 300  # categories with fewer primary papers cannot fill many trials


def load(path: str) -> tuple[list[str], list[list[str]]]:
    texts, categories = [], []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            paper = json.loads(line)
            texts.append(f"{paper.get('title') or ''}\n{paper.get('abstract') or ''}".strip())
            categories.append(str(paper.get("categories") or "").split())
    return texts, categories


# -- the options: each maps (view, library texts, candidate texts) to one score per candidate ------
def _matrix(view, weigh_candidates, weigh_library, library, candidates):
    return pairwise(weigh_candidates(bags(candidates), view.index),
                    Postings.build(weigh_library(bags(library), view.index)))


def _top_mean(matrix: np.ndarray, n: int) -> np.ndarray:
    n = min(n, matrix.shape[1])
    return np.sort(matrix, axis=1)[:, -n:].mean(axis=1)


def bm25_max(view, library, candidates, dismissed):
    return _matrix(view, bm25_queries, bm25_documents, library, candidates).max(axis=1)


def bm25_max_self(view, library, candidates, dismissed):
    """The best BM25 score over the saved papers, over the candidate's score against itself."""
    scores = _matrix(view, bm25_queries, bm25_documents, library, candidates).max(axis=1)
    b = bags(candidates)
    queries, documents = bm25_queries(b, view.index), bm25_documents(b, view.index)
    # the same terms in the same order on both sides: a row's self-score is a sum of products
    itself = row_sums(queries.weights * documents.weights, queries.indptr)
    return scores / np.maximum(itself, 1e-9)


def bm25_top3(view, library, candidates, dismissed):
    return _top_mean(_matrix(view, bm25_queries, bm25_documents, library, candidates), 3)


def cos_max(view, library, candidates, dismissed):
    return _matrix(view, tfidf, tfidf, library, candidates).max(axis=1)


def cos_centroid(view, library, candidates, dismissed):
    """Cosine with the mean of the saved papers' unit tf-idf vectors (ranks as the mean cosine)."""
    return _matrix(view, tfidf, tfidf, library, candidates).mean(axis=1)


def profile_query(view, library, candidates, dismissed):
    """recommend.profile's weighted query (the Recommended tab's), scored against each candidate as a
    BM25 document of the corpus."""
    query = profile(view, library, dismissed)
    if not len(query.terms):
        return np.zeros(len(candidates))
    order = np.argsort(query.term_ids)
    row = Vectors(np.array([0, len(order)], np.int64), query.term_ids[order], query.weights[order])
    return pairwise(bm25_documents(bags(candidates), view.index), Postings.build(row))[:, 0]


def chosen(view, library, candidates, dismissed):
    """What POST /library/rank serves (ranking/list_closeness.py): the mean tf-idf cosine of the 3 nearest
    saved papers, minus that of the 3 nearest dismissed ones; returned on its 0-100 scale."""
    model = list_closeness.ListModel.build(library, dismissed, view.index)
    return model.closeness(list_closeness.candidate_vectors(bags(candidates), view.index)).scores


CHOSEN = "tf-idf cosine, mean of the 3 nearest saved papers (chosen)"
OPTIONS = {
    "BM25, candidate against each saved paper, max": bm25_max,
    "BM25 max over the candidate's self-score": bm25_max_self,
    "BM25, mean of the 3 best saved papers": bm25_top3,
    "tf-idf cosine, nearest saved paper (max)": cos_max,
    "tf-idf cosine to the library's centroid": cos_centroid,
    "library profile query (recommend.profile), BM25": profile_query,
    CHOSEN: chosen,
}


# -- trials -----------------------------------------------------------------------------------------
def trials(categories: list[list[str]], kinds: list[str], n: int, seed: int):
    """(kind, library docs, dismissed docs, candidate docs, relevant mask, dismissed-like mask)."""
    rng = random.Random(seed)
    primary = defaultdict(list)
    for doc, cats in enumerate(categories):
        if cats:
            primary[cats[0]].append(doc)
    fields = sorted(c for c, docs in primary.items() if len(docs) >= MIN_CATEGORY)
    lists = {doc: set(cats) for doc, cats in enumerate(categories)}
    everyone = range(len(categories))
    for kind in kinds:
        for field in fields:
            for _ in range(n):
                wanted = [field] if kind != "two fields" else [field, rng.choice([f for f in fields if f != field])]
                unwanted = None
                if kind == "dismissal":  # a field with 30 papers that do not list the wanted one
                    unwanted = rng.choice([f for f in fields if f not in wanted and sum(
                        1 for d in primary[f] if field not in lists[d]) >= 30])
                library, relevant = [], []
                for f in wanted:
                    picks = rng.sample(primary[f], (LIBRARY + RELEVANT) // len(wanted))
                    library += picks[: LIBRARY // len(wanted)]
                    relevant += picks[LIBRARY // len(wanted):]
                dismissed, disliked = [], []
                if unwanted:
                    pool = [d for d in primary[unwanted] if not lists[d] & set(wanted)]
                    picks = rng.sample(pool, 30)
                    dismissed, disliked = picks[:10], picks[10:]
                exclude = set(wanted) | ({unwanted} if unwanted else set())
                others = []
                while len(others) < CANDIDATES - len(relevant) - len(disliked):
                    d = rng.choice(everyone)
                    if not lists[d] & exclude and d not in others:
                        others.append(d)
                candidates = relevant + disliked + others
                mask = np.array([1] * len(relevant) + [0] * (len(candidates) - len(relevant)), bool)
                unwanted_mask = np.array([0] * len(relevant) + [1] * len(disliked) + [0] * len(others), bool)
                order = rng.sample(range(len(candidates)), len(candidates))  # ties must not favour the relevant
                yield (kind, field, library, dismissed, [candidates[i] for i in order], mask[order],
                       unwanted_mask[order])


def precision_at_10(scores: np.ndarray, relevant: np.ndarray) -> float:
    top = np.argsort(-scores, kind="stable")[:10]
    return float(relevant[top].mean())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(REAL))
    ap.add_argument("--trials", type=int, default=20, help="per category and kind")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "quality.md")
    args = ap.parse_args()
    texts, categories = load(args.corpus)
    started = time.perf_counter()
    index = Index.build(texts)
    view = View(index, PaperTable.from_json([]))
    print(f"{len(texts):,} papers, index built in {time.perf_counter() - started:.1f} s")

    kinds = ["one field", "two fields", "dismissal"]
    results: dict[tuple[str, str], list[float]] = defaultdict(list)
    sunk: dict[str, list[float]] = defaultdict(list)
    scale: dict[tuple[str, str], list[float]] = defaultdict(list)
    for kind, field, library, dismissed, candidates, relevant, unwanted in trials(categories, kinds, args.trials,
                                                                                 args.seed):
        lib_texts = [texts[d] for d in library]
        cand_texts = [texts[d] for d in candidates]
        dis_texts = [texts[d] for d in dismissed]
        if kind == "dismissal":
            for name, option in (("chosen, dismissed papers ignored", lambda *a: chosen(*a[:3], [])),
                                 ("chosen, with the dismissed papers", chosen)):
                scores = option(view, lib_texts, cand_texts, dis_texts)
                results[(kind, name)].append(precision_at_10(scores, relevant))
                top = np.argsort(-scores, kind="stable")[:10]
                sunk[name].append(float(unwanted[top].sum()))
            continue
        for name, option in OPTIONS.items():
            scores = option(view, lib_texts, cand_texts, [])
            results[(kind, name)].append(precision_at_10(scores, relevant))
            if name == CHOSEN:
                scale[("relevant", kind)] += scores[relevant].tolist()
                scale[("other", kind)] += scores[~relevant].tolist()

    trials_per = f"{args.trials} trials per category with at least {MIN_CATEGORY} primary papers"
    lines = ["| option | one field | two fields |", "|---|---|---|"]
    for name in OPTIONS:
        one, two = np.mean(results[("one field", name)]), np.mean(results[("two fields", name)])
        lines.append(f"| {name} | {one:.3f} | {two:.3f} |")
    lines += ["", "| dismissal trials | precision@10 | dismissed-like papers in the top 10 |", "|---|---|---|"]
    for name in sunk:
        lines.append(f"| {name} | {np.mean(results[('dismissal', name)]):.3f} | {np.mean(sunk[name]):.2f} |")
    lines += ["", "| the chosen model's 0-100 score | median | share >= 50 | share >= 80 |", "|---|---|---|---|"]
    for (group, kind), values in sorted(scale.items(), key=lambda kv: (kv[0][1], kv[0][0] != "relevant")):
        values = np.array(values)
        lines.append(f"| {group} candidates, {kind} | {np.median(values):.0f} | {np.mean(values >= 50):.2f} | "
                     f"{np.mean(values >= 80):.2f} |")
    tables = "\n".join(lines)
    print(tables)
    command = " ".join([".venv/bin/python -m bench.for_you_quality", *sys.argv[1:]])
    write_section(args.out, "for-you", f"""## Ranking by a reading list ("For you")

Written by `bench/for_you_quality.py`: which model POST /library/rank and the digest use. Each trial
takes a reading list of {LIBRARY} papers whose primary arXiv category is C and {CANDIDATES} candidates:
{RELEVANT} more papers of primary category C (the relevant ones) and {CANDIDATES - RELEVANT} papers that do
not list C at all, shuffled; an option scores the candidates against the list and precision@10 is the
share of relevant papers among its 10 best (chance: 0.10). "Two fields" lists hold 10 + 10 papers of
two categories, with 10 + 10 relevant candidates. The corpus's statistics (idf, average length) are
the whole 75k file's. Mean over {trials_per} (seed {args.seed}, {len(texts):,} papers).

{tables}

The chosen model is the mean tf-idf cosine of the 3 nearest saved papers ((1 + ln tf) x BM25 idf, unit
vectors), minus the same for the papers marked "not interested": about as good as the profile query
and the centroid on lists of one field, and clearly better on lists of two, which a single profile or
centroid blurs; it also names the saved papers behind each score. The dismissal trials add 10
dismissed papers of a third category and 20 candidates of it: subtracting their closeness keeps most
of those out of the top 10. The 0-100 scale is each list's own (see docs/for-you.md): relevant
candidates land around 50, the others far lower, and a score means the same in every call for one list.

Machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), Python {platform.python_version()}.
Command: `{command}`
""")
    print(f"wrote {args.out}")

if __name__ == "__main__":
    main()
