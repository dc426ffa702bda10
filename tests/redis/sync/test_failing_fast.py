"""A sync that cannot work says so at once and tries again soon: an upstream that refuses the
connection (or whose name does not resolve: offline) ends the run after one retry with one line; a
failed feed is tried again 5 minutes later, then 10, ..., never later than its own period; and a
sync that waits for another names what it waits for in words a person reads (issue 19, point 6)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from paperlens.lock import SyncLock, describe_holder, holder_name
from paperlens.sync.polite_http import Politeness, Upstream, UpstreamError, describe
from paperlens.sync.schedule import FIRST_RETRY, Scheduler

from bench.redis_server import free_port
from bench.fake_upstream import status, synth_catalogue

pytestmark = pytest.mark.cluster_too


def test_a_refused_connection_is_retried_once_then_the_run_ends(sync_settings):
    port = free_port()  # nothing listens there
    upstream = Upstream(f"127.0.0.1:{port}", Politeness(delay=0.0, timeout=5, retries=5))
    with pytest.raises(UpstreamError, match=f"cannot reach 127.0.0.1:{port}: the connection was refused"):
        upstream.get(f"http://127.0.0.1:{port}/oai", {"verb": "ListRecords"}, lambda response: response)
    assert upstream.requests == 2  # not 6 retries over a minute and a half


def test_a_name_that_does_not_resolve_reads_as_offline():
    err = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert describe(err) == "the name does not resolve (Name or service not known); is this machine offline?"


def test_the_sync_command_says_it_cannot_reach_the_upstream_in_one_line(sync_settings):
    port = free_port()
    env = {**os.environ, "PAPERLENS_REDIS_URL": sync_settings.redis_url, "PAPERLENS_KEY_PREFIX": sync_settings.key_prefix,
           "PAPERLENS_DATA_DIR": str(sync_settings.data_dir), "PAPERLENS_SYNC_DELAY": "0",
           "PAPERLENS_ARXIV_OAI_URL": f"http://127.0.0.1:{port}/oai"}
    done = subprocess.run([sys.executable, "-m", "paperlens.cli", "sync", "oai", "--set", "cs"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert f"cannot reach 127.0.0.1:{port}: the connection was refused" in lines[-1]
    assert sum(line.startswith("Error") for line in lines) == 1
    assert sum("retrying in" in line for line in lines) == 1


def test_a_failed_feed_is_tried_again_soon_then_less_often_up_to_its_period(fake, syncer, feeds):
    fake.fixed["oai"] = status(404, b"<html>no such page</html>")
    feed = feeds.add("oai", {"set": "cs"}, 1800)
    scheduler = Scheduler(syncer, feeds, holder_name("test"))

    def run_once():
        lock = SyncLock(feeds.lock, scheduler.holder)
        assert lock.acquire()
        with lock:
            return scheduler.run_feed(feed, lock)

    waits = []
    for _ in range(4):
        run = run_once()
        assert run.error
        waits.append(feeds.next_run(feed.id) - float(feeds.status(feed.id)["last_finished"]))
    assert [round(w) for w in waits] == [FIRST_RETRY, 2 * FIRST_RETRY, 4 * FIRST_RETRY, 1800]
    assert feeds.failures(feed.id) == 4

    del fake.fixed["oai"]  # the upstream is back: one good run, and the feed keeps its period again
    fake.oai = list(reversed(synth_catalogue(3)))
    run = run_once()
    assert run.error is None and feeds.failures(feed.id) == 0
    assert round(feeds.next_run(feed.id) - float(feeds.status(feed.id)["last_started"])) == 1800


def test_a_waiting_sync_names_the_feed_and_how_long_it_has_run(feeds):
    feed = feeds.add("hf-daily", {}, 86400)
    holder = "paperlens serve on another-host (pid 9514) [elsewhere] #f7f215 @1000"
    assert describe_holder(holder, feeds, now=1040) == "the server's scheduled sync, started 40 s ago (pid 9514 on another-host)"
    feeds.mark_started(feed.id, 1000.0)
    assert describe_holder(holder, feeds, now=1040) == \
        f"the server's scheduled sync of feed {feed.id} (hf-daily), started 40 s ago (pid 9514 on another-host)"
    mine = holder_name("paperlens sync oai")
    assert describe_holder(mine).startswith("a `paperlens sync oai` command, started ")
    assert describe_holder(mine).endswith(f"(pid {os.getpid()})")  # this machine: no host named
