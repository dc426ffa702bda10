"""Connecting the extension in one click, end to end in the browser; and a page's own scripts
cannot get the token, by asking the server, reading the DOM, or posting messages."""

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


PAGE_ATTACK = """async ([server, code, token]) => {
  const found = [];
  // 1. Ask the server for a token with a code the page somehow learned.
  for (const mode of ['cors', 'no-cors']) {
    try {
      const r = await fetch(server + '/api/v1/connect', {method: 'POST', mode,
        headers: mode === 'cors' ? {'Content-Type': 'application/json'} : {'Content-Type': 'text/plain'},
        body: JSON.stringify({code, client: 'chromium'})});
      if (mode === 'cors') found.push('cors answer ' + r.status + ' ' + await r.text());
    } catch (e) { /* refused by CORS */ }
  }
  // 2. Read everything in the DOM, attributes included.
  const text = [document.documentElement.outerHTML];
  for (const el of document.querySelectorAll('*')) {
    if (el.shadowRoot) text.push(el.shadowRoot.innerHTML);
  }
  if (text.join('').includes(token)) found.push('token in the DOM');
  if (document.getElementById('paperlens-root').shadowRoot) found.push('open shadow root');
  // 3. Post messages the extension might answer, and listen.
  const heard = [];
  addEventListener('message', (e) => heard.push(JSON.stringify(e.data)));
  for (const type of ['settings:get', 'health', 'library:all', 'export', 'connect:code']) {
    postMessage({type, format: 'json'}, '*');
    try { await chrome.runtime.sendMessage({type}); found.push('runtime answered ' + type); } catch (e) {}
  }
  await new Promise((r) => setTimeout(r, 1000));
  if (heard.some((m) => m.includes(token) || m.includes('serverUrl'))) found.push('a message answered');
  return found;
}"""


def test_a_pages_scripts_cannot_obtain_the_token(configured, live_server, pairing):
    token = live_server.make_token("page-attack")
    configured.configure(token=token, inspectableOverlay=False)
    page = configured.open("http://arxiv.org/abs/1706.03762")
    code = pairing.issue("local").code
    found = page.evaluate(PAGE_ATTACK, [live_server.url, code, token])
    assert found == []
    # The page's attempt did not even use the code up: an extension can still trade it.
    r = requests.post(f"{live_server.url}/api/v1/connect", json={"code": code, "client": "chromium"},
                      headers={"Origin": f"chrome-extension://{configured.extension_id}"}, timeout=10)
    assert r.status_code == 201
