"""The query sets, seeded and saved per corpus size so every engine answers the same queries.

long: a sampled paper's title + abstract (what related papers sends). short: 2-6 consecutive
kept words of a sampled paper's title (what a search box gets)."""

from __future__ import annotations

import json

import numpy as np

from . import corpora

SCORED = 3  # queries per kind whose full score vectors are compared, not just the top 10


def path(n: int):
    return corpora.OUT / "queries" / f"queries-{n}.json"


def make(papers, n: int, n_long: int = 200, n_short: int = 300, seed: int = 7) -> dict:
    """Queries from sampled papers of `papers` (the corpus's n papers, any iterable: only the
    sampled ones are kept)."""
    from paperlens.ranking.tokenizer import stem, tokenize, words

    rng = np.random.default_rng([seed, n])
    picks = rng.choice(n, size=n_long + n_short, replace=False)
    wanted = set(picks.tolist())
    papers = {i: paper for i, paper in enumerate(papers) if i in wanted}
    long = [{"doc": int(i), "tokens": tokenize(corpora.text_of(papers[i]))} for i in picks[:n_long]]
    short = []
    for i in picks[n_long:]:
        kept = [w for w in words(papers[i].get("title") or "") if stem(w)]
        if len(kept) < 2:
            continue
        size = int(rng.integers(2, min(6, len(kept)) + 1))
        start = int(rng.integers(0, len(kept) - size + 1))
        text = " ".join(kept[start : start + size])
        short.append({"doc": int(i), "text": text, "tokens": tokenize(text)})
    data = {"n": n, "long": long, "short": short}
    path(n).parent.mkdir(parents=True, exist_ok=True)
    path(n).write_text(json.dumps(data))
    return data


def load(n: int, n_long: int | None = None, n_short: int | None = None) -> dict:
    data = json.loads(path(n).read_text())
    if n_long is not None:
        data["long"] = data["long"][:n_long]
    if n_short is not None:
        data["short"] = data["short"][:n_short]
    return data
