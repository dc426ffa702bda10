"""`paperlens serve`'s HTTP server: gunicorn managing PaperlensWorker processes."""

from __future__ import annotations

import signal

from gunicorn.app.base import BaseApplication

from ..settings import Settings
from . import turns
from .asgi import asgi_app

# The largest body any route takes (a library import); the app checks each route's own limit.
MAX_BODY_BYTES = 16 * 1024 * 1024 + 1024


def run(settings: Settings) -> None:
    """Serve until SIGINT/SIGTERM; returns after the workers have stopped."""

    class PaperlensServer(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{settings.host}:{settings.port}")
            self.cfg.set("workers", settings.workers)
            self.cfg.set("worker_class", "paperlens.server.worker.PaperlensWorker")
            self.cfg.set("timeout", 120)
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("accesslog", None)  # request lines could carry ids users browse; keep them off
            # gunicorn's control socket defaults to one path per OS user, shared by every instance
            # (a second server took it over, stopping either removed it); nothing here uses it.
            self.cfg.set("control_socket_disable", True)

        def load(self):
            from ..app import create_app

            app = create_app(Settings.from_env(host=settings.host, port=settings.port))
            app.extensions["paperlens"].index.warm_up()  # map the snapshot and load compiled kernels now
            return asgi_app(app, threads=settings.threads, max_body_bytes=max(MAX_BODY_BYTES, settings.max_body_bytes))

    turns.share_connection_counts(settings.workers)  # before gunicorn forks: the workers inherit it
    # gunicorn's master handles SIGINT/SIGTERM by stopping its workers and returning here
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        PaperlensServer().run()
    except (KeyboardInterrupt, SystemExit):
        pass
