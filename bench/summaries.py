"""Summary quality and speed: ROUGE on SciTLDR-A dev against Lead-1 and the oracle, time per abstract
and for the whole arXiv file; writes docs/quality.md. `--fit` first refits the shipped sentence
weights and IDF table from SciTLDR-A train (never dev).

    .venv/bin/python bench/summaries.py [--fit] [--scitldr-dir DIR] [--arxiv PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer

from paperlens.ranking import summaries, tokenize
from paperlens.ranking.sentences import split_sentences
from paperlens.ranking.summaries import FEATURES, sentence_features, summarize

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script, bench/ alone is on the path
from bench.doc_sections import write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RANKING = REPO / "backend" / "paperlens" / "ranking"
METRICS = ("rouge1", "rouge2", "rougeL")
IDF_MIN_DF = 2  # stems seen once are left out: the table stays small and unknown stems get the top IDF
TARGET_ROUGE1 = 38.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scitldr-dir", type=Path, default=REPO / "../shared/data/scitldr")
    parser.add_argument("--arxiv", type=Path, default=REPO / "../shared/data/arxiv-cs-75k.jsonl.gz")
    parser.add_argument("--fit", action="store_true", help="refit weights and IDF table on SciTLDR-A train")
    parser.add_argument("--skip-arxiv", action="store_true", help="skip the 75k wall-time run")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "quality.md")
    args = parser.parse_args()

    if args.fit:
        train = read_jsonl(args.scitldr_dir / "SciTLDR-A_train.jsonl.gz")
        write_idf_table(train)
        write_weights(train)

    dev = read_jsonl(args.scitldr_dir / "SciTLDR-A_dev.jsonl.gz")
    papers = read_jsonl(args.arxiv)
    quality = rouge_on_dev(dev, {"ours (built-in IDF)": None, "ours (arXiv BM25 IDF)": bm25_idf(papers)})
    for name, scores in quality.items():
        print(f"{name:22s} " + "  ".join(f"{m}={scores[m]:.2f}" for m in METRICS))

    per_abstract = time_abstracts(papers)
    print(f"~250-word abstract: mean {per_abstract['mean']:.2f} ms, p50 {per_abstract['p50']:.2f} ms")
    whole = None if args.skip_arxiv else time_whole_file(papers)
    if whole:
        print(f"{whole['papers']} arXiv papers: {whole['seconds']:.1f} s on {whole['processes']} processes")
    write_report(args.out, quality, per_abstract, whole, len(dev))


def read_jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


# --- fitting (SciTLDR-A train only) -------------------------------------------------------------


def write_idf_table(train: list[dict]) -> None:
    frequencies = Counter()
    for paper in train:
        frequencies.update(set(tokenize(" ".join(paper["source"]) + " " + paper.get("title", ""))))
    table = {
        "source": "SciTLDR-A train (title + abstract), written by bench/summaries.py --fit",
        "n_docs": len(train),
        "df": {stem: df for stem, df in sorted(frequencies.items()) if df >= IDF_MIN_DF},
    }
    (RANKING / summaries.IDF_FILE).write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")))
    summaries._idf_table.cache_clear()
    print(f"IDF table: {len(table['df'])} stems from {len(train)} papers")


def write_weights(train: list[dict]) -> None:
    """Listwise fit: softmax over a paper's sentences, maximising the expected ROUGE of the pick."""
    papers = []
    for paper in train:
        sentences = paper["source"]
        # A few train rows carry one ROUGE score fewer than sentences; their labels cannot be aligned.
        if len(sentences) < 2 or len(paper["rouge_scores"]) != len(sentences):
            continue
        features = sentence_features(
            sentences, [tokenize(s) for s in sentences], set(tokenize(paper.get("title", ""))),
            summaries.fallback_idf,
        )
        papers.append((features, np.asarray(paper["rouge_scores"], dtype=float)))
    weights = fit_listwise(papers)
    picked = statistics.mean(float(y[np.argmax(x @ weights)]) for x, y in papers)
    best = statistics.mean(float(y.max()) for _, y in papers)
    lead = statistics.mean(float(y[0]) for _, y in papers)
    print(f"train pick ROUGE (SciTLDR's own label score): ours {picked:.3f}, lead {lead:.3f}, oracle {best:.3f}")
    table = {
        "source": "SciTLDR-A train, listwise softmax fit by bench/summaries.py --fit",
        "features": list(FEATURES),
        "weights": [round(float(w), 5) for w in weights],
    }
    (RANKING / summaries.WEIGHTS_FILE).write_text(json.dumps(table, indent=1) + "\n")
    summaries._weights.cache_clear()


