"""`paperlens sync ...` (fetch once) and `paperlens feeds ...` (follow on a schedule): the command
groups the main `paperlens` command registers."""

from __future__ import annotations

import sys
import time
from datetime import datetime

import click

from ..domain.feeds import describe
from ..sync.polite_http import Stopped, UpstreamError
from ..sync.sources import SOURCES, SyncFailed, checked_options
from ..sync.sources.contract import CHOICE, COUNT, DAY, Option
from .root import settings

DATE = click.DateTime(formats=["%Y-%m-%d"])


def click_option(option: Option):
    """A source's declared option as `sync KIND` and `feeds add KIND` take it."""
    kind = option.kind
    if kind == DAY:
        return click.option(f"--{option.name}", option.name, type=DATE, help=option.help)
    if kind == COUNT:
        return click.option(f"--{option.name}", option.name, type=click.IntRange(option.low, option.high),
                            help=option.help)
    if kind == CHOICE:
        return click.option(f"--{option.name}", option.name, type=click.Choice(list(option.choices)),
                            default=option.default, show_default=option.default is not None, help=option.help)
    return click.option(f"--{option.name}", option.name, multiple=option.many, metavar=option.metavar,
                        help=option.help)


def _options(kind: str, given: dict) -> dict:
    raw = {name: value.date() if isinstance(value, datetime) else value for name, value in given.items()}
    try:
        return checked_options(kind, raw)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _with_options(kind: str):
    def decorate(command):
        for option in reversed(SOURCES[kind].OPTIONS):
            command = click_option(option)(command)
        return command
    return decorate


def _feeds():
    from ..domain.feeds import Feeds

    return Feeds.open(settings())


def _context():
    """The feeds and the syncer a command works with (which keeps this machine's index snapshot
    current, as `paperlens ingest` does)."""
    from ..domain.feeds import Feeds

    config = settings()
    feeds = Feeds.open(config)
    return feeds, feeds.syncer(config)


class Progress:
    """One line on stderr, redrawn per page, when stderr is a terminal: a bar when the upstream
    gives a total, else a running count."""

    def __init__(self, label: str):
        self.label = label
        self.show = sys.stderr.isatty()
        self.drawn = False

    def __call__(self, counts, page) -> None:
        if not self.show:
            return
        done = counts.fetched
        if page.total:
            share = min(1.0, done / page.total)
            bar = "#" * int(share * 30)
            line = f"{self.label} [{bar:<30}] {done:,}/{page.total:,}"
        else:
            line = f"{self.label}: {done:,} fetched"
        click.echo(f"\r{line}  (added {counts.added:,}, merged {counts.merged:,})\033[K", nl=False, err=True)
        self.drawn = True

    def end(self) -> None:
        if self.drawn:
            click.echo(err=True)


def _locked(feeds, role: str):
    lock = feeds.lock(role)
    lock.acquire(wait=True, on_wait=lambda holder: click.echo(
        f"waiting for {feeds.describe_holder(holder)} to finish", err=True))
    return lock


# -- paperlens sync ------------------------------------------------------------------------------
@click.group("sync", invoke_without_command=True)
@click.pass_context
def sync(ctx):
    """Fetch new papers once: `paperlens sync KIND [options]`, or every saved feed with no KIND.

    Papers go through the same merge as `paperlens ingest`; a sync that is interrupted resumes
    where it stopped when run again."""
    if ctx.invoked_subcommand is not None:
        return
    feeds, syncer = _context()
    saved = feeds.saved()
    if not saved:
        click.echo("no saved feeds; add one with `paperlens feeds add KIND ... --every 6h`")
        return
    failed = 0
    with _locked(feeds, "paperlens sync") as lock:
        scheduler = feeds.scheduler(syncer, lock)
        for feed in saved:
            label = f"feed {feed.id} ({describe(feed.kind, feed.options)})"
            progress = Progress(label)
            run = scheduler.run_feed(feed, lock, on_page=progress)
            progress.end()
            click.echo(f"{label}: {run.counts.line()}" + (f"; failed: {run.error}" if run.error else ""))
            failed += run.error is not None
    if failed:
        raise click.ClickException(f"{failed} of {len(saved)} feeds failed (see above)")


SHOWN_SKIPS = 20


def _show_skips(skipped: list, total: int) -> None:
    for skip in skipped:
        click.echo(f"  skipped {skip.position}: {skip.reason}", err=True)
    if total > len(skipped):
        click.echo(f"  ... and {total - len(skipped):,} more skipped", err=True)


