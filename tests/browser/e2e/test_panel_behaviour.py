"""Keyboard use, collapsing (remembered), newest first and this year only (remembered), the toggle
command, dark mode, and the options page."""

from __future__ import annotations

import datetime

import pytest
import requests

from .conftest import wait_for

pytestmark = pytest.mark.e2e


def test_tab_reaches_the_panel_and_escape_collapses_it(configured):
    page = configured.open("http://arxiv.org/abs/2401.90005")  # a page with nothing focusable
    reached = False
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id === 'paperlens-root'"):
            reached = True
            break
    assert reached, "Tab moves focus into the panel"
    focused = page.evaluate("document.getElementById('paperlens-root').shadowRoot.activeElement.tagName")
    assert focused in ("BUTTON", "A")
    page.keyboard.press("Escape")
    root = page.locator("#paperlens-root")
    assert root.get_attribute("data-collapsed") == "true"
    toggle = page.locator("#paperlens-root header button")
    assert toggle.get_attribute("aria-expanded") == "false"
    # Enter on the focused toggle opens it again.
    page.keyboard.press("Enter")
    assert root.get_attribute("data-collapsed") == "false"


def test_save_toggle_works_with_the_keyboard(configured, live_server):
    page = configured.open("http://arxiv.org/abs/1706.03762")
    toggle = page.locator("#paperlens-root li[data-paper-id] [data-action='save']").nth(2)
    before = toggle.get_attribute("aria-pressed")
    toggle.focus()
    page.keyboard.press("Space")
    wait_for(lambda: toggle.get_attribute("aria-pressed") != before)
    page.keyboard.press("Space")  # and back, leaving the reading list as it was
    wait_for(lambda: toggle.get_attribute("aria-pressed") == before)


def test_collapsed_state_is_remembered(configured):
    page = configured.open("http://arxiv.org/abs/1706.03762")
    page.locator("#paperlens-root header button").click()
    assert page.locator("#paperlens-root").get_attribute("data-collapsed") == "true"
    wait_for(lambda: configured.worker.evaluate("chrome.storage.local.get('collapsed').then(v => v.collapsed)"))
    again = configured.open("http://arxiv.org/abs/2006.11239v2")
    assert again.locator("#paperlens-root").get_attribute("data-collapsed") == "true"
    assert not again.locator("#paperlens-root li[data-paper-id]").first.is_visible()


def test_newest_first_lists_the_same_related_papers_by_date_and_is_remembered(configured, live_server):
    page = configured.open("http://arxiv.org/abs/1706.03762")
    rows = "#paperlens-root li[data-paper-id]"
    ids = lambda: page.eval_on_selector_all(rows, "els => els.map(e => e.getAttribute('data-paper-id'))")  # noqa: E731
    by_score = ids()
    newest = page.locator("#paperlens-root [data-action='newest-first']")
    assert newest.get_attribute("aria-pressed") == "false"
    newest.click()
    page.wait_for_selector("#paperlens-root[data-state='ready'][data-sort='date']", state="attached")
    by_date = ids()
    assert sorted(by_date) == sorted(by_score), "the same papers"
    published = [requests.get(f"{live_server.url}/api/v1/papers/{i}", timeout=10).json().get("published") or ""
                 for i in by_date]
    assert published == sorted(published, reverse=True), "newest first"
    assert by_date != by_score
    # Remembered: the next paper opens newest first; pressing again goes back to the best first.
    again = configured.open("http://arxiv.org/abs/2006.11239v2")
    again.wait_for_selector("#paperlens-root[data-sort='date']", state="attached")
    toggle = again.locator("#paperlens-root [data-action='newest-first']")
    assert toggle.get_attribute("aria-pressed") == "true"
    toggle.click()
    again.wait_for_selector("#paperlens-root[data-state='ready'][data-sort='score']", state="attached")
    scores = again.eval_on_selector_all("#paperlens-root li[data-paper-id] .meta span:last-child",
                                        "els => els.map(e => parseInt(e.textContent, 10))")
    assert scores == sorted(scores, reverse=True)


