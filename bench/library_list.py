"""GET /api/v1/library and /library/tags on a reading list of 5,000 entries, in process (the Flask
test client over a private redis-server on a free port), median of 7 calls per query.

    .venv/bin/python -m bench.library_list [--corpus ../shared/data/arxiv-cs-75k.jsonl.gz] [--entries 5000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench.redis_server import RedisServer, free_port
from paperlens.app import create_app
from paperlens.corpus.formats import jsonl
from paperlens.settings import Settings

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "arxiv-cs-75k.jsonl.gz"
QUERIES = (("default page", ""), ("tag filter", "?tag=fav"), ("search q", "?q=learning"),
           ("sort=title", "?sort=title"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(DEFAULT))
    ap.add_argument("--entries", type=int, default=5000)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp())
    server = RedisServer(free_port(), folder)
    server.start()
    try:
        settings = Settings(redis_url=server.url, data_dir=folder / "data", key_prefix=f"b{uuid.uuid4().hex[:6]}",
                            demo_corpus=False, rate_limit="10000000/minute")
        with gzip.open(args.corpus, "rt") as f:
            papers = [jsonl.to_paper(json.loads(line)) for line, _ in zip(f, range(args.entries))]
        app = create_app(settings)
        svc = app.extensions["paperlens"]
        list(svc.store.papers.add_many(papers))
        reading_list = svc.store.reading_list("bench")
        for n, paper in enumerate(papers):
            reading_list.save(paper.id, paper.to_dict(), tags=[f"t{n % 20}"] + (["fav"] if n % 50 == 0 else []))
        headers = {"Authorization": f"Bearer {svc.store.tokens.create('bench')}"}
        client = app.test_client()
        for name, url in (*((n, f"/api/v1/library{q}") for n, q in QUERIES), ("tags", "/api/v1/library/tags")):
            times = []
            for _ in range(7):
                started = time.perf_counter()
                assert client.get(url, headers=headers).status_code == 200
                times.append((time.perf_counter() - started) * 1000)
            print(f"{name:14s} median {statistics.median(times):7.1f} ms  min {min(times):7.1f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
