"""`paperlens serve` keeps the corpus current: a feed added while two servers share one Redis runs once,
on one of them, and its papers become searchable on both without a restart; its next run comes on
schedule; stopping a server stops its syncer."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from bench.redis_server import free_port
from tests.waiting import until
from bench.fake_upstream import synth_catalogue

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


def start_serve(env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "paperlens.cli", "serve", "--port", str(port), "--workers", "1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_healthy(proc: subprocess.Popen, port: int, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=10).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError("paperlens serve did not come up")


def search_finds(port: int, word: str, paper_id: str) -> bool:
    # A search may wait while the server's one worker loads or builds a snapshot on a busy machine
    # (a 10 s read timeout failed here under load): a slow answer is "not yet", not a failure.
    results = requests.get(f"http://127.0.0.1:{port}/api/v1/search", params={"q": word, "k": 3}, timeout=60).json()["results"]
    return any(r["id"] == paper_id for r in results)


def wait_until(check, timeout: float, what: str) -> float:
    return until(check, timeout, what, interval=0.2, ignoring=(requests.RequestException,))


def run_starts(fake) -> list[float]:
    """When each run began: its first request, the one without a resumptionToken."""
    return [r.at for r in fake.seen("oai") if "resumptionToken" not in r.query]


def spaced(starts: list[float], every: float = 30) -> bool:
    return all(b - a >= every - 1 for a, b in zip(starts, starts[1:]))


def next_run_comes_on_schedule(fake, store, ports: list[int], now: datetime) -> None:
    """The next run comes on schedule, with no restart, and brings what was announced since."""
    runs_before = len(run_starts(fake))
    later = synth_catalogue(40, newest=now, spacing=timedelta(seconds=10), first_number=5000)
    fake.oai += list(reversed(later))
    word = re.search(r"zq\d+", later[0].title).group(0)
    wait_until(lambda: search_finds(ports[1], word, f"arxiv:{later[0].arxiv_id}"), 180, "the next run")
    assert store.count() == 640
    starts = run_starts(fake)
    assert len(starts) > runs_before
    # never early (every 30 s); how late depends on the machine's load (the schedule is read every 2 s)
    assert spaced(starts) and all(b - a <= 120 for a, b in zip(starts, starts[1:]))
    assert fake.max_in_flight == 1


def test_a_feed_runs_once_across_two_servers_and_its_papers_appear_in_both(sync_settings, fake, store, tmp_path, request):
    now = datetime.now(timezone.utc)
    first = synth_catalogue(600, newest=now - timedelta(hours=2), spacing=timedelta(seconds=30))
    fake.oai = list(reversed(first))
    fake.page_delay = 0.3  # a run spans a couple of seconds: time enough for the other server to try
    base = {**os.environ, **fake.env(), "PAPERLENS_REDIS_URL": sync_settings.redis_url,
            "PAPERLENS_KEY_PREFIX": sync_settings.key_prefix, "PAPERLENS_SYNC_DELAY": "0",
            "PAPERLENS_SYNC_TIMEOUT": "5", "PAPERLENS_DEMO_CORPUS": "false", "PAPERLENS_INDEX_REFRESH_SECONDS": "0.2"}
    ports = [free_port(), free_port()]
    servers = [start_serve({**base, "PAPERLENS_DATA_DIR": str(tmp_path / f"node{n}")}, port)
               for n, port in enumerate(ports)]
    try:
        for proc, port in zip(servers, ports):
            wait_healthy(proc, port)
        added = subprocess.run([sys.executable, "-m", "paperlens.cli", "feeds", "add", "oai", "--set", "cs",
                                "--every", "30s"], env={**base, "PAPERLENS_DATA_DIR": str(tmp_path / "cli")},
                               capture_output=True, text=True, timeout=60)
        assert added.returncode == 0, added.stderr
        newest = first[0]
        word = re.search(r"zq\d+", newest.title).group(0)
        for port in ports:
            wait_until(lambda: search_finds(port, word, f"arxiv:{newest.arxiv_id}"), 180, "the first run's papers")
        assert store.count() == 600
        assert fake.max_in_flight == 1  # never two requests at once: one sync, on one server
        # Each due run ran once, on one server: runs start at least `every` apart. (On a busy machine
        # the papers may take longer than 30 s to be searchable, so the next runs may have come too.)
        assert run_starts(fake) and spaced(run_starts(fake))
        if request.node.callspec.params["redis_url"] == "single":
            # When the next run comes is the scheduler's clock over the same keys on either kind of
            # Redis: checked once, on the single server (it waits out the 30 s period).
            next_run_comes_on_schedule(fake, store, ports, now)
    finally:
        outputs = []
        for proc in servers:
            proc.send_signal(signal.SIGTERM)
        for proc in servers:
            outputs.append(proc.communicate(timeout=60)[0])
    for output in outputs:
        pid = int(re.search(r"syncer pid (\d+)", output).group(1))
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # stopping the server stopped (and reaped) its syncer
