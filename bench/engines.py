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
import threading
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
class PeakRss:
    """Peak RSS of a process (this one by default) plus its children (tokenizer workers), sampled
    every 20 ms while the block runs. Pages a forked child shares with its parent are counted in both, so this is an
    upper bound of what the build holds."""

    def __init__(self, interval: float = 0.02, pid: int | None = None) -> None:
        self.interval = interval
        self.pid = pid  # this process when None
        self.peak_mb = 0.0
        self._stop = threading.Event()

    def _sample(self) -> None:
        import psutil

        me = psutil.Process(self.pid)
        while not self._stop.is_set():
            total = 0
            try:
                procs = [me, *me.children(recursive=True)]
            except psutil.Error:  # the process has ended
                procs = []
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_mb = max(self.peak_mb, total / 2**20)
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakRss":
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def paper_record(paper: dict) -> str:
    """What the server keeps per paper for results (live_index.paper_record's fields)."""
    from paperlens.indexing.live_index import RESULT_FIELDS

    return json.dumps({k: paper.get(k) for k in RESULT_FIELDS}, ensure_ascii=False)


def build(engine: str, n: int) -> dict:
    """Index the first n papers, from the corpus files to an index on disk. Every engine reads the
    corpus inside the timed part (read_s says what reading alone takes); Paperlens streams it,
    the others hold all texts or tokens, as their indexing needs."""
    if engine == "paperlens" or not queries.path(n).exists():
        queries.make(corpora.iter_papers(n), n)
    path = index_dir(engine, n)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    extra: dict = {}
    peak = PeakRss()
    started = time.perf_counter()
    with peak:
        if engine == "paperlens":
            from paperlens.ranking import snapshot_build
            from paperlens.ranking.index import default_workers

            stream = ((p["id"], paper_record(p), corpora.text_of(p)) for p in corpora.iter_papers(n))
            snapshot_build.build(path, stream, corpus_version=0, log_position=n, workers=default_workers(n))
            built = time.perf_counter() - started
        elif engine == "tantivy":
            import tantivy

            builder = tantivy.SchemaBuilder()
            builder.add_text_field("body", stored=False)
            builder.add_unsigned_field("n", stored=True)
            schema = builder.build()
            idx = tantivy.Index(schema, path=str(path))
            # One indexing thread with a heap that holds the whole corpus gives one segment, tantivy's
            # fastest layout for queries (tantivy-py has no call to merge segments afterwards).
            writer = idx.writer(heap_size=TANTIVY_HEAP, num_threads=1)
            for i, paper in enumerate(corpora.iter_papers(n)):
                writer.add_document(tantivy.Document(body=" ".join(_tokenize_one(corpora.text_of(paper))), n=i))
            writer.commit()
            writer.wait_merging_threads()
            built = time.perf_counter() - started
            idx.reload()
            extra = {"segments": idx.searcher().num_segments, "workers": 1}
        elif engine == "bm25s":
            import bm25s

            corpus_tokens = tokens_of(corpora.text_of(p) for p in corpora.iter_papers(n))
            retriever = bm25s.BM25(method="robertson", k1=1.5, b=0.75, backend="numba")
            retriever.index(corpus_tokens, show_progress=False)
            built = time.perf_counter() - started
            retriever.save(str(path), show_progress=False)
            extra = {"workers": 1}
        elif engine == "lucene":
            from . import lucene

            extra = lucene.build(str(path), (_tokenize_one(corpora.text_of(p)) for p in corpora.iter_papers(n)))
            built = time.perf_counter() - started
            extra.update(workers=1, segments=1, lucene=lucene.version())
        elif engine == "rank_bm25":
            from rank_bm25 import BM25Okapi

            BM25Okapi(tokens_of(corpora.text_of(p) for p in corpora.iter_papers(n)))
            built = time.perf_counter() - started
            extra = {"workers": 1}
        else:
            raise SystemExit(f"unknown engine {engine}")
    # The peaks are read before the index is inspected below: reading every posting to count terms
    # per paper maps the whole postings file into this process (it once added 890 MB to the
    # "build" peak at 1M papers).
    hwm = peak_rss_mb()
    if engine == "paperlens":
        from paperlens.ranking import snapshot
        from paperlens.ranking.index import default_workers

        folder = next(p for p in path.iterdir() if p.name.startswith("v"))
        index, _ = snapshot.load(folder)
        papers_mb = sum(folder_mb(folder / f"{name}.npy") for name in snapshot.PAPER_ARRAYS)
        extra = {"vocabulary": len(index.vocab), "postings": int(len(index.segments[0].lows)),
                 "pairs": int(len(index.pairs.tf)), "tokens": int(index.doc_len.sum()),
                 "papers_mb": papers_mb, "workers": default_workers(n)}
        # distinct terms per paper, real against generated (corpora.py's claim, measured)
        distinct = np.bincount(index.segments[0].documents(), minlength=n)
        real = min(n, corpora.INDEXED_REAL)
        extra["distinct_real"] = float(distinct[:real].mean())
        extra["distinct_generated"] = float(distinct[real:].mean()) if n > real else None
    disk = folder_mb(path) if engine != "rank_bm25" else None
    return {"engine": engine, "n": n, "build_s": built, "build_hwm_mb": hwm, "build_tree_peak_mb": peak.peak_mb,
            "disk_mb": disk - extra.get("papers_mb", 0.0) if disk is not None else None, **extra}


