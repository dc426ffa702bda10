"""What the HTTP layer of `paperlens serve` refuses before any route runs, and what it now reads
(issue 18, findings 3, 5 and 10): a Host that is not this server's (DNS rebinding), bodies over the
route's own limit (refused from the declared length, before the body is sent), chunked bodies (read
and answered, with a request pipelined behind them), and the cap on a worker's open connections."""

from __future__ import annotations

import json
import socket
import time

import psutil
import pytest
import requests

from .test_serve_owns_its_children import workers
from .test_serving import Served, json_error, receive_all

MB = 1024 * 1024


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = Served(tmp_path_factory.mktemp("guards"), PAPERLENS_WORKERS="1", PAPERLENS_RATE_LIMIT="100000/minute",
                    PAPERLENS_ALLOWED_HOSTS="papers.lan,box.lan:9999", PAPERLENS_SUMMARY_CPU="0")
    yield server
    server.stop()


def token(server: Served) -> str:
    return (server.data / "token").read_text().strip()


REBOUND = "attacker.example"


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/v1/search?q=model", None),
    ("GET", "/api/v1/feeds", None),
    ("POST", "/api/v1/papers", {"papers": [{"title": "Planted by a rebinding page"}]}),
])
def test_a_rebinding_host_gets_a_json_421_before_any_route(served, method, path, body):
    """Finding 3: with `Host: attacker.example:8420` search and feeds answered 200 and POST /papers
    added a paper: a web page on a rebinding name could read and write the corpus."""
    r = requests.request(method, served.base + path, json=body, timeout=10,
                         headers={"Host": f"{REBOUND}:{served.port}"})
    assert r.status_code == 421, r.text
    assert r.headers["Content-Type"] == "application/json"
    assert r.json()["error"]["code"] == "misdirected_request"
    found = requests.get(f"{served.base}/api/v1/search", params={"q": "planted rebinding page"}, timeout=10).json()
    assert not any("Planted" in result["title"] for result in found["results"])


@pytest.mark.parametrize("host, allowed", [
    ("127.0.0.1:{port}", True), ("localhost:{port}", True), ("[::1]:{port}", True), ("LOCALHOST.:{port}", True),
    ("papers.lan", True), ("papers.lan:443", True), ("box.lan:9999", True),  # PAPERLENS_ALLOWED_HOSTS
    ("box.lan:{port}", False), ("127.0.0.1:1", False), ("localhost", False), ("evil.example", False),
    ("127.0.0.1.evil.example:{port}", False), ("localhost:{port}:1", False), ("", False),
])
def test_only_this_servers_own_names_are_answered(served, host, allowed):
    status, _ = head_status(served, f"GET /api/v1/health HTTP/1.1\r\nHost: {host.format(port=served.port)}\r\n"
                                    f"Connection: close\r\n\r\n".encode())
    assert status == (200 if allowed else 421)


def head_status(served: Served, data: bytes) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", served.port), timeout=15) as s:
        s.sendall(data)
        answer = receive_all(s)
    return int(answer.split(b" ", 2)[1]), answer


def test_a_larger_declared_body_is_refused_at_once_before_it_is_sent(served):
    """Finding 5: every route buffered up to 16 MB before any check (60 anonymous uploads to /health
    took two workers from ~400 MB to ~1.1 GB each)."""
    for path, size in [("/api/v1/health", 2 * MB), ("/api/v1/papers", 2 * MB), ("/api/v1/library/import", 15 * MB),
                       ("/api/v1/related/missing", 3 * MB)]:
        with socket.create_connection(("127.0.0.1", served.port), timeout=15) as s:
            # headers only: the answer must come without a byte of the body
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {size}\r\n\r\n".encode())
            status, error = json_error(receive_all(s))
        assert status == 413 and error["details"]["max_bytes"] == MB, (path, error)


