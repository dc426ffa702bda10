"""`paperlens sync` and `paperlens feeds` as a user runs them: one line of counts, a clear one-line
failure, kill -9 in the middle and run again with nothing lost or doubled, one sync at a time."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from paperlens.lock import SyncLock, holder_name

from tests.waiting import until
from bench.fake_upstream import status, synth_catalogue

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


@pytest.fixture
def env(sync_settings, fake):
    return {**os.environ, **fake.env(), "PAPERLENS_REDIS_URL": sync_settings.redis_url,
            "PAPERLENS_KEY_PREFIX": sync_settings.key_prefix, "PAPERLENS_DATA_DIR": str(sync_settings.data_dir),
            "PAPERLENS_SYNC_DELAY": "0", "PAPERLENS_SYNC_TIMEOUT": "2"}


def paperlens(env, *args, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paperlens.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def logged_additions(store) -> list[str]:
    return sorted(e[2:] for e in store.log_entries(0) if e.startswith("a:"))


def test_sync_prints_one_line_of_counts(env, fake, store):
    fake.oai = list(reversed(synth_catalogue(120)))
    done = paperlens(env, "sync", "oai", "--set", "cs")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith(
        "oai set=cs: fetched 120, added 120, merged 0, unchanged 0, skipped 0 (2 requests) in ")
    assert store.count() == 120


def test_sync_that_fails_for_good_exits_non_zero_with_one_line_why(env, fake, store):
    fake.fixed["arxiv"] = status(503, b"down", retry_after=0)
    done = paperlens(env, "sync", "arxiv", "--category", "cs.CL")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: arxiv: ") and lines[-1].endswith("failed 6 times; last: HTTP 503")
    assert sum(line.startswith("Error") for line in lines) == 1  # the lines before say "retrying in ..."


def test_bad_options_are_refused_before_anything_is_asked(env, fake):
    for args, message in [(["sync", "arxiv"], "at least one --category or a --query"),
                          (["sync", "arxiv", "--category", "cs CL"], "not an arXiv category"),
                          (["sync", "oai", "--from", "2025-02-01", "--until", "2025-01-01"], "from is after until"),
                          (["sync", "hf-daily", "--date", "2025-01-01", "--since", "2025-01-01"], "not both"),
                          (["feeds", "add", "arxiv", "--category", "cs.CL", "--every", "5s"], "from 30s"),
                          (["feeds", "add", "arxiv", "--category", "cs.CL", "--every", "often"], "30s, 15m, 6h or 1d")]:
        done = paperlens(env, *args)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
    assert fake.seen() == []


@pytest.mark.parametrize("kind, args", [("oai", ["--set", "cs"]),
                                        ("arxiv", ["--category", "cs.CL", "--max", "100000"])])
def test_kill_9_mid_sync_then_run_again_loses_and_doubles_nothing(env, fake, store, kind, args):
    papers = synth_catalogue(3000, spacing=timedelta(minutes=2))
    if kind == "oai":
        fake.oai = list(reversed(papers))
    else:
        fake.arxiv = papers
    fake.page_delay = 0.01
    rng = random.Random(7)
    for _ in range(3):
        seen = len(fake.seen())
        proc = subprocess.Popen([sys.executable, "-m", "paperlens.cli", "sync", kind, *args], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        target = seen + rng.randint(2, 6)
        deadline = time.monotonic() + 30
        while len(fake.seen()) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.03))  # somewhere in storing a page, or between pages
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert 0 < store.count() < 3000
    done = paperlens(env, "sync", kind, *args)  # takes the dead process's lock over at once
    assert done.returncode == 0, done.stderr
    expected = sorted(f"arxiv:{p.arxiv_id}" for p in papers)
    assert store.count() == 3000 and logged_additions(store) == expected
    assert sorted(p.id for p in store.get_many(expected)) == expected


def test_feeds_add_list_remove_and_sync_runs_every_saved_feed_once(env, fake, store, feeds):
    fake.hf = {datetime.now(timezone.utc).date().isoformat(): synth_catalogue(4)}
    fake.oai = list(reversed(synth_catalogue(30, first_number=100)))
    added = paperlens(env, "feeds", "add", "hf-daily", "--every", "1d")
    assert added.returncode == 0 and added.stdout.startswith("feed 1: hf-daily, every 1d"), added.stderr
    assert paperlens(env, "feeds", "add", "oai", "--set", "cs", "--from", "2025-01-01", "--every", "6h").returncode == 0
    again = paperlens(env, "feeds", "add", "oai", "--set", "cs", "--from", "2025-01-01", "--every", "12h")
    assert again.returncode == 1 and "feed 2 already follows this" in again.stderr
    listed = paperlens(env, "feeds", "list").stdout
    assert "1\thf-daily\tevery 1d" in listed and "2\toai set=cs from=2025-01-01\tevery 6h" in listed
    assert listed.count("not run yet") == 2

    ran = paperlens(env, "sync")
    assert ran.returncode == 0, ran.stderr
    assert "feed 1 (hf-daily): fetched 4, added 4" in ran.stdout and "feed 2 (oai set=cs from=2025-01-01): fetched 30" in ran.stdout
    listed = paperlens(env, "feeds", "list").stdout
    assert "added 4, merged 0" in listed and "30 added in all" in listed and "no error" in listed and "next run" in listed

    removed = paperlens(env, "feeds", "remove", "1")
    assert removed.returncode == 0 and paperlens(env, "feeds", "remove", "1").returncode == 1
    assert [f.id for f in feeds.list()] == ["2"]


def test_a_failing_feed_shows_its_error_and_the_others_still_run(env, fake, store, feeds):
    fake.oai = list(reversed(synth_catalogue(10)))
    fake.fixed["biorxiv"] = status(404, b"<html>no such page</html>")
    feeds.add("biorxiv", {"server": "medrxiv"}, 3600)
    feeds.add("oai", {"set": "cs"}, 3600)
    ran = paperlens(env, "sync")
    assert ran.returncode == 1 and "1 of 2 feeds failed" in ran.stderr
    assert "failed: the bioRxiv API answered HTTP 404: <html>no such page</html>" in ran.stdout
    assert store.count() == 10
    assert "last error: the bioRxiv API answered HTTP 404" in paperlens(env, "feeds", "list").stdout


def test_a_sync_waits_for_the_one_running_elsewhere(env, fake, store, feeds):
    fake.oai = list(reversed(synth_catalogue(10)))
    other = SyncLock(feeds.lock, "paperlens serve on another-host (pid 1) [elsewhere] #abcdef", lease=30)
    assert other.acquire()
    proc = subprocess.Popen([sys.executable, "-m", "paperlens.cli", "sync", "oai", "--set", "cs"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Wait for the event itself, the line saying it waits (a fixed sleep raced a slow start).
        before = []
        for line in proc.stderr:  # ends at EOF should it exit instead
            before.append(line)
            if line.startswith("waiting for "):
                break
        assert before[-1].strip() == "waiting for the server's scheduled sync (pid 1 on another-host) to finish", before
        assert proc.poll() is None and fake.seen() == []
        other.release()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "added 10" in out


def test_a_killed_holders_lock_expires_with_its_lease(feeds):
    first = SyncLock(feeds.lock, holder_name("first"), lease=1.0)
    assert first.acquire()
    first._done.set()  # stop renewing, as a killed process does
    first._thread.join()
    second = SyncLock(feeds.lock, "second on another-host (pid 2) [elsewhere] #000000", lease=1.0)
    assert not second.acquire(wait=False)
    started = time.monotonic()
    assert second.acquire(wait=True, poll=0.05)
    assert 0.5 < time.monotonic() - started < 30  # about the 1 s lease; the bound only catches a hang
    assert not first.held or first.lock.lock_holder() == second.holder
    second.release()
    assert feeds.lock_holder() is None


def test_a_holder_that_lost_its_lock_notices(feeds):
    lock = SyncLock(feeds.lock, holder_name("me"), lease=0.3)
    assert lock.acquire()
    feeds.r.set(feeds.keys.sync_lock, "someone else")
    until(lambda: not lock.held, 30, "the holder noticing it lost the lock")
    lock.release()
    assert feeds.lock_holder() == "someone else"  # releasing never frees a lock another holds
