"""Pages that fight back: markup in titles, javascript: URLs, huge abstracts, pages that remove
the panel, strict CSPs, pages with their own `chrome` global, client-side navigation."""

from __future__ import annotations

import pytest
import redis

from paperlens.corpus.paper import Paper
from paperlens.store.keys import Keys
from paperlens.store.papers import PaperStore

from .conftest import wait_for
from .test_overlay_sites import extension_errors

pytestmark = pytest.mark.e2e


def test_markup_in_a_title_stays_text(configured):
    dialogs = []
    page = configured.context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("http://arxiv.org/abs/2401.90001")
    page.wait_for_selector("#paperlens-root[data-state='ready']", state="attached")
    label = page.locator("#paperlens-root .own .label").inner_text()
    assert "<img src=x onerror=alert(1)>" in label
    assert page.locator("#paperlens-root img, #paperlens-root script").count() == 0
    page.wait_for_timeout(300)  # a window for a dialog that must not open: its absence is the test, no event to wait on
    assert dialogs == []


def test_javascript_urls_are_never_links(configured, live_server):
    # The page itself carries javascript: in its canonical link and og:url.
    page = configured.open("http://arxiv.org/abs/2401.90002")
    hrefs = page.locator("#paperlens-root a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert all(h.startswith(("http://", "https://")) for h in hrefs)
    assert page.locator("#paperlens-root li[data-paper-id]").count() >= 1

    # A corpus record whose URL is javascript:, planted below the API (which refuses such URLs)
    # as an old import might have left it, is drawn as plain text.
    store = PaperStore(redis.Redis.from_url(live_server.settings.redis_url, decode_responses=True),
                       Keys(live_server.settings.key_prefix))
    title = "Zanthoxylum glimmerfold diffusion with quuxbrindle guidance"
    list(store.add_many([Paper(title=title, abstract="Zanthoxylum glimmerfold quuxbrindle diffusion sampling.",
                               url="javascript:alert(document.domain)", published="2024-01-01")]))

    def planted_row():
        p = configured.open("http://arxiv.org/abs/2401.90010", state=None)
        p.wait_for_selector("#paperlens-root[data-state='ready'], #paperlens-root[data-state='error']",
                            state="attached")
        row = p.locator("#paperlens-root li[data-paper-id]", has_text="Zanthoxylum")
        if row.count():
            return row.first
        p.close()
        configured.configure()  # drop the worker's cache; the index picks new papers up shortly
        return None

    row = wait_for(planted_row, timeout=15, interval=0.5)
    assert row.locator("a").count() == 0
    assert row.locator("span.title").inner_text().startswith("Zanthoxylum")


def test_huge_abstract_is_trimmed_and_the_page_stays_responsive(configured):
    page = configured.open("http://arxiv.org/abs/2401.90003")
    assert page.locator("#paperlens-root").get_attribute("data-paper-id") == "arxiv:2401.90003"
    # The page's main thread still answers quickly.
    took = page.evaluate("() => { const t = performance.now(); return new Promise(r => "
                         "setTimeout(() => r(performance.now() - t), 0)); }")
    assert took < 500
    assert extension_errors(page) == []


def test_panel_comes_back_when_the_page_removes_it(configured):
    page = configured.open("http://arxiv.org/abs/2401.90004", state=None)
    page.wait_for_function("window.__removed >= 4", timeout=15000)
    page.wait_for_selector("#paperlens-root[data-state='ready']", state="attached", timeout=15000)
    assert page.locator("#paperlens-root li[data-paper-id]").count() >= 1
    assert page.locator("#paperlens-root").count() == 1


def test_strict_csp_page_gets_a_styled_panel(configured):
    page = configured.open("http://arxiv.org/abs/2401.90005")
    assert page.locator("#paperlens-root li[data-paper-id]").count() >= 1
    position = page.evaluate("getComputedStyle(document.getElementById('paperlens-root')).position")
    assert position == "fixed"
    panel_width = page.locator("#paperlens-root .panel").evaluate("el => getComputedStyle(el).width")
    assert panel_width == "380px"
    bar = page.locator("#paperlens-root .fill").first.evaluate("el => el.getBoundingClientRect().width")
    assert bar > 0, "the score bar is drawn (CSSOM width, not a style attribute)"
    assert not [e for e in page.console_errors if "Content Security Policy" in e and "paperlens" in e.lower()]


def test_page_with_its_own_chrome_global_does_not_confuse_the_extension(configured):
    page = configured.open("http://arxiv.org/abs/2401.90006")
    assert page.locator("#paperlens-root").get_attribute("data-paper-id") == "arxiv:2401.90006"
    assert page.locator("#paperlens-root li[data-paper-id]").count() >= 1
    assert not [e for e in page.console_errors if "page chrome used" in e or "page overlay used" in e
                or "page JSON used" in e or "page attachShadow used" in e]


def test_client_side_navigation_redraws_for_the_new_paper(configured):
    page = configured.open("http://arxiv.org/abs/2401.90007")
    assert page.locator("#paperlens-root").get_attribute("data-paper-id") == "arxiv:2401.90007"
    page.wait_for_selector("#paperlens-root[data-paper-id='arxiv:1706.03762'][data-state='ready']",
                           state="attached", timeout=15000)
    assert page.url.endswith("/abs/1706.03762")


def test_the_page_cannot_read_the_panel_it_hosts(configured):
    configured.configure(inspectableOverlay=False)  # what users get
    page = configured.open("http://arxiv.org/abs/1706.03762")
    assert page.evaluate("document.getElementById('paperlens-root').shadowRoot") is None