def test_each_route_takes_its_own_limit_with_a_token(served):
    bearer = f"Authorization: Bearer {token(served)}\r\n"
    for path, limit in [("/api/v1/library/import", 16 * MB), ("/api/v1/related/missing", 4 * MB),
                        ("/api/v1/papers", MB), ("/api/v1/summarize", MB)]:
        with socket.create_connection(("127.0.0.1", served.port), timeout=15) as s:
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n{bearer}"
                      f"Content-Type: application/json\r\nContent-Length: {limit + 1}\r\n\r\n".encode())
            status, error = json_error(receive_all(s))
        assert status == 413 and error["details"]["max_bytes"] == limit, (path, error)
    # at the limit the body is read and reaches the route (a 2 MB bibliography is not refused by size)
    bib = ("@article{a, title={Attention is all you need}, abstract={" + "x " * (MB) + "}}\n").encode()
    r = requests.post(f"{served.base}/api/v1/related/missing", data=json.dumps({"title": "Attention", "bibliography": bib.decode()}),
                      headers={"Authorization": f"Bearer {token(served)}", "Content-Type": "application/json"},
                      timeout=60)
    assert r.status_code != 413, r.text


def chunked(body: bytes, piece: int = 7) -> bytes:
    out = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + piece]), body[i:i + piece]) for i in range(0, len(body), piece))
    return out + b"0\r\n\r\n"


def test_a_chunked_body_is_read_and_a_request_pipelined_after_it_is_answered(served):
    """Finding 10: a valid chunked JSON POST got 422 (empty body), and a request pipelined behind it
    was never answered."""
    body = json.dumps({"text": "Transformers replace recurrence with attention. Attention is cheap to "
                               "parallelise. We train on translation."}).encode()
    request = (f"POST /api/v1/summarize HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\nContent-Type: application/json"
               "\r\nTransfer-Encoding: chunked\r\n\r\n").encode() + chunked(body)
    follow = f"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\nConnection: close\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as s:
        s.sendall(request + follow)
        answer = receive_all(s)
    first, _, rest = answer.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 200"), answer[:300]
    length = int(next(line.split(b":")[1] for line in first.split(b"\r\n") if line.lower().startswith(b"content-length")))
    summary = json.loads(rest[:length])
    assert "attention" in json.dumps(summary).lower()
    second = rest[length:]
    assert second.startswith(b"HTTP/1.1 200"), second[:300]
    assert b'"status"' in second


def test_a_chunked_body_over_the_limit_is_a_413(served):
    body = b'{"text": "' + b"a " * MB + b'"}'
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as s:
        s.sendall((f"POST /api/v1/summarize HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n").encode())
        try:
            s.sendall(chunked(body, piece=64 * 1024))
        except OSError:
            pass  # the server may close before the rest arrives
        status, error = json_error(receive_all(s))
    assert status == 413


def test_a_worker_holds_at_most_its_cap_of_connections_and_the_rest_wait_their_turn(tmp_path):
    """Finding 5's other half: no cap on connections, so each brought its request and body into
    the worker. Over the cap, connections wait in the kernel's queue and are served in turn."""
    cap = 4
    server = Served(tmp_path, PAPERLENS_WORKERS="1", PAPERLENS_MAX_CONNECTIONS=str(cap), PAPERLENS_SUMMARY_CPU="0")
    try:
        worker = workers(server)[0]

        def held() -> int:
            return sum(1 for c in worker.net_connections("tcp") if c.status == psutil.CONN_ESTABLISHED)

        idle = [socket.create_connection(("127.0.0.1", server.port), timeout=60) for _ in range(2 * cap)]
        try:
            deadline = time.monotonic() + 60
            most = held()
            while most < cap:  # the worker accepts up to its cap, however busy the machine
                assert time.monotonic() < deadline, f"the worker accepted only {most} of {2 * cap} connections"
                time.sleep(0.05)
                most = held()
            watch_until = time.monotonic() + 2
            while time.monotonic() < watch_until:  # and no more, while the others wait
                most = max(most, held())
                time.sleep(0.05)
            assert most == cap, f"the worker held {most} connections (cap {cap})"
            # the idle ones are cut at the header deadline, and those queued are then served: a
            # request sent now on a queued connection is answered
            late = idle[-1]
            late.sendall(f"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                         "Connection: close\r\n\r\n".encode())
            assert receive_all(late).startswith(b"HTTP/1.1 200")
        finally:
            for s in idle:
                s.close()
    finally:
        server.stop()