def fit_listwise(papers: list[tuple[np.ndarray, np.ndarray]], steps: int = 2000, rate: float = 0.5,
                 temperature: float = 0.05, l2: float = 1e-3) -> np.ndarray:
    """Gradient ascent on the log-likelihood of a ROUGE-sharpened target under softmax(Xw) per paper."""
    features = np.vstack([x for x, _ in papers])
    starts = np.cumsum([0] + [len(y) for _, y in papers[:-1]])
    sizes = np.array([len(y) for _, y in papers])
    # Targets sharpened so the best sentence dominates, but near-ties still share the credit.
    targets = np.concatenate([np.exp((y - y.max()) / temperature) for _, y in papers])
    targets /= np.repeat(np.add.reduceat(targets, starts), sizes)
    # Standardised columns make one step size fit all features; the scale is undone at the end.
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    standard = features / scale
    weights = np.zeros(len(FEATURES))
    for _ in range(steps):
        scores = standard @ weights
        scores -= np.repeat(np.maximum.reduceat(scores, starts), sizes)
        probabilities = np.exp(scores)
        probabilities /= np.repeat(np.add.reduceat(probabilities, starts), sizes)
        gradient = standard.T @ (targets - probabilities) / len(papers) - l2 * weights
        weights += rate * gradient
    return weights / scale


# --- quality ------------------------------------------------------------------------------------


def bm25_idf(papers: list[dict]):
    """The IDF an API caller passes: rank_bm25's Okapi IDF over the arXiv file, with its epsilon floor."""
    frequencies = Counter()
    for paper in papers:
        frequencies.update(set(tokenize(paper["title"] + " " + paper["abstract"])))
    n = len(papers)
    idf = {stem: math.log(n - df + 0.5) - math.log(df + 0.5) for stem, df in frequencies.items()}
    floor = 0.25 * sum(idf.values()) / len(idf)
    idf = {stem: value if value >= 0 else floor for stem, value in idf.items()}
    unseen = math.log(n + 0.5) - math.log(0.5)
    return lambda stem: idf.get(stem, unseen)


def rouge_on_dev(dev: list[dict], variants: dict) -> dict[str, dict[str, float]]:
    """ROUGE F1 ×100, each the maximum over a paper's reference TL;DRs, averaged over papers.

    `variants` maps a row name to the `idf` passed to `summarize` (None: its built-in table).
    """
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    names = [*variants, "TextRank alone", "lead-1", "oracle"]
    totals = {name: {m: 0.0 for m in METRICS} for name in names}

    def best_over_references(candidate: str, references: list[str]) -> dict[str, float]:
        scores = [scorer.score(reference, candidate) for reference in references]
        return {m: max(s[m].fmeasure for s in scores) for m in METRICS}

    for paper in dev:
        references = paper["target"]
        text = " ".join(paper["source"])
        candidates = {
            name: best_over_references(summarize(text, paper.get("title"), idf=idf).tldr, references)
            for name, idf in variants.items()
        }
        candidates["TextRank alone"] = best_over_references(textrank_pick(text), references)
        candidates["lead-1"] = best_over_references(paper["source"][0], references)
        per_sentence = [best_over_references(s, references) for s in paper["source"]]
        candidates["oracle"] = max(per_sentence, key=lambda s: s["rouge1"])  # best single sentence
        for name, scores in candidates.items():
            for m in METRICS:
                totals[name][m] += scores[m]
    return {name: {m: 100 * v / len(dev) for m, v in scores.items()} for name, scores in totals.items()}


