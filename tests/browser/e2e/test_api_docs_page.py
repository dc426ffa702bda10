"""The API reference page in a real Chromium: Swagger UI draws every operation from this server's
own files, with every request to anywhere else refused (as offline), and no CSP violation."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from .conftest import CHROMIUM

pytestmark = pytest.mark.e2e


def test_reference_page_renders_offline(live_server, playwright):
    elsewhere, problems = [], []
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    try:
        page = browser.new_page()

        def only_this_server(route):
            if urlparse(route.request.url).port == live_server.port:
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_server)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
    finally:
        browser.close()
    assert any("/api/v1/papers/{paper_id}/related" in path for path in paths)
    assert any("/api/v1/library/tags" in path for path in paths)
    assert elsewhere == [] and problems == [], (elsewhere, problems)
