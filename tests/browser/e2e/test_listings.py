"""Listing overlays in Chromium: on each listing kind (Hugging Face daily, by date, week and month;
arXiv new, recent, pastweek and a month) every paper gets one card element with its id, the whole
listing is ranked in one request (batches of 200), saving updates data-saved and brings scores, and
the panel sorts and highlights the listing by score. The pages are saved from the sites' structure."""

from __future__ import annotations

import html
import json
import re
import uuid
from pathlib import Path

import pytest
import requests

from .conftest import PAGES, wait_for

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


def library_ids(live_server, token) -> set[str]:
    r = requests.get(f"{live_server.url}/api/v1/library?per_page=200", headers={"Authorization": f"Bearer {token}"},
                     timeout=10)
    r.raise_for_status()
    return {item["paper"]["id"] for item in r.json()["items"]}


def saved_title(page, paper_id: str) -> str:
    """The title the page shows for a paper (what the server keeps for it once saved)."""
    return page.evaluate("""id => {
        const host = document.querySelector(`[data-paperlens-card][data-paper-id="${id}"]`);
        const entry = host.closest('article') || host.closest('dt').nextElementSibling;
        const title = entry.querySelector('h3 a, .list-title');
        const copy = title.cloneNode(true);
        copy.querySelectorAll('.descriptor').forEach(n => n.remove());
        return copy.textContent.replace(/\\s+/g, ' ').trim();
    }""", paper_id)


def groups(page) -> list[list[int | None]]:
    """The cards' scores in page order, one list per run the page keeps together (an arXiv
    section or day, the Hugging Face grid)."""
    return page.evaluate("""() => {
        const runs = new Map();
        for (const host of document.querySelectorAll('[data-paperlens-card]')) {
            const unit = host.closest('article') || host.closest('dt');
            let head = unit.previousElementSibling;
            while (head && !/^H\\d$/.test(head.tagName)) head = head.previousElementSibling;
            const key = unit.parentElement;
            if (!runs.has(key)) runs.set(key, new Map());
            const byHead = runs.get(key);
            if (!byHead.has(head)) byHead.set(head, []);
            const s = host.getAttribute('data-score');
            byHead.get(head).push(s === null ? null : Number(s));
        }
        return [...runs.values()].flatMap(m => [...m.values()]);
    }""")


@pytest.mark.parametrize("url,file,ids_of,batches", LISTINGS, ids=[u.split("//")[1] for u, *_ in LISTINGS])
def test_listing_cards_one_batch_save_scores_sort_and_highlight(browser, live_server, reader, url, file, ids_of,
                                                                batches):
    expected = ids_of(file)
    before = live_server.requests.count(*RANK, token=reader)
    page = open_listing(browser, url, len(expected))

    # One card per paper, in page order, with the contract's attributes; nothing saved, no scores.
    shown = cards(page)
    assert [c["id"] for c in shown] == expected
    assert all(c["saved"] == "false" and c["score"] is None for c in shown)
    assert live_server.requests.count(*RANK, token=reader) - before == batches
    # The panel docks beside the listing: the page makes room and no card lies under it.
    assert page.get_attribute(PANEL, "data-placement") == "docked"
    assert page.evaluate("""() => {
        const panel = document.getElementById('paperlens-root').shadowRoot.querySelector('.panel').getBoundingClientRect();
        return [...document.querySelectorAll('[data-paperlens-card]')].every(h => h.getBoundingClientRect().right <= panel.left);
    }""")

    # Save one: its data-saved flips, the server has it, and every paper gets a score.
    target = expected[2]
    toggle = page.locator(f"{CARDS}[data-paper-id='{target}'] [data-action='save']")
    toggle.click()
    # (the first save of a session may wait for the index to be built: generous timeouts)
    wait_for(lambda: page.get_attribute(f"{CARDS}[data-paper-id='{target}']", "data-saved") == "true", timeout=30)
    assert toggle.get_attribute("aria-pressed") == "true"
    assert target in library_ids(live_server, reader)
    wait_for(lambda: all(c["score"] is not None for c in cards(page)), timeout=15)
    scores = {c["id"]: int(c["score"]) for c in cards(page)}
    assert all(0 <= s <= 100 for s in scores.values())
    assert len(set(scores.values())) > 1, "the scores tell the papers apart"
    assert live_server.requests.count(*RANK, token=reader) - before == 2 * batches
    # The closest paper's badge says why: the saved paper it is close to, and the words they share.
    closest = max(scores, key=scores.get)
    why = page.locator(f"{CARDS}[data-paper-id='{closest}'] [data-role='score']").get_attribute("title")
    assert f"Close to: {saved_title(page, target)}" in why and "Matched words: " in why

    # Sort by score: within each run of cards the scores do not rise; again: the page's order.
    page.locator(f"{PANEL} [data-action='sort']").click()
    page.wait_for_selector(f"{PANEL}[data-sort='score']", state="attached")
    for run in groups(page):
        assert run == sorted(run, reverse=True)
    page.locator(f"{PANEL} [data-action='sort']").click()
    page.wait_for_selector(f"{PANEL}[data-sort='page']", state="attached")
    assert [c["id"] for c in cards(page)] == expected

    # Highlight: the closest stand out, the rest are dimmed.
    page.locator(f"{PANEL} [data-action='highlight']").click()
    page.wait_for_selector(f"{PANEL}[data-highlight='true']", state="attached")
    marks = {c["id"]: c["highlight"] for c in cards(page)}
    assert marks[closest] == "close"
    assert 1 <= list(marks.values()).count("close") <= 10
    far = next(i for i, m in marks.items() if m == "far")
    unit = "article" if "huggingface" in url else "dt"
    opacity = page.eval_on_selector(f"{CARDS}[data-paper-id='{far}']", f"h => getComputedStyle(h.closest('{unit}')).opacity")
    assert float(opacity) < 1
    page.locator(f"{PANEL} [data-action='highlight']").click()
    page.wait_for_selector(f"{PANEL}[data-highlight='false']", state="attached")
    assert all(c["highlight"] is None for c in cards(page))

    # Unsave from the card: off the list again.
    toggle.click()
    wait_for(lambda: page.get_attribute(f"{CARDS}[data-paper-id='{target}']", "data-saved") == "false")
    assert target not in library_ids(live_server, reader)
    wait_for(lambda: all(c["score"] is None for c in cards(page)), timeout=15)  # an empty list scores nothing
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