def textrank_pick(text: str) -> str:
    """The ablation: the sentence with the highest TextRank score, no other feature."""
    sentences = split_sentences(text)
    features = sentence_features(sentences, [tokenize(s) for s in sentences], set(), summaries.fallback_idf)
    return sentences[int(np.argmax(features[:, FEATURES.index("textrank")]))]


# --- speed --------------------------------------------------------------------------------------


def time_abstracts(papers: list[dict], count: int = 500) -> dict[str, float]:
    """Milliseconds per summary for abstracts of 225-275 words (the built-in IDF table)."""
    abstracts = [p for p in papers if 225 <= len(p["abstract"].split()) <= 275][:count]
    for paper in abstracts[:20]:  # warm caches (weights, IDF table, stemmer)
        summarize(paper["abstract"], paper["title"])
    times = []
    for paper in abstracts:
        start = time.perf_counter()
        summarize(paper["abstract"], paper["title"])
        times.append(1000 * (time.perf_counter() - start))
    return {"mean": statistics.mean(times), "p50": statistics.median(times), "n": len(times)}


def _summarize_record(paper: dict) -> int:
    return len(summarize(paper["abstract"], paper["title"]).sentences)


def time_whole_file(papers: list[dict]) -> dict[str, float]:
    processes = os.cpu_count() or 1
    start = time.perf_counter()
    with multiprocessing.Pool(processes) as pool:
        for _ in pool.imap_unordered(_summarize_record, papers, chunksize=500):
            pass
    return {"papers": len(papers), "seconds": time.perf_counter() - start, "processes": processes}


# --- report -------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {cpu}, Python {platform.python_version()}"


def write_report(out: Path, quality, per_abstract, whole, dev_size: int) -> None:
    ours = quality["ours (built-in IDF)"]["rouge1"]
    verdict = "meets" if ours >= TARGET_ROUGE1 else "misses"
    rows = "\n".join(
        f"| {name} | " + " | ".join(f"{quality[name][m]:.2f}" for m in METRICS) + " |"
        for name in quality
    )
    whole_line = (
        f"- Whole arXiv file: {whole['papers']:,} papers in {whole['seconds']:.1f} s wall "
        f"({whole['processes']} processes, title + abstract each)."
        if whole else "- Whole arXiv file: not run (--skip-arxiv)."
    )
    command = " ".join([os.path.relpath(sys.executable, REPO), os.path.relpath(sys.argv[0], REPO), *sys.argv[1:]])
    write_section(out, "summaries", f"""## Summary quality

Written by `bench/summaries.py`. Method `{summaries.METHOD_VERSION}`.

### ROUGE on SciTLDR-A dev ({dev_size} papers)

F1 × 100 with `rouge-score` (use_stemmer=True), each the maximum over a paper's reference TL;DRs, as
the SciTLDR paper reports. "ours" is `summarize(abstract, title).tldr` on the abstract joined into one
text (so our own sentence splitter runs), once with the built-in IDF table (`idf=None`) and once with
the IDF an API caller would pass (rank_bm25 Okapi IDF over the 75k arXiv file); Lead-1 is the first
source sentence; "TextRank alone" picks the top TextRank (BM25 similarity) sentence with no other
feature; the oracle is the single source sentence with the best ROUGE-1. Target for ours:
ROUGE-1 ≥ {TARGET_ROUGE1:.0f} — this run {verdict} it (built-in IDF row).

| TL;DR | ROUGE-1 | ROUGE-2 | ROUGE-L |
|---|---|---|---|
{rows}

Sentence weights are fitted on SciTLDR-A train only (`--fit`); dev is never used for fitting.

### Speed

- ~250-word abstract (225-275 words, {per_abstract['n']} arXiv abstracts, one process, built-in IDF):
  mean {per_abstract['mean']:.2f} ms, p50 {per_abstract['p50']:.2f} ms.
{whole_line}

Machine: {machine()}.
Command: `{command}`
""")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
