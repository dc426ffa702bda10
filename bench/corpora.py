"""Benchmark corpora: the real arXiv cs set, and a seeded generator that scales it to millions.

A seeded HELD_OUT of the real papers never enter any corpus: they are the related-papers queries
for a new paper (bench/queries.py), and the generator is fitted without them, so no generated
paper contains a sentence of theirs (bench/queries.shared_runs counts verbatim 6-word runs shared
between a query and the papers an engine returns, and the report prints the count).

A corpus of N papers is the other real papers (a seeded sample of them when N is smaller)
followed by generated papers. A generated paper recombines real sentences: its title and two runs
of consecutive sentences come from real papers sharing one primary category, so term co-occurrence
stays topical (related-papers queries have real neighbours) and term frequencies follow the real
ones. Each generated paper records its source papers ("sources"), so a query made from a real
paper in the index can leave out that paper's near-copies, which share whole sentences with it and
would otherwise fill its top 10 and make pruning look easier than it is for a new paper. Mixing two
papers gives a generated paper more distinct terms than a real one (the build step reports both
means), so a query's terms hold more postings at 1M than real text would; that makes the figures
pessimistic for the postings a query holds, and the held-out queries and excluded copies remove
the flattering part (near-duplicates that lift the k-th best score early). Recombining alone would
freeze the vocabulary at the real set's, so about 2% of a generated paper's words are new words
drawn from an unbounded Zipf distribution (s = 1.3, each rank spelled in 100 variants). Those
constants were set so the distinct terms keep following the Heaps' law curve V = K * T^beta that
the real set itself follows (beta = 0.65 between 7.5k and 75k papers); docs/benchmarks.md lists
the vocabulary measured at each N. Generation is chunked and each chunk seeded by (seed, chunk),
so the first N papers are the same whatever the total; chunks are cached under bench/out/corpus/.
"""

from __future__ import annotations

import gzip
import json
import math
import multiprocessing as mp
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
# The real set sits in the shared data folder beside the checkout; PAPERLENS_BENCH_REAL points elsewhere
# (a git worktree one level deeper, or a user's own copy).
REAL = Path(os.environ.get("PAPERLENS_BENCH_REAL") or next(
    (p for p in (HERE.parents[i] / "shared" / "data" / "arxiv-cs-75k.jsonl.gz" for i in (1, 2)) if p.exists()),
    HERE.parent.parent / "shared" / "data" / "arxiv-cs-75k.jsonl.gz")).resolve()
OUT = HERE / "out"
CHUNK = 50_000
REAL_PAPERS = 74_728  # papers in the real file
HELD_OUT = 300  # real papers kept out of every corpus: queries for a paper the index does not hold
INDEXED_REAL = REAL_PAPERS - HELD_OUT  # real papers at the head of every corpus past this size
HOLDOUT_SEED = 0x5EED
SOURCES = 2  # real papers whose sentences make up one generated paper
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9$\\(])")
# Consonant-vowel syllables spell a word from its Zipf rank: rank r is always the same word.
_ONSETS = "b c d f g h j k l m n p r s t v w z br cr dr fl gr kl pl pr st tr".split()
_VOWELS = "a e i o u ai ou".split()
SYLLABLES = [o + v for o in _ONSETS for v in _VOWELS]


def read_real(path: Path = REAL) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def held_out_positions(n_real: int = REAL_PAPERS) -> np.ndarray:
    """Positions in the real file of the papers no corpus holds (sorted; seeded, so fixed)."""
    rng = np.random.default_rng(HOLDOUT_SEED)
    return np.sort(rng.choice(n_real, size=HELD_OUT, replace=False))


def split_real(real: list[dict]) -> tuple[list[dict], list[dict]]:
    """(the real papers corpora hold, the held-out ones), each in file order."""
    held = set(held_out_positions(len(real)).tolist())
    return [p for i, p in enumerate(real) if i not in held], [p for i, p in enumerate(real) if i in held]


def held_out(real: list[dict] | None = None) -> list[dict]:
    return split_real(real if real is not None else read_real())[1]


