"""Browser fixtures: a real Chromium with the Paperlens extension loaded, paper pages served on
their real host names from tests/browser/e2e/pages/<host>/<path>, and the real backend (live_server).

Chromium resolves the paper sites to a local fixture server (--host-resolver-rules), so the page
URL is e.g. http://arxiv.org/abs/1706.03762 and the extension's manifest match patterns apply as
they do for users. Every other host name resolves to nothing, so no request leaves the machine.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
EXTENSION = Path(__file__).resolve().parents[3] / "extension"
PAGES = Path(__file__).resolve().parent / "pages"
# Chromium preloads HSTS for some paper sites (openreview.net): those are served over TLS with a
# throwaway self-signed certificate (Chromium runs with --ignore-certificate-errors).
TLS_HOSTS = ["openreview.net"]
HOSTS = ["arxiv.org", "ar5iv.labs.arxiv.org", "ar5iv.org", "huggingface.co", "aclanthology.org",
         "www.semanticscholar.org", "www.biorxiv.org", "www.medrxiv.org", "journals.example.org"]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="/usr/bin/chromium is not installed (apt-get install -y chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


def page_file(host: str, path: str, query: str) -> Path | None:
    """/abs/1706.03762 -> pages/arxiv.org/abs/1706.03762.html (/pdf/1706.03762v7 -> …/pdf/1706.03762v7.pdf,
    served as application/pdf); a query string becomes '@query';
    a path ending in '/' reads index.html; <name>.redirect holds the URL a site redirects to.
    Nothing outside pages/<host> is ever served."""
    base = (PAGES / host).resolve()
    rel = unquote(path).lstrip("/")
    if query:
        rel += "@" + unquote(query)
    candidates = ([rel + "index.html"] if rel.endswith("/") or not rel
                  else [rel, rel + ".html", rel + ".redirect", rel + ".pdf"])
    for candidate in candidates:
        file = (base / candidate).resolve()
        if file.is_file() and base in file.parents:
            return file
    return None


class PageHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        url = urlsplit(self.path)
        file = page_file(host, url.path, url.query)
        if file is None:
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if file.suffix == ".redirect":
            # The site's own redirect, to the scheme the fixture server speaks for that host.
            target = file.read_text().strip()
            if urlsplit(target).hostname not in TLS_HOSTS:
                target = target.replace("https://", "http://", 1)
            self.send_response(301)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf" if file.suffix == ".pdf" else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        headers = file.with_name(file.name + ".headers")
        if headers.exists():  # e.g. a strict Content-Security-Policy for one page
            for line in headers.read_text().splitlines():
                if ":" in line:
                    name, value = line.split(":", 1)
                    self.send_header(name.strip(), value.strip())
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(tls_dir: Path | None = None) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    server.daemon_threads = True
    if tls_dir is not None:
        key, cert = tls_dir / "key.pem", tls_dir / "cert.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                        "-out", str(cert), "-days", "2", "-subj", "/CN=paperlens-e2e",
                        "-addext", "subjectAltName=" + ",".join(f"DNS:{h}" for h in TLS_HOSTS)],
                       check=True, capture_output=True)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def page_server(tmp_path_factory):
    """(http port, https port) of the fixture page server."""
    plain, tls = serve(), serve(tmp_path_factory.mktemp("tls"))
    yield plain.server_address[1], tls.server_address[1]
    plain.shutdown()
    tls.shutdown()


class Browser:
    """The persistent Chromium context with the extension, and ways to configure and read it."""

    def __init__(self, context, live_server):
        self.context = context
        self.live_server = live_server
        worker = context.service_workers[0] if context.service_workers else context.wait_for_event(
            "serviceworker", timeout=15000)
        self.extension_id = worker.url.split("/")[2]

    @property
    def worker(self):
        # Chromium may stop an idle worker and start a new one; always use the live one.
        workers = self.context.service_workers
        return workers[-1] if workers else self.context.wait_for_event("serviceworker", timeout=15000)

    def configure(self, **settings):
        """Write settings the way the options page does; the worker drops its cache on change."""
        values = {"serverUrl": self.live_server.url, "token": self.live_server.token, "k": 10, "genericHosts": [],
                  "saveOpened": False, "sites": {}, "collapsed": False, "relatedSort": "score", "relatedSince": "",
                  # the panel's shadow root is closed for users; tests open it to look inside
                  "inspectableOverlay": True}
        values.update(settings)
        # cacheClear is the worker's own function (a classic script's top-level name).
        self.worker.evaluate("async (v) => { await chrome.storage.local.set(v); await cacheClear(); }", values)

    def extension_url(self, path: str) -> str:
        return f"chrome-extension://{self.extension_id}/{path}"

    def open(self, url: str, state: str | None = "ready", timeout: float = 15000):
        """Open a page, collect its console errors, wait for the panel to reach `state`."""
        page = self.context.new_page()
        page.console_errors = []
        page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        page.goto(url, wait_until="domcontentloaded")
        if state:
            page.wait_for_selector(f"#paperlens-root[data-state='{state}']", state="attached", timeout=timeout)
        return page


@pytest.fixture(scope="session")
def playwright():
    """The one Playwright of this test process: its sync API refuses to start while another runs,
    so every browser a test opens comes from here."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright, live_server, page_server, tmp_path_factory):
    http_port, https_port = page_server
    rules = ", ".join([f"MAP {host} 127.0.0.1:{https_port}" for host in TLS_HOSTS]
                      + [f"MAP {host} 127.0.0.1:{http_port}" for host in HOSTS]
                      + ["MAP * ~NOTFOUND", "EXCLUDE 127.0.0.1", "EXCLUDE localhost"])
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")),
        headless=True,
        executable_path=str(CHROMIUM),
        args=[f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}",
              f"--host-resolver-rules={rules}", "--no-sandbox", "--disable-gpu",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", "--ignore-certificate-errors"],
    )
    try:
        b = Browser(context, live_server)
        b.configure()
        yield b
    finally:
        context.close()


@pytest.fixture
def configured(browser):
    """A browser configured for the live server with a valid token, reset after each test."""
    browser.configure()
    yield browser
    for page in browser.context.pages:
        if not page.url.startswith("about:"):
            page.close()
    browser.configure()


def shadow(page, selector: str):
    """Query inside the panel's shadow root (Playwright's css engine pierces open shadow roots)."""
    return page.locator(f"#paperlens-root {selector}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


