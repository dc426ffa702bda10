"""Sync speed: parsing and storing one 1,000-record OAI page, a 10,000-record sync from the fake upstream
with no pause between requests, and related-papers latency over HTTP while `paperlens serve` syncs.

    .venv/bin/python -m bench.sync_speed [page] [sync] [serve] [serve_polite]      # default: all

Pages are the recorded responses' shapes (bench/fake_upstream.py) filled with real arXiv papers from
the 75k file (PAPERLENS_BENCH_REAL), so records have real lengths. Each figure comes with its reference
measured in the same run: the same papers read and stored the way `paperlens ingest` reads a Kaggle
JSON-lines file. It starts its own redis-server on a free port (data in bench/out/sync) and its own fake
upstream; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import redis

from paperlens.corpus.formats import arxiv_oai, arxiv_oai_pmh
from paperlens.settings import Settings
from paperlens.store.feeds import FeedStore
from paperlens.store.keys import Keys
from paperlens.store.papers import PaperStore
from paperlens.sync.runner import Syncer

from . import corpora
from .fake_upstream import FakeUpstream, SynthPaper, oai_page
from .http_load import free_port, wait_for

WORK = corpora.OUT / "sync"
VENV_BIN = Path(sys.executable).parent
TODAY = date(2026, 7, 1)


def machine() -> dict:
    return {"cpus": os.cpu_count(), "load": open("/proc/loadavg").read().split()[:3],
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                     cwd=corpora.HERE.parent).stdout.strip()}


def real_papers(count: int, skip: int = 0) -> list[dict]:
    out = []
    with gzip.open(corpora.REAL, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number >= skip:
                out.append(json.loads(line))
            if len(out) == count:
                break
    return out


def as_synth(paper: dict, number: int, arxiv_id: str | None = None, title_suffix: str = "") -> SynthPaper:
    day = date.fromisoformat(paper.get("update_date") or "2025-06-01")
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc) - timedelta(seconds=number)
    return SynthPaper(number=number, arxiv_id=arxiv_id or paper["id"], title=paper["title"] + title_suffix,
                      abstract=" ".join((paper.get("abstract") or "").split()),
                      authors=[a.strip() for a in (paper.get("authors") or "Anonymous").split(",") if a.strip()][:30],
                      published=moment, updated=moment, day=day)


def start_redis(port: int) -> subprocess.Popen:
    WORK.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(WORK),
                                "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            if redis.Redis(port=port).ping():
                return process
        except redis.RedisError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def fresh_store(port: int) -> PaperStore:
    return PaperStore(redis.Redis(port=port, decode_responses=True), Keys(f"bench{uuid.uuid4().hex[:8]}"))


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


# -- one 1,000-record OAI page ------------------------------------------------------------------------
def page(port: int, repeats: int = 5) -> dict:
    papers = real_papers(1000)
    body = oai_page([as_synth(p, i) for i, p in enumerate(papers)], "bench|1000||", 0, 100_000).decode()
    kaggle = "".join(json.dumps({"id": p["id"], "title": p["title"], "abstract": p["abstract"], "authors": p["authors"],
                                 "categories": p["categories"], "update_date": p["update_date"]}) + "\n" for p in papers)
    parse, store, parse_ref, store_ref = [], [], [], []
    for _ in range(repeats):
        started = time.perf_counter()
        records = arxiv_oai_pmh.read_page(body).records
        parse.append(time.perf_counter() - started)
        target = fresh_store(port)
        started = time.perf_counter()
        stored = list(target.add_many(records))
        store.append(time.perf_counter() - started)
        assert sum(s.status == "added" for s in stored) == 1000

        started = time.perf_counter()
        reference = list(arxiv_oai.parse(io.StringIO(kaggle)))
        parse_ref.append(time.perf_counter() - started)
        target = fresh_store(port)
        started = time.perf_counter()
        list(target.add_many(reference))
        store_ref.append(time.perf_counter() - started)
    total = median_ms([a + b for a, b in zip(parse, store)])
    total_ref = median_ms([a + b for a, b in zip(parse_ref, store_ref)])
    return {"records": 1000, "page_mb": round(len(body.encode()) / 1e6, 2), "repeats": repeats,
            "parse_ms": median_ms(parse), "store_ms": median_ms(store), "total_ms": total,
            "reference_kaggle_jsonl": {"parse_ms": median_ms(parse_ref), "store_ms": median_ms(store_ref),
                                       "total_ms": total_ref},
            "ratio_to_reference": round(total / total_ref, 2)}


# -- a 10,000-record sync ----------------------------------------------------------------------------------
def sync(port: int, count: int = 10_000) -> dict:
    papers = real_papers(count)
    synth = [as_synth(p, i) for i, p in enumerate(papers)]
    fake = FakeUpstream().start()
    fake.oai = sorted(synth, key=lambda p: p.day)
    fake.oai_page_size = 1000
    fake.arxiv = sorted(synth, key=lambda p: p.published, reverse=True)
    results = {"records": count}
    try:
        for kind, options, per_request in (("oai", {"set": "cs"}, 1000),
                                           ("arxiv", {"category": ["cs.CL"], "max": count}, 100)):
            target = fresh_store(port)
            settings = Settings(redis_url=f"redis://127.0.0.1:{port}/0", key_prefix=target.keys.prefix,
                                data_dir=WORK / "data", sync_delay=0.0, **fake.settings_overrides())
            syncer = Syncer(settings, target, FeedStore(target.r, target.keys))
            started = time.perf_counter()
            counts = syncer.run(kind, options, today=TODAY)
            seconds = time.perf_counter() - started
            assert counts.added == count, counts
            results[kind] = {"records_per_request": per_request, "requests": counts.requests,
                             "seconds": round(seconds, 2), "records_per_s": round(count / seconds)}
    finally:
        fake.stop()
    target = fresh_store(port)
    lines = "".join(json.dumps({"id": p["id"], "title": p["title"], "abstract": p["abstract"], "authors": p["authors"],
                                "categories": p["categories"], "update_date": p["update_date"]}) + "\n" for p in papers)
    started = time.perf_counter()
    list(target.add_many(r for r in arxiv_oai.parse(io.StringIO(lines))))
    seconds = time.perf_counter() - started
    results["reference_ingest_kaggle_jsonl"] = {"seconds": round(seconds, 2), "records_per_s": round(count / seconds)}
    results["oai_ratio_to_reference"] = round(results["oai"]["seconds"] / seconds, 2)
    return results


# -- related latency while serve syncs -------------------------------------------------------------------
class Sampler:
    """One client asking for uncached related lists back to back, timing each answer: latency as
    one user sees it, over the whole of a sync rather than a fixed window."""

    def __init__(self, base: str, ids: list[str]):
        self.base, self.ids = base, ids
        self.samples: list[tuple[float, float, int]] = []  # (time.time() sent, seconds, status)
        self.failures: list[dict] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for number in range(10**9):
            if self.stop.is_set():
                return
            paper_id = self.ids[number % len(self.ids)]
            sent = time.time()
            try:
                with urllib.request.urlopen(f"{self.base}/api/v1/papers/{paper_id}/related?k=10&summaries=none",
                                            timeout=30) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as err:
                status = err.code
                self.failures.append({"id": paper_id, "status": err.code, "body": err.read()[:300].decode(errors="replace")})
            except OSError as err:
                status = 0
                self.failures.append({"id": paper_id, "error": repr(err)[:300], "after_s": round(time.time() - sent, 2)})
            self.samples.append((sent, time.time() - sent, status))

    def between(self, start: float, end: float) -> dict:
        taken = sorted(seconds * 1000 for sent, seconds, _ in self.samples if start <= sent < end)
        failed = sum(1 for sent, _, status in self.samples if start <= sent < end and status != 200)

        def pct(q: float) -> float:
            return round(taken[min(len(taken) - 1, int(len(taken) * q))], 1)

        return {"requests": len(taken), "failed": failed, "p50_ms": pct(0.5), "p90_ms": pct(0.9),
                "p99_ms": pct(0.99), "max_ms": round(taken[-1], 1)}


def serve(port: int, delay: float = 0.0, new_papers: int = 10_000, seconds: int = 20) -> dict:
    """The 75k corpus in `paperlens serve` (2 workers); related latency for uncached lists
    (summaries=none, so ranking is what is timed) for `seconds` idle, then for the whole of a sync
    in which the server's syncer stores `new_papers` new papers from the fake upstream with `delay`
    s between requests (0: the hardest case; 3: arXiv's pace), then for `seconds` after it."""
    all_real = corpora.read_real()
    generated = corpora.load(len(all_real) + new_papers)[len(all_real):]
    fresh = [as_synth({**p, "update_date": "2026-06-30", "authors": "Generated Author"}, i,
                      arxiv_id=f"2701.{i:05d}", title_suffix=f" (variant {i})") for i, p in enumerate(generated)]
    fake = FakeUpstream().start()
    fake.oai = fresh
    fake.oai_page_size = 1000
    http_port = free_port()
    prefix = f"serve{uuid.uuid4().hex[:6]}"
    env = dict(os.environ, **fake.env(), PAPERLENS_REDIS_URL=f"redis://127.0.0.1:{port}/0", PAPERLENS_KEY_PREFIX=prefix,
               PAPERLENS_DATA_DIR=str(WORK / "serve"), PAPERLENS_PORT=str(http_port), PAPERLENS_WORKERS="2",
               PAPERLENS_RATE_LIMIT="100000000/minute", PAPERLENS_DEMO_CORPUS="0", PAPERLENS_SYNC_DELAY=str(delay))
    shutil.rmtree(WORK / "serve", ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    result: dict = {"corpus": len(all_real), "new_papers": new_papers, "sync_delay": delay, "client": "1 connection"}
    server = sampler = None
    try:
        started = time.time()
        subprocess.run([str(VENV_BIN / "paperlens"), "ingest", str(corpora.REAL)], env=env, capture_output=True,
                       check=True, timeout=3600)
        result["ingest_s"] = round(time.time() - started, 1)
        log_path = WORK / f"serve-delay{delay:g}.log"
        server = subprocess.Popen([str(VENV_BIN / "paperlens"), "serve"], env=env, stdout=open(log_path, "w"),
                                  stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{http_port}"
        wait_for(f"{base}/api/v1/health", 600)
        ids = [f"arxiv:{p['id']}" for p in all_real]
        for paper_id in ids[:20]:  # lazy set-up in each worker, not timed
            urllib.request.urlopen(f"{base}/api/v1/papers/{paper_id}/related?k=10&summaries=none", timeout=60).read()
        sampler = Sampler(base, ids[1000:])
        idle_from = time.time()
        sampler.thread.start()
        time.sleep(seconds)
        client = redis.Redis(port=port, decode_responses=True)
        feeds = FeedStore(client, Keys(prefix))
        papers = PaperStore(client, Keys(prefix))
        load_idle = open("/proc/loadavg").read().split()[:3]
        feeds.add("oai", {"set": "cs"}, 86400)
        sync_from = time.time()
        status = feeds.status("1")
        while not status.get("last_finished") and time.time() - sync_from < 1200:
            time.sleep(0.2)
            status = feeds.status("1")
        sync_to = time.time()
        load_during = open("/proc/loadavg").read().split()[:3]
        time.sleep(seconds)
        sampler.stop.set()
        result["idle"] = {**sampler.between(idle_from, sync_from), "load": load_idle}
        result["during_sync"] = {**sampler.between(sync_from, sync_to), "load": load_during}
        result["after_sync"] = sampler.between(sync_to, time.time())
        result["failures"] = sampler.failures[:5]
        result["sync"] = {"seconds": round(sync_to - sync_from, 1), "counts": json.loads(status["last_counts"]),
                          "papers_after": papers.count()}
        text = log_path.read_text()
        result["snapshot_builds"] = text.count("built index snapshot")
        result["worker_folds"] = text.count("folded the delta")
    finally:
        if sampler is not None:
            sampler.stop.set()
        if server is not None:
            os.killpg(server.pid, 15)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, 9)
        fake.stop()
    return result


def serve_polite(port: int) -> dict:
    return serve(port, delay=3.0)


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: still stop the server and Redis it started
    wanted = argv or ["page", "sync", "serve", "serve_polite"]
    shutil.rmtree(WORK, ignore_errors=True)
    port = free_port()
    redis_server = start_redis(port)
    report = {"machine": machine()}
    try:
        for name in wanted:
            report[name] = {"page": page, "sync": sync, "serve": serve, "serve_polite": serve_polite}[name](port)
            print(json.dumps({name: report[name]}, indent=1), flush=True)
    finally:
        redis_server.terminate()
        redis_server.wait(timeout=30)
    report["machine"]["load_after"] = open("/proc/loadavg").read().split()[:3]
    (WORK / "report.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report["machine"]))


if __name__ == "__main__":
    main(sys.argv[1:])