def read_time(n: int) -> float:
    """Seconds to read and decompress the first n papers of the corpus, the part of every build
    that is not indexing."""
    started = time.perf_counter()
    for paper in corpora.iter_papers(n):
        corpora.text_of(paper)
    return time.perf_counter() - started


TANTIVY_HEAP = 3_800_000_000  # bytes; tantivy allows just under 4 GB per indexing thread


def _tokenize_one(text):
    from paperlens.ranking.tokenizer import tokenize

    return tokenize(text)


# -- serve --------------------------------------------------------------------------------------
class Opened:
    """One engine's saved index, opened the way a server would, behind one call:
    run(tokens, exclude) -> (documents, scores) of the top K, documents as corpus positions.
    Peers have no exclusion of their own here, so they are asked for K + len(exclude) and the
    excluded documents are dropped (inside the timed call): what a user of them would do."""

    def __init__(self, engine: str, n: int) -> None:
        self.engine, self.n = engine, n
        self.counters: list[list[int]] = []
        self.all_scores = None
        self.extra: dict = {}
        path = index_dir(engine, n)
        if engine == "paperlens":
            from paperlens.ranking import snapshot

            self.index, _ = snapshot.load(next(p for p in path.iterdir() if p.name.startswith("v")))
            self.run = self._paperlens
            self.all_scores = lambda tokens: self.index.scores(self.index.query(tokens))
        elif engine == "tantivy":
            import tantivy

            self.idx = tantivy.Index.open(str(path))
            self.searcher = self.idx.searcher()
            self.extra["segments"] = self.searcher.num_segments
            self.run = self._tantivy
        elif engine == "bm25s":
            import bm25s

            self.retriever = bm25s.BM25.load(str(path), mmap=True, show_progress=False, backend="numba")
            self.run = self._bm25s
            vocab = self.retriever.vocab_dict
            self.all_scores = lambda tokens: self.retriever.get_scores([t for t in tokens if t in vocab])
        elif engine == "lucene":
            from . import lucene

            self.lucene = lucene.Searcher(str(path))
            self.extra["segments"] = self.lucene.segments
            self.run = self._lucene
        elif engine == "rank_bm25":
            from rank_bm25 import BM25Okapi

            papers = corpora.load(n)
            self.reference = BM25Okapi(tokens_of([corpora.text_of(p) for p in papers]))
            del papers
            self.run = self._rank_bm25
            self.all_scores = self.reference.get_scores
        else:
            raise SystemExit(f"unknown engine {engine}")

    def _paperlens(self, tokens, exclude=()):
        index = self.index
        stats = np.zeros(4, np.int64)
        docs, scores = index.rank(index.query(tokens), K, exclude=exclude, stats=stats)
        self.counters.append([int(x) for x in stats[:2]])  # postings scanned, candidates looked up
        return docs, scores

    def _tantivy(self, tokens, exclude=()):
        # count=False leaves tantivy-py's MultiCollector without its Count collector; TopDocs
        # still runs inside it, which scores every match (no Block-WAND: see the report).
        query = self.idx.parse_query(" ".join(tokens), ["body"])
        hits = self.searcher.search(query, K + len(exclude), count=False).hits
        # one segment built in order by one thread: a document's address is its corpus position
        return _dropped([a.doc for _, a in hits], [s for s, _ in hits], exclude)

    def _bm25s(self, tokens, exclude=()):
        # bm25s at its fastest: its numba scorer and top-k, one thread like the others. Repeated
        # query tokens are passed as repeated ids; bm25s sums them as rank-bm25 does.
        vocab = self.retriever.vocab_dict
        ids = [vocab[t] for t in tokens if t in vocab]
        docs, scores = self.retriever.retrieve([ids], k=K + len(exclude), show_progress=False, n_threads=1)
        return _dropped(docs[0], scores[0], exclude)

    def _lucene(self, tokens, exclude=()):
        docs, scores = self.lucene.run(tokens, K + len(exclude))
        return _dropped(docs, scores, exclude)

    def _rank_bm25(self, tokens, exclude=()):
        scores = self.reference.get_scores(tokens)
        if len(exclude):
            scores[np.asarray(exclude)] = -np.inf
        top = np.argsort(-scores, kind="stable")[:K]
        return top, scores[top]

    def check_positions(self, docs) -> None:
        """Peers' document numbers are taken as corpus positions (one segment, built in order):
        checked against their stored field, outside the timings."""
        if self.engine == "tantivy":
            from tantivy import DocAddress

            got = [self.searcher.doc(DocAddress(0, int(d)))["n"][0] for d in docs]
        elif self.engine == "lucene":
            got = self.lucene.resolve([int(d) for d in docs])
        else:
            return
        if [int(d) for d in docs] != got:
            raise SystemExit(f"{self.engine}: document numbers are not corpus positions ({list(docs)} vs {got})")


