"""What tests start besides Redis, and how they reach a Redis: a real `paperlens serve` process,
and a client for a single server or a Cluster URL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

from bench.redis_server import free_port
from paperlens.store.redis_client import cluster_client, is_cluster_url


class ServeProcess:
    """A real `paperlens serve` (gunicorn, its syncer and summariser) in its own session, with its
    output in `log`; `wait_healthy` until /health answers, `stop` with SIGTERM as systemd would."""

    def __init__(self, env: dict, log: Path, port: int | None = None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = open(log, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "paperlens.cli", "serve", "--port", str(self.port)],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_healthy(self, timeout: float = 120) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_path.read_text()[-3000:]
            try:
                if requests.get(f"{self.base}/api/v1/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"paperlens serve did not answer within {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()


def redis_client(url: str):
    """A client (str replies) for a test's Redis: one server, or a Cluster given as redis+cluster://."""
    if is_cluster_url(url):
        return cluster_client(url, 5.0, decode_responses=True)
    return redis.Redis.from_url(url, decode_responses=True)