def test_listing_papers_join_the_corpus_in_one_batch_when_chosen(browser, live_server, reader):
    browser.configure(token=reader, saveOpened=True)
    expected = arxiv_ids("arxiv.org/list/cs.CL/pastweek@show=25.html")
    before = live_server.requests.count("POST", "/api/v1/papers")
    open_listing(browser, "http://arxiv.org/list/cs.CL/pastweek?show=25", len(expected))
    wait_for(lambda: live_server.requests.count("POST", "/api/v1/papers") - before == 1)
    def stored(paper_id):
        r = requests.get(f"{live_server.url}/api/v1/papers/{paper_id}", timeout=10)
        return r.json() if r.ok else None

    assert wait_for(lambda: stored(expected[0]))["title"] == "Agreement in Representation Space for Open-Ended Self-Consistency"
    assert all(stored(paper_id) for paper_id in expected)
    assert live_server.requests.count("POST", "/api/v1/papers") - before == 1
    assert live_server.requests.count(*RANK, token=reader) == 1


def test_a_hostile_listing_cannot_hide_restyle_read_or_shake_off_the_cards(browser, live_server, reader):
    browser.configure(token=reader, inspectableOverlay=False)
    page = open_listing(browser, "http://arxiv.org/list/cs.HO/new", 3)
    host = CARDS  # the first card (in normal use the hosts carry no id: see the test below)
    # The page's CSS targets every span, the last child of each <dt>, and our attribute: the card's
    # shadow rules (!important :host) win, so it stays visible, in place and small.
    box = page.eval_on_selector(host, """h => { const r = h.getBoundingClientRect(), s = getComputedStyle(h);
        return {display: s.display, position: s.position, opacity: s.opacity, width: r.width, height: r.height,
                left: r.left, shadow: h.shadowRoot === null}; }""")
    assert box["display"] == "inline-flex" and box["position"] == "static" and box["opacity"] == "1"
    assert 0 < box["height"] < 40 and 0 < box["width"] < 300 and box["left"] >= 0
    assert box["shadow"] is True, "the page cannot open the card"
    # The page re-renders its list (our cards gone with the old nodes), then loads one more paper:
    # the cards come back, the new paper gets one too, and only the new paper is ranked again.
    page.wait_for_function("window.rerendered && window.loadedMore")
    wait_for(lambda: page.evaluate("document.querySelectorAll('[data-paperlens-card]').length") == 4, timeout=10)
    assert page.evaluate("[...document.querySelectorAll('dt')].every(dt => dt.querySelector('[data-paperlens-card]'))")
    assert live_server.requests.count(*RANK, token=reader) == 2
    # Markup in a title stayed text: nothing was parsed into the page.
    assert page.evaluate("document.querySelectorAll('img').length") == 0


def test_in_normal_use_a_page_script_learns_nothing_about_the_library_from_the_cards(browser, live_server, reader):
    """Issue 18: a listing page's script could add cards for any ids and read data-saved and
    data-score off their hosts. Now the hosts carry only their marker, and a saved, scored paper's
    card is the same size as any other."""
    url, file = "http://arxiv.org/list/cs.CL/new", "arxiv.org/list/cs.CL/new.html"
    expected = arxiv_ids(file)
    # In the test mode: save one paper, so the list has a saved paper and every card a score.
    page = open_listing(browser, url, len(expected))
    target = expected[1]
    page.locator(f"{CARDS}[data-paper-id='{target}'] [data-action='save']").click()
    wait_for(lambda: page.get_attribute(f"{CARDS}[data-paper-id='{target}']", "data-saved") == "true", timeout=30)
    wait_for(lambda: all(c["score"] is not None for c in cards(page)), timeout=15)
    page.close()

    browser.configure(token=reader, inspectableOverlay=False)
    before = live_server.requests.count(*RANK, token=reader)
    page = open_listing(browser, url, len(expected))
    wait_for(lambda: live_server.requests.count(*RANK, token=reader) > before, timeout=15)
    page.wait_for_selector(f"{PANEL}[data-state='ready']", state="attached")
    seen = page.evaluate("""() => [...document.querySelectorAll('[data-paperlens-card]')].map(h => ({
        attributes: h.getAttributeNames(), shadow: h.shadowRoot === null,
        width: h.getBoundingClientRect().width, height: h.getBoundingClientRect().height}))""")
    assert len(seen) == len(expected)
    assert all(card["attributes"] == ["data-paperlens-card"] for card in seen), seen[:3]
    assert all(card["shadow"] for card in seen), "closed shadow roots"
    assert len({(round(c["width"], 1), round(c["height"], 1)) for c in seen}) == 1, "the saved paper's card stands out"
    requests.delete(f"{live_server.url}/api/v1/library/{target}", headers={"Authorization": f"Bearer {reader}"},
                    timeout=10).raise_for_status()
