"""Full-text reading surfaces (arXiv HTML, ar5iv): the panel is ready there too, and docks beside
the text instead of covering it; abstract pages keep the floating panel."""

from __future__ import annotations

import pytest

from .test_overlay_sites import extension_errors

pytestmark = pytest.mark.e2e

FULL_TEXT = [
    ("http://arxiv.org/html/2112.10752v2", "arxiv:2112.10752"),
    ("http://ar5iv.labs.arxiv.org/html/1706.03762", "arxiv:1706.03762"),
    ("http://ar5iv.org/abs/1706.03762", "arxiv:1706.03762"),  # redirects to the labs page, as the site does
]

# The rectangles of every line of the article's paragraphs that is in view, and the panel's.
OVERLAPS = """() => {
  const panel = document.getElementById('paperlens-root').shadowRoot.querySelector('.panel').getBoundingClientRect();
  const hits = [];
  for (const p of document.querySelectorAll('article .ltx_p')) {
    const range = document.createRange();
    range.selectNodeContents(p);
    for (const r of range.getClientRects()) {
      if (r.bottom < 0 || r.top > innerHeight || !r.width) continue;
      if (r.left < panel.right && r.right > panel.left && r.top < panel.bottom && r.bottom > panel.top) hits.push(r.left);
    }
  }
  return {hits: hits.length, panelLeft: panel.left, panelWidth: panel.width};
}"""


@pytest.mark.parametrize("url,paper_id", FULL_TEXT, ids=[u.split("/")[2] for u, _ in FULL_TEXT])
def test_full_text_pages_get_related_papers_beside_the_text(configured, url, paper_id):
    page = configured.open(url)
    page.set_viewport_size({"width": 1280, "height": 800})
    root = page.locator("#paperlens-root")
    assert root.get_attribute("data-paper-id") == paper_id
    assert root.get_attribute("data-placement") == "docked"
    assert page.locator("#paperlens-root li[data-paper-id]").count() >= 1
    assert extension_errors(page) == []
    for scroll in (0, 1200, 2400):
        page.evaluate(f"window.scrollTo(0, {scroll})")
        layout = page.evaluate(OVERLAPS)
        assert layout["hits"] == 0, f"the panel covers text at scroll {scroll}: {layout}"
    # Collapsed, it stays a narrow strip at the edge and the text takes the room back.
    wide = page.evaluate("document.querySelector('article').getBoundingClientRect().width")
    page.locator("#paperlens-root header button").click()
    page.wait_for_function("document.querySelector('article').getBoundingClientRect().width > %d" % (wide + 100))
    assert page.evaluate(OVERLAPS)["hits"] == 0
    page.locator("#paperlens-root header button").click()


def test_abstract_pages_keep_the_floating_panel(configured):
    page = configured.open("http://arxiv.org/abs/1706.03762")
    assert page.locator("#paperlens-root").get_attribute("data-placement") == "floating"
    assert page.evaluate("document.documentElement.style.marginRight") == ""
