"""Saving from the panel reaches the reading list: the API, the popup, and the panel's own state."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests

from .conftest import wait_for

pytestmark = pytest.mark.e2e


def library_ids(live_server) -> set[str]:
    r = requests.get(f"{live_server.url}/api/v1/library?per_page=100",
                     headers={"Authorization": f"Bearer {live_server.token}"}, timeout=10)
    r.raise_for_status()
    return {item["paper"]["id"] for item in r.json()["items"]}


def unsave(live_server, paper_id: str) -> None:
    requests.delete(f"{live_server.url}/api/v1/library/{quote(paper_id, safe='')}",
                    headers={"Authorization": f"Bearer {live_server.token}"}, timeout=10)


def test_saving_a_related_paper_shows_in_the_api_and_the_popup(configured, live_server):
    page = configured.open("http://arxiv.org/abs/1706.03762")
    row = page.locator("#paperlens-root li[data-paper-id]").nth(1)
    paper_id = row.get_attribute("data-paper-id")
    title = row.locator(".title").inner_text().strip()
    toggle = row.locator("[data-action='save']")
    if toggle.get_attribute("aria-pressed") == "true":
        unsave(live_server, paper_id)
        page.reload()
        page.wait_for_selector("#paperlens-root[data-state='ready']", state="attached")
    try:
        toggle.click()
        wait_for(lambda: toggle.get_attribute("aria-pressed") == "true")
        assert paper_id in library_ids(live_server)

        popup = configured.context.new_page()
        popup.goto(configured.extension_url("popup/popup.html"))
        item = popup.locator(f"#items li[data-paper-id='{paper_id}']")
        item.wait_for(timeout=10000)
        assert item.locator(".title").inner_text().strip() == title

        # The saved state survives a reload of the paper page (the worker's cache is patched).
        page.reload()
        page.wait_for_selector("#paperlens-root[data-state='ready']", state="attached")
        again = page.locator(f"#paperlens-root li[data-paper-id='{paper_id}'] [data-action='save']")
        assert again.get_attribute("aria-pressed") == "true"

        # Unsaving from the panel removes it.
        again.click()
        wait_for(lambda: again.get_attribute("aria-pressed") == "false")
        assert paper_id not in library_ids(live_server)
    finally:
        unsave(live_server, paper_id)


def test_saving_the_pages_own_paper_sends_its_record(configured, live_server):
    page = configured.open("http://www.biorxiv.org/content/10.1101/2022.12.09.519842v1")
    own = page.locator("#paperlens-root .own [data-action='save']")
    paper_id = "doi:10.1101/2022.12.09.519842"
    assert own.get_attribute("data-paper-id") == paper_id
    try:
        own.click()
        wait_for(lambda: own.get_attribute("aria-pressed") == "true")
        r = requests.get(f"{live_server.url}/api/v1/library?q=protein",
                         headers={"Authorization": f"Bearer {live_server.token}"}, timeout=10)
        items = {i["paper"]["id"]: i for i in r.json()["items"]}
        assert items[paper_id]["paper"]["title"] == "Illuminating protein space with a programmable generative model"
    finally:
        unsave(live_server, paper_id)


def test_popup_removes_and_exports(configured, live_server):
    page = configured.open("http://arxiv.org/abs/2006.11239v2")
    row = page.locator("#paperlens-root li[data-paper-id]").first
    paper_id = row.get_attribute("data-paper-id")
    toggle = row.locator("[data-action='save']")
    if toggle.get_attribute("aria-pressed") != "true":
        toggle.click()
        wait_for(lambda: toggle.get_attribute("aria-pressed") == "true")
    popup = configured.context.new_page()
    popup.goto(configured.extension_url("popup/popup.html"))
    item = popup.locator(f"#items li[data-paper-id='{paper_id}']")
    item.wait_for(timeout=10000)
    item.locator(".actions input").fill("to-read, diffusion")
    item.locator(".actions button", has_text="Tag").click()
    popup.wait_for_selector(f"#items li[data-paper-id='{paper_id}'] .tag:has-text('to-read')")
    popup.select_option("#tag", "diffusion")
    popup.wait_for_selector(f"#items li[data-paper-id='{paper_id}']")
    popup.fill("#q", "zzzz-no-such-words")
    popup.wait_for_selector(f"#items li[data-paper-id='{paper_id}']", state="detached")
    popup.fill("#q", "")
    item.wait_for(timeout=10000)
    for fmt in ("bibtex", "csv", "json"):
        with popup.expect_download() as download:
            popup.locator(f"[data-export='{fmt}']").click()
        assert download.value.suggested_filename.startswith("paperlens-reading-list.")
    item.locator("[data-action='remove']").click()
    item.wait_for(state="detached", timeout=10000)
    assert paper_id not in library_ids(live_server)


def test_a_paper_without_arxiv_id_or_doi_is_saved_under_the_servers_id(configured, live_server):
    page = configured.open("https://openreview.net/forum?id=PxTIG12RRHS")
    assert page.locator("#paperlens-root").get_attribute("data-paper-id") == "openreview:PxTIG12RRHS"
    own = page.locator("#paperlens-root .own [data-action='save']")
    paper_id = own.get_attribute("data-paper-id")
    assert paper_id.startswith("title:"), "the id the server computed for this paper"
    try:
        if own.get_attribute("aria-pressed") != "true":
            own.click()
        wait_for(lambda: own.get_attribute("aria-pressed") == "true")
        assert paper_id in library_ids(live_server)
    finally:
        unsave(live_server, paper_id)
