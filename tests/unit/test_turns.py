"""Workers taking turns (paperlens/server/turns.py): the fair-share rule over shared counts, and a
worker that defers never holds a connection back for longer than MAX_DEFER_SECONDS."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from paperlens.server import turns


def test_a_worker_above_its_fair_share_of_open_connections_defers():
    counts = turns.ConnectionCounts(slots=4)
    assert counts.join()
    counts.set_mine(3)
    assert not counts.above_fair_share(), "alone, every connection is its own fair share"
    other = os.getppid()  # a live process standing in for a second worker
    counts._pids[1], counts._counts[1] = other, 1
    assert counts.above_fair_share(), "3 open against the other's 1"
    counts._counts[1] = 3
    assert not counts.above_fair_share(), "3 against 3"
    counts.set_mine(4)
    assert counts.above_fair_share()


def test_a_dead_worker_counts_for_nothing_and_its_slot_is_taken_again():
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    counts = turns.ConnectionCounts(slots=2)
    counts._pids[0], counts._counts[0] = ended.pid, 0
    counts._pids[1], counts._counts[1] = os.getppid(), 9
    assert counts.join() and counts._slot == 0, "the dead worker's slot"
    counts.set_mine(5)
    assert not counts.above_fair_share(), "5 against a live worker's 9"
    full = turns.ConnectionCounts(slots=1)
    full._pids[0] = os.getppid()
    assert not full.join() and not full.above_fair_share(), "no slot: the worker does not take part"


def test_a_deferring_worker_takes_the_connection_itself_when_nobody_else_does():
    asked = []

    async def main() -> float:
        loop = asyncio.get_running_loop()
        turns.take_turns(loop, lambda: asked.append(time.monotonic()) or True)  # always above its share
        made = loop.create_future()

        class Protocol(asyncio.Protocol):
            def connection_made(self, transport):
                made.set_result(time.monotonic())
                transport.close()

        server = await loop.create_server(Protocol, "127.0.0.1", 0, backlog=turns.ACCEPTS_PER_WAKE_UP)
        port = server.sockets[0].getsockname()[1]
        started = time.monotonic()
        client = socket.create_connection(("127.0.0.1", port))
        try:
            accepted = await asyncio.wait_for(made, 5)
        finally:
            client.close()
            server.close()
        return accepted - started

    with ThreadPoolExecutor(1) as pool:  # a loop of its own: browser tests may leave one running here
        waited = pool.submit(asyncio.run, main()).result(timeout=30)
    assert len(asked) > 2, "it deferred, and looked again"
    assert turns.MAX_DEFER_SECONDS <= waited < 2, f"accepted after {waited:.3f} s"
