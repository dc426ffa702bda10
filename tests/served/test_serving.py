"""`paperlens serve` as an attacker or a careless client meets it (issue 15, findings 3, 4, 11, 12):
slow clients that trickle headers or bodies, malformed HTTP, huge paths, deeply nested JSON, a
spoofed X-Forwarded-For, a stalled Redis, and two servers side by side. Each test runs the real
gunicorn server with its embedded Redis in a private data folder."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
import requests

from bench.redis_server import free_port
from tests.servers import ServeProcess

HEADER_SECONDS = 10  # paperlens.server.protocol.HEADER_SECONDS


class Served(ServeProcess):
    def __init__(self, root: Path, **env):
        self.data = root / "data"
        self.data.mkdir(parents=True)
        self.home = root / "home"
        self.home.mkdir()
        port = free_port()
        environ = {**os.environ, "PAPERLENS_DATA_DIR": str(self.data), "PAPERLENS_PORT": str(port),
                   "PAPERLENS_HOST": "127.0.0.1", "HOME": str(self.home), **env}
        environ.pop("PAPERLENS_REDIS_URL", None)
        environ.pop("XDG_RUNTIME_DIR", None)
        super().__init__(environ, root / "serve.log", port)
        self.wait_healthy()

    @property
    def host(self) -> bytes:
        return f"127.0.0.1:{self.port}".encode()

    def raw(self, data: bytes, timeout: float = 5.0) -> bytes:
        """Send `data` (where `Host: x` stands for this server's own address) and read the answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data.replace(b"Host: x\r\n", b"Host: " + self.host + b"\r\n"))
            return receive_all(s)


def receive_all(s: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = s.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def json_error(answer: bytes) -> tuple[int, dict]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert b"application/json" in head.lower(), head
    return status, json.loads(body)["error"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = Served(tmp_path_factory.mktemp("serving"), PAPERLENS_WORKERS="2", PAPERLENS_RATE_LIMIT="40/minute")
    yield server
    server.stop()


def probe_health_while(served: Served, seconds: float) -> tuple[int, int]:
    answered = asked = 0
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        asked += 1
        try:
            if requests.get(f"{served.base}/api/v1/health", timeout=2).status_code == 200:
                answered += 1
        except requests.RequestException:
            pass
        time.sleep(0.25)
    return answered, asked


def test_sixteen_clients_trickling_headers_starve_nobody_and_are_cut_off(served):
    clients = []
    for _ in range(16):
        s = socket.create_connection(("127.0.0.1", served.port), timeout=30)
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        clients.append(s)
    opened = time.monotonic()
    stop = threading.Event()

    def trickle():
        n = 0
        while not stop.is_set():
            for s in clients:
                try:
                    s.sendall(f"X-Slow-{n}: a\r\n".encode())
                except OSError:
                    pass
            n += 1
            stop.wait(1.0)

    threading.Thread(target=trickle, daemon=True).start()
    try:
        answered, asked = probe_health_while(served, 6)
        assert answered == asked, f"{answered} of {asked} health probes answered during 16 slow clients"
        answers = [receive_all(s) for s in clients]  # each is answered 408 at the header deadline
    finally:
        stop.set()
        for s in clients:
            s.close()
    assert HEADER_SECONDS - 1 <= time.monotonic() - opened <= HEADER_SECONDS + 10
    for answer in answers:
        status, error = json_error(answer)
        assert status == 408 and error["code"] == "request_timeout"


def test_sixteen_clients_trickling_bodies_starve_nobody(served):
    clients = []
    for _ in range(16):
        s = socket.create_connection(("127.0.0.1", served.port), timeout=30)
        s.sendall(b"POST /api/v1/summarize HTTP/1.1\r\nHost: " + served.host + b"\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 5000\r\n\r\n{\"text\": \"")
        clients.append(s)
    try:
        stop = threading.Event()

        def trickle():
            while not stop.is_set():
                for s in clients:
                    try:
                        s.sendall(b"a")
                    except OSError:
                        pass
                stop.wait(1.0)

        threading.Thread(target=trickle, daemon=True).start()
        answered, asked = probe_health_while(served, 6)
        stop.set()
        assert answered == asked, f"{answered} of {asked} health probes answered during 16 slow bodies"
    finally:
        for s in clients:
            s.close()


@pytest.mark.parametrize("request_bytes", [
    b"GARBAGE\r\n\r\n",
    b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
    b"POST /api/v1/papers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
])
def test_malformed_http_gets_a_json_400(served, request_bytes):
    status, error = json_error(served.raw(request_bytes))
    assert status == 400 and error["code"] == "bad_request"


def test_a_five_thousand_character_path_reaches_the_app_and_gets_json(served):
    status, error = json_error(served.raw(b"GET /api/v1/papers/arxiv:" + b"1" * 5000 + b" HTTP/1.1\r\nHost: x\r\n"
                                          b"Connection: close\r\n\r\n"))
    assert status == 404 and error["code"] == "not_found"


def test_headers_too_large_to_buffer_get_a_json_400(served):
    status, error = json_error(served.raw(b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: y\r\n" * 20_000, timeout=10))
    assert status == 400


@pytest.mark.parametrize("route", ["/api/v1/papers", "/api/v1/related", "/api/v1/summarize", "/api/v1/library/import"])
def test_deeply_nested_json_is_a_400_on_every_route(served, route):
    r = requests.post(served.base + route, data="[" * 5000 + "]" * 5000, headers={"Content-Type": "application/json"},
                      timeout=10)
    assert r.status_code in (400, 401), r.text[:200]  # the library needs a token first
    assert r.json()["error"]["code"] in ("bad_request", "unauthorized")
    token = (served.data / "token").read_text().strip()
    r = requests.post(served.base + route, data="{\"a\":" * 3000 + "1" + "}" * 3000,
                      headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code == 400 and "nests" in r.json()["error"]["message"]


def test_a_spoofed_x_forwarded_for_buys_no_fresh_rate_limit(served):
    statuses = [requests.get(f"{served.base}/api/v1/search", params={"q": "model"},
                             headers={"X-Forwarded-For": f"10.0.0.{i}"}, timeout=10).status_code for i in range(60)]
    assert 429 in statuses, "every spoofed address got its own bucket"


def test_no_shared_gunicorn_control_socket_is_created(served):
    assert not (served.home / ".gunicorn").exists()


def test_two_servers_run_side_by_side_and_stopping_one_leaves_the_other(tmp_path, served):
    other = Served(tmp_path)
    try:
        assert requests.get(f"{other.base}/api/v1/health", timeout=5).status_code == 200
    finally:
        other.stop()
    assert requests.get(f"{served.base}/api/v1/health", timeout=5).status_code == 200


def test_a_stalled_redis_is_given_up_on_at_the_timeout_and_the_index_answers(tmp_path):
    server = Served(tmp_path, PAPERLENS_REDIS_TIMEOUT="2", PAPERLENS_WORKERS="1", PAPERLENS_RATE_LIMIT="100000/minute")
    api = f"{server.base}/api/v1"
    token = (server.data / "token").read_text().strip()
    bearer = {"Authorization": f"Bearer {token}"}
    paper_id = requests.get(f"{api}/search", params={"q": "diffusion", "k": 1}, timeout=10).json()["results"][0]["id"]
    redis_pid = int(redis.Redis(unix_socket_path=str(server.data / "redis.sock")).info("server")["process_id"])
    os.kill(redis_pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        health = requests.get(f"{api}/health", timeout=30)
        assert time.monotonic() - started < 2 + 1.5, "the first Redis command gives up at PAPERLENS_REDIS_TIMEOUT"
        assert health.json()["status"] == "degraded"
        started = time.monotonic()
        search = requests.get(f"{api}/search", params={"q": "transformer", "k": 3}, timeout=30)
        related = requests.get(f"{api}/papers/{paper_id}/related", params={"k": 3}, timeout=30)
        library = requests.get(f"{api}/library", headers=bearer, timeout=30)
        health = requests.get(f"{api}/health", timeout=30)
        assert time.monotonic() - started < 2.0, "once stalled, nothing waits for Redis again"
        assert search.status_code == 200 and search.json()["results"]
        assert related.status_code == 200 and related.json()["results"]
        assert library.status_code == 503 and library.headers["Retry-After"]
        assert health.json()["status"] == "degraded"
    finally:
        os.kill(redis_pid, signal.SIGCONT)
    try:
        deadline = time.monotonic() + 10
        while requests.get(f"{api}/health", timeout=10).json()["status"] != "ok":
            assert time.monotonic() < deadline, "Redis answers again but the server does not notice"
            time.sleep(0.2)
        assert requests.get(f"{api}/library", headers=bearer, timeout=10).status_code == 200
    finally:
        server.stop()


# -- workers take turns accepting (paperlens/server/turns.py) -------------------------------------
def workers_holding(served: Served, client_ports: set[int]) -> dict[int, int]:
    """How many of the connections from `client_ports` each process of the server holds, read from
    /proc: the server's sockets to those ports, by inode, and which child process has each open."""
    inodes = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, remote_port = int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16)
        if local_port == served.port and remote_port in client_ports:
            inodes[f"socket:[{fields[9]}]"] = remote_port
    held = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != served.proc.pid:
                continue
            fds = [os.readlink(fd) for fd in (stat.parent / "fd").iterdir()]
        except (OSError, ValueError, IndexError):
            continue  # a process that ended meanwhile
        count = sum(1 for link in fds if link in inodes)
        if count:
            held[int(stat.parent.name)] = count
    return held


def test_a_burst_of_keep_alive_connections_is_shared_by_the_workers(served):
    """wrk's 8 connections, or a browser's, opened at once: each of the two workers serves some of
    them (before, the first worker to wake accepted all 8 and the other idled)."""
    deadline = time.monotonic() + 60
    while served.log_path.read_text().count("Application startup complete") < 2:  # /health needs only one
        assert time.monotonic() < deadline, "the second worker did not start"
        time.sleep(0.1)
    connections = [socket.create_connection(("127.0.0.1", served.port), timeout=10) for _ in range(8)]
    try:
        for conn in connections:
            conn.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: " + served.host + b"\r\n\r\n")
        for conn in connections:
            assert conn.recv(65536).startswith(b"HTTP/1.1 200")
        held = workers_holding(served, {conn.getsockname()[1] for conn in connections})
    finally:
        for conn in connections:
            conn.close()
    assert sum(held.values()) == 8, held
    assert len(held) == 2 and min(held.values()) >= 2, f"connections per worker: {sorted(held.values())}"


@pytest.mark.skipif(not shutil.which("ss"), reason="needs ss (iproute2) to read a listening socket's queue")
def test_the_accept_queue_keeps_its_full_length(served):
    """A worker accepts one connection per wake-up (asyncio's listen(1)), but the kernel still
    queues gunicorn's 2048 for a burst instead of refusing it."""
    listing = subprocess.run(["ss", "-ltnH", f"sport = :{served.port}"], capture_output=True, text=True).stdout
    queue = int(listing.split()[2])  # State Recv-Q Send-Q: a listener's Send-Q is its queue length
    assert queue == 2048, listing
