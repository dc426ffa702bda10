"""The generic citation_* adapter on a site the user enabled in the options.

The options page asks the browser for the site's permission, which needs a person to click
"Allow"; headless Chromium cannot. So this test enables 127.0.0.1, whose permission the extension
already holds for the local server, and follows the same path from there: the stored host list,
the worker registering the content scripts, the generic adapter reading the page."""

from __future__ import annotations

import pytest

from .conftest import wait_for

pytestmark = pytest.mark.e2e


def registered(browser) -> list:
    return browser.worker.evaluate("chrome.scripting.getRegisteredContentScripts().then(s => s.map(x => x.matches))")


def test_generic_adapter_runs_on_a_site_the_user_enabled(configured, page_server):
    http_port, _ = page_server
    url = f"http://127.0.0.1:{http_port}/journal/article-42"
    page = configured.open(url, state=None)
    page.wait_for_timeout(500)  # a window for a panel that must not appear (no sign to wait on before the site is enabled)
    assert page.locator("#paperlens-root").count() == 0, "not enabled yet: no panel"
    page.close()
    configured.configure(genericHosts=["127.0.0.1"])
    try:
        wait_for(lambda: registered(configured) == [["http://127.0.0.1/*"]])
        page = configured.open(url)
        assert page.locator("#paperlens-root").get_attribute("data-paper-id") == "doi:10.5555/joe.2024.42"
        assert page.locator("#paperlens-root li[data-paper-id]").count() >= 1
    finally:
        configured.configure(genericHosts=[])
        wait_for(lambda: registered(configured) == [])
