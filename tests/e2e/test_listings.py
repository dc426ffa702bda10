"""Listing overlays in Chromium: every paper on a listing gets one card element with its id. The
pages are saved from the sites' structure."""

from __future__ import annotations

import html
import json
import re
import uuid
from pathlib import Path

import pytest

from .conftest import PAGES

pytestmark = pytest.mark.e2e

RANK = ("POST", "/api/v1/library/rank")


def hf_ids(file: str) -> list[str]:
    raw = re.search(r'data-target="DailyPapers" data-props="([^"]*)"', (PAGES / file).read_text()).group(1)
    return [f"arxiv:{item['paper']['id']}" for item in json.loads(html.unescape(raw))["dailyPapers"]]


def arxiv_ids(file: str) -> list[str]:
    return [f"arxiv:{i}" for i in re.findall(r"<dt>.*?arXiv:([\w./-]+)", (PAGES / file).read_text(), re.S)]


# (address, the saved page it serves, the papers on it in page order, requests of at most 200)
LISTINGS = [
    ("http://huggingface.co/papers", "huggingface.co/papers/date/2026-06-12.html", hf_ids, 1),
    ("http://huggingface.co/papers/date/2026-06-12", "huggingface.co/papers/date/2026-06-12.html", hf_ids, 1),
    ("http://huggingface.co/papers/week/2026-W24", "huggingface.co/papers/week/2026-W24.html", hf_ids, 1),
    ("http://huggingface.co/papers/month/2026-06", "huggingface.co/papers/month/2026-06.html", hf_ids, 1),
    ("http://arxiv.org/list/cs.CL/new", "arxiv.org/list/cs.CL/new.html", arxiv_ids, 1),
    ("http://arxiv.org/list/cs.CL/recent", "arxiv.org/list/cs.CL/recent.html", arxiv_ids, 1),
    ("http://arxiv.org/list/cs.CL/pastweek?show=25", "arxiv.org/list/cs.CL/pastweek@show=25.html", arxiv_ids, 1),
    ("http://arxiv.org/list/cs.CL/2606?skip=0&show=250", "arxiv.org/list/cs.CL/2606@skip=0&show=250.html", arxiv_ids, 2),
]

CARDS = "[data-paperlens-card]"
PANEL = "#paperlens-root"


@pytest.fixture
def reader(browser, live_server):
    """A user of their own with an empty reading list, and the browser connected as them."""
    name = f"lister-{uuid.uuid4().hex[:8]}"
    token = live_server.make_token(name, user=name)
    browser.configure(token=token)
    yield token
    for page in browser.context.pages:
        if not page.url.startswith("about:"):
            page.close()
    browser.configure()


def open_listing(browser, url: str, count: int):
    page = browser.context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(f"{PANEL}[data-mode='listing'][data-state='ready'][data-cards='{count}']", state="attached",
                           timeout=30000)
    return page


def cards(page) -> list[dict]:
    """Every card host's contract attributes, in page order."""
    return page.eval_on_selector_all(CARDS, """hosts => hosts.map(h => ({
        id: h.getAttribute('data-paper-id'), saved: h.getAttribute('data-saved'),
        score: h.getAttribute('data-score'), highlight: h.getAttribute('data-highlight'),
        card: h.hasAttribute('data-paperlens-card')}))""")


@pytest.mark.parametrize("url,file,ids_of,batches", LISTINGS, ids=[u.split("//")[1] for u, *_ in LISTINGS])
def test_each_listing_kind_gets_one_card_per_paper(browser, live_server, reader, url, file, ids_of, batches):
    browser.configure(token="")
    expected = ids_of(file)
    page = open_listing(browser, url, len(expected))
    shown = cards(page)
    assert [c["id"] for c in shown] == expected
    assert all(c["card"] and c["saved"] == "false" and c["score"] is None for c in shown)
    assert page.console_errors == []


def test_without_a_token_cards_offer_to_connect_and_nothing_is_ranked(browser, live_server, reader):
    browser.configure(token="")
    before = live_server.requests.count(*RANK)
    page = open_listing(browser, "http://huggingface.co/papers/date/2026-06-12", 30)
    shown = cards(page)
    assert [c["id"] for c in shown] == hf_ids("huggingface.co/papers/date/2026-06-12.html")
    assert all(c["saved"] == "false" and c["score"] is None for c in shown)
    assert page.locator(f"{PANEL} .status [data-action='connect']").count() == 1
    assert page.locator(f"{PANEL} [data-action='sort']").is_disabled()
    first = page.locator(CARDS).first
    first.locator("[data-action='save']").click()
    first.locator("[data-action='connect']").wait_for(state="visible")
    page.locator(f"{PANEL} .notice [data-action='connect']").wait_for(state="visible")
    assert first.get_attribute("data-saved") == "false"
    assert live_server.requests.count(*RANK) == before
