"""The options page and the popup as a person sees them: the popup's last row clear of the export
bar in a popup-sized window, no search or exports before connecting, the options' site list, both
in light and dark (screenshots for review under /tmp/paperlens-ui-*.png)."""

from __future__ import annotations

import pytest

from .test_library_page import Reader

pytestmark = pytest.mark.e2e

# The largest a browser draws an action popup (Chromium: 800 x 600); the popup is 420 px wide.
POPUP = {"width": 420, "height": 600}
# A popup the browser squeezed to fit a small screen or window: the old popup's export bar, laid out
# below a 420 px list, fell outside it, and so did the last row.
SQUEEZED = {"width": 420, "height": 480}
SCHEMES = ("light", "dark")

# The export bar is in view before anything scrolls; after scrolling the list (and the page, where
# the popup is squeezed) to the end, the last row's centre is the popup's own topmost element
# there: not under the export bar, not outside the window (elementFromPoint answers null outside).
BAR_IN_VIEW = """() => document.getElementById('exports').getBoundingClientRect().bottom <= innerHeight"""
LAST_ROW_CLEAR = """() => {
  const list = document.getElementById('items');
  list.scrollTop = list.scrollHeight;
  document.scrollingElement.scrollTop = document.scrollingElement.scrollHeight;
  const rows = list.querySelectorAll('li');
  const last = rows[rows.length - 1];
  const box = last.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  const bar = document.getElementById('exports').getBoundingClientRect();
  return { rows: rows.length, inside: !!hit && last.contains(hit), bottom: box.bottom, barTop: bar.top,
           barBottom: bar.bottom, height: innerHeight };
}"""

def popup(browser, scheme="light", size=POPUP):
    page = browser.context.new_page()
    page.set_viewport_size(size)
    page.emulate_media(color_scheme=scheme)
    page.goto(browser.extension_url("popup/popup.html"))
    return page

def shot(page, name, element="html"):
    # The popup's body is what the browser shows (a popup is sized to it); the options, the whole page.
    page.locator(element).screenshot(path=f"/tmp/paperlens-ui-{name}.png")

def test_the_popups_last_paper_is_not_hidden_behind_the_export_bar(configured, live_server):
    reader = Reader(configured, live_server, saved=12)
    for scheme, size in [("light", POPUP), ("dark", POPUP), ("light", SQUEEZED)]:
        page = popup(configured, scheme, size)
        page.wait_for_function("() => document.querySelectorAll('#items li').length === 12", timeout=15000)
        assert page.evaluate(BAR_IN_VIEW), f"the export bar is out of view in a {size} popup"
        seen = page.evaluate(LAST_ROW_CLEAR)
        assert seen["inside"], (size, seen)
        assert seen["bottom"] <= seen["barTop"] and seen["barBottom"] <= seen["height"], (size, seen)
        assert page.locator("[data-export='bibtex']").is_visible()
        if size == POPUP:
            page.evaluate("document.getElementById('items').scrollTop = 0")
            shot(page, f"popup-connected-{scheme}", "body")
        page.close()
    assert len(reader.ids()) == 12

def test_the_popup_offers_to_connect_instead_of_search_and_exports(configured):
    configured.configure(token="")
    for scheme in SCHEMES:
        page = popup(configured, scheme)
        page.locator("#connectPrompt").wait_for(state="visible", timeout=15000)
        assert "Connect to your Paperlens server" in page.locator("#connectPrompt").inner_text()
        for hidden in ("#q", "#tag", "#items", "[data-export='bibtex']", "[data-export='csv']", "[data-export='json']"):
            assert page.locator(hidden).is_hidden(), hidden
        shot(page, f"popup-not-connected-{scheme}", "body")
        if scheme == "dark":
            with configured.context.expect_page() as opened:
                page.locator("#connectOptions").click()
            assert opened.value.url == configured.extension_url("options/options.html#connect")
        page.close()

def test_the_options_page_lists_the_sites_and_follows_the_colour_scheme(configured, live_server):
    backgrounds = {}
    for connected in (True, False):
        configured.configure(token=live_server.token if connected else "")
        for scheme in SCHEMES:
            page = configured.context.new_page()
            page.set_viewport_size({"width": 760, "height": 900})
            page.emulate_media(color_scheme=scheme)
            page.goto(configured.extension_url("options/options.html"))
            page.locator(f"#connection[data-connected='{str(connected).lower()}']").wait_for(timeout=15000)
            page.locator("#sites input[data-site='arxiv']").wait_for(timeout=15000)
            labels = page.locator("#sites label").all_inner_texts()
            assert "OpenReview" in [label.strip() for label in labels] and len(labels) >= 10, labels
            assert page.locator("body").inner_text().count("Connected to") == (1 if connected else 0)
            assert page.locator("#code").is_visible() != connected
            backgrounds[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
            state = "connected" if connected else "not-connected"
            shot(page, f"options-{state}-{scheme}")
            page.close()
    assert backgrounds["light"] == "rgb(255, 255, 255)" and backgrounds["dark"] != backgrounds["light"]
