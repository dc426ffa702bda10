"""Related by meaning, its costs: hybrid related vs BM25 alone at 75k papers (p50, uncached, same
run, interleaved), embedding throughput (papers/s) with the backlog time for 75k and 1M papers, a
posted paper embedded on the request (p50), and the vectors' memory and disk per paper.

    .venv/bin/python -m bench.semantic_speed /tmp/minilm [--queries 200] [--embed 256]

The 75k index is the real arXiv cs file; its vector table holds one int8 vector per paper made from
the real model for the first --embed papers and, for the rest, copies of those (the re-scoring costs
the same whatever the vectors say, and embedding 75k papers here would take most of an hour).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import redis

from bench.doc_sections import write_section
from paperlens.embedding.encoder import Encoder
from paperlens.ranking.fusion import Meaning
from paperlens.ranking.index import Index, term_hash
from paperlens.ranking.live_index import View
from paperlens.ranking.related import related_papers
from paperlens.ranking.snapshot import PaperTable
from paperlens.ranking.vectors import DocHashes, VectorTable, quantize
from paperlens.store.keys import Keys
from paperlens.store.vectors import VectorStore

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "arxiv-cs-75k.jsonl.gz"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "quality.md"


def p50(values) -> float:
    return float(np.percentile(values, 50))


def load() -> str:
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


def redis_bytes_per_vector(vectors: np.ndarray) -> tuple[float, float]:
    """Memory (INFO used_memory) and RDB bytes per stored vector, on a private redis-server."""
    from paperlens.store.embedded import redis_server_binary

    folder = Path(tempfile.mkdtemp(prefix="paperlens-vec-"))
    port = 20000 + os.getpid() % 20000
    server = subprocess.Popen([shutil.which("redis-server") or redis_server_binary(), "--port", str(port), "--bind",
                               "127.0.0.1", "--dir", str(folder), "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port, decode_responses=True)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)  # the server is starting (bench only)
        before = client.info("memory")["used_memory"]
        store = VectorStore(client, Keys("pl"), "all-MiniLM-L6-v2")
        store.set_many([(f"arxiv:2503.{n:05d}", v) for n, v in enumerate(vectors)])
        memory = (client.info("memory")["used_memory"] - before) / len(vectors)
        client.save()
        disk = (folder / "dump.rdb").stat().st_size / len(vectors)
        return memory, disk
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


LINES: list[str] = []


def say(line: str) -> None:
    print(line, flush=True)
    LINES.append(f"- {line}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", type=Path)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--embed", type=int, default=256)
    ap.add_argument("--latency-only", action="store_true",
                    help="only hybrid vs BM25 related (random unit vectors in the table: the cost is the same)")
    args = ap.parse_args()
    with gzip.open(CORPUS, "rt") as f:
        papers = [json.loads(line) for line in f]
    texts = [f"{p['title']}\n{p['abstract']}" for p in papers]
    say(f"{len(texts):,} papers; {os.cpu_count()} cores ({platform.processor() or platform.machine()}); {load()}")

    if not args.latency_only:
        # -- embedding throughput: the filler's shape (one text a run), on 1 and 2 threads
        sample = random.Random(7).sample(range(len(texts)), args.embed)
        for threads in (1, 2):
            encoder = Encoder(args.model, threads=threads)
            encoder.embed(texts[:8])
            started, cpu = time.perf_counter(), time.process_time()
            vectors = encoder.embed([texts[i] for i in sample])
            rate = args.embed / (time.perf_counter() - started)
            cpu_ms = (time.process_time() - cpu) / args.embed * 1000
            say(f"embedding {args.embed} arXiv abstracts, {threads} thread(s): {rate:.1f} papers/s here "
                f"(backlog of 75k papers {75_000 / rate / 3600:.1f} h, of 1M {1_000_000 / rate / 3600:.0f} h); "
                f"{cpu_ms:.0f} ms of CPU a paper; {load()}")
            if threads == 1:
                one_thread_cpu_ms = cpu_ms
        idle = 2 * 1000 / one_thread_cpu_ms  # two idle cores, a paper taking one_thread_cpu_ms on each
        say(f"so on 2 idle cores (PAPERLENS_EMBED_CPU=2): at most {idle:.0f} papers/s, 75k papers in "
            f"{75_000 / idle / 60:.0f} min, 1M in {1_000_000 / idle / 3600:.1f} h")

        # -- a posted paper embedded on the request (one thread, as a server worker runs it)
        encoder = Encoder(args.model, threads=1)
        posted, posted_cpu = [], []
        for i in random.Random(8).sample(range(len(texts)), 30):
            started, cpu = time.perf_counter(), time.process_time()
            encoder.embed([texts[i]])
            posted.append((time.perf_counter() - started) * 1000)
            posted_cpu.append((time.process_time() - cpu) * 1000)
        say(f"posted paper embedded on the request: p50 {p50(posted):.0f} ms here, p95 {np.percentile(posted, 95):.0f} "
            f"ms; CPU p50 {p50(posted_cpu):.0f} ms (what it takes on an idle core; 30 papers, 1 thread); {load()}")

    else:
        vectors = np.random.default_rng(7).standard_normal((args.embed, 384)).astype(np.float32)

    # -- hybrid vs BM25 related, uncached, at 75k
    started = time.perf_counter()
    index = Index.build(texts)
    records = [json.dumps({"id": f"arxiv:{p['id']}", "title": p["title"]}) for p in papers]
    view = View(index, PaperTable.from_json(records))
    say(f"index of {len(texts):,} papers built in {time.perf_counter() - started:.0f} s")
    int8 = quantize(vectors)
    table = VectorTable.empty(int8.shape[1]).with_vectors(
        np.array([term_hash(f"arxiv:{p['id']}") for p in papers], dtype=np.uint64),
        int8[np.arange(len(papers)) % len(int8)], covered=len(papers))
    hashes = DocHashes()
    picks = random.Random(42).sample(range(len(texts)), args.queries)
    related_papers(view, texts[0], 10)  # compiled kernels loaded
    bm25, hybrid = [], []
    for i in picks:
        own = f"arxiv:{papers[i]['id']}"
        t = time.perf_counter()
        related_papers(view, texts[i], 10, exclude_id=own)
        bm25.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        meaning = Meaning(table.vector_of(own), table, hashes)
        related_papers(view, texts[i], 10, exclude_id=own, meaning=meaning)
        hybrid.append((time.perf_counter() - t) * 1000)
    say(f"related (top 10 with matched words, uncached), {args.queries} papers interleaved: BM25 p50 "
          f"{p50(bm25):.2f} ms, hybrid (BM25 top {meaning.depth} re-scored) p50 {p50(hybrid):.2f} ms: "
          f"+{p50(hybrid) - p50(bm25):.2f} ms; {load()}")

    if args.latency_only:
        return
    # -- size
    in_process = int8.shape[1] + 4 + 16  # int8 row, its inverse norm, its hash and row number
    in_snapshot = int8.shape[1] + 4  # int8 row and the document's row number (ranking/snapshot_build.py)
    memory, disk = redis_bytes_per_vector(int8)
    say(f"vectors per paper: {int8.shape[1]} int8 values; Redis memory {memory:.0f} B, RDB {disk:.0f} B; in the "
          f"index snapshot {in_snapshot} B on disk ({in_snapshot * 75_000 / 2**20:.0f} MiB at 75k, "
          f"{in_snapshot * 1_000_000 / 2**20:.0f} MiB at 1M), memory-mapped: one copy for every worker; "
          f"{in_process} B in a worker's own overlay for each vector stored since the snapshot "
          "(workers' memory: `python -m bench.shared_memory --vectors`)")

    write_section(DOCS, "semantic-speed", "\n".join([
        "### Related by meaning: speed and size",
        "",
        "`python -m bench.semantic_speed MODEL` (all-MiniLM-L6-v2 from `bench.embed_model`), one run:",
        "",
        *LINES,
    ]))


if __name__ == "__main__":
    main()
