"""How long a new user waits: a fresh install's `paperlens serve` from start to its first answers,
then the same after a restart (numba's cache and the index snapshot kept).

    python -m bench.first_answer [--repo DIR] [--keep DIR]

Installs the repository into a new venv with a plain `pip install` (as the README's Quickstart does),
starts `paperlens serve` on a free port with an empty data folder (embedded Redis, the demo corpus),
and measures: start -> /health answers; /health -> the first search; start -> the first related list
(the README's first two requests). Then stops it with SIGTERM and starts it again on the same folder.
Loopback only; every process it starts is stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 120.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return json.loads(answer.read())


def one_start(paperlens: Path, data: Path, port: int) -> dict:
    env = {**os.environ, "PAPERLENS_DATA_DIR": str(data), "PAPERLENS_PORT": str(port)}
    for name in ("PAPERLENS_REDIS_URL", "NUMBA_CACHE_DIR"):
        env.pop(name, None)
    base = f"http://127.0.0.1:{port}/api/v1"
    started = time.monotonic()
    server = subprocess.Popen([str(paperlens), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        while True:
            try:
                if get(f"{base}/health", timeout=5)["status"] == "ok":
                    break
            except OSError:
                pass
            if server.poll() is not None:
                raise SystemExit(f"serve exited: {server.stdout.read()}")
            if time.monotonic() - started > 600:
                raise SystemExit("serve did not answer /health within 600 s")
            time.sleep(0.1)
        healthy = time.monotonic()
        hit = get(f"{base}/search?q=diffusion+distillation&k=3")["results"][0]
        searched = time.monotonic()
        get(f"{base}/papers/{hit['id']}/related?k=10")
        related = time.monotonic()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
    return {"health_s": healthy - started, "first_search_s": searched - healthy,
            "first_related_s": related - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--keep", type=Path, help="use (and keep) this folder for the venv and data")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="paperlens-first-answer-"))
    try:
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        started = time.monotonic()
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(args.repo)], check=True)
        install_s = time.monotonic() - started
        load_before = os.getloadavg()[0]
        port = free_port()
        fresh = one_start(venv / "bin" / "paperlens", work / "data", port)
        restart = one_start(venv / "bin" / "paperlens", work / "data", port)
        print(json.dumps({"install_s": round(install_s, 1), "fresh": fresh, "restart": restart,
                          "load": [round(load_before, 2), round(os.getloadavg()[0], 2)], "cores": os.cpu_count()}, indent=1))
        print(f"\n| | start -> /health | /health -> first search | start -> first related |\n|---|---|---|---|")
        for name, run in (("fresh install", fresh), ("restart", restart)):
            print(f"| {name} | {run['health_s']:.1f} s | {run['first_search_s'] * 1000:.0f} ms | {run['first_related_s']:.1f} s |")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
