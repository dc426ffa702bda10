"""`paperlens serve`'s HTTP server: gunicorn managing PaperlensWorker processes, with a master
(arbiter.py) that keeps the embedded Redis and the background processes running (children.py)."""

from __future__ import annotations

import errno
import os
import socket
import sys

from gunicorn.app.base import BaseApplication

from ..settings import Settings
from . import turns
from .arbiter import PaperlensArbiter
from .asgi import asgi_app
from .children import Children

QUEUE_LENGTH = 2048  # the kernel's accept queue: connections over a worker's cap wait here


class PortInUse(RuntimeError):
    pass


def listen(settings: Settings) -> socket.socket:
    """The listening socket, made before anything is started or printed, so a port that is taken
    (another Paperlens?) is found first. gunicorn takes it over by its file descriptor."""
    family, kind, proto, _, address = socket.getaddrinfo(settings.host or None, settings.port,
                                                         type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn: a TIME_WAIT is no conflict
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {settings.port} is in use — another Paperlens? set --port") from None
        raise
    sock.listen(QUEUE_LENGTH)
    return sock


def run(settings: Settings, listener: socket.socket, children: Children) -> None:
    """Serve until SIGINT/SIGTERM; returns in the master after the workers have stopped. A worker
    never returns from here: gunicorn's forked children leave through os._exit, so nothing of
    the master's (its `finally` blocks, atexit, the children it owns) ever runs in a worker."""
    fd = listener.detach()

    class PaperlensServer(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"fd://{fd}")
            self.cfg.set("backlog", QUEUE_LENGTH)
            self.cfg.set("workers", settings.workers)
            self.cfg.set("worker_class", "paperlens.server.worker.PaperlensWorker")
            self.cfg.set("timeout", 120)
            # workers finish the requests in hand for at most this long: with the children stopping
            # meanwhile, Ctrl-C or SIGTERM ends everything within 5 s
            self.cfg.set("graceful_timeout", 3)
            self.cfg.set("accesslog", None)  # request lines could carry ids users browse; keep them off
            # gunicorn's control socket defaults to one path per OS user, shared by every instance
            # (a second server took it over, stopping either removed it); nothing here uses it.
            self.cfg.set("control_socket_disable", True)

        def load(self):
            from ..app import create_app

            worker_settings = Settings.from_env(host=settings.host, port=settings.port)
            app = create_app(worker_settings)
            app.extensions["paperlens"].index.warm_up()  # map the snapshot and load compiled kernels now
            return asgi_app(app, worker_settings)

        def run(self):
            arbiter = PaperlensArbiter(self)
            arbiter.children = children
            arbiter.run()

    turns.share_connection_counts(settings.workers)  # before gunicorn forks: the workers inherit it
    master = os.getpid()
    code = 0
    try:
        PaperlensServer().run()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        pass
    except BaseException:
        if os.getpid() == master:
            raise
        code = 1
    finally:
        if os.getpid() != master:  # a worker, however it ends
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    if code:
        raise SystemExit(code)
