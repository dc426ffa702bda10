"""`paperlens ingest | reindex | summarize | doctor`: the corpus from files, its index snapshot,
every paper's summary, and papers a stopped writer left unfinished."""

from __future__ import annotations

import sys
import time
from collections import Counter
from datetime import date

import click

from ..corpus.formats import FORMATS
from ..corpus.sources import UnknownFormat, read_records
from .root import services, settings


@click.command()
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
    from ..domain import upkeep

    svc = services(settings())
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
            from ..domain.errors import StoreUnavailable

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
        path = upkeep.build_index(svc.corpus)
        click.echo(f"index snapshot {path.name} built in {time.monotonic() - started:.1f} s")
    if summaries:
        summarize_all(svc)


def _ingest_records(svc, records, label: str):
    from ..corpus.formats import Skipped
    from ..corpus.limits import within_limits
    from ..domain import upkeep

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
    for status in upkeep.add_papers(svc.corpus, papers()):
        counts[status] += 1
        if show and time.monotonic() - last > 0.2:
            last = time.monotonic()
            click.echo(f"\r{label}: {counts.total() - counts['trimmed']:,} papers ({counts['added']:,} added, "
                       f"{counts['merged']:,} merged, {len(skips)} skipped)", nl=False, err=True)
    if show:
        click.echo(f"\r{label}: {counts.total() - counts['trimmed']:,} papers done" + " " * 40, err=True)
    return counts, skips


def summarize_all(svc, processes: int = 2) -> None:
    from ..domain import upkeep

    if sys.stderr.isatty():
        with click.progressbar(length=upkeep.paper_count(svc.corpus), label="summarising", file=sys.stderr,
                               show_pos=True) as bar:
            done = upkeep.summarize_all(svc.corpus, processes, on_progress=bar.update)
    else:
        done = upkeep.summarize_all(svc.corpus, processes)
    failed = f", {done.failed:,} failed (see the log)" if done.failed else ""
    click.echo(f"summaries: {done.papers:,} papers, {done.computed:,} computed, {done.cached:,} already cached, "
               f"{done.empty:,} without text{failed} in {done.seconds:.1f} s")


@click.command()
@click.option("--all", is_flag=True, expose_value=False,
              help="Every paper in the corpus (the default; the whole corpus is the only scope).")
@click.option("--processes", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Processes for a large corpus (small ones run in one).")
def summarize(processes):
    """Compute and cache the summary of every paper in the corpus (papers already cached are skipped)."""
    summarize_all(services(settings()), processes)


@click.command()
def reindex():
    """Rebuild the index snapshot from every paper in Redis."""
    from ..domain import upkeep

    svc = services(settings())
    started = time.monotonic()
    path = upkeep.build_index(svc.corpus)
    click.echo(f"index snapshot {path.name} built in {time.monotonic() - started:.1f} s")


@click.command()
@click.option("--dry-run", is_flag=True, help="Only report; change nothing.")
def doctor(dry_run):
    """Find papers stored but never finished (a writer stopped halfway: they answer GET but never
    reach search) and finish them. Exits 1 when something needed repair and --dry-run kept it."""
    from ..domain import upkeep

    corpus = services(settings()).corpus
    found = upkeep.checkup(corpus)
    click.echo(f"{found.papers:,} papers checked: {len(found.unfinished)} unfinished, "
               f"{len(found.unlogged)} missing from the corpus log, {len(found.pending)} merges unfinished")
    for paper_id in (found.unfinished + found.unlogged + found.pending)[:20]:
        click.echo(f"  {paper_id}")
    if found.healthy:
        return
    if dry_run:
        raise SystemExit(1)
    click.echo(f"repaired {upkeep.repair(corpus, found)} papers; running servers pick them up from the corpus log")