def test_this_year_only_keeps_the_related_papers_published_since_january(configured, live_server):
    since = f"{datetime.date.today().year}-01-01"
    fresh = {"title": "Attention is what sequence transduction needs this year",
             "abstract": "The dominant sequence transduction models use attention; we revisit the Transformer, "
                         "its encoder and decoder, and recurrent and convolutional networks.",
             "arxiv_id": "2601.99001", "published": f"{since[:4]}-01-15"}
    requests.post(f"{live_server.url}/api/v1/papers", json=fresh, timeout=10,
                  headers={"Authorization": f"Bearer {live_server.token}"}).raise_for_status()
    page = configured.open("http://arxiv.org/abs/1706.03762")
    rows = "#paperlens-root li[data-paper-id]"
    ids = lambda: page.eval_on_selector_all(rows, "els => els.map(e => e.getAttribute('data-paper-id'))")  # noqa: E731
    everything = ids()
    page.locator("#paperlens-root [data-action='this-year']").click()
    page.wait_for_selector(f"#paperlens-root[data-state='ready'][data-since='{since}']", state="attached")
    this_year = ids()
    assert "arxiv:2601.99001" in this_year
    for paper_id in this_year:
        assert requests.get(f"{live_server.url}/api/v1/papers/{paper_id}", timeout=10).json()["published"] >= since
    # Nothing from this year on another paper: the panel says so and keeps the way back.
    other = configured.open("http://arxiv.org/abs/2401.90009", state=None)
    other.wait_for_selector(f"#paperlens-root[data-state='ready'][data-since='{since}']", state="attached")
    assert other.locator(rows).count() == 0
    assert "since" in other.locator("#paperlens-root .body .status").inner_text()
    page.bring_to_front()
    toggle = page.locator("#paperlens-root [data-action='this-year']")
    toggle.click()
    page.wait_for_selector("#paperlens-root[data-state='ready']:not([data-since])", state="attached")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert ids() == everything


def test_toggle_command_message_collapses_and_expands(configured):
    page = configured.open("http://arxiv.org/abs/1706.03762")
    page.bring_to_front()
    send = ("async () => { const [tab] = await chrome.tabs.query({url: 'http://arxiv.org/abs/1706.03762'});"
            " await chrome.tabs.sendMessage(tab.id, {type: 'toggle'}); }")
    configured.worker.evaluate(send)
    wait_for(lambda: page.locator("#paperlens-root").get_attribute("data-collapsed") == "true")
    configured.worker.evaluate(send)
    wait_for(lambda: page.locator("#paperlens-root").get_attribute("data-collapsed") == "false")


def test_panel_follows_dark_mode(configured):
    page = configured.open("http://arxiv.org/abs/1706.03762")
    light = page.locator("#paperlens-root .panel").evaluate("el => getComputedStyle(el).backgroundColor")
    page.emulate_media(color_scheme="dark")
    dark = page.locator("#paperlens-root .panel").evaluate("el => getComputedStyle(el).backgroundColor")
    assert light == "rgb(255, 255, 255)"
    assert dark != light


def test_options_page_connects_and_shows_the_corpus_size(configured, live_server):
    configured.configure(token="", serverUrl="http://127.0.0.1:9")
    page = configured.context.new_page()
    page.goto(configured.extension_url("options/options.html"))
    page.fill("#serverUrl", live_server.url)
    page.fill("#token", live_server.token)
    page.click("#save")
    page.wait_for_selector("#result:has-text('Saved')")
    assert page.locator("#tokenState").inner_text().startswith("A token is saved")
    assert page.locator("#token").input_value() == "", "the token is never shown again"
    page.click("#test")
    page.wait_for_selector("#result:has-text('Connected')")
    text = page.locator("#result").inner_text()
    assert "papers in the corpus" in text and "token accepted" in text
    paper = configured.open("http://arxiv.org/abs/1706.03762")
    assert paper.locator("#paperlens-root li[data-paper-id]").count() == 10
