"""Stored poison under load: ten papers whose abstracts are 99,000 dots join the corpus of a running
`paperlens serve`, then 8 clients ask for related lists that return them, each list uncached (its
text is new every time), for 30 s, while a probe asks /health twice a second.

    .venv/bin/python -m bench.poison_load http://127.0.0.1:8420   # a server with PAPERLENS_RATE_LIMIT raised

Before issue 15's fixes each such list killed a gunicorn worker; see docs/reliability.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time

import requests

WORDS = ["diffusion", "language", "model", "video", "agent", "reasoning", "image", "vision", "benchmark", "robot"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("server", help="e.g. http://127.0.0.1:8420")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    api = args.server.rstrip("/") + "/api/v1"
    for i, word in enumerate(WORDS):
        answer = requests.post(f"{api}/papers", json={"title": f"{word.title()} {word} poisoned paper {i}",
                                                      "abstract": f"{word} {word} {word} model. " + "." * 99_000},
                               timeout=60)
        answer.raise_for_status()
    stop = time.monotonic() + args.seconds
    latencies: list[float] = []
    errors = [0]
    health = [0, 0]

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop:
            text = " ".join(rng.choice(WORDS) for _ in range(6)) + f" {rng.random()}"
            started = time.monotonic()
            try:
                ok = requests.post(f"{api}/related", json={"title": text, "abstract": text, "k": 10},
                                   timeout=60).status_code == 200
            except requests.RequestException:
                ok = False
            latencies.append(time.monotonic() - started)
            errors[0] += not ok

    def probe() -> None:
        while time.monotonic() < stop:
            health[1] += 1
            try:
                health[0] += requests.get(f"{api}/health", timeout=2).status_code == 200
            except requests.RequestException:
                pass
            time.sleep(0.5)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    threads.append(threading.Thread(target=probe))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    print(f"requests {len(latencies)}, errors {errors[0]}, p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms, "
          f"health answered {health[0]}/{health[1]}")


if __name__ == "__main__":
    main()
