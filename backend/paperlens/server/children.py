"""What `paperlens serve`'s master process runs beside the gunicorn workers, and keeps running: the
embedded Redis, the feeds' syncer and the summariser. gunicorn's arbiter asks `check()` on every turn
of its loop (at least once a second, and at once when a child exits: the exit's SIGCHLD wakes it),
so a child killed by the OOM killer or by hand is started again within about a second, with a log
line. A child that keeps dying is started again after a growing pause (RESTART_PAUSES), not in a loop.

Stopping asks every child at once and waits for them together (STOP_SECONDS in all), Redis last,
after the workers that use it; a second Ctrl-C (`force`) kills what is left.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field

from .. import background
from ..store.embedded import EmbeddedRedis

log = logging.getLogger("paperlens.serve")

RESTART_PAUSES = (0.0, 1.0, 2.0, 5.0, 10.0, 30.0)  # after 1, 2, 3... deaths within STABLE_SECONDS
STABLE_SECONDS = 60.0  # a child that ran this long starts again at once when it next dies
STOP_SECONDS = 3.0  # for the background processes to finish their step, before they are killed


@dataclass
class Background:
    """A background process (python -m module) and its restarts."""

    name: str
    module: str
    process: subprocess.Popen | None = None
    started: float = 0.0
    deaths: int = 0
    next_start: float = 0.0
    owner: int = field(default_factory=os.getpid)

    def start(self) -> None:
        self.process = background.start(self.module)
        self.started = time.monotonic()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None


class Children:
    def __init__(self, redis: EmbeddedRedis | None = None):
        self.redis = redis
        self.background: list[Background] = []
        self.stopping = False
        self.forced = False  # a second Ctrl-C: kill what is left
        self.stop_deadline = 0.0
        self.redis_deaths = 0
        self.owner = os.getpid()

    def add(self, name: str, module: str) -> Background:
        child = Background(name, module)
        child.start()
        self.background.append(child)
        return child

    # -- watching --------------------------------------------------------------------------------
    def check(self) -> None:
        """Start again whatever died. Called by the arbiter's loop (the master process only)."""
        if self.stopping or os.getpid() != self.owner:
            return
        if self.redis is not None and self.redis.died():
            self._restart_redis()
        now = time.monotonic()
        for child in self.background:
            if child.process is None or child.process.poll() is None:
                continue
            if child.next_start == 0.0:  # just found dead: decide when it starts again
                code = child.process.returncode
                child.deaths = 1 if now - child.started > STABLE_SECONDS else child.deaths + 1
                pause = RESTART_PAUSES[min(child.deaths, len(RESTART_PAUSES)) - 1]
                child.next_start = now + pause
                log.error("the %s (pid %s) exited%s; starting it again%s", child.name, child.pid,
                          _exit_text(code), f" in {pause:g} s" if pause else "")
            if now >= child.next_start:
                child.start()
                child.next_start = 0.0
                log.warning("the %s runs again (pid %s)", child.name, child.pid)

    def _restart_redis(self) -> None:
        code = self.redis.proc.returncode
        self.redis_deaths += 1
        log.error("the embedded Redis (pid %s) exited%s; starting it again on %s (its AOF brings the data "
                  "back)", self.redis.proc.pid, _exit_text(code), self.redis.data_dir)
        started = time.monotonic()
        self.redis.proc = None
        try:
            self.redis.start()
        except Exception as exc:  # the next turn tries again
            log.error("the embedded Redis did not start again: %s", exc)
            return
        log.warning("the embedded Redis runs again (pid %s), after %.2f s", self.redis.proc.pid if self.redis.proc
                    else "?", time.monotonic() - started)

    # -- stopping --------------------------------------------------------------------------------
    def begin_stop(self) -> None:
        """Ask every background process to finish (SIGTERM), without waiting: they stop while the
        workers do."""
        if self.stopping:
            return
        self.stopping = True
        self.stop_deadline = time.monotonic() + STOP_SECONDS
        for child in self.background:
            if child.process is not None and child.process.poll() is None:
                _signal(child.process, signal.SIGTERM)

    def finish_stop(self) -> None:
        """Wait for the background processes together until STOP_SECONDS after they were asked (a
        second Ctrl-C, `forced`, ends the wait at once), kill what is left, then shut Redis down."""
        if os.getpid() != self.owner:
            return
        self.begin_stop()
        running = [child for child in self.background if child.process is not None]
        while any(child.process.poll() is None for child in running):
            if self.forced or time.monotonic() > self.stop_deadline:
                for child in running:
                    if child.process.poll() is None:
                        log.warning("the %s (pid %s) %s: killed", child.name, child.pid,
                                    "was still running at the second Ctrl-C" if self.forced else
                                    f"did not stop within {STOP_SECONDS:g} s")
                        _signal(child.process, signal.SIGKILL)
                        child.process.wait()
                break
            time.sleep(0.02)
        if self.redis is not None:
            self.redis.stop()

    def force(self) -> None:
        self.forced = True


def _signal(process: subprocess.Popen, signum: int) -> None:
    try:
        process.send_signal(signum)
    except ProcessLookupError:
        pass


def _exit_text(code: int | None) -> str:
    """' (SIGKILL)', ' with code 1', or nothing: once gunicorn's arbiter has reaped a child (it waits
    for any child to find its workers), its status is lost and Popen reads 0."""
    if code is not None and code < 0:
        try:
            return f" ({signal.Signals(-code).name})"
        except ValueError:
            return f" (signal {-code})"
    return f" with code {code}" if code else ""
