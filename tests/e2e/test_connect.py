"""Connecting the extension in one click, end to end in the browser. (That a page's own scripts
cannot get the token is a scenario of test_cross_browser.py, in Chromium and Firefox.)"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from paperlens.services import Services

from .conftest import free_port, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pairing(live_server):
    return Services.create(live_server.settings).store.pairing


def stored_token(browser) -> str:
    return browser.worker.evaluate("chrome.storage.local.get('token').then(v => v.token || '')")


def test_one_click_connects_and_saving_works(configured, live_server, pairing):
    configured.configure(token="")
    code = pairing.issue("local").code
    page = configured.context.new_page()
    page.goto(f"{live_server.url}/connect#code={code}")
    page.wait_for_selector("html[data-paperlens='connected']", timeout=10000)
    assert "Paperlens is connected" in page.locator("#status").inner_text()
    assert "code=" not in page.url, "the code leaves the address bar"
    token = stored_token(configured)
    assert token.startswith("pl_")
    me = requests.get(f"{live_server.url}/api/v1/library?per_page=1", headers={"Authorization": f"Bearer {token}"},
                      timeout=10)
    assert me.status_code == 200
    # The code was used up.
    again = configured.context.new_page()
    again.goto(f"{live_server.url}/connect#code={code}")
    again.wait_for_selector("html[data-paperlens='error']", timeout=10000)
    # Saving from a paper page now works for user local.
    paper = configured.open("http://arxiv.org/abs/1706.03762")
    toggle = paper.locator("#paperlens-root li[data-paper-id] [data-action='save']").first
    paper_id = paper.locator("#paperlens-root li[data-paper-id]").first.get_attribute("data-paper-id")
    toggle.click()
    wait_for(lambda: toggle.get_attribute("aria-pressed") == "true")
    r = requests.delete(f"{live_server.url}/api/v1/library/{paper_id}", headers={"Authorization": f"Bearer {token}"},
                        timeout=10)
    assert r.status_code == 204


def test_a_link_to_another_server_asks_before_switching(configured, live_server, pairing):
    configured.configure(token="", serverUrl=f"http://127.0.0.1:{free_port()}")
    code = pairing.issue("local").code
    page = configured.context.new_page()
    with configured.context.expect_page() as opened:
        page.goto(f"{live_server.url}/connect#code={code}")
    page.wait_for_selector("html[data-paperlens='confirm']", timeout=10000)
    options = opened.value
    options.wait_for_load_state()
    assert urlsplit(options.url).path.endswith("/options/options.html")
    assert stored_token(configured) == "", "nothing switched yet"
    options.locator("#confirmYes").wait_for(state="visible")
    assert live_server.url in options.locator("#confirmText").inner_text()
    options.locator("#confirmYes").click()
    options.wait_for_selector("#connectResult:has-text('Connected')")
    assert stored_token(configured).startswith("pl_")
    assert configured.worker.evaluate("chrome.storage.local.get('serverUrl').then(v => v.serverUrl)") == live_server.url


def test_a_code_typed_in_the_options_connects(configured, live_server, pairing):
    configured.configure(token="")
    options = configured.context.new_page()
    options.goto(configured.extension_url("options/options.html#connect"))
    options.fill("#code", pairing.issue("local").code.lower())
    options.locator("#connectCode").click()
    options.wait_for_selector("#connectResult:has-text('Connected')")
    assert stored_token(configured).startswith("pl_")
    assert "Connected to" in options.locator("#connection").inner_text()
