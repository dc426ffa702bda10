"""The query sets, seeded and saved per corpus size so every engine answers the same queries.

long: a held-out real paper's title + abstract (corpora.HELD_OUT: no corpus holds it, and no
generated paper copies its sentences): related papers for a new paper, what a user sends most.
long_in: a real paper in the index, with itself and its near-copies (generated papers made from
its sentences) in `exclude`: related papers for a paper the user opened. short: 2-6 consecutive
kept words of an indexed real paper's title (what a search box gets)."""

from __future__ import annotations

import json

import numpy as np

from . import corpora

SCORED = 3  # queries per kind whose full score vectors are compared, not just the top 10
# Results sharing a run of this many consecutive kept tokens (stop words out, stemmed) with their
# query count as copies: runs of plain words catch boilerplate ("in this paper we propose a").
RUN = 6


def path(n: int):
    return corpora.OUT / "queries" / f"queries-{n}.json"


def make(papers, n: int, n_long: int = 200, n_in: int = 100, n_short: int = 300, seed: int = 7) -> dict:
    """Queries for the corpus of n papers (`papers`, any iterable of them: read once)."""
    from paperlens.ranking.tokenizer import stem, tokenize, words

    rng = np.random.default_rng([seed, n])
    held = corpora.held_out()
    long = [{"id": p["id"], "tokens": tokenize(corpora.text_of(p)), "exclude": []}
            for p in (held[i] for i in rng.choice(len(held), size=min(n_long, len(held)), replace=False))]
    n_real = min(n, corpora.INDEXED_REAL)  # real papers come first in every corpus
    picks = rng.choice(n_real, size=n_in + n_short, replace=False)
    wanted = set(picks.tolist())
    chosen: dict[int, dict] = {}
    copies: dict[str, list[int]] = {}
    for i, paper in enumerate(papers):
        if i in wanted:
            chosen[i] = paper
            copies.setdefault(paper["id"], [])
        for source in paper.get("sources") or ():
            copies.setdefault(source, []).append(i)
    # copies holds every source id seen; only the chosen papers' lists are kept
    long_in = []
    for i in picks[:n_in]:
        paper = chosen[int(i)]
        exclude = sorted({int(i), *copies.get(paper["id"], [])})
        long_in.append({"doc": int(i), "id": paper["id"], "tokens": tokenize(corpora.text_of(paper)),
                        "exclude": exclude})
    short = []
    for i in picks[n_in:]:
        kept = [w for w in words(chosen[int(i)].get("title") or "") if stem(w)]
        if len(kept) < 2:
            continue
        size = int(rng.integers(2, min(6, len(kept)) + 1))
        start = int(rng.integers(0, len(kept) - size + 1))
        text = " ".join(kept[start : start + size])
        short.append({"doc": int(i), "text": text, "tokens": tokenize(text), "exclude": []})
    data = {"n": n, "long": long, "long_in": long_in, "short": short}
    path(n).parent.mkdir(parents=True, exist_ok=True)
    path(n).write_text(json.dumps(data))
    return data


def load(n: int, n_long: int | None = None, n_short: int | None = None, n_in: int | None = None) -> dict:
    data = json.loads(path(n).read_text())
    if n_long is not None:
        data["long"] = data["long"][:n_long]
    if n_short is not None:
        data["short"] = data["short"][:n_short]
    if n_in is not None:
        data["long_in"] = data["long_in"][:n_in]
    return data


def _runs(text: str) -> set[int]:
    from paperlens.ranking.tokenizer import tokenize

    w = tokenize(text)
    return {hash(tuple(w[i : i + RUN])) for i in range(len(w) - RUN + 1)}


def shared_runs(n: int, tops: dict[str, list[list[int]]]) -> dict[str, dict]:
    """For each query kind, how many returned papers share a verbatim RUN-word run with their
    query (a copied sentence), over the top-10 lists in `tops` (kind -> per query, documents).
    Reads the corpus once for the returned papers' texts."""
    qs = json.loads(path(n).read_text())
    held = {p["id"]: corpora.text_of(p) for p in corpora.held_out()}
    wanted = {d for lists in tops.values() for top in lists for d in top}
    texts: dict[int, str] = {}
    in_texts: dict[int, str] = {}
    in_docs = {item["doc"] for item in qs.get("long_in", [])}
    for i, paper in enumerate(corpora.iter_papers(n)):
        if i in wanted:
            texts[i] = corpora.text_of(paper)
        if i in in_docs:
            in_texts[i] = corpora.text_of(paper)
    out = {}
    for kind, lists in tops.items():
        results = sharing = queries_with = 0
        for item, top in zip(qs[kind], lists):
            source = held[item["id"]] if kind == "long" else in_texts[item["doc"]]
            runs = _runs(source)
            hits = sum(1 for d in top if _runs(texts[d]) & runs)
            results += len(top)
            sharing += hits
            queries_with += hits > 0
        out[kind] = {"results": results, "sharing": sharing, "queries_with": queries_with, "queries": len(lists)}
    return out
