"""bioRxiv and medRxiv ({BIORXIV}/details/{server}/{from}/{until}/{cursor}): every version posted in a
date range, 100 per page, paged by the cursor until messages' total; the newest version of a DOI
wins. The next run starts from the last day of this one (a day's postings grow until it is over)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterator

from ...corpus.formats import biorxiv as biorxiv_json
from ..polite_http import Response, Upstream
from .contract import (CHOICE, DAY, Option, Page, Repeats, SyncFailed, answer_page, date_range, later, only, page_of,
                       records_of)

KIND = "biorxiv"
URL_SETTING = "biorxiv_api_url"
SERVERS = ("biorxiv", "medrxiv")
HELP = "bioRxiv or medRxiv: every version posted in a date range, the newest per DOI."
OPTIONS = (
    Option("server", kind=CHOICE, choices=SERVERS, default=SERVERS[0]),
    Option("from", "Versions posted on or after this day.", kind=DAY),
    Option("until", "Versions posted on or before this day (default: today).", kind=DAY),
)
FIRST_RUN_DAYS = 7


def options(raw: dict) -> dict:
    found = only(raw, OPTIONS, KIND)
    server = found.get("server", SERVERS[0])
    if server not in SERVERS:
        raise ValueError(f"server must be biorxiv or medrxiv, not {str(server)[:40]!r}")
    checked = {"server": server}
    return {**checked, **date_range(found)}


def read_details(response: Response) -> biorxiv_json.BiorxivPage:
    return answer_page(response, "the bioRxiv API", biorxiv_json.read_page)


def pages(options: dict, checkpoint: dict | None, upstream: Upstream, base_url: str, today: date) -> Iterator[Page]:
    """Checkpoint: {"from": the day the next run starts at, "run": {"from", "until", "cursor"} while
    a run is under way}."""
    checkpoint = checkpoint or {}
    run = checkpoint.get("run")
    if run is None:
        start = later(options.get("from"), checkpoint.get("from")) or (today - timedelta(days=FIRST_RUN_DAYS)).isoformat()
        run = {"from": start, "until": options.get("until") or today.isoformat(), "cursor": 0}
    repeats = Repeats("the bioRxiv API")
    while True:
        url = f"{base_url.rstrip('/')}/details/{options['server']}/{run['from']}/{run['until']}/{run['cursor']}"
        page = upstream.get(url, None, read_details)
        if page.items and page.cursor_said is not None and page.cursor_said != run["cursor"]:
            raise SyncFailed(f"the bioRxiv API answered cursor {page.cursor_said} when asked for {run['cursor']}; "
                             "this run stops, and the next one resumes from the last page stored")
        if records_of(page.records):
            repeats.check("page of records", records_of(page.records))
        run["cursor"] += page.items
        done = page.items == 0 or page.total is None or run["cursor"] >= page.total
        checkpoint_now = {"from": run["until"]} if done else {"from": checkpoint.get("from"), "run": dict(run)}
        yield page_of(page.records, checkpoint_now, total=page.total, fetched=page.items)
        if done:
            return
