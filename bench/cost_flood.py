"""Cost flood: 16 clients on two tokens post 1 MB listings to /library/rank as fast as they are
answered, while 2 other users ask for related papers; reports the other users' latency and what
the flood got. It starts its own `paperlens serve` (2 workers, demo corpus, loopback only), once
with the CPU budget as configured by default and once with it lifted, so both sides show.
Issue 18 finding 11: the flood pushed other users' related p50 to 333-461 ms and p90 to 2.9 s.

    .venv/bin/python -m bench.cost_flood              # 30 s per run: no flood, the budget, no budget
    .venv/bin/python -m bench.cost_flood --seconds 20 --only budget --ignore-retry-after
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import threading
import time
from pathlib import Path
import shutil
import tempfile

import requests

from .body_flood import Server

LIFTED = "1000000000/minute"


def listing(seed: int) -> dict:
    """200 papers of about 4.5 KB each: a 1 MB /library/rank body (the route's limit), in words the
    corpus mostly does not know (each distinct word is a term to look up and score: the costly shape)."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def words(n: int) -> str:
        return " ".join("".join(rng.choices(letters, k=rng.randint(4, 9))) for _ in range(n))

    return {"papers": [{"title": words(8), "abstract": words(640)} for _ in range(200)]}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def run(budget: str | None, seconds: float, flooders: int = 16, ignore_retry_after: bool = False) -> dict:
    root = Path(tempfile.mkdtemp(prefix="cost-flood-"))
    # the request limit as shipped (600/minute per token): the flood of issue 18 stayed inside it
    extra = {"PAPERLENS_RATE_LIMIT": "600/minute", **({"PAPERLENS_COST_LIMIT": budget} if budget else {})}
    server = Server(root, **extra)
    try:
        api = f"http://127.0.0.1:{server.port}/api/v1"
        users = [{"Authorization": f"Bearer {server.token(name)}"} for name in ("user-a", "user-b")]
        ids = [r["id"] for r in requests.get(f"{api}/search", params={"q": "model", "k": 60}, timeout=30).json()["results"]]
        tokens = [server.token(name) for name in ("flood-a", "flood-b")]
        for token in tokens:
            for paper_id in ids[:10]:
                requests.put(f"{api}/library/{paper_id}", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        bodies = [json.dumps(listing(n)).encode() for n in range(4)]
        for paper_id in ids:  # the other users' lists are cached once, as in use
            requests.get(f"{api}/papers/{paper_id}/related", headers=users[0], timeout=30)
        stop = time.monotonic() + seconds
        flood: dict[int, int] = {}
        related: list[float] = []
        errors = [0]
        lock = threading.Lock()

        def flooder(n: int) -> None:
            session = requests.Session()
            headers = {"Authorization": f"Bearer {tokens[n % 2]}", "Content-Type": "application/json"}
            while time.monotonic() < stop:
                retry = 0.0
                try:
                    answer = session.post(f"{api}/library/rank", data=bodies[n % 4], headers=headers, timeout=60)
                    status = answer.status_code
                    retry = float(answer.headers.get("Retry-After", 0) or 0)
                except requests.RequestException:
                    status = 0
                with lock:
                    flood[status] = flood.get(status, 0) + 1
                if status == 429:
                    # a flood that ignores Retry-After comes back at once; one that honours it waits
                    time.sleep(0.05 if ignore_retry_after else min(retry, max(0.0, stop - time.monotonic())))

        def user(n: int) -> None:
            session = requests.Session()
            rng = random.Random(n)
            while time.monotonic() < stop:
                started = time.monotonic()
                try:
                    ok = session.get(f"{api}/papers/{rng.choice(ids)}/related", headers=users[n], timeout=30).ok
                except requests.RequestException:
                    ok = False
                with lock:
                    related.append((time.monotonic() - started) * 1000)
                    errors[0] += not ok
                time.sleep(0.2)  # 5 a second: inside the request limit

        threads = [threading.Thread(target=flooder, args=(n,)) for n in range(flooders)]
        threads += [threading.Thread(target=user, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return {"budget": (budget or "default (5000/minute)") if flooders else "none: no flood", "related": len(related), "errors": errors[0],
            "p50": statistics.median(related), "p90": percentile(related, 90), "p99": percentile(related, 99),
            "flood": dict(sorted(flood.items()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--only", choices=["quiet", "budget", "lifted"])
    parser.add_argument("--ignore-retry-after", action="store_true",
                        help="flood clients send again 50 ms after a 429 (default: they wait Retry-After)")
    args = parser.parse_args()
    plans = {"quiet": (None, 0), "budget": (None, 16), "lifted": (LIFTED, 16)}
    for name, (budget, flooders) in plans.items():
        if args.only and args.only != name:
            continue
        r = run(budget, args.seconds, flooders, args.ignore_retry_after)
        manner = " (flood ignores Retry-After)" if args.ignore_retry_after and flooders else ""
        print(f"CPU budget {r['budget']}{manner}: other users' related p50 {r['p50']:.1f} ms, p90 {r['p90']:.1f} ms, "
              f"p99 {r['p99']:.1f} ms ({r['related']} requests, {r['errors']} errors); flood answers {r['flood']}",
              flush=True)


if __name__ == "__main__":
    main()
