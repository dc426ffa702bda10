"""Four processes over one memory-mapped snapshot: what each holds (RSS, PSS, USS).

Each process loads the saved Paperlens snapshot exactly as a gunicorn worker does
(snapshot.load, np.load(mmap_mode="r")), answers related-papers queries until it has touched
every posting list they need, then reports; the numbers come from /proc/<pid>/smaps_rollup.

`python -m bench.shared_memory --vectors` measures the papers' embedding vectors the same way, at
75k arXiv papers (../shared/data): four workers with no vectors, four that each hold every vector in
their own memory (as every worker did before snapshots held them: filled from Redis), and four that
map them from the snapshot; each answers hybrid related queries and then reads every vector once
(the worst case: every paper a candidate at some point). Written to docs/quality.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import corpora, engines

WORKER = r"""
import sys, json
from pathlib import Path
from paperlens.ranking import snapshot
sys.path.insert(0, {root!r})
from bench import queries
path = Path({path!r})
index, _ = snapshot.load(next(p for p in path.iterdir() if p.name.startswith("v")))
for item in queries.load({n})["long"][:100] + queries.load({n})["short"][:100]:
    index.rank(index.query(item["tokens"]), 10)
print("ready", flush=True)
sys.stdin.read()
"""


def smaps_rollup(pid: int) -> dict:
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 3 and parts[2] == "kB":
                values[parts[0].rstrip(":")] = int(parts[1]) / 1024
    return {"rss_mb": values.get("Rss", 0), "pss_mb": values.get("Pss", 0),
            "uss_mb": values.get("Private_Clean", 0) + values.get("Private_Dirty", 0),
            "shared_mb": values.get("Shared_Clean", 0) + values.get("Shared_Dirty", 0)}


def measure(n: int, workers: int = 4) -> dict:
    path = engines.index_dir("paperlens", n)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(corpora.HERE.parent / "backend"), str(corpora.HERE.parent)]))
    code = WORKER.format(root=str(corpora.HERE.parent), path=str(path), n=n)
    procs = [subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
             for _ in range(workers)]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        per = [smaps_rollup(proc.pid) for proc in procs]
    finally:
        for proc in procs:
            proc.stdin.close()
            proc.wait(timeout=60)
    index_mb = engines.folder_mb(path)
    return {"n": n, "workers": per, "index_on_disk_mb": index_mb,
            "sum_pss_mb": sum(w["pss_mb"] for w in per), "sum_rss_mb": sum(w["rss_mb"] for w in per)}


VECTOR_WORKER = r"""
import sys, json
import numpy as np
from pathlib import Path
from paperlens.ranking import snapshot
from paperlens.ranking.fusion import Meaning
from paperlens.ranking.live_index import View
from paperlens.ranking.related import related_papers
from paperlens.ranking.vectors import DocHashes, VectorTable
mode, path, picks = {mode!r}, Path({path!r}), {picks!r}
index, papers = snapshot.load(path)
mapped, table = papers.vectors, None
if mode == "in_process":
    # each worker's own copy, as MeaningSignal filled it from Redis before snapshots held vectors
    hashes = np.zeros(len(mapped.doc_rows), np.uint64)
    hashes[mapped.id_docs] = mapped.id_hashes
    rows = np.load(path / "vectors.npy")  # read, not mapped (as from Redis): the table keeps its own copy
    table = VectorTable.empty(mapped.dim).with_vectors(hashes[mapped.doc_rows >= 0], rows, covered=mapped.covered)
    del hashes, rows
elif mode == "mapped":
    table = VectorTable.empty(mapped.dim, mapped)
view, doc_hashes = View(index, papers), DocHashes()
for doc in picks:
    paper = papers.paper(doc)
    meaning = Meaning(table.vector_of(paper["id"]), table, doc_hashes) if table is not None else None
    related_papers(view, paper["title"] + "\n" + paper["abstract"], 10, exclude_id=paper["id"], meaning=meaning)
if table is not None:  # every vector read once
    every = doc_hashes.of(papers, np.arange(index.n_docs))
    assert not np.isnan(table.cosines(table.vector_of(papers.paper(0)["id"]), every)).any()
