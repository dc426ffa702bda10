"""One engine at one corpus size, measured in a fresh process: `python -m bench.engines ENGINE N OUT.json`.

A build phase indexes the corpus and saves the index to disk (build time, peak RSS, size on disk);
then a separate serve phase in another fresh process opens the saved index the way a server
would and times the queries, so its RSS is what answering costs, not what building did.
Every engine gets the same tokens (Paperlens's tokenizer), so score differences are the
engines' formulas, not their tokenizers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from . import corpora, queries

OUT = corpora.OUT


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: ru_maxrss would carry the parent's peak across fork+exec)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def folder_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def index_dir(engine: str, n: int) -> Path:
    return OUT / "indexes" / f"{engine}-{n}"


def tokens_of(texts):
    from paperlens.ranking.tokenizer import tokenize

    return [tokenize(t) for t in texts]


# -- build ------------------------------------------------------------------------------------
def build(engine: str, n: int) -> dict:
    papers = corpora.load(n)
    if engine == "paperlens" or not queries.path(n).exists():
        queries.make(papers, n)
    texts = [corpora.text_of(p) for p in papers]
    del papers
    path = index_dir(engine, n)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    base_rss = rss_mb()
    started = time.perf_counter()
    if engine == "paperlens":
        from paperlens.ranking import snapshot
        from paperlens.ranking.index import Index

        index = Index.build(texts)
        built = time.perf_counter() - started
        # The paper table is the server's too, but only the index is compared across engines.
        snapshot.save(index, snapshot.PaperTable.from_json([]), path)
        extra = {"vocabulary": len(index.vocab), "postings": int(len(index.segments[0].docs)),
                 "pairs": int(len(index.pairs.tf)), "tokens": int(index.doc_len.sum())}
    elif engine == "tantivy":
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("body", stored=False)
        builder.add_unsigned_field("n", stored=True)
        schema = builder.build()
        idx = tantivy.Index(schema, path=str(path))
        writer = idx.writer(heap_size=512_000_000, num_threads=2)
        for i, toks in enumerate(map(_tokenize_one, texts)):
            writer.add_document(tantivy.Document(body=" ".join(toks), n=i))
        writer.commit()
        writer.wait_merging_threads()
        built = time.perf_counter() - started
        extra = {}
    elif engine == "bm25s":
        import bm25s

        corpus_tokens = tokens_of(texts)
        retriever = bm25s.BM25(method="robertson", k1=1.5, b=0.75)
        retriever.index(corpus_tokens, show_progress=False)
        built = time.perf_counter() - started
        retriever.save(str(path), show_progress=False)
        extra = {}
    elif engine == "rank_bm25":
        from rank_bm25 import BM25Okapi

        BM25Okapi(tokens_of(texts))
        built = time.perf_counter() - started
        extra = {}
    else:
        raise SystemExit(f"unknown engine {engine}")
    return {"engine": engine, "n": n, "build_s": built, "build_hwm_mb": peak_rss_mb(), "corpus_rss_mb": base_rss,
            "build_rss_over_corpus_mb": rss_mb() - base_rss,
            "disk_mb": folder_mb(path) if engine != "rank_bm25" else None, **extra}


def _tokenize_one(text):
    from paperlens.ranking.tokenizer import tokenize

    return tokenize(text)


# -- serve --------------------------------------------------------------------------------------
def serve(engine: str, n: int, n_long: int, n_short: int) -> dict:
    """Open the saved index, time the query sets, keep top-10s and scores for the exactness check."""
    qs = queries.load(n, n_long, n_short)
    start_rss = rss_mb()
    path = index_dir(engine, n)
    if engine == "paperlens":
        from paperlens.ranking import snapshot

        index, _ = snapshot.load(next(p for p in path.iterdir() if p.name.startswith("v")))

        def run(tokens):
            q = index.query(tokens)
            docs, scores = index.rank(q, 10)
            return docs, scores

        def all_scores(tokens):
            return index.scores(index.query(tokens))
    elif engine == "tantivy":
        import tantivy

        idx = tantivy.Index.open(str(path))
        searcher = idx.searcher()

        def run(tokens):
            query = idx.parse_query(" ".join(tokens), ["body"])
            hits = searcher.search(query, 10).hits
            return [a for _, a in hits], np.array([s for s, _ in hits])

        def resolve(addresses):  # outside the timed part: only the ranking is compared
            return [searcher.doc(a)["n"][0] for a in addresses]

        all_scores = None
    elif engine == "bm25s":
        import bm25s

        retriever = bm25s.BM25.load(str(path), mmap=True, show_progress=False)

        def run(tokens):
            scores = retriever.get_scores([t for t in tokens if t in retriever.vocab_dict])
            top = np.argpartition(-scores, 10)[:10]
            top = top[np.argsort(-scores[top], kind="stable")]
            return top, scores[top]

        def all_scores(tokens):
            return retriever.get_scores([t for t in tokens if t in retriever.vocab_dict])
    elif engine == "rank_bm25":
        from rank_bm25 import BM25Okapi

        papers = corpora.load(n)
        reference = BM25Okapi(tokens_of([corpora.text_of(p) for p in papers]))
        del papers

        def run(tokens):
            scores = reference.get_scores(tokens)
            top = np.argsort(-scores, kind="stable")[:10]
            return top, scores[top]

        all_scores = reference.get_scores
    else:
        raise SystemExit(f"unknown engine {engine}")
    if engine != "tantivy":
        def resolve(docs):
            return docs
    loaded_rss = rss_mb()
    result = {"engine": engine, "n": n, "open_rss_mb": loaded_rss - start_rss}
    for kind, items in (("long", qs["long"]), ("short", qs["short"])):
        if not items:
            continue
        run(items[0]["tokens"])  # compiled kernels and caches warm, as in a server after warm-up
        times, tops = [], []
        for item in items:
            t0 = time.perf_counter()
            docs, scores = run(item["tokens"])
            times.append(time.perf_counter() - t0)
            tops.append({"docs": [int(d) for d in resolve(docs)], "scores": [float(s) for s in scores]})
        result[kind] = {"ms": [t * 1000 for t in times], "tops": tops}
    if all_scores is not None:
        # Full score vectors of the first few queries, for the max relative difference.
        keep = OUT / "scores" / f"{engine}-{n}.npz"
        keep.parent.mkdir(parents=True, exist_ok=True)
        arrays = {}
        for kind in ("long", "short"):
            for i, item in enumerate(qs[kind][: queries.SCORED]):
                arrays[f"{kind}{i}"] = np.asarray(all_scores(item["tokens"]), dtype=np.float64)
        np.savez(keep, **arrays)
    result["rss_mb"] = rss_mb()
    result["rss_after_open_mb"] = loaded_rss
    result["baseline_rss_mb"] = start_rss
    return result


def run_in_subprocess(phase: str, engine: str, n: int, *extra, timeout: float = 3600) -> dict:
    out = OUT / "results" / f"{phase}-{engine}-{n}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(corpora.HERE.parent), str(corpora.HERE.parent / "backend")]))
    cmd = [sys.executable, "-m", "bench.engines", phase, engine, str(n), str(out), *map(str, extra)]
    subprocess.run(cmd, check=True, timeout=timeout, env=env, cwd=corpora.HERE.parent)
    return json.loads(out.read_text())


if __name__ == "__main__":
    phase, engine, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    if phase == "build":
        data = build(engine, n)
    else:
        data = serve(engine, n, int(sys.argv[5]), int(sys.argv[6]))
    out.write_text(json.dumps(data))
