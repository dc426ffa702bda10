"""gunicorn's arbiter (the master process) with what `paperlens serve` needs of it:

- A worker that cannot boot (Redis stalled, say) is started again after a growing pause. gunicorn
  halts the whole server on a worker's boot error, and before that fix the failing worker's exit
  climbed into `paperlens serve`'s own cleanup and shut the embedded Redis down.
- Each turn of its loop the children beside the workers (children.py) are checked and restarted.
- Stopping asks the background processes to stop while the workers stop, not after them, and
  Ctrl-C stops the workers as SIGTERM does.
"""

from __future__ import annotations

import time

from gunicorn.arbiter import Arbiter
from gunicorn.errors import HaltServer

from .children import Children

BOOT_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0, 10.0)  # after 1, 2, 3... boot failures in a row
BOOTED_SECONDS = 60.0  # a failure this long after the last one starts the pauses over


class PaperlensArbiter(Arbiter):
    children: Children | None = None
    boot_failures = 0
    last_failure = 0.0
    next_spawn = 0.0

    def reap_workers(self):
        while True:
            workers = dict(self.WORKERS)
            try:
                return super().reap_workers()
            except HaltServer as halt:
                if halt.exit_status != self.WORKER_BOOT_ERROR:
                    raise
                # gunicorn raised before closing the failed worker's heartbeat file (closing twice is harmless)
                for pid, worker in workers.items():
                    if pid not in self.WORKERS:
                        worker.tmp.close()
                self._boot_failed()
                # and go on reaping: other children may have exited too

    def _boot_failed(self) -> None:
        now = time.monotonic()
        self.boot_failures = 1 if now - self.last_failure > BOOTED_SECONDS else self.boot_failures + 1
        self.last_failure = now
        pause = BOOT_PAUSES[min(self.boot_failures, len(BOOT_PAUSES)) - 1]
        self.next_spawn = now + pause
        self.log.error("a worker could not start (failure %d in a row, see above); the next try in %g s",
                       self.boot_failures, pause)

    def manage_workers(self):
        if self.children is not None:
            self.children.check()
        if len(self.WORKERS) < self.num_workers and time.monotonic() < self.next_spawn:
            return  # waiting out a boot failure's pause; the loop wakes at least once a second
        super().manage_workers()

    def handle_int(self):
        """Ctrl-C stops as SIGTERM does. gunicorn's own quick stop sends the workers SIGQUIT, which
        uvicorn's workers took 3 s to act on (they were then killed); SIGTERM ends them at once.
        A second Ctrl-C while they stop still makes gunicorn kill them (Arbiter.stop)."""
        raise StopIteration

    def stop(self, graceful=True):
        if self.children is not None:
            self.children.begin_stop()
        super().stop(graceful)
