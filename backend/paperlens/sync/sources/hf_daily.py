"""Hugging Face Daily Papers (huggingface.co/api/daily_papers?date=YYYY-MM-DD): one request per day
of the range, upvotes kept. A run goes from --since (or the last day the previous run fetched) to
today; that last day is fetched again, as a day's list grows until the day is over."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterator

from ...corpus.formats import hf_daily_json
from ..polite_http import Response, Upstream
from .contract import DAY, Option, Page, answer_page, day, later, only, page_of

KIND = "hf-daily"
URL_SETTING = "hf_api_url"
HELP = "Hugging Face Daily Papers, one day's list per request (upvotes kept)."
OPTIONS = (
    Option("date", "One day's list.", kind=DAY),
    Option("since", "Every day's list from this day to today.", kind=DAY),
)
PER_DAY = 100  # the API's largest page; a day's list is far shorter


def options(raw: dict) -> dict:
    found = only(raw, OPTIONS, KIND)
    if found.get("date") and found.get("since"):
        raise ValueError("give --date (one day) or --since (every day from then), not both")
    return {name: day(found[name], name) for name in ("date", "since") if found.get(name)}


def read_day(response: Response) -> hf_daily_json.DailyPage:
    if response.status == 404:  # no list for that day
        return hf_daily_json.DailyPage()
    return answer_page(response, "Hugging Face", hf_daily_json.read_page)


def pages(options: dict, checkpoint: dict | None, upstream: Upstream, base_url: str, today: date) -> Iterator[Page]:
    """Checkpoint: {"last_day": the last day fetched}."""
    if options.get("date"):
        days = [date.fromisoformat(options["date"])]
    else:
        first = later(options.get("since"), (checkpoint or {}).get("last_day")) or today.isoformat()
        start = min(date.fromisoformat(first), today)
        days = [start + timedelta(days=n) for n in range((today - start).days + 1)]
    for this_day in days:
        listing = upstream.get(f"{base_url.rstrip('/')}/daily_papers",
                               {"date": this_day.isoformat(), "limit": PER_DAY}, read_day)
        yield page_of(listing.records, {"last_day": this_day.isoformat()})
