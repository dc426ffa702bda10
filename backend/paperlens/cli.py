"""The `paperlens` command: serve, ingest, reindex, token, export, digest; sync and feeds (sync/commands.py).

Every command reads the same Settings as the server (PAPERLENS_* variables), so a command run
beside a running `paperlens serve` talks to the same Redis and index folder.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import textwrap
import time
from collections import Counter
from datetime import date
from pathlib import Path

import click

from . import background
from .corpus.formats import FORMATS
from .corpus.paper import Paper
from .library.export import FORMATS as EXPORT_FORMATS
from .corpus.sources import UnknownFormat, read_records
from .settings import Settings
from .embedding.commands import COMMANDS as MODEL_COMMANDS
from .sync.commands import COMMANDS as SYNC_COMMANDS

DEMO_CORPUS = Path(__file__).parent / "data" / "hf-daily-papers-demo.txt"
FIRST_RUN_TOKEN = "local"  # the name and user of the token `paperlens serve` makes on its first run


def _settings(**overrides) -> Settings:
    return Settings.from_env(**overrides)


def _services(settings: Settings):
    from .services import Services

    return Services.create(settings)


class PaperlensCommands(click.Group):
    """Redis settings and outages end a command with one line that says so, not a traceback."""

    def invoke(self, ctx):
        from .store import BadRedisUrl, StoreUnavailable

        try:
            return super().invoke(ctx)
        except BadRedisUrl as exc:
            raise click.ClickException(f"PAPERLENS_REDIS_URL: {exc}") from None
        except StoreUnavailable as exc:
            raise click.ClickException(f"Redis is unavailable: {exc}") from None


@click.group(cls=PaperlensCommands)
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """Paperlens: related papers, summaries and reading lists from your own server."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")


# -- ingest ----------------------------------------------------------------------------------
@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)),
              help="Input format (detected when omitted).")
@click.option("--year", type=int, default=None, help="Year for dates given without one (hf-daily; default: this year).")
@click.option("--summaries", is_flag=True, help="Also compute and cache every paper's summary.")
@click.option("--no-index", is_flag=True, help="Do not rebuild the index snapshot afterwards.")
def ingest(paths, fmt, year, summaries, no_index):
    """Add papers from files (JSONL, BEIR, arXiv OAI/Kaggle JSON, arXiv Atom XML, arXiv OAI-PMH XML,
    HF daily text or JSON, bioRxiv JSON).

    PATH may be '-' for stdin; .gz files are read directly. Papers already stored are merged."""
    settings = _settings()
    svc = _services(settings)
    totals: Counter = Counter()
    skipped: list[str] = []
    started = time.monotonic()
    for path in paths:
        try:
            records = read_records(path, fmt, year=year or date.today().year)
            counts, skips = _ingest_records(svc, records, label=str(path))
        except (UnknownFormat, OSError) as exc:
            raise click.ClickException(f"{path}: {exc}") from None
        totals.update(counts)
        skipped += [f"{path}: {s.position}: {s.reason}" for s in skips]
    elapsed = time.monotonic() - started
    click.echo(f"added {totals['added']}, merged {totals['merged']}, unchanged {totals['unchanged']}, "
               f"skipped {len(skipped)} in {elapsed:.1f} s")
    for line in skipped[:200]:
        click.echo(f"  skipped {line}", err=True)
    if len(skipped) > 200:
        click.echo(f"  ... and {len(skipped) - 200} more skipped", err=True)
    if not no_index and (totals["added"] or totals["merged"]):
        started = time.monotonic()
        path = svc.index.build_now()
        click.echo(f"index snapshot {path.name} built in {time.monotonic() - started:.1f} s")
    if summaries:
        _summarize_all(svc)


def _ingest_records(svc, records, label: str):
    from .corpus.formats import Skipped

    counts: Counter = Counter()
    skips: list = []

    def papers():
        for record in records:
            if isinstance(record, Skipped):
                skips.append(record)
            else:
                yield record

    show = sys.stderr.isatty()
    last = 0.0
    for stored in svc.store.papers.add_many(papers()):
        counts[stored.status] += 1
        if show and time.monotonic() - last > 0.2:
            last = time.monotonic()
            click.echo(f"\r{label}: {sum(counts.values()):,} papers ({counts['added']:,} added, "
                       f"{counts['merged']:,} merged, {len(skips)} skipped)", nl=False, err=True)
    if show:
        click.echo(f"\r{label}: {sum(counts.values()):,} papers done" + " " * 40, err=True)
    return counts, skips


