"""The arXiv API (export.arxiv.org/api/query): a query of categories and/or search terms, newest
submissions first, paged with start/max_results. A run stops at --since, at the newest paper the
previous run reached, or at --max; a run cut short resumes at the page it had reached."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Iterator

from ...corpus.formats import MalformedPage, arxiv_atom
from ..polite_http import Response, Upstream
from .contract import COUNT, DAY, Option, Page, Repeats, SyncFailed, day, only, page_of, records_of, refused

KIND = "arxiv"
URL_SETTING = "arxiv_api_url"
MAX_QUERY = 1000  # characters
MAX_PAPERS = 1_000_000  # the largest --max
HELP = "The arXiv API: newest submissions first, for categories and/or a query."
OPTIONS = (
    Option("category", "An arXiv category (cs.CL, hep-th, ...); repeat for several.", many=True, metavar="CAT",
           max_length=40, max_items=50, api_help='arXiv categories, e.g. ["cs.CL", "cs.LG"]'),
    Option("query", "arXiv search syntax, e.g. 'abs:\"diffusion model\"'.", metavar="Q", max_length=MAX_QUERY,
           api_help="arXiv search syntax"),
    Option("since", "Stop at papers submitted before this day.", kind=DAY),
    Option("max", "Stop after this many papers.", kind=COUNT, low=1, high=MAX_PAPERS, api_help="stop after"),
)
PAGE_SIZE = 100
EMPTY_RETRIES = 3  # arXiv sometimes answers a page with no entries although more exist
FIRST_RUN_DAYS = 7  # a first run without --since or --max looks back this far; OAI is for back catalogues
CATEGORY = re.compile(r"^[a-z][a-z\-]*(\.[A-Za-z][A-Za-z\-]*)?$")


def options(raw: dict) -> dict:
    found = only(raw, OPTIONS, KIND)
    categories = found.get("category", [])
    categories = [categories] if isinstance(categories, str) else list(categories)
    for category in categories:
        if not isinstance(category, str) or not CATEGORY.match(category):
            raise ValueError(f"not an arXiv category: {str(category)[:40]!r} (they look like cs.CL or hep-th)")
    query = found.get("query")
    if query is not None and (not isinstance(query, str) or not query.strip() or len(query) > MAX_QUERY):
        raise ValueError("query must be 1-1,000 characters of arXiv search syntax, e.g. 'abs:diffusion'")
    if not categories and query is None:
        raise ValueError("arxiv needs at least one --category or a --query")
    limit = found.get("max")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAPERS):
        raise ValueError("max must be a whole number from 1 to 1,000,000")
    checked = {"category": sorted(set(categories))} if categories else {}
    if query is not None:
        checked["query"] = query.strip()
    if found.get("since"):
        checked["since"] = day(found["since"], "since")
    if limit is not None:
        checked["max"] = limit
    return checked


def search_query(options: dict) -> str:
    categories = " OR ".join(f"cat:{c}" for c in options.get("category", []))
    query = options.get("query")
    if categories and query:
        return f"({categories}) AND ({query})"
    return categories or query


def read_feed(response: Response) -> arxiv_atom.AtomPage:
    """The feed of a 200; a refused query (a 400 whose feed has one "Error" entry) fails the sync
    with arXiv's own reason."""
    try:
        page = arxiv_atom.read_page(response.text)
    except MalformedPage:
        if response.status != 200:
            raise refused(response, "the arXiv API") from None
        raise
    if page.error:
        raise SyncFailed(f"the arXiv API refused the query: {page.error}")
    if response.status != 200:
        raise refused(response, "the arXiv API")
    return page


def pages(options: dict, checkpoint: dict | None, upstream: Upstream, base_url: str, today: date) -> Iterator[Page]:
    """Checkpoint: {"newest": {"id", "published"} of the newest paper a finished run reached,
    "run": {"start", "top", "fetched"} while a run is under way}."""
    checkpoint = checkpoint or {}
    newest = checkpoint.get("newest")
    run = checkpoint.get("run") or {"start": 0, "top": None, "fetched": 0}
    limit = options.get("max")
    since = options.get("since")
    if since is None and newest is None and limit is None:
        since = (today - timedelta(days=FIRST_RUN_DAYS)).isoformat()
    expected = 0  # the most results arXiv has said the query has, in this run
    empty_answers = 0
    repeats = Repeats("the arXiv API")  # pages do not overlap whole unless the upstream is stuck
    while True:
        size = PAGE_SIZE if limit is None else max(1, min(PAGE_SIZE, limit - run["fetched"]))
        params = {"search_query": search_query(options), "sortBy": "submittedDate", "sortOrder": "descending",
                  "start": run["start"], "max_results": size}
        feed = upstream.get(base_url, params, read_feed)
        expected = max(expected, feed.total or 0)
        if not feed.records:
            if run["start"] < expected and empty_answers < EMPTY_RETRIES:
                empty_answers += 1
                continue
            if run["start"] < expected:
                raise SyncFailed(f"the arXiv API answered results {run['start']}+ empty {EMPTY_RETRIES + 1} times "
                                 f"although it reports {expected}; the next run resumes there")
            yield page_of([], finished(run, newest), total=feed.total)
            return
        empty_answers = 0
        if records_of(feed.records):
            repeats.check("page of entries", records_of(feed.records))
        kept, reached_end = [], False
        for record, (entry_id, stamp) in zip(feed.records, feed.entries):
            if stamp and (is_known(entry_id, stamp, newest) or (since and stamp[:10] < since)):
                reached_end = True
                break
            if limit is not None and run["fetched"] + len(kept) >= limit:
                reached_end = True
                break
            kept.append(record)
            run["top"] = run["top"] or {"id": entry_id, "published": stamp}
        run["fetched"] += len(kept)
        run["start"] += len(feed.records)
        done = (reached_end or (limit is not None and run["fetched"] >= limit)
                or (feed.total is not None and run["start"] >= feed.total))
        total = min(expected, limit) if limit else (expected if since is None and newest is None else None)
        yield page_of(kept, finished(run, newest) if done else {"newest": newest, "run": dict(run)}, total=total)
        if done:
            return


def is_known(entry_id: str, stamp: str, newest: dict | None) -> bool:
    """At or past the newest paper a finished run reached (entries come newest first)."""
    return newest is not None and (entry_id == newest["id"] or stamp < newest["published"])


def finished(run: dict, newest: dict | None) -> dict:
    return {"newest": run["top"] or newest, "run": None}