print("ready", flush=True)
sys.stdin.read()
"""

VECTOR_MODES = {"none": "no vectors (BM25 alone)", "in_process": "every vector in each worker's own memory (before)",
                "mapped": "vectors mapped from the snapshot (after)"}
DOCS = corpora.HERE.parent / "docs" / "quality.md"
CORPUS = corpora.HERE.parents[1] / "shared" / "data" / "arxiv-cs-75k.jsonl.gz"


def snapshot_with_vectors(folder: Path, dim: int = 384) -> tuple[Path, int]:
    """A snapshot of the 75k arXiv papers with an int8 vector each (random ones: memory is the same
    whatever the vectors say); built as the server builds it, vectors read in batches."""
    from paperlens.ranking import snapshot_build
    from paperlens.ranking.vectors import VectorSource, quantize

    with gzip.open(CORPUS, "rt") as handle:
        papers = [json.loads(line) for line in handle]
    rng = np.random.default_rng(7)
    source = VectorSource("bench", dim, lambda: len(papers),
                          lambda ids: list(quantize(rng.standard_normal((len(ids), dim)).astype(np.float32))))
    stream = ((f"arxiv:{p['id']}", json.dumps({"id": f"arxiv:{p['id']}", "title": p["title"], "abstract": p["abstract"]}),
               f"{p['title']}\n{p['abstract']}") for p in papers)
    path = snapshot_build.build(folder, stream, corpus_version=1, log_position=len(papers), workers=2, vectors=source)
    return path, len(papers)


def measure_vectors(workers: int = 4, queries: int = 200) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(corpora.HERE.parent / "backend"), str(corpora.HERE.parent)]))
    with tempfile.TemporaryDirectory() as tmp:
        path, n = snapshot_with_vectors(Path(tmp))
        picks = [int(d) for d in np.random.default_rng(42).choice(n, queries, replace=False)]
        vectors_mb = sum((path / f).stat().st_size for f in ("vectors.npy", "vector_doc_rows.npy")) / 2**20
        results = {"n": n, "workers": workers, "vectors_on_disk_mb": vectors_mb, "modes": {}}
        for mode in VECTOR_MODES:
            code = VECTOR_WORKER.format(mode=mode, path=str(path), picks=picks)
            procs = [subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      env=env, text=True) for _ in range(workers)]
            try:
                for proc in procs:
                    assert proc.stdout.readline().strip() == "ready"
                time.sleep(0.5)
                results["modes"][mode] = [smaps_rollup(proc.pid) for proc in procs]
            finally:
                for proc in procs:
                    proc.stdin.close()
                    proc.wait(timeout=60)
    return results


def vectors_section(r: dict) -> str:
    def mean(mode, key):
        return sum(w[key] for w in r["modes"][mode]) / len(r["modes"][mode])

    lines = ["### Related by meaning: the vectors' memory in the server's workers", "",
             f"`python -m bench.shared_memory --vectors`: {r['n']:,} arXiv papers, {r['workers']} worker processes "
             "over one snapshot, each answering 200 hybrid related queries and then reading every vector once "
             f"(384 int8 values a paper; the snapshot's vectors take {r['vectors_on_disk_mb']:.1f} MiB on disk); "
             f"MiB per worker from /proc/PID/smaps_rollup, mean of the {r['workers']}; {load()}.", "",
             "| vectors | RSS | PSS | USS (private) | PSS of all workers |", "|---|---|---|---|---|"]
    for mode, label in VECTOR_MODES.items():
        lines.append(f"| {label} | {mean(mode, 'rss_mb'):.1f} | {mean(mode, 'pss_mb'):.1f} | {mean(mode, 'uss_mb'):.1f} "
                     f"| {sum(w['pss_mb'] for w in r['modes'][mode]):.1f} |")
    private = mean("in_process", "uss_mb") - mean("none", "uss_mb")
    shared = mean("mapped", "pss_mb") - mean("none", "pss_mb")
    lines += ["", f"Held in each worker, the vectors cost {private:.1f} MiB of private memory per worker "
              f"({private * 2**20 / r['n']:.0f} B a paper: the table's 404 B and what the allocator keeps of the "
              f"copy it was filled from); mapped from the snapshot, one copy in the page cache is shared, and each "
              f"of {r['workers']} workers' PSS grows by {shared:.1f} MiB ({shared * r['workers']:.1f} MiB in all). "
              "Vectors stored after the snapshot stay in each worker's own overlay until the next one "
              "(at most a fold's worth, 5% of the corpus or 5,000 papers, before a fold is asked for)."]
    return "\n".join(lines)


def load() -> str:
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vectors", action="store_true", help="the embedding vectors' memory (docs/quality.md)")
    ap.add_argument("--n", type=int, default=75_000, help="papers, without --vectors (bench.run's index)")
    args = ap.parse_args()
    if args.vectors:
        from .doc_sections import write_section

        measured = measure_vectors()
        print(json.dumps(measured))
        section = vectors_section(measured)
        print(section)
        write_section(DOCS, "semantic-memory", section)
    else:
        print(json.dumps(measure(args.n), indent=1))


if __name__ == "__main__":
    main()
