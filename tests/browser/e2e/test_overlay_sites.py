"""The panel appears with related papers on every supported site, against the real backend."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

# Console noise the fixture pages make on their own (their static assets are not served here).
PAGE_NOISE = ("Failed to load resource", "Manifest fetch", "mathjaxToggle")

SITES = [
    ("http://arxiv.org/abs/1706.03762", "arxiv:1706.03762"),
    ("http://arxiv.org/abs/2006.11239v2", "arxiv:2006.11239"),  # older layout, versioned URL
    ("http://arxiv.org/html/2112.10752v2", "arxiv:2112.10752"),
    ("http://huggingface.co/papers/2305.18290", "arxiv:2305.18290"),
    ("https://openreview.net/forum?id=PxTIG12RRHS", "openreview:PxTIG12RRHS"),
    ("http://aclanthology.org/N19-1423/", "doi:10.18653/v1/n19-1423"),
    ("http://www.semanticscholar.org/paper/Denoising-Diffusion-Probabilistic-Models-Ho-Jain/"
     "5c126ae3421f05768d8edd97ecd44b1364e2c99a", "arxiv:2006.11239"),
    ("http://www.biorxiv.org/content/10.1101/2022.12.09.519842v1", "doi:10.1101/2022.12.09.519842"),
    ("http://www.medrxiv.org/content/10.1101/2023.04.03.23287909v1.full", "doi:10.1101/2023.04.03.23287909"),
]


def extension_errors(page) -> list[str]:
    return [e for e in page.console_errors if not any(n in e for n in PAGE_NOISE)]


@pytest.mark.parametrize("url,paper_id", SITES, ids=[u.split("/")[2] + "-" + p for u, p in SITES])
def test_panel_shows_related_papers_on_each_site(configured, url, paper_id):
    page = configured.open(url)
    root = page.locator("#paperlens-root")
    assert root.get_attribute("data-paper-id") == paper_id
    rows = page.locator("#paperlens-root li[data-paper-id]")
    assert 1 <= rows.count() <= 10
    first = rows.first
    assert first.get_attribute("data-paper-id")
    assert first.locator("[data-action='save']").get_attribute("aria-pressed") in ("true", "false")
    assert first.locator(".title").inner_text().strip()
    assert first.locator(".term").count() >= 1, "the words that made it related are shown"
    own = page.locator("#paperlens-root .own [data-action='save']")
    assert own.get_attribute("aria-pressed") in ("true", "false")
    assert extension_errors(page) == []


def test_panel_asks_for_ten_results_by_default(configured):
    page = configured.open("http://arxiv.org/abs/1706.03762")
    assert page.locator("#paperlens-root li[data-paper-id]").count() == 10


def test_key_sentences_expand_and_collapse(configured):
    page = configured.open("http://arxiv.org/abs/1706.03762")
    row = page.locator("#paperlens-root li[data-paper-id]").first
    more = row.locator("button.more")
    if more.count() == 0:
        pytest.skip("the server returned no key sentences beyond the TL;DR for this row")
    assert more.get_attribute("aria-expanded") == "false"
    more.click()
    assert more.get_attribute("aria-expanded") == "true"
    assert row.locator(".sentences").is_visible()


def test_sites_switched_off_in_the_options_get_no_panel(configured):
    configured.configure(sites={"arxiv": False})
    page = configured.open("http://arxiv.org/abs/1706.03762", state=None)
    page.wait_for_timeout(1000)  # a window for a panel that must not appear (a switched-off site leaves no sign to wait on)
    assert page.locator("#paperlens-root").count() == 0
    other = configured.open("http://huggingface.co/papers/2305.18290")
    assert other.locator("#paperlens-root").get_attribute("data-state") == "ready"
