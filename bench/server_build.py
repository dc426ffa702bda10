"""The server's own snapshot build at scale: papers ingested into Redis, then `paperlens reindex`,
which streams them from Redis into the snapshot builder. `python -m bench.server_build [N]`.

It starts its own redis-server on a free port (no persistence, data in bench/out/server-build),
ingests the first N benchmark papers with `paperlens ingest --no-index`, and times `paperlens
reindex` while sampling the RSS of that process and its tokenizer workers. Generated papers
borrow real titles, and the store merges papers with the same title, so each generated title gets
a tail of stop words spelling its number: the title stays unique, and the tokens the index sees
are exactly the benchmark corpus's (the tokenizer drops stop words).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import corpora
from .engines import PeakRss
from .http_load import VENV_BIN, free_port

WORK = corpora.OUT / "server-build"


def unique_title(title: str, number: int) -> str:
    """`title` plus stop words that spell `number` (in base len(STOP_WORDS))."""
    from paperlens.ranking.tokenizer import STOP_WORDS

    words = sorted(STOP_WORDS)
    tail = []
    while True:
        number, digit = divmod(number, len(words))
        tail.append(words[digit])
        if number == 0:
            break
    return f"{title} ({' '.join(tail)})"


def corpus_file(n: int) -> Path:
    """The first n papers as the project's JSON lines (cached)."""
    path = WORK / f"papers-{n}.jsonl.gz"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as handle:
        for i, paper in enumerate(corpora.iter_papers(n)):
            generated = paper["id"].startswith("gen:")
            handle.write(json.dumps({
                "title": unique_title(paper.get("title") or "", i) if generated else paper.get("title"),
                "abstract": paper.get("abstract"),
                "authors": paper.get("authors"),
                "arxiv_id": None if generated else paper["id"],
                "id": paper["id"],
            }, ensure_ascii=False) + "\n")
    tmp.rename(path)
    return path


def measure(n: int) -> dict:
    source = corpus_file(n)
    data = WORK / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--dir", str(data),
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    env = dict(os.environ, PAPERLENS_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", PAPERLENS_DATA_DIR=str(data),
               PAPERLENS_DEMO_CORPUS="0")
    try:
        time.sleep(0.5)
        started = time.perf_counter()
        subprocess.run([str(VENV_BIN / "paperlens"), "ingest", "--no-index", str(source)], env=env, check=True,
                       stdout=subprocess.DEVNULL, timeout=7200)
        ingest_s = time.perf_counter() - started
        started = time.perf_counter()
        reindex = subprocess.Popen([str(VENV_BIN / "paperlens"), "reindex"], env=env, stdout=subprocess.DEVNULL)
        with PeakRss(pid=reindex.pid) as peak:
            reindex.wait(timeout=7200)
        reindex_s = time.perf_counter() - started
        if reindex.returncode:
            raise RuntimeError(f"paperlens reindex exited with {reindex.returncode}")
        snapshot = max((data / "index").glob("v*"))
        meta = json.loads((snapshot / "meta.json").read_text())
        info = subprocess.run(["redis-cli", "-p", str(redis_port), "info", "memory"], capture_output=True, text=True).stdout
        redis_mb = int(next(line.split(":")[1] for line in info.splitlines() if line.startswith("used_memory:"))) / 2**20
        return {"n": n, "indexed": meta["n_docs"], "ingest_s": ingest_s, "reindex_s": reindex_s,
                "reindex_peak_mb": peak.peak_mb, "redis_mb": redis_mb}
    finally:
        redis.terminate()
        redis.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=1))