def _sync_command(kind: str):
    @sync.command(kind, help=SOURCES[kind].HELP)
    @_with_options(kind)
    def command(**given):
        options = _options(kind, given)
        feeds, syncer = _context()
        label = describe(kind, options)
        progress = Progress(label)
        started = time.monotonic()
        with _locked(feeds, f"paperlens sync {kind}") as lock:
            counts = None
            skipped = []  # the first records skipped, with where and why, as ingest shows them

            def on_page(now, page):
                nonlocal counts
                counts = now
                skipped.extend(page.skipped[:SHOWN_SKIPS - len(skipped)])
                progress(now, page)

            try:
                counts = syncer.run(kind, options, keep_going=lambda: lock.held, on_page=on_page)
            except (UpstreamError, SyncFailed, Stopped) as exc:
                progress.end()
                if counts is not None:
                    click.echo(f"{label}: {counts.line()} before it failed")
                    _show_skips(skipped, counts.skipped)
                raise click.ClickException(f"{kind}: {exc}") from None
            except KeyboardInterrupt:
                progress.end()
                click.echo(f"{label}: interrupted; run it again to resume", err=True)
                sys.exit(130)
            except Exception as exc:  # whatever an upstream sends, the user gets one line, not a traceback
                from ..domain.errors import StoreUnavailable

                if isinstance(exc, StoreUnavailable):
                    raise  # said in one line by the main command
                progress.end()
                raise click.ClickException(f"{kind}: internal error: {type(exc).__name__}: {str(exc)[:200]}; "
                                           "pages stored before it stay stored") from None
        progress.end()
        click.echo(f"{label}: {counts.line()} in {time.monotonic() - started:.1f} s")
        _show_skips(skipped, counts.skipped)

    return command


for _kind in SOURCES:
    _sync_command(_kind)


# -- paperlens feeds -----------------------------------------------------------------------------
@click.group("feeds")
def feeds_group():
    """Follow sources on a schedule: `paperlens serve` runs each saved feed when it is due."""


@feeds_group.group("add")
def feeds_add():
    """Save a feed: KIND [the options of `paperlens sync KIND`] --every DURATION (30s, 15m, 6h, 1d)."""


def _add_command(kind: str):
    @feeds_add.command(kind, help=f"{SOURCES[kind].HELP} Runs every DURATION.")
    @_with_options(kind)
    @click.option("--every", required=True, metavar="DURATION", help="30s, 15m, 6h, 1d, ...")
    def command(every, **given):
        from ..domain.errors import Conflict, Invalid

        options = _options(kind, given)
        try:
            feed = _feeds().add(kind, options, every)
        except Invalid as exc:
            raise click.UsageError(exc.message) from None
        except Conflict as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"feed {feed.id}: {describe(kind, options)}, every {every.strip()}; "
                   "it runs now while `paperlens serve` runs (or with `paperlens sync`)")

    return command


for _kind in SOURCES:
    _add_command(_kind)


@feeds_group.command("list")
def feeds_list():
    """Every feed: options, last run, papers added, next run, last error."""
    shown = _feeds().views()
    if not shown:
        click.echo("no saved feeds")
    for feed in shown:
        click.echo(f"{feed['id']}\t{feed['description']}\tevery {feed['every']}")
        click.echo(f"\t{status_line(feed)}")


def status_line(feed: dict) -> str:
    parts = []
    if feed["running_since"]:
        parts.append(f"running since {feed['running_since']}")
    run = feed["last_run"]
    if run:
        parts.append(f"last run {run['started']}: added {run.get('added', 0):,}, merged {run.get('merged', 0):,}")
    else:
        parts.append("not run yet")
    parts.append(f"{feed['added_total']:,} added in all")
    if feed["next_run"]:
        parts.append(f"next run {feed['next_run']}")
    parts.append(f"last error: {feed['last_error']}" if feed["last_error"] else "no error")
    return " · ".join(parts)


@feeds_group.command("remove")
@click.argument("feed_id")
def feeds_remove(feed_id):
    """Stop following feed ID (a run under way stops after its current page)."""
    from ..domain.errors import NotFound

    try:
        _feeds().remove(feed_id)
    except NotFound as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"removed feed {feed_id}")


COMMANDS = [sync, feeds_group]
