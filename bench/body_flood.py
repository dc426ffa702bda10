"""Body flood: 40 clients upload 15 MB each at once to a `paperlens serve` it starts itself (2
workers, a private data folder, loopback only), and the workers' summed RSS is sampled before,
at its peak during the flood, and 2 s after. Issue 18 finding 5: 60 anonymous uploads to /health
took the two workers from ~400 MB to ~1.1 GB each, most of it still held 10 s later.

    .venv/bin/python -m bench.body_flood            # three floods; prints one line each
    .venv/bin/python -m bench.body_flood --clients 40 --mb 15

The floods: anonymous uploads to /library/import (a route that takes 16 MB with a token), the
same with a made-up bearer token (the server reads those bodies, within its per-worker budget,
before the route says 401), and chunked uploads with no declared length to /health.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

MB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, root: Path, **extra_env: str):
        self.port = free_port()
        env = {**os.environ, "PAPERLENS_DATA_DIR": str(root / "data"), "PAPERLENS_WORKERS": "2",
               "PAPERLENS_SUMMARY_CPU": "0", "PAPERLENS_RATE_LIMIT": "100000/minute", **extra_env}
        env.pop("PAPERLENS_REDIS_URL", None)
        self.env = env
        self.log = open(root / "serve.log", "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "paperlens.cli", "serve", "--port", str(self.port)],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/api/v1/health", timeout=2).ok and len(self.workers()) == 2:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise SystemExit("the server did not start within 180 s")

    def token(self, name: str) -> str:
        made = subprocess.run([sys.executable, "-m", "paperlens.cli", "token", "create", name], env=self.env,
                              capture_output=True, text=True, timeout=60, check=True)
        return made.stdout.strip()

    def workers(self) -> list[psutil.Process]:
        return [p for p in psutil.Process(self.proc.pid).children()
                if "paperlens.cli" in " ".join(p.cmdline())]

    def rss_mb(self) -> float:
        return sum(p.memory_info().rss for p in self.workers()) / MB

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def upload(port: int, path: str, size: int, headers: dict, chunked: bool, statuses: list) -> None:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {size}\r\n\r\n"
    piece = b"[" + b"1," * (MB // 2 - 1) + b"1]"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            s.sendall(head.encode())
            sent = 0
            try:
                while sent < size:
                    chunk = piece[: min(len(piece), size - sent)]
                    s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                    sent += len(chunk)
                if chunked:
                    s.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # refused early: the server closed while we sent
            answer = s.recv(200)
        statuses.append(int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0)
    except OSError:
        statuses.append(0)


def flood(server: Server, name: str, path: str, clients: int, size: int, headers: dict, chunked: bool) -> dict:
    time.sleep(1)
    before = server.rss_mb()
    statuses: list[int] = []
    threads = [threading.Thread(target=upload, args=(server.port, path, size, headers, chunked, statuses))
               for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    peak = before
    while any(t.is_alive() for t in threads):
        peak = max(peak, server.rss_mb())
        time.sleep(0.05)
        if time.monotonic() - started > 300:
            break
    took = time.monotonic() - started
    time.sleep(2)
    after = server.rss_mb()
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    return {"flood": name, "before_mb": before, "peak_mb": peak, "rise_mb": peak - before, "after_mb": after,
            "seconds": took, "statuses": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--mb", type=float, default=15)
    args = parser.parse_args()
    size = int(args.mb * MB)
    root = Path(tempfile.mkdtemp(prefix="body-flood-"))
    server = Server(root)
    try:
        runs = [
            flood(server, "anonymous, declared length, /library/import", "/api/v1/library/import", args.clients, size,
                  {}, False),
            flood(server, "made-up token, declared length, /library/import", "/api/v1/library/import", args.clients,
                  size, {"Authorization": "Bearer pl_made_up"}, False),
            flood(server, "anonymous, chunked, /health", "/api/v1/health", args.clients, size, {}, True),
        ]
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(f"{args.clients} clients x {args.mb:g} MB, 2 workers; summed worker RSS")
    for run in runs:
        print(f"{run['flood']}: before {run['before_mb']:.0f} MB, peak {run['peak_mb']:.0f} MB "
              f"(+{run['rise_mb']:.0f}), 2 s after {run['after_mb']:.0f} MB; {run['seconds']:.1f} s; "
              f"answers {run['statuses']}")


if __name__ == "__main__":
    main()
