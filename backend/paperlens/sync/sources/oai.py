"""arXiv OAI-PMH (oaipmh.arxiv.org/oai): ListRecords in the arXiv metadata format for a set and a
datestamp range, following resumptionTokens to the end. The bulk path: a category's whole history.
A run cut short resumes with its token; a token arXiv no longer knows restarts from the last day
completed. The next run starts from the newest datestamp the last one saw."""

from __future__ import annotations

import re
from datetime import date
from typing import Iterator

from ...corpus.formats import arxiv_oai_pmh
from ..polite_http import Response, Upstream
from .contract import DAY, Option, Page, Repeats, SyncFailed, answer_page, date_range, later, only, page_of

KIND = "oai"
URL_SETTING = "arxiv_oai_url"
HELP = "arXiv OAI-PMH: every record of a set in a date range (a category's back catalogue)."
OPTIONS = (
    Option("set", "An arXiv OAI set: cs, math, physics:hep-th, ...", metavar="SET", max_length=100,
           api_help="cs, math, physics:hep-th, ..."),
    Option("from", "Records (re)announced on or after this day.", kind=DAY),
    Option("until", "Records (re)announced on or before this day.", kind=DAY),
)
METADATA_PREFIX = "arXiv"
SET = re.compile(r"^[a-z][a-z\-]*(:[a-zA-Z\-]+)*$")  # cs, math, physics:hep-th
RESTARTS = 3  # badResumptionToken more often than this in one run is not a stale token but a fault


def options(raw: dict) -> dict:
    found = only(raw, OPTIONS, KIND)
    checked = {}
    if "set" in found:
        if not isinstance(found["set"], str) or not SET.match(found["set"]):
            raise ValueError(f"not an arXiv OAI set: {str(found['set'])[:40]!r} (they look like cs, math or physics:hep-th)")
        checked["set"] = found["set"]
    return {**checked, **date_range(found)}


def read_list(response: Response) -> arxiv_oai_pmh.OaiPage:
    return answer_page(response, "arXiv OAI-PMH", arxiv_oai_pmh.read_page)


def pages(options: dict, checkpoint: dict | None, upstream: Upstream, base_url: str, today: date) -> Iterator[Page]:
    """Checkpoint: {"from": the day the next run starts at, "run": while a run is under way,
    {"token", "from" (the run's), "resume_from", "sorted", "last", "newest"}}."""
    checkpoint = checkpoint or {}
    run = checkpoint.get("run") or fresh_run(later(options.get("from"), checkpoint.get("from")))
    restarts = 0
    tokens = Repeats("arXiv OAI-PMH")  # a token handed out twice would loop for ever
    if run["token"]:
        tokens.check("resumptionToken", run["token"])
    while True:
        if run["token"]:
            params = {"verb": "ListRecords", "resumptionToken": run["token"]}
        else:
            params = {"verb": "ListRecords", "metadataPrefix": METADATA_PREFIX}
            params.update({k: v for k, v in (("set", options.get("set")), ("from", run["resume_from"]),
                                              ("until", options.get("until"))) if v})
        page = upstream.get(base_url, params, read_list)
        if page.error_code == "badResumptionToken" and run["token"] and restarts < RESTARTS:
            restarts += 1
            run["token"] = None  # expired (tokens live for a while): ask again from the last day completed
            tokens.clear()  # a list asked for again hands out new tokens
            continue
        if page.error_code == "noRecordsMatch":
            yield page_of([], finished(run), total=0)
            return
        if page.error_code:
            raise SyncFailed(f"arXiv OAI-PMH error {page.error_code}: {page.error_message}")
        advance(run, page)
        if run["token"]:
            tokens.check("resumptionToken", run["token"])
        done = not run["token"]
        yield page_of(page.records, finished(run) if done else {"from": checkpoint.get("from"), "run": dict(run)},
                      total=page.complete_list_size)
        if done:
            return


def fresh_run(start: str | None) -> dict:
    return {"token": None, "from": start, "resume_from": start, "sorted": True, "last": None, "newest": None}


def advance(run: dict, page: arxiv_oai_pmh.OaiPage) -> None:
    """Move the run past a page. While datestamps come in order, every day before the last one
    seen is complete, so a restart may begin at that day; otherwise only the run's own start is safe."""
    for stamp in page.datestamps:
        if run["last"] and stamp < run["last"]:
            run["sorted"] = False
        run["last"] = stamp
        run["newest"] = max(run["newest"] or stamp, stamp)
    run["resume_from"] = run["last"] if run["sorted"] and run["last"] else run["from"]
    run["token"] = page.token or None


def finished(run: dict) -> dict:
    # The newest day is asked again next time: a day's records may still have been coming in.
    return {"from": run["newest"] or run["from"]}