K = 10


def _dropped(docs, scores, exclude):
    docs, scores = list(docs), list(scores)
    if len(exclude):
        gone = set(exclude)
        kept = [(d, s) for d, s in zip(docs, scores) if int(d) not in gone]
        docs, scores = [d for d, _ in kept], [s for _, s in kept]
    return docs[:K], np.asarray(scores[:K], dtype=np.float64)


KINDS = ("long", "long_in", "short")


def serve(engine: str, n: int, n_long: int, n_short: int) -> dict:
    """Open the saved index, answer every query set once (after one warm-up query per set), keep
    top-10s and scores for the exactness check and the RSS answering takes. Latency ratios come
    from bench/paired.py, which answers each query with every engine in one process."""
    qs = queries.load(n, n_long, n_short)
    start_rss = rss_mb()
    opened = Opened(engine, n)
    loaded_rss = rss_mb()
    result = {"engine": engine, "n": n, "open_rss_mb": loaded_rss - start_rss, **opened.extra}
    for kind in KINDS:
        items = qs.get(kind) or []
        if engine == "rank_bm25" and kind == "long_in":
            continue
        if not items:
            continue
        opened.run(items[0]["tokens"], items[0]["exclude"])  # compiled kernels and caches warm
        opened.counters.clear()
        times, tops = [], []
        for item in items:
            t0 = time.perf_counter()
            docs, scores = opened.run(item["tokens"], item["exclude"])
            times.append(time.perf_counter() - t0)
            tops.append({"docs": [int(d) for d in docs], "scores": [float(s) for s in scores]})
        opened.check_positions(tops[0]["docs"])
        result[kind] = {"ms": [t * 1000 for t in times], "tops": tops}
        if engine == "paperlens":
            index = opened.index
            result[kind]["postings_scanned"] = [c[0] for c in opened.counters]
            result[kind]["looked_up"] = [c[1] for c in opened.counters]
            result[kind]["postings_held"] = [int(index.df[index.query(item["tokens"]).term_ids].sum()) for item in items]
    if opened.all_scores is not None:
        # Full score vectors of the first few queries, for the max relative difference.
        keep = OUT / "scores" / f"{engine}-{n}.npz"
        keep.parent.mkdir(parents=True, exist_ok=True)
        arrays = {}
        for kind in ("long", "short"):
            for i, item in enumerate(qs[kind][: queries.SCORED]):
                arrays[f"{kind}{i}"] = np.asarray(opened.all_scores(item["tokens"]), dtype=np.float64)
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
    elif phase == "read":
        data = {"n": n, "read_s": read_time(n)}
    else:
        data = serve(engine, n, int(sys.argv[5]), int(sys.argv[6]))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data))
