"""`paperlens status`: the corpus, the index, summaries ahead of time, the semantic signal and the
feeds, as this server's Redis has them."""

from __future__ import annotations

import click

from .root import services, settings


@click.command()
def status():
    """The corpus, the index, summaries ahead of time and the feeds, as this server's Redis has them."""
    from ..domain.status import status as status_of

    now = status_of(services(settings()).corpus)
    click.echo(f"papers: {now.papers:,} (corpus version {now.corpus_version}, {now.logged:,} log entries)")
    click.echo(f"index snapshot: {now.snapshot or 'none yet'}")
    done, logged = now.summarised, now.logged
    click.echo(f"summaries ahead: {min(done, logged):,} of {logged:,} log entries done, backlog {max(0, logged - done):,}"
               + (f"; working: {now.summariser}" if now.summariser else " (no summariser running)"))
    click.echo(now.meaning)
    click.echo(f"feeds: {now.feeds}" + (f"; syncing now: {now.syncing}" if now.syncing else ""))
