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


def open_link(configured, url):
    """Open a connect link as a user would; the options page the extension opens to confirm it."""
    page = configured.context.new_page()
    with configured.context.expect_page() as opened:
        page.goto(url)
    page.wait_for_selector("html[data-paperlens='confirm']", timeout=10000)
    options = opened.value
    options.wait_for_load_state()
    assert urlsplit(options.url).path.endswith("/options/options.html")
    options.locator("#confirmYes").wait_for(state="visible")
    return page, options


def test_a_link_connects_after_one_click_and_saving_works(configured, live_server, pairing):
    configured.configure(token="", serverUrl=live_server.url)
    code = pairing.issue("local").code
    page, options = open_link(configured, f"{live_server.url}/connect#code={code}")
    assert "code=" not in page.url, "the code leaves the address bar"
    assert stored_token(configured) == "", "nothing is exchanged before the click"
    assert live_server.url in options.locator("#confirmText").inner_text()
    options.locator("#confirmYes").click()
    options.wait_for_selector("#connectResult:has-text('Connected')")
    token = stored_token(configured)
    assert token.startswith("pl_")
    me = requests.get(f"{live_server.url}/api/v1/library?per_page=1", headers={"Authorization": f"Bearer {token}"},
                      timeout=10)
    assert me.status_code == 200
    # The code was used up: the same link again, confirmed, says so.
    _, again = open_link(configured, f"{live_server.url}/connect#code={code}")
    again.locator("#confirmYes").click()
    again.wait_for_selector("#connectResult:has-text('not valid')")
    assert stored_token(configured) == token
    # Saving from a paper page now works for user local.
    paper = configured.open("http://arxiv.org/abs/1706.03762")
    toggle = paper.locator("#paperlens-root li[data-paper-id] [data-action='save']").first
    paper_id = paper.locator("#paperlens-root li[data-paper-id]").first.get_attribute("data-paper-id")
    toggle.click()
    wait_for(lambda: toggle.get_attribute("aria-pressed") == "true")
    r = requests.delete(f"{live_server.url}/api/v1/library/{paper_id}", headers={"Authorization": f"Bearer {token}"},
                        timeout=10)
    assert r.status_code == 204


def test_links_opened_while_connected_exchange_nothing_without_the_click(configured, live_server, pairing):
    """What a web page can do: open /connect#code=… links in tabs, as many as it likes. Before
    issue 18, ten junk links voided every code and each valid one replaced the token silently."""
    connected_token = pairing_token(live_server, pairing)
    configured.configure(token=connected_token, serverUrl=live_server.url)
    code = pairing.issue("local").code
    for n in range(12):
        _, options = open_link(configured, f"{live_server.url}/connect#code=JUNK{n:02d}JUNK")
        options.close()
    _, options = open_link(configured, f"{live_server.url}/connect#code={code}")
    assert "connected there now" in options.locator("#confirmText").inner_text()
    options.locator("#confirmNo").click()
    options.wait_for_selector("#connectResult:has-text('Not connected')")
    assert stored_token(configured) == connected_token, "no link replaced the working token"
    # None of it reached the server: the code is still good, and no wrong guess was counted.
    r = requests.post(f"{live_server.url}/api/v1/connect", json={"code": code, "client": "chromium"},
                      headers={"Origin": "chrome-extension://abcdefghijklmnopabcdefghijklmnop"}, timeout=10)
    assert r.status_code == 201


def pairing_token(live_server, pairing) -> str:
    r = requests.post(f"{live_server.url}/api/v1/connect", json={"code": pairing.issue("local").code, "client": "chromium"},
                      headers={"Origin": "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba"}, timeout=10)
    assert r.status_code == 201
    return r.json()["token"]


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
    # Once connected the page names the connection once, and the code waits behind a disclosure.
    assert options.locator("body").inner_text().count("Connected to") == 1
    assert options.locator("#code").is_hidden()
    options.locator("#connectAnother").click()
    options.locator("#code").wait_for(state="visible")
    options.reload()
    options.locator("#connection[data-connected='true']").wait_for()
    assert options.locator("body").inner_text().count("Connected to") == 1
    assert options.locator("#code").is_hidden()
