"""Each failure is one clear line in the panel with a way to the options, never a page error; and
no token is not a failure: reading works without one."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import free_port
from .test_overlay_sites import extension_errors

pytestmark = pytest.mark.e2e


def assert_error(page, code: str, options_link: bool = True):
    root = page.locator("#paperlens-root")
    assert root.get_attribute("data-state") == "error"
    assert root.get_attribute("data-error") == code
    status = page.locator("#paperlens-root .status")
    assert status.inner_text().strip()
    assert (page.locator("#paperlens-root .status button.link").count() == 1) == options_link
    assert extension_errors(page) == []


def test_server_down_says_unreachable(configured):
    configured.configure(serverUrl=f"http://127.0.0.1:{free_port()}")
    page = configured.open("http://arxiv.org/abs/1706.03762", state="error")
    assert_error(page, "unreachable")
    assert "reach" in page.locator("#paperlens-root .status").inner_text()


def test_wrong_token_says_unauthorized(configured):
    configured.configure(token="not-a-real-token")
    page = configured.open("http://arxiv.org/abs/1706.03762", state="error")
    assert_error(page, "unauthorized")


def test_without_a_token_the_panel_shows_related_papers_and_save_offers_to_connect(configured):
    configured.configure(token="")
    page = configured.open("http://arxiv.org/abs/1706.03762")
    rows = page.locator("#paperlens-root li[data-paper-id]")
    assert rows.count() >= 1
    assert extension_errors(page) == []
    rows.first.locator("[data-action='save']").click()
    offer = page.locator("#paperlens-root .notice [data-action='connect']")
    offer.wait_for(timeout=5000)
    assert rows.first.locator("[data-action='save']").get_attribute("aria-pressed") == "false"
    with configured.context.expect_page() as opened:
        offer.click()
    assert opened.value.url == configured.extension_url("options/options.html#connect")


class FailingServer(BaseHTTPRequestHandler):
    """A Paperlens server with a fault: every request gets a 500 with the API's error shape."""

    def do_GET(self):  # noqa: N802
        self.fail()

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.fail()

    def fail(self):
        body = json.dumps({"error": {"code": "internal", "message": "Something broke.", "details": {}}}).encode()
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class SomeOtherWebApp(FailingServer):
    """Not Paperlens at all: the server URL points at another web app, which answers 200 with HTML."""

    def fail(self):
        body = b"<!doctype html><title>My blog</title><p>Hello"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.parametrize("handler", [FailingServer, SomeOtherWebApp], ids=["500", "not-paperlens"])
def test_a_server_error_says_server_not_unreachable(configured, handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        configured.configure(serverUrl=f"http://127.0.0.1:{server.server_address[1]}")
        page = configured.open("http://arxiv.org/abs/1706.03762", state="error")
        assert_error(page, "server")
        if handler is FailingServer:
            assert "Something broke." in page.locator("#paperlens-root .status").inner_text()
    finally:
        server.shutdown()


def test_page_without_a_paper_says_not_detected(configured):
    page = configured.open("http://arxiv.org/abs/2401.90008", state="error")
    assert_error(page, "not-detected")


def test_paper_nothing_relates_to_says_no_results(configured):
    page = configured.open("http://arxiv.org/abs/2401.90009", state="error")
    assert_error(page, "no-results", options_link=False)


def test_options_link_opens_the_options_page(configured):
    configured.configure(serverUrl=f"http://127.0.0.1:{free_port()}")
    page = configured.open("http://arxiv.org/abs/1706.03762", state="error")
    with configured.context.expect_page() as opened:
        page.locator("#paperlens-root .status button.link").click()
    assert opened.value.url.startswith(configured.extension_url("options/options.html"))
