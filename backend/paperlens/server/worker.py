"""The gunicorn worker class: uvicorn's asyncio worker with the guarded protocol, no access log
(request lines carry the ids people browse), and proxy headers trusted only from the proxies the
operator names (PAPERLENS_TRUSTED_PROXIES), so rate limits see real clients and nobody else can
pick their own address with X-Forwarded-For. Workers take turns accepting connections (turns.py)."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

from gunicorn.arbiter import Arbiter
from uvicorn_worker import UvicornWorker

from ..settings import Settings
from .protocol import GuardedH11Protocol
from .turns import ACCEPTS_PER_WAKE_UP, TakeTurnsServer

# h11 keeps at most this much of an incomplete request line and headers; a 5,000-character path
# still reaches the app (and its JSON 404), a megabyte of headers does not.
MAX_HEAD_BYTES = 64 * 1024

# glibc serves allocations above a threshold with their own mmap, given back to the system when
# freed; but each free of such a block raises the threshold (up to 32 MB), so after the first large
# body, later ones come from the heap, which a worker keeps: 60 uploads left ~700 MB per worker.
# A fixed threshold keeps every body-sized buffer in its own mapping.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 256 * 1024


def keep_large_buffers_returnable() -> None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = getattr(libc, "mallopt", None)
    except OSError:
        mallopt = None
    if mallopt is None or not mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES):
        logging.getLogger(__name__).info("no glibc mallopt here: large request bodies use the default allocator")


class PaperlensWorker(UvicornWorker):
    def __init__(self, *args, **kwargs):
        settings = Settings.from_env()
        proxies = settings.trusted_proxies
        self.max_connections = settings.max_connections
        self.CONFIG_KWARGS = {
            "loop": "asyncio",
            "http": GuardedH11Protocol,
            "access_log": False,
            "server_header": False,
            "proxy_headers": bool(proxies),
            "forwarded_allow_ips": proxies or None,
            "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
            "backlog": ACCEPTS_PER_WAKE_UP,
        }
        super().__init__(*args, **kwargs)
        if not proxies:
            # gunicorn hands its own default ("127.0.0.1,::1") to uvicorn; trust nobody instead
            self.config.forwarded_allow_ips = []

    def init_process(self) -> None:
        keep_large_buffers_returnable()
        super().init_process()

    async def _serve(self) -> None:
        """UvicornWorker._serve, with a server whose workers take turns accepting."""
        self.config.app = self.wsgi
        server = TakeTurnsServer(config=self.config, queue_length=self.cfg.backlog, max_connections=self.max_connections)
        self._install_sigquit_handler()
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
