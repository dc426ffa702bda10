"""POST /library/rank speed: 200 candidates against a 1,000-paper reading list over the real 75k
arXiv corpus, in process (a private redis-server on a free port), each call with a new listing.

    .venv/bin/python -m bench.for_you_rank [--corpus ../shared/data/arxiv-cs-75k.jsonl.gz] [--calls 50]

Measured, as wall time and as this process's CPU time (which other work on a shared machine hardly
moves; Redis's own work is not in it): the domain call (ForYou.rank) and the route through the Flask test client (JSON, schema),
for listings of papers the corpus has (sent by id) and of papers it lacks (title + abstract + arXiv
id); the first call after the list changes (which tokenizes the list); and, as the reference from
the same run, GET /library/recommendations on the same list.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

from bench.corpora import REAL
from bench.redis_server import RedisServer, free_port
from paperlens.app import create_app
from paperlens.corpus.formats import jsonl
from paperlens.settings import Settings

LIBRARY = 1000
CANDIDATES = 200
HELD_OUT = 4000  # papers kept out of the corpus: listings of papers it does not have yet
DAY_PAPERS = 1000  # papers that joined "today" (a busy day of arXiv cs)


def percentiles(times: list[tuple[float, float]]) -> str:
    wall, cpu = np.array(times).T
    return (f"wall p50 {np.percentile(wall, 50):.1f} ms, p95 {np.percentile(wall, 95):.1f} ms; "
            f"CPU p50 {np.percentile(cpu, 50):.1f} ms, p95 {np.percentile(cpu, 95):.1f} ms")


def timed(call) -> tuple[float, float]:
    """(wall ms, CPU ms of this process): CPU time hardly moves with other work on a shared machine."""
    started, cpu = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(REAL))
    ap.add_argument("--calls", type=int, default=50)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp())
    server = RedisServer(free_port(), folder)
    server.start()
    try:
        with gzip.open(args.corpus, "rt") as f:
            papers = [jsonl.to_paper(json.loads(line)) for line in f]
        rng = random.Random(7)
        rng.shuffle(papers)
        held_out, corpus = papers[:HELD_OUT], papers[HELD_OUT:]
        settings = Settings(redis_url=server.url, data_dir=folder / "data", key_prefix=f"b{uuid.uuid4().hex[:6]}",
                            demo_corpus=False, rate_limit="10000000/minute", index_refresh_seconds=3600)
        app = create_app(settings)
        svc = app.extensions["paperlens"]
        started = time.perf_counter()
        # all but the newest DAY_PAPERS joined two days ago: a one-day digest has a day's worth of new papers
        svc.store.papers.clock = lambda: time.time() - 2 * 86400
        list(svc.store.papers.add_many(corpus[:-DAY_PAPERS]))
        svc.store.papers.clock = time.time
        list(svc.store.papers.add_many(corpus[-DAY_PAPERS:]))
        svc.index.build_now()
        view = svc.index.view()
        print(f"{view.index.n_docs:,} papers stored and indexed in {time.perf_counter() - started:.0f} s")

        # a list of one field's papers, as a researcher's would be: 1,000 cs.CL papers
        field = [p for p in corpus if p.categories and p.categories[0] == "cs.CL"]
        reading_list = svc.store.reading_list("bench")
        for paper in field[:LIBRARY]:
            reading_list.save(paper.id, paper.to_dict())
        headers = {"Authorization": f"Bearer {svc.store.tokens.create('bench')}"}
        client = app.test_client()
        for_you = svc.for_you("bench")

        listings = [[{"id": p.id} for p in rng.sample(corpus, CANDIDATES)] for _ in range(args.calls)]
        fresh = [[{"title": p.title, "abstract": p.abstract, "arxiv_id": p.arxiv_id} for p in
                  rng.sample(held_out, CANDIDATES)] for _ in range(args.calls)]

        first = timed(lambda: for_you.rank(listings[0][:1]))  # tokenizes the list, compiles the kernels
        rows = {}
        rows["domain call, papers in the corpus (by id)"] = [timed(lambda c=c: for_you.rank(c)) for c in listings]
        rows["domain call, papers not in the corpus (title + abstract)"] = [timed(lambda c=c: for_you.rank(c))
                                                                             for c in fresh]

        def post(candidates):
            r = client.post("/api/v1/library/rank", json={"papers": candidates}, headers=headers)
            assert r.status_code == 200, r.get_json()

        rows["route, papers in the corpus (by id)"] = [timed(lambda c=c: post(c)) for c in listings]
        rows["route, papers not in the corpus (title + abstract)"] = [timed(lambda c=c: post(c)) for c in fresh]

        def recommendations():
            assert client.get("/api/v1/library/recommendations?k=10&summaries=none", headers=headers).status_code == 200

        recommendations()
        reference = [timed(recommendations) for _ in range(min(args.calls, 20))]
        digests = {
            f"GET /library/digest?days=1&k=20 (a window of {DAY_PAPERS:,} new papers, the 300 the profile query "
            f"ranks best scored in full), summaries=none": "days=1",
            "GET /library/digest?days=3&k=20 (every paper in the window: its newest 5,000 looked at), "
            "summaries=none": "days=3"}
        for name, query in digests.items():
            url = f"/api/v1/library/digest?{query}&k=20&summaries=none"
            assert client.get(url, headers=headers).status_code == 200
            rows[name] = [timed(lambda u=url: client.get(u, headers=headers)) for _ in range(min(args.calls, 10))]
        reading_list.dismiss(corpus[-1].id)  # the list changed: the next call tokenizes it again
        rebuilt = timed(lambda: for_you.rank(listings[0]))

        print(f"\n{CANDIDATES} candidates against a {LIBRARY:,}-paper list, {args.calls} calls each "
              f"(a new listing every call; the digests 10 calls each):")
        for name, times in rows.items():
            ratio = np.median([c for _, c in times]) / np.median([c for _, c in reference])
            print(f"- {name}: {percentiles(times)} ({ratio:.2f}x the reference's CPU time)")
        print(f"- reference, GET /library/recommendations?k=10&summaries=none on the same list: {percentiles(reference)}")
        print(f"- the first call of a process (list tokenized, kernels compiled or loaded): {first[0]:.0f} ms wall; "
              f"the first call after the list changed: {rebuilt[0]:.0f} ms wall")
        print(f"\nmachine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), shared with other "
              f"work; Python {platform.python_version()}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