def _summarize_all(svc, processes: int = 2) -> None:
    from .ranking.summary_cache import summarize_corpus

    if sys.stderr.isatty():
        with click.progressbar(length=svc.store.papers.count(), label="summarising", file=sys.stderr,
                               show_pos=True) as bar:
            done = summarize_corpus(svc.store, svc.index.view(), processes=processes, on_progress=bar.update)
    else:
        done = summarize_corpus(svc.store, svc.index.view(), processes=processes)
    failed = f", {done.failed:,} failed (see the log)" if done.failed else ""
    click.echo(f"summaries: {done.papers:,} papers, {done.computed:,} computed, {done.cached:,} already cached, "
               f"{done.empty:,} without text{failed} in {done.seconds:.1f} s")


@main.command()
@click.option("--all", is_flag=True, expose_value=False,
              help="Every paper in the corpus (the default; the whole corpus is the only scope).")
@click.option("--processes", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Processes for a large corpus (small ones run in one).")
def summarize(processes):
    """Compute and cache the summary of every paper in the corpus (papers already cached are skipped)."""
    _summarize_all(_services(_settings()), processes)


# -- index ------------------------------------------------------------------------------------
@main.command()
def reindex():
    """Rebuild the index snapshot from every paper in Redis."""
    svc = _services(_settings())
    started = time.monotonic()
    path = svc.index.build_now()
    click.echo(f"index snapshot {path.name} built in {time.monotonic() - started:.1f} s")


@main.command()
def status():
    """The corpus, the index, summaries ahead of time and the feeds, as this server's Redis has them."""
    from .domain.summaries_ahead import NAME
    from .ranking import snapshot

    svc = _services(_settings())
    papers = svc.store.papers
    logged = papers.log_length()
    done = svc.store.log_reader(NAME).position()
    click.echo(f"papers: {papers.count():,} (corpus version {papers.version()}, {logged:,} log entries)")
    latest = snapshot.latest(svc.settings.index_dir)
    click.echo(f"index snapshot: {latest.name if latest else 'none yet'}")
    holder = svc.store.lease(NAME).lock_holder()
    click.echo(f"summaries ahead: {min(done, logged):,} of {logged:,} log entries done, backlog {max(0, logged - done):,}"
               + (f" ({holder} is working)" if holder else " (no summariser running)"))
    click.echo(svc.corpus.meaning.status_line())
    feeds = svc.store.feeds.list()
    syncing = svc.store.feeds.lock_holder()
    click.echo(f"feeds: {len(feeds)}" + (f", {syncing} is syncing" if syncing else ""))


@main.command()
@click.option("--dry-run", is_flag=True, help="Only report; change nothing.")
def doctor(dry_run):
    """Find papers stored but never finished (a writer stopped halfway: they answer GET but never
    reach search) and finish them. Exits 1 when something needed repair and --dry-run kept it."""
    papers = _services(_settings()).store.papers
    found = papers.checkup()
    click.echo(f"{found.papers:,} papers checked: {len(found.unfinished)} unfinished, "
               f"{len(found.unlogged)} missing from the corpus log, {len(found.pending)} merges unfinished")
    for paper_id in (found.unfinished + found.unlogged + found.pending)[:20]:
        click.echo(f"  {paper_id}")
    if found.healthy:
        return
    if dry_run:
        raise SystemExit(1)
    click.echo(f"repaired {papers.repair(found)} papers; running servers pick them up from the corpus log")


# -- tokens -----------------------------------------------------------------------------------
@main.group()
def token():
    """Create, list and revoke API tokens (one per name; several may act for one user)."""


def _tokens():
    from .store import Store

    return Store.open(_settings()).tokens


@token.command("create")
@click.argument("name")
@click.option("--user", default=None, help="The reading list the token acts for (default: NAME).")
@click.option("--admin", is_flag=True, help="Also allow changing what the whole server does (feeds).")
@click.option("--feed", is_flag=True, help="Instead of a token, the URL of the user's digest Atom feed: it opens "
                                           "that feed and nothing else, and replaces the user's previous feed URL.")
def token_create(name, user, admin, feed):
    """Print a new token named NAME (shown once; only its hash is stored). Creating NAME again
    replaces its token. Give each browser its own name for one user: `token create ext-firefox --user me`.
    With --feed, print the digest feed URL of the user NAME (or --user) instead."""
    from .store.tokens import NAME

    if feed:
        if admin:
            raise click.ClickException("--feed and --admin do not go together: a feed URL opens one feed only")
        user = user or name
        if not NAME.match(user):
            raise click.ClickException("user names are 1-64 letters, digits, '_', '.', '@' or '-'")
        settings = _settings()
        secret = _services(settings).for_you(user).create_feed_secret()
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host  # a bind-all address
        click.echo(f"http://{host}:{settings.port}/api/v1/digest/{secret}")
        click.echo(f"digest feed URL for user {user!r} created (shown only this once; it replaces the previous one). "
                   "Behind a proxy or another host name, keep the path and change the start.", err=True)
        return
    try:
        value = _tokens().create(name, user=user, admin=admin)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(value)
    kind = "admin token" if admin else "token"
    click.echo(f"{kind} {name!r} for user {user or name!r} created; it is shown only this once", err=True)


@token.command("list")
def token_list():
    """Each token's name, the user it acts for, whether it is an admin token, and when it was made."""
    for info in _tokens().list():
        created = time.strftime('%Y-%m-%d %H:%M', time.localtime(info.created))
        click.echo(f"{info.name}\tuser {info.user}\t{'admin' if info.admin else '-'}\tcreated {created}")


@token.command("revoke")
@click.argument("name")
@click.option("--feed", is_flag=True, help="Revoke the digest feed URL of the user NAME instead.")
def token_revoke(name, feed):
    if feed:
        from .domain.errors import NotFound

        try:
            _services(_settings()).for_you(name).revoke_feed_secret()
        except NotFound:
            raise click.ClickException(f"user {name!r} has no digest feed URL") from None
        click.echo(f"revoked the digest feed URL of {name!r}")
        return
    if not _tokens().revoke(name):
        raise click.ClickException(f"no token named {name!r}")
    click.echo(f"revoked {name!r}")


# -- digest -----------------------------------------------------------------------------------
@main.command()
@click.option("--user", default=FIRST_RUN_TOKEN, show_default=True, help="Whose reading list ranks the papers.")
@click.option("--days", type=click.IntRange(1, 30), default=1, show_default=True,
              help="Papers that joined the corpus in the last DAYS × 24 hours.")
@click.option("-k", "--k", "k", type=click.IntRange(1, 100), default=20, show_default=True, help="How many to show.")
@click.option("--tag", default=None, help="Rank against the saved papers with this tag only.")
def digest(user, days, k, tag):
    """Print the papers new to the corpus, closest to USER's reading list first, with their TL;DRs."""
    from .library.atom import summary

    answer = _services(_settings()).for_you(user).digest(days, k, tag)
    basis = f"ranked by {answer['based_on']} saved papers" if answer["based_on"] else "newest first (nothing saved)"
    click.echo(f"{answer['new_papers']} papers joined the corpus since {answer['since']}; {basis}")
    for n, result in enumerate(answer["results"], 1):
        click.echo(f"\n{n:>2}. [{result['score']:.0f}] {result['title']}")
        click.echo(f"    {result.get('url') or result['id']}")
        for line in summary(result).split("\n\n")[1:]:
            click.echo(textwrap.fill(line, width=100, initial_indent="    ", subsequent_indent="    "))


# -- serve ------------------------------------------------------------------------------------
@main.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1, or PAPERLENS_HOST).")
@click.option("--port", type=int, default=None, help="Port (default 8420, or PAPERLENS_PORT).")
@click.option("--workers", type=int, default=None, help="gunicorn worker processes (default 2).")
def serve(host, port, workers):
    """Run the API with gunicorn; with no PAPERLENS_REDIS_URL, on an embedded Redis."""
    from .store.embedded import ensure_embedded_redis, stop_embedded_redis

    settings = _settings(host=host, port=port, workers=workers)
    embedded = not settings.redis_url
    if embedded:
        settings.redis_url = ensure_embedded_redis(settings.data_dir)
        click.echo(f"embedded Redis with its data (AOF, fsync always) in {settings.data_dir}")
    os.environ["PAPERLENS_REDIS_URL"] = settings.redis_url  # workers use the same server
    syncer = summarizer = vectorizer = None
    try:
        svc = _services(settings)
        _warn_if_not_persistent(svc.store)
        if svc.store.papers.count() == 0 and settings.demo_corpus:
            records = [r for r in read_records(DEMO_CORPUS, "hf-daily", year=2025) if isinstance(r, Paper)]
            list(svc.store.papers.add_many(records))
            click.echo(f"empty store: loaded the demo corpus ({len(records)} Hugging Face daily papers)")
        if embedded:
            _first_run_token(svc)
        if settings.on_loopback:
            _connect_link(svc, FIRST_RUN_TOKEN)
        svc.index.prepare()
        syncer = background.start("paperlens.sync.schedule")
        click.echo(f"feeds: synced in the background (syncer pid {syncer.pid}); `paperlens feeds list` shows them")
        if settings.summary_cpu > 0:
            summarizer = background.start("paperlens.domain.summaries_ahead")
            click.echo(f"summaries: new papers summarised in the background (pid {summarizer.pid}, at most "
                       f"{settings.summary_cpu:.0%} of a core); `paperlens status` shows the backlog")
        vectorizer = svc.corpus.meaning.start_filler(background.start, click.echo)
        click.echo(f"Paperlens {svc.store.papers.count()} papers; serving on http://{settings.host}:{settings.port}  (Ctrl-C stops)")
        _run_gunicorn(settings)
    finally:
        if syncer is not None:
            background.stop(syncer)
        if summarizer is not None:
            background.stop(summarizer)
        if vectorizer is not None:
            background.stop(vectorizer)
        if embedded:
            stop_embedded_redis()
            click.echo("embedded Redis stopped; data saved")


