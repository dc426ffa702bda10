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

from .corpus.formats import FORMATS
from .corpus.paper import Paper
from .library.export import FORMATS as EXPORT_FORMATS
from .corpus.sources import UnknownFormat, read_records
from .settings import Settings
from .embedding.commands import COMMANDS as MODEL_COMMANDS
from .sync.commands import COMMANDS as SYNC_COMMANDS

# 3,000 real arXiv papers (cs.CV, cs.CL, cs.AI, ...) updated 2026-06-16..07-01, with ids, authors and
# dates, so every result links to its paper: the newest 3,000 of the 75k-paper file in docs/benchmarks.md.
DEMO_CORPUS = Path(__file__).parent / "data" / "demo-arxiv.jsonl.gz"
FIRST_RUN_TOKEN = "local"  # the name and user of the token `paperlens serve` makes on its first run


def _settings(**overrides) -> Settings:
    return Settings.from_env(**overrides)


def _services(settings: Settings):
    from .services import Services

    return Services.create(settings)


class PaperlensCommands(click.Group):
    """Redis settings and outages end a command with one line that says so, not a traceback."""

    def invoke(self, ctx):
        from .settings import BadSetting
        from .store import BadRedisUrl, StoreUnavailable
        from .store.embedded import UnsafeDataFolder

        try:
            return super().invoke(ctx)
        except (BadSetting, UnsafeDataFolder) as exc:
            raise click.ClickException(str(exc)) from None
        except BadRedisUrl as exc:
            raise click.ClickException(f"PAPERLENS_REDIS_URL: {exc}") from None
        except StoreUnavailable as exc:
            raise click.ClickException(f"Redis is unavailable: {exc}") from None


@click.group(cls=PaperlensCommands)
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """Paperlens: related papers, summaries and reading lists from your own server."""
    # A command prints its own human lines; log lines only for warnings, or with -v.
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


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
        except Exception as exc:  # whatever a file holds, the user gets one line, not a traceback
            from .store import StoreUnavailable

            if isinstance(exc, StoreUnavailable):
                raise  # said in one line by PaperlensCommands
            raise click.ClickException(f"{path}: internal error while reading it: {type(exc).__name__}: "
                                       f"{str(exc)[:200]}; papers added before it stay") from None
        if not counts and not skips:
            # e.g. a README whose text looked like the Hugging Face page to the format detector
            raise click.ClickException(f"{path}: no papers found in it" + ("" if fmt else
                                       " (if it holds papers, name its format with --format)"))
        totals.update(counts)
        skipped += [f"{path}: {s.position}: {s.reason}" for s in skips]
    elapsed = time.monotonic() - started
    click.echo(f"added {totals['added']}, merged {totals['merged']}, unchanged {totals['unchanged']}, "
               f"skipped {len(skipped)}" + (f", trimmed {totals['trimmed']}" if totals["trimmed"] else "")
               + f" in {elapsed:.1f} s")
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
    from .corpus.limits import within_limits

    counts: Counter = Counter()
    skips: list = []

    def papers():
        for number, record in enumerate(records, 1):
            # the corpus's limits, as for the API and sync (corpus/limits.py)
            record, trimmed = within_limits(record, getattr(record, "source_id", None) or f"record {number}")
            counts["trimmed"] += trimmed
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
            click.echo(f"\r{label}: {counts.total() - counts['trimmed']:,} papers ({counts['added']:,} added, "
                       f"{counts['merged']:,} merged, {len(skips)} skipped)", nl=False, err=True)
    if show:
        click.echo(f"\r{label}: {counts.total() - counts['trimmed']:,} papers done" + " " * 40, err=True)
    return counts, skips


