"""Each failure is one clear line in the panel with a way to the options, never a page error."""

from __future__ import annotations

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


def test_missing_token_says_unauthorized(configured):
    configured.configure(token="")
    page = configured.open("http://arxiv.org/abs/1706.03762", state="error")
    assert_error(page, "unauthorized")


def test_page_without_a_paper_says_not_detected(configured):
    page = configured.open("http://arxiv.org/abs/2401.90008", state="error")
    assert_error(page, "not-detected")


def test_paper_nothing_relates_to_says_no_results(configured):
    page = configured.open("http://arxiv.org/abs/2401.90009", state="error")
    assert_error(page, "no-results", options_link=False)


def test_options_link_opens_the_options_page(configured):
    configured.configure(token="")
    page = configured.open("http://arxiv.org/abs/1706.03762", state="error")
    with configured.context.expect_page() as opened:
        page.locator("#paperlens-root .status button.link").click()
    assert opened.value.url.startswith(configured.extension_url("options/options.html"))