def _warn_if_not_persistent(store) -> None:
    if store.is_persistent() is False:
        click.echo("WARNING: this Redis has neither AOF nor RDB snapshots on: reading lists would not survive "
                   "a Redis restart. Turn on appendonly.", err=True)


def _first_run_token(svc) -> None:
    """For the embedded single-user default: an admin token for user 'local', kept 0600 in the data
    folder."""
    path = svc.settings.data_dir / "token"
    tokens = svc.store.tokens
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


def _connect_link(svc, user: str) -> None:
    """Print a one-time connect link and its code (for the serving user's eyes only: it is never
    written anywhere else)."""
    from .domain.pairing import TTL_SECONDS, issue

    code = issue(svc.store, user).code
    host = svc.settings.host if svc.settings.on_loopback else "127.0.0.1"
    click.echo(f"\nConnect the browser extension (one click, works once, for {TTL_SECONDS // 60} minutes):\n\n"
               f"    http://{host}:{svc.settings.port}/connect#code={code}\n\n"
               f"or type the code {code} in the extension's options. `paperlens connect` prints a new one.\n")


@main.command()
@click.option("--user", default=FIRST_RUN_TOKEN, show_default=True, help="Whose reading list the extension will use.")
def connect(user):
    """Print a one-time link and code that connect the browser extension to this server."""
    from .store.tokens import NAME

    if not NAME.match(user):
        raise click.ClickException("user names are 1-64 letters, digits, '_', '.', '@' or '-'")
    _connect_link(_services(_settings()), user)


def _run_gunicorn(settings: Settings) -> None:
    from .server.gunicorn_app import run

    run(settings)


# -- export -----------------------------------------------------------------------------------
@main.command()
@click.argument("user")
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="bibtex", show_default=True)
@click.option("--tag", default=None, help="Only the entries with this tag.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default="-",
              help="File to write (default: standard output).")
def export(user, fmt, tag, output):
    """Write USER's reading list (the user a token acts for, e.g. 'local') as BibTeX, CSV or JSON."""
    from .library.export import items_for, render

    svc = _services(_settings())
    items = sorted(items_for(svc.store.reading_list(user), svc.store.papers), key=lambda it: it["saved_at"])
    if tag:
        items = [it for it in items if tag in it["tags"]]
    text = render(fmt, items)
    if output == "-":
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
    click.echo(f"exported {len(items)} entries of {user!r}", err=True)


for _command in SYNC_COMMANDS + MODEL_COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":
    main()
