"""Workers take turns accepting connections.

gunicorn's workers share one listening socket, and an asyncio worker accepts every connection
waiting on it each time it wakes. A burst of connections (a browser opening several, a load
generator opening eight) is over before the other worker is even scheduled, so one worker holds
all the keep-alive connections and serves them on one core while the other idles: with wrk's 8
connections on two workers, all 8 went to one worker and cached related answered 341-412
requests/s; shared 4 and 4 (or 5 and 3), 650-940.

So the workers count their open connections in memory the arbiter shares with them, and a worker
that holds more than its fair share (the open connections of all live workers over their number)
leaves a waiting connection to the others: it looks again every TURN_SECONDS, and takes the
connection itself after MAX_DEFER_SECONDS if nobody has (a worker that is busy or starved of CPU
must not hold connections back). A worker accepts one connection per wake-up, and the kernel's
accept queue keeps gunicorn's length, so a burst waits in it instead of being refused.

A worker also holds at most PAPERLENS_MAX_CONNECTIONS open connections: at that many it stops
accepting (looking again every FULL_SECONDS), and new connections wait in the kernel's queue, where
they cost the worker nothing, instead of each bringing a request and a body into its memory.

asyncio offers no public hook for how a server accepts: this wraps the selector loop's
`_accept_connection`, whose signature is the same from Python 3.11 to 3.13. On a loop without it
the worker logs that and accepts as asyncio does.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import time
from collections.abc import Callable

from uvicorn.server import Server

log = logging.getLogger(__name__)

TURN_SECONDS = 0.0005
MAX_DEFER_SECONDS = 0.02
FULL_SECONDS = 0.01
ARRIVING_SECONDS = 1.0
UNTRUSTED_SECONDS = 1.0  # after others let a connection wait MAX_DEFER_SECONDS, stop deferring for this long

# asyncio uses a server's backlog both for listen() and for how many connections one wake-up
# accepts: the worker's server asks for 1, then gives the kernel queue its length back.
ACCEPTS_PER_WAKE_UP = 1


class ConnectionCounts:
    """Open connections per worker process, in shared memory made before gunicorn forks."""

    def __init__(self, slots: int):
        self._pids = multiprocessing.RawArray("i", slots)
        self._counts = multiprocessing.RawArray("i", slots)
        self._lock = multiprocessing.Lock()
        self._slot: int | None = None

    def join(self) -> bool:
        """Take a slot for this worker (a free one, or a dead worker's); False when all are taken."""
        with self._lock:
            for slot, pid in enumerate(self._pids):
                if pid == 0 or not _alive(pid):
                    self._pids[slot], self._counts[slot], self._slot = os.getpid(), 0, slot
                    return True
        return False

    def set_mine(self, count: int) -> None:
        if self._slot is not None:
            self._counts[self._slot] = count

    def above_fair_share(self) -> bool:
        if self._slot is None:
            return False
        mine = self._counts[self._slot]
        live = [count for pid, count in zip(self._pids, self._counts) if pid != 0 and _alive(pid)]
        return mine * len(live) > sum(live)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# Made by the arbiter (gunicorn_app.run) before it forks the workers, which inherit it.
COUNTS: ConnectionCounts | None = None


def share_connection_counts(workers: int) -> None:
    global COUNTS
    COUNTS = ConnectionCounts(slots=max(8, 2 * workers))  # room for workers that replace dead ones


class CountedConnections(set):
    """uvicorn's set of open connections (its protocols add and discard themselves), which also
    writes its size where the other workers read it."""

    def __init__(self, on_change: Callable[[int], None], on_add: Callable[[], None] = lambda: None):
        super().__init__()
        self.on_change, self.on_add = on_change, on_add

    def add(self, item) -> None:
        super().add(item)
        self.on_add()
        self.on_change(len(self))

    def discard(self, item) -> None:
        super().discard(item)
        self.on_change(len(self))


class TakeTurnsServer(Server):
    def __init__(self, config, queue_length: int, max_connections: int):
        super().__init__(config)
        self.queue_length = queue_length
        self.max_connections = max_connections
        self.counts = COUNTS if COUNTS is not None and COUNTS.join() else None
        if self.counts is not None:
            self.server_state.connections = CountedConnections(self.counts.set_mine)

        # accepts whose connection is not registered yet: asyncio makes its transport in a task of
        # its own, so without these the next wake-up could accept one past the cap
        self.arriving: list[float] = []

    def full(self) -> bool:
        now = time.monotonic()
        self.arriving = [t for t in self.arriving if now - t < ARRIVING_SECONDS]  # an accept that found nothing
        return len(self.server_state.connections) + len(self.arriving) >= self.max_connections

    def accepting(self) -> None:
        self.arriving.append(time.monotonic())

    def arrived(self) -> None:
        if self.arriving:
            self.arriving.pop(0)

    async def startup(self, sockets=None) -> None:
        fair = self.counts.above_fair_share if self.counts is not None else (lambda: False)
        take_turns(asyncio.get_running_loop(), fair, Capacity(self.full, self.accepting))
        await super().startup(sockets=sockets)
        for sock in sockets or ():
            sock.listen(self.queue_length)  # asyncio called listen(ACCEPTS_PER_WAKE_UP)


class Capacity:
    """How a worker's connection cap is kept: whether it is full, and a hook on each accept (the
    connection counts once registered; CountedConnections.on_add)."""

    def __init__(self, full: Callable[[], bool], accepting: Callable[[], None]):
        self.full, self.accepting = full, accepting


UNCAPPED = Capacity(lambda: False, lambda: None)


def take_turns(loop: asyncio.AbstractEventLoop, above_fair_share: Callable[[], bool],
               capacity: Capacity = UNCAPPED) -> None:
    accept = getattr(loop, "_accept_connection", None)
    if accept is None or not hasattr(loop, "_add_reader"):
        log.warning("this event loop (%s) accepts its own way: workers will not take turns", type(loop).__name__)
        return
    deferred_since: float | None = None
    trust_from = 0.0

    def accept_in_turn(protocol_factory, sock, *args):
        nonlocal deferred_since, trust_from
        if capacity.full():
            fd = sock.fileno()
            loop._remove_reader(fd)
            loop.call_later(FULL_SECONDS, listen_again, fd, protocol_factory, sock, *args)
            return
        now = time.monotonic()
        if now >= trust_from and above_fair_share():
            deferred_since = deferred_since or now
            if now - deferred_since < MAX_DEFER_SECONDS:
                fd = sock.fileno()
                loop._remove_reader(fd)
                loop.call_later(TURN_SECONDS, listen_again, fd, protocol_factory, sock, *args)
                return
            trust_from = now + UNTRUSTED_SECONDS  # nobody else took it: the others are busy or stuck
        deferred_since = None
        capacity.accepting()
        accept(protocol_factory, sock, *args)

    def listen_again(fd, protocol_factory, sock, *args):
        nonlocal deferred_since
        if sock.fileno() != fd:
            return  # closed meanwhile (the server shutting down): the fd is no longer ours
        if not select.select([fd], [], [], 0)[0]:
            deferred_since = None  # another worker took the connection: this wait is over
        loop._add_reader(fd, accept_in_turn, protocol_factory, sock, *args)

    loop._accept_connection = accept_in_turn
