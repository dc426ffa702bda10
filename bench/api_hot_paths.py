"""The API's hot paths in process (Flask test client, a private redis-server, the 3,000-paper arXiv
fixture): related by id uncached and cached, and search, with a token. Prints the median and mean
CPU time of this process per request (less sensitive than wall time to other work on a shared
machine; Redis's own time is not in it). Summaries are cached first, so assembly is measured, not
TextRank. To compare two commits, point it at a checkout of each:

    .venv/bin/python bench/api_hot_paths.py [REPO_DIR]      # default: this checkout
"""
import gzip, json, statistics, sys, tempfile, time, uuid
from pathlib import Path
HERE = Path(__file__).resolve().parent
# The Redis launcher and the fixture come from this checkout whichever checkout is timed, so both runs
# of a comparison start the same redis-server over the same papers. redis_server.py imports no
# paperlens, so the paperlens imported below is REPO_DIR's.
sys.path.insert(0, str(HERE))
from redis_server import RedisServer, free_port
FIXTURES = HERE.parent / "tests" / "fixtures"
repo = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parent); sys.path[:0] = [str(repo), str(repo / "backend")]
from paperlens.app import create_app
from paperlens.settings import Settings
from paperlens.corpus.formats import jsonl

tmp = Path(tempfile.mkdtemp())
server = RedisServer(free_port(), tmp); server.start()
try:
    settings = Settings(redis_url=server.url, data_dir=tmp / "data", key_prefix=f"b{uuid.uuid4().hex[:6]}",
                        index_refresh_seconds=0.5, demo_corpus=False, rate_limit="10000000/minute")
    with gzip.open(FIXTURES / "arxiv-cs-3000.jsonl.gz", "rt") as f:
        papers = [p for p in jsonl.parse(f) if hasattr(p, "title")]
    app = create_app(settings)
    svc = app.extensions["paperlens"]
    list((svc.store.papers if hasattr(svc, 'store') else svc.papers).add_many(papers))
    if hasattr(svc, "store"):
        token = svc.store.tokens.create("bench"); raw = svc.store.cache.r
    else:
        from paperlens.store.tokens import TokenStore
        token = TokenStore(svc.redis, svc.keys).create("bench"); raw = svc.redis
    client = app.test_client()
    h = {"Authorization": f"Bearer {token}"}
    ids = [p.id for p in papers[:400]]
    for i in ids[:20]:
        client.put(f"/api/v1/library/{i}", json={}, headers=h)
    client.get("/api/v1/search?q=warm")
    # summaries off the table: cache them all first so both runs compare assembly, not TextRank
    for i in ids:
        client.get(f"/api/v1/papers/{i}/related?k=10", headers=h)
    raw.delete(*raw.keys(f"{settings.key_prefix}:cache:related:*"))
    def timed(urls):
        out = []
        for u in urls:
            t = time.process_time(); r = client.get(u, headers=h); out.append((time.process_time() - t) * 1e6)
            assert r.status_code == 200, (u, r.status_code, r.data[:200])
        return out
    rel = [f"/api/v1/papers/{i}/related?k=10" for i in ids]
    unc = timed(rel)
    cac = timed(rel)
    words = ["graph neural network", "reinforcement learning", "diffusion model", "language model agents",
             "image segmentation", "federated learning privacy", "quantum", "robot manipulation"]
    sea = timed([f"/api/v1/search?q={w}&k=10" for w in words * 50])
    for name, xs in (("uncached related", unc), ("cached related", cac), ("search", sea)):
        print(f"{name:18s} cpu median {statistics.median(xs):8.0f} us  mean {statistics.mean(xs):8.0f} us  n={len(xs)}")
finally:
    server.stop()