def _summarize_all(svc, processes: int = 2) -> None:
    from .indexing.summary_cache import summarize_corpus

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
    from .lock import describe_holder

    holder = svc.store.lease(NAME).lock_holder()
    click.echo(f"summaries ahead: {min(done, logged):,} of {logged:,} log entries done, backlog {max(0, logged - done):,}"
               + (f"; working: {describe_holder(holder)}" if holder else " (no summariser running)"))
    click.echo(svc.corpus.meaning.status_line())
    feeds = svc.store.feeds.list()
    syncing = svc.store.feeds.lock_holder()
    click.echo(f"feeds: {len(feeds)}" + (f"; syncing now: {describe_holder(syncing, svc.store.feeds)}" if syncing else ""))


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
        from .server.runtime import served_url

        settings = _settings()
        secret = _services(settings).for_you(user).create_feed_secret()
        click.echo(f"{served_url(settings)}/api/v1/digest/{secret}")
        click.echo(f"digest feed URL for user {user!r} created (shown only this once; it replaces the previous one). "
                   "Behind a proxy, set PAPERLENS_PUBLIC_URL so links start with its address.", err=True)
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
    """Revoke the token named NAME at once (requests with it answer 401 from then on); with --feed,
    the digest feed URL of the user NAME."""
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
    saved = answer["based_on"]
    basis = f"ranked by {saved} saved paper{'s' if saved != 1 else ''}" if saved else "newest first (nothing saved)"
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
    from .server import runtime
    from .server.children import Children
    from .server.gunicorn_app import PortInUse, listen
    from .store.embedded import EmbeddedRedis, UnsafeDataFolder

    if logging.getLogger().level > logging.INFO:
        logging.getLogger().setLevel(logging.INFO)  # a server's log: what it loads, builds and restarts
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # as Ctrl-C: stop what has started, in order
    settings = _settings(host=host, port=port, workers=workers)
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
        svc = _services(settings)
        _warn_if_not_persistent(svc.store)
        if svc.store.papers.count() == 0 and settings.demo_corpus:
            records = [r for r in read_records(DEMO_CORPUS, "arxiv-oai") if isinstance(r, Paper)]
            list(svc.store.papers.add_many(records))
            svc.store.papers.mark_demo()
            click.echo(f"empty store: loaded a demo corpus of {len(records):,} arXiv papers from June 2026. To follow "
                       "your own fields: `paperlens feeds add arxiv --category cs.CL --every 6h` (README: Follow your fields)")
        if embedded:
            _first_run_token(svc)
        if settings.on_loopback:
            _connect_link(svc, FIRST_RUN_TOKEN, settings.base_url)
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
        click.echo(f"Paperlens {svc.store.papers.count()} papers; serving on {settings.base_url}  (Ctrl-C stops)")
        _run_gunicorn(settings, listener, children)
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
    """Build or open the index, and compile every ranking kernel for it before the workers fork
    (they inherit the compiled code): no request ever waits on a compile."""
    from .ranking import closeness, warm

    cold = not warm.cached()
    if cold:
        click.echo("compiling the ranking kernels (once after an install: about 20 s on 2 cores)...")
    started = time.monotonic()
    view = svc.index.prepare()
    warm.compile_kernels(view)
    closeness.typical_share(view)  # the related scale's yardstick, measured once before the workers fork
    if cold:
        click.echo(f"ranking kernels ready in {time.monotonic() - started:.1f} s")


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


def _connect_link(svc, user: str, base_url: str) -> None:
    """Print a one-time connect link and its code (for the serving user's eyes only: it is never
    written anywhere else)."""
    from .domain.pairing import TTL_SECONDS, issue

    code = issue(svc.store, user).code
    click.echo(f"\nConnect the browser extension (open the link, then confirm in the extension; works once, "
               f"for {TTL_SECONDS // 60} minutes):\n\n"
               f"    {base_url}/connect#code={code}\n\n"
               f"or type the code {code} in the extension's options. `paperlens connect` prints a new one.\n")


@main.command()
@click.option("--user", default=FIRST_RUN_TOKEN, show_default=True, help="Whose reading list the extension will use.")
def connect(user):
    """Print a one-time link and code that connect the browser extension to this server."""
    from .store.tokens import NAME

    if not NAME.match(user):
        raise click.ClickException("user names are 1-64 letters, digits, '_', '.', '@' or '-'")
    from .server.runtime import served_url

    settings = _settings()
    _connect_link(_services(settings), user, served_url(settings))


def _run_gunicorn(settings: Settings, listener, children) -> None:
    from .server.gunicorn_app import run

    run(settings, listener, children)


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
    if not items and user not in {info.user for info in svc.store.tokens.list()}:
        raise click.ClickException(f"no reading list for user {user!r}: no token acts for that user "
                                   "(`paperlens token list` shows the users)")
    if tag:
        items = [it for it in items if tag in it["tags"]]
    text = render(fmt, items)
    if output == "-":
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
    click.echo(f"exported {len(items)} entries of {user!r}", err=True)


# -- import ---------------------------------------------------------------------------------
@main.group("import")
def import_group():
    """Read a reading list from elsewhere into Paperlens."""


@import_group.command("zotero")
@click.option("--user", default=FIRST_RUN_TOKEN, show_default=True, help="Whose reading list the items join.")
@click.option("--web-user", "web_user", default=None, metavar="ID",
              help="Read the zotero.org library of this user id (the web API) instead of the desktop app's. "
                   "The API key is read from ZOTERO_API_KEY, or asked for (never a command-line argument).")
def import_zotero(user, web_user):
    """Read a Zotero library (Zotero 7's local API, or the web API with --web-user) into USER's
    reading list: matched to corpus papers by arXiv id, DOI or title, the rest added as papers,
    with their Zotero tags. Running it again saves nothing twice."""
    from .domain.errors import DomainError
    from .domain.zotero_import import import_zotero as run_import, library_for

    settings = _settings()
    key = None
    if web_user:
        key = os.environ.get("ZOTERO_API_KEY") or click.prompt("Zotero API key", hide_input=True)
    svc = _services(settings)
    try:
        answer = run_import(svc.library(user), library_for(settings, "web" if web_user else "local", web_user, key))
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(answer["summary"])
    click.echo(f"{answer['matched']} matched papers in the corpus, {answer['added']} added to it", err=True)


for _command in SYNC_COMMANDS + MODEL_COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":
    main()
