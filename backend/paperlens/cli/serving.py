"""What `paperlens serve` starts and stops, in order: the listening socket first (a taken port is
said before anything starts), the embedded Redis when no PAPERLENS_REDIS_URL is set, the demo
corpus into an empty store, the first-run token and a connect link, the index and its compiled
kernels, the syncer, the summariser and the vectors filler, then gunicorn; on the way out, the
children in reverse and the embedded Redis last."""

from __future__ import annotations

import logging
import os
import signal
import time

import click

from .connect import print_connect_link
from .root import FIRST_RUN_TOKEN, services, settings as settings_from_env


def run(**overrides) -> None:
    from ..domain import upkeep
    from ..server import runtime
    from ..server.children import Children
    from ..server.gunicorn_app import PortInUse, listen, run as run_gunicorn
    from ..store.embedded import EmbeddedRedis, UnsafeDataFolder  # the launcher: the one store import here

    if logging.getLogger().level > logging.INFO:
        logging.getLogger().setLevel(logging.INFO)  # a server's log: what it loads, builds and restarts
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # as Ctrl-C: stop what has started, in order
    settings = settings_from_env(**overrides)
    try:
        listener = listen(settings)  # a taken port is said before anything starts or is printed
    except PortInUse as exc:
        click.echo(str(exc), err=True)  # the whole message, as issue 18 asks: no "Error:" before it
        raise SystemExit(1) from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}") from None
    embedded = not settings.redis_url
    children = Children()
    served = False
    try:
        if embedded:
            try:
                children.redis = EmbeddedRedis(settings.data_dir)
                settings.redis_url = children.redis.start()
            except (UnsafeDataFolder, OSError) as exc:
                raise click.ClickException(f"embedded Redis: {exc}") from None
            click.echo(f"embedded Redis with its data (AOF, fsync always) in {settings.data_dir}")
        os.environ["PAPERLENS_REDIS_URL"] = settings.redis_url  # workers use the same server
        svc = services(settings)
        warn_if_not_persistent(svc)
        loaded = upkeep.load_demo(svc.corpus)
        if loaded:
            click.echo(f"empty store: loaded a demo corpus of {loaded:,} arXiv papers from June 2026. To follow "
                       "your own fields: `paperlens feeds add arxiv --category cs.CL --every 6h` (README: Follow your fields)")
        if embedded:
            first_run_token(svc)
        if settings.on_loopback:
            print_connect_link(svc, FIRST_RUN_TOKEN, settings.base_url)
        _prepare_index(svc)
        syncer = children.add("syncer", "paperlens.sync.schedule")
        click.echo(f"feeds: synced in the background (syncer pid {syncer.pid}); `paperlens feeds list` shows them")
        if settings.summary_cpu > 0:
            summarizer = children.add("summariser", "paperlens.domain.summaries_ahead")
            click.echo(f"summaries: new papers summarised in the background (pid {summarizer.pid}, at most "
                       f"{settings.summary_cpu:.0%} of a core); `paperlens status` shows the backlog")
        svc.corpus.meaning.start_filler(lambda module: children.add("vector filler", module), click.echo)
        runtime.write(settings)
        served = True
        click.echo(f"Paperlens {upkeep.paper_count(svc.corpus)} papers; serving on {settings.base_url}  (Ctrl-C stops)")
        run_gunicorn(settings, listener, children)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, lambda *_: children.force())  # a second Ctrl-C kills what is left
        listener.close()  # detached once gunicorn has it: then this does nothing
        if served:
            runtime.remove(settings)
        children.finish_stop()
        if embedded and children.redis is not None and children.redis.owner == os.getpid():
            click.echo("embedded Redis stopped; data saved")


def _prepare_index(svc) -> None:
    """Build or open the index and compile the ranking kernels before the workers fork, saying so
    when the compile is the slow first one."""
    from ..domain import upkeep

    cold = not upkeep.kernels_compiled()
    if cold:
        click.echo("compiling the ranking kernels (once after an install: about 20 s on 2 cores)...")
    started = time.monotonic()
    upkeep.prepare_ranking(svc.corpus)
    if cold:
        click.echo(f"ranking kernels ready in {time.monotonic() - started:.1f} s")


def warn_if_not_persistent(svc) -> None:
    from ..domain import upkeep

    if upkeep.keeps_data(svc.corpus) is False:
        click.echo("WARNING: this Redis has neither AOF nor RDB snapshots on: reading lists would not survive "
                   "a Redis restart. Turn on appendonly.", err=True)


def first_run_token(svc) -> None:
    """For the embedded single-user default: an admin token for user 'local', kept 0600 in the data
    folder."""
    path = svc.settings.data_dir / "token"
    tokens = svc.tokens
    kept = tokens.lookup(path.read_text().strip()) if path.exists() else None
    if kept is not None:
        if not kept.admin:
            tokens.make_admin(kept.name)  # made before tokens had admin rights: it is the operator's
        click.echo(f"token for the extension: in {path}")
        return
    value = tokens.create(FIRST_RUN_TOKEN, user=FIRST_RUN_TOKEN, admin=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    os.chmod(path, 0o600)
    click.echo(f"created a token for the extension (also saved in {path}):\n\n    {value}\n")