def text_of(paper: dict) -> str:
    """What Paperlens indexes for a paper (Paper.indexed_text): title, newline, abstract."""
    return f"{paper.get('title') or ''}\n{paper.get('abstract') or ''}".strip()


def novel_word(rank: int) -> str:
    """The generated word of a Zipf rank: 'x' + syllables of the rank in base len(SYLLABLES).
    The leading 'x' keeps generated words apart from real ones."""
    parts = []
    r = int(rank)
    if r < 0:
        raise ValueError(f"negative rank {r}")
    while True:
        r, digit = divmod(r, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
        if r == 0:
            break
    return "x" + "".join(parts) + "n"


@dataclass
class Model:
    """What generation samples from, fitted on the real papers."""

    titles: list[list[str]]  # per category: real titles
    ids: list[list[str]]  # per category: the real papers' ids, in the order of titles
    sentences: list[list[str]]  # per category: real abstract sentences, paper after paper
    starts: list[np.ndarray]  # per category: where each paper's sentences start (and the end)
    categories: list[str]
    category_weights: np.ndarray  # share of real papers per primary category
    sentence_counts: np.ndarray  # sentences per real abstract, to sample lengths from
    novel_rate: float = 0.022  # new-word tokens per generated word
    zipf_s: float = 1.3
    variants: int = 100  # words per Zipf rank

    @classmethod
    def fit(cls, papers: list[dict]) -> "Model":
        by_cat: dict[str, int] = {}
        titles: list[list[str]] = []
        ids: list[list[str]] = []
        sentences: list[list[str]] = []
        counts = []
        starts: list[list[int]] = []
        for paper in papers:
            cat = (paper.get("categories") or "cs.XX").split()[0]
            i = by_cat.setdefault(cat, len(by_cat))
            if i == len(titles):
                titles.append([])
                ids.append([])
                sentences.append([])
                starts.append([0])
            titles[i].append(" ".join((paper.get("title") or "").split()))
            ids[i].append(str(paper.get("id") or ""))
            parts = SENTENCE_END.split(" ".join((paper.get("abstract") or "").split()))
            sentences[i].extend(parts)
            starts[i].append(len(sentences[i]))
            counts.append(len(parts))
        weights = np.array([len(t) for t in titles], dtype=np.float64)
        return cls(titles, ids, sentences, [np.array(x) for x in starts], list(by_cat), weights / weights.sum(),
                   np.array(counts))


def heaps_beta(papers: list[dict]) -> float:
    """Heaps' exponent of the real set: slope of log(distinct words) over log(tokens) between a
    tenth of it and all of it."""
    from paperlens.ranking.tokenizer import tokenize

    seen: set[str] = set()
    tokens = 0
    points = []
    marks = {len(papers) // 10, len(papers)}
    for i, paper in enumerate(papers, 1):
        toks = tokenize(text_of(paper))
        tokens += len(toks)
        seen.update(toks)
        if i in marks:
            points.append((tokens, len(seen)))
    (t0, v0), (t1, v1) = points
    return math.log(v1 / v0) / math.log(t1 / t0)


_MODEL: Model | None = None


def generate_chunk(seed: int, chunk: int, model: Model | None = None, size: int = CHUNK) -> list[dict]:
    """`size` generated papers; the same (seed, chunk, model) always gives the same papers."""
    model = model or _MODEL
    rng = np.random.default_rng([seed, chunk])
    cats = rng.choice(len(model.categories), size=size, p=model.category_weights)
    n_sent = model.sentence_counts[rng.integers(0, len(model.sentence_counts), size=size)]
    pick = rng.random(size * 2 * SOURCES)  # per source paper: which paper, where its run starts
    out = []
    u = 0
    for j in range(size):
        c = cats[j]
        titles, sents, starts = model.titles[c], model.sentences[c], model.starts[c]
        # Runs of consecutive sentences from a few real papers: a paper's own sentences repeat
        # its key terms, as real abstracts do (single sentences from everywhere would give each
        # document more distinct terms, hence more postings, than real papers have).
        n = int(n_sent[j])
        sources = min(SOURCES, n)
        parts = []
        title = ""
        source_ids = []
        for k in range(sources):
            paper = int(pick[u] * (len(starts) - 1))
            source_ids.append(model.ids[c][paper])
            first, end = starts[paper], starts[paper + 1]
            run = n // sources + (1 if k < n % sources else 0)
            offset = int(pick[u + 1] * (end - first))
            u += 2
            for r in range(run):
                parts.append(sents[first + (offset + r) % (end - first)])
            if k == 0:
                title = titles[paper]
        u += 2 * (SOURCES - sources)
        abstract = " ".join(parts)
        n_words = abstract.count(" ") + 1
        n_new = rng.poisson(model.novel_rate * n_words)
        if n_new:
            words = abstract.split(" ")
            # Zipf's tail reaches 2^63; ranks past 10^12 are all rare enough to be new words.
            ranks = np.minimum(rng.zipf(model.zipf_s, size=n_new), 10**12) * model.variants
            ranks += rng.integers(0, model.variants, size=n_new)
            where = rng.integers(0, len(words), size=n_new)
            for r, w in zip(ranks.tolist(), where.tolist()):
                words[w] = words[w] + " " + novel_word(r)
            abstract = " ".join(words)
        out.append({
            "id": f"gen:{seed}-{chunk * size + j}",
            "title": title,
            "abstract": abstract,
            "authors": "Generated Author",
            "categories": model.categories[c],
            "update_date": "2025-01-01",
            "sources": source_ids,  # the real papers it copies sentences from (near-copies of them)
        })
    return out


def _chunk_path(seed: int, chunk: int) -> Path:
    # "h": fitted without the held-out papers (older chunks were not; they are never reused)
    return OUT / "corpus" / f"gen-h{HELD_OUT}-seed{seed}-chunk{chunk:03d}.jsonl.gz"


def _write_chunk(args) -> str:
    seed, chunk = args
    path = _chunk_path(seed, chunk)
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as handle:
        for paper in generate_chunk(seed, chunk):
            handle.write(json.dumps(paper, ensure_ascii=False) + "\n")
    tmp.rename(path)
    return str(path)


def ensure(n: int, seed: int = 1, workers: int = 2) -> None:
    """Generate (and cache) the chunks the first n papers need."""
    global _MODEL
    if n <= INDEXED_REAL:
        return
    missing = [c for c in range(math.ceil((n - INDEXED_REAL) / CHUNK)) if not _chunk_path(seed, c).exists()]
    if missing:
        _chunk_path(seed, 0).parent.mkdir(parents=True, exist_ok=True)
        _MODEL = Model.fit(split_real(read_real())[0])
        with mp.get_context("fork").Pool(workers) as pool:
            list(pool.imap_unordered(_write_chunk, [(seed, c) for c in missing]))


def iter_papers(n: int, seed: int = 1):
    """The first n papers of the benchmark corpus (the real papers not held out first, then
    generated ones), read from the files one at a time: a million papers as dicts would take
    about 3 GB."""
    if n <= INDEXED_REAL:
        yield from load(n, seed)
        return
    ensure(n, seed)
    count = 0
    held = set(held_out_positions().tolist())
    paths = [REAL] + [_chunk_path(seed, c) for c in range(math.ceil((n - INDEXED_REAL) / CHUNK))]
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for position, line in enumerate(handle):
                if path == REAL and position in held:
                    continue
                yield json.loads(line)
                count += 1
                if count == n:
                    return


def load(n: int, seed: int = 1, real: list[dict] | None = None) -> list[dict]:
    """The first n papers of the benchmark corpus, as a list (a seeded sample of the real papers
    not held out when n is smaller than they are)."""
    if n > INDEXED_REAL:
        return list(iter_papers(n, seed))
    real = split_real(real if real is not None else read_real())[0]
    rng = np.random.default_rng([seed, 0xC0])
    keep = np.sort(rng.choice(len(real), size=n, replace=False))
    return [real[i] for i in keep]


def write_jsonl(papers: list[dict], path: Path) -> Path:
    """A corpus as the JSONL that `paperlens ingest` reads."""
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as handle:
        for paper in papers:
            handle.write(json.dumps(paper, ensure_ascii=False) + "\n")
    return path
