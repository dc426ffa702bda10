"""Local fakes of the Zotero desktop app's HTTP server and of the Zotero web API, speaking the
real protocols, for the tests of Paperlens's save-through and import. Nothing here reaches the
internet: each fake is a ThreadingHTTPServer on 127.0.0.1 started and stopped by a fixture.

Shapes, from Zotero's own source (github.com/zotero/zotero, commit f2a42be, Aug 2026):
- chrome/content/zotero/xpcom/server/server.js, _processEndpoint: a request that looks like it
  comes from a browser (User-Agent "Mozilla/…" or an Origin header) and carries neither
  X-Zotero-Connector-API-Version nor Zotero-Allowed-Request is dropped without an answer
  ("Preventing request from browser"); a POST whose Content-Type the endpoint does not list gets
  400 "Endpoint does not support content-type"; JSON that does not parse gets 400.
- chrome/content/zotero/xpcom/server/server_connector.js: GET /connector/ping answers 200
  text/html "Zotero is running"; POST /connector/saveItems (application/json) takes
  {sessionID, uri, items: [Zotero item JSON]} and answers 201 after saving into the collection
  selected in Zotero, 409 {"error": "SESSION_EXISTS"} for a sessionID it has seen, and 400
  {"error": "CONNECTOR_VERSION_OUTDATED"} when X-Zotero-Connector-API-Version is below 3.
  Every answer carries X-Zotero-Version and X-Zotero-Connector-API-Version: 3.
- chrome/content/zotero/xpcom/server/server_localAPI.js (the local API, /api/users/0/…) and the
  web API v3 docs (www.zotero.org/support/dev/web_api/v3/basics): GET …/items/top?format=json&
  start=&limit= answers a JSON array of {key, version, library, meta: {parsedDate, …}, data:
  {itemType, title, creators, abstractNote, date, DOI, url, extra, archiveID, tags: [{tag}]}},
  with Total-Results and Link (first/prev/last/next, buildLinks) headers; the web API wants the
  key in a Zotero-API-Key header (403 "Forbidden" without a valid one) and pages at most 100.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

ZOTERO_VERSION = "7.0.15"
CONNECTOR_API_VERSION = 3


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeZotero:
    """The Zotero desktop app's server on one port: the connector endpoints and the local API.
    As the web API, `web_key` makes the items need that key (and `user` names the library)."""

    def __init__(self, items: list[dict] | None = None, *, web_key: str | None = None, user: str = "0",
                 mode: str = "normal", page_cap: int = 100):
        self.items = items or []
        self.web_key = web_key
        self.user = user
        self.mode = mode  # normal | forever (a next page, always) | stall (answers after stall_s)
        self.stall_s = 30.0
        self.page_cap = page_cap
        self.saved: list[dict] = []  # every item /connector/saveItems took
        self.sessions: list[str] = []
        self.requests: list[dict] = []  # method, path (with query), headers
        self.dropped = 0  # browser requests refused as Zotero does
        self._stop = threading.Event()
        self.httpd = _Server(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FakeZotero":
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)

    def library(self) -> list:
        """The items the library holds: those it was given, then those saveItems took (as in Zotero,
        a saved item is in the library), in the API's item-data form."""
        saved = [{k: v for k, v in it.items() if not k.startswith("_") and k not in ("id", "attachments")}
                 for it in self.saved]
        return self.items + [{**it, "key": f"S{n:07d}", "version": 1} for n, it in enumerate(saved)]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # as Zotero's server answers

            def log_message(self, *args):
                pass

            def _answer(self, status: int, content_type: str | None = None, body: bytes | str = b"",
                        headers: dict | None = None):
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("X-Zotero-Version", ZOTERO_VERSION)
                self.send_header("X-Zotero-Connector-API-Version", str(CONNECTOR_API_VERSION))
                if content_type:
                    self.send_header("Content-Type", content_type)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _from_browser_unmarked(self) -> bool:
                h = self.headers
                browser = (h.get("User-Agent") or "").startswith("Mozilla/") or "Origin" in h
                return (browser and not h.get("X-Zotero-Connector-API-Version") and not h.get("Zotero-Allowed-Request")
                        and not (urlsplit(self.path).path == "/connector/ping" and h.get("Sec-Fetch-Mode") == "navigate"))

            def _record(self):
                fake.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers)})

            def do_GET(self):  # noqa: N802
                self._record()
                url = urlsplit(self.path)
                if url.path == "/fake/saved":  # for the tests only: what saveItems took
                    return self._answer(200, "application/json", json.dumps(fake.saved))
                if self._from_browser_unmarked():
                    fake.dropped += 1
                    self.close_connection = True
                    return None
                if url.path == "/connector/ping":
                    return self._answer(200, "text/html", "<!DOCTYPE html><html><body>Zotero is running</body></html>")
                m = re.fullmatch(r"(?:/api)?/users/([0-9]+)/items/top", url.path)  # local: /api/users/0/…, web: /users/<id>/…
                if m:
                    return self._items(m.group(1), parse_qs(url.query))
                return self._answer(404, "text/plain", "Not found")

            def do_POST(self):  # noqa: N802
                self._record()
                if self._from_browser_unmarked():
                    fake.dropped += 1
                    self.close_connection = True
                    return None
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(min(length, 10 * 1024 * 1024))
                url = urlsplit(self.path)
                if url.path == "/connector/ping":
                    return self._answer(200, "application/json", json.dumps({"prefs": {}}))
                if url.path != "/connector/saveItems":
                    return self._answer(404, "text/plain", "No endpoint found\n")
                if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
                    return self._answer(400, "text/plain", "Endpoint does not support content-type\n")
                try:
                    data = json.loads(raw)
                except ValueError:
                    return self._answer(400, "text/plain", "Invalid JSON provided\n")
                version = self.headers.get("X-Zotero-Connector-API-Version")
                if version and int(version) < CONNECTOR_API_VERSION:
                    return self._answer(400, "application/json", json.dumps({"error": "CONNECTOR_VERSION_OUTDATED"}))
                session = data.get("sessionID")
                if session in fake.sessions:
                    return self._answer(409, "application/json", json.dumps({"error": "SESSION_EXISTS"}))
                fake.sessions.append(session)
                for it in data.get("items") or []:
                    fake.saved.append({**it, "_uri": data.get("uri"), "_sessionID": session})
                return self._answer(201, "application/json")

            def _items(self, user: str, query: dict):
                if fake.web_key is not None:
                    if self.headers.get("Zotero-API-Key") != fake.web_key or user != fake.user:
                        return self._answer(403, "text/plain", "Forbidden")
                if (query.get("format") or ["json"])[0] != "json":
                    return self._answer(400, "text/plain", "Invalid 'format' value")
                start = int((query.get("start") or ["0"])[0])
                limit = min(int((query.get("limit") or [str(fake.page_cap)])[0]), fake.page_cap)
                if fake.mode == "stall":
                    fake._stop.wait(fake.stall_s)
                if fake.mode == "forever":
                    total = 10**9
                    page = [_api_item(dict(fake.items[(start + n) % len(fake.items)], key=f"F{start + n}"))
                            for n in range(limit)]
                else:
                    library = fake.library()
                    total = len(library)
                    page = [_api_item(it) for it in library[start:start + limit]]
                links = _links(f"http://{self.headers.get('Host')}{urlsplit(self.path).path}", query, start, limit, total)
                return self._answer(200, "application/json", json.dumps(page), {
                    "Total-Results": str(total), "Zotero-API-Version": "3",
                    "Link": ", ".join(f'<{u}>; rel="{rel}"' for rel, u in links.items())})

        return Handler


def _api_item(it: dict) -> dict:
    """An item in the API's envelope; `it` is the item's `data` (plus parsedDate for meta). A test
    may put anything else in a library (a hostile one): that goes out as it is."""
    if not isinstance(it, dict) or "data" in it:
        return it
    data = {k: v for k, v in it.items() if k != "parsedDate"}
    meta = {"numChildren": 0}
    if it.get("parsedDate"):
        meta["parsedDate"] = it["parsedDate"]
    return {"key": data.get("key", "ABCD2345"), "version": 1, "library": {"type": "user", "id": 0},
            "meta": meta, "data": data}


def _links(base: str, query: dict, start: int, limit: int, total: int) -> dict:
    """server_localAPI.js buildLinks, the parts a reader uses: first, prev, last, next."""
    params = {k: v[0] for k, v in query.items()}

    def url(**change):
        p = {**params, **{k: str(v) for k, v in change.items() if v}}
        for k, v in change.items():
            if not v:
                p.pop(k, None)
        return f"{base}?{urlencode(p)}"

    links = {}
    if start:
        links["first"] = url(start=0)
        links["prev"] = url(start=max(0, start - limit))
    if limit:
        last = total - total % limit if total % limit else max(0, total - limit)
        links["last"] = url(start=last)
        if start + limit < total:
            links["next"] = url(start=start + limit)
    return links


def zotero_item(title: str | None, **fields) -> dict:
    """A Zotero item's data as the arXiv translator or a user leaves it (only the fields given)."""
    item = {"key": fields.pop("key", f"K{abs(hash(title)) % 10**8:08d}"), "version": 1,
            "itemType": fields.pop("itemType", "preprint"), "creators": fields.pop("creators", []),
            "tags": [{"tag": t} for t in fields.pop("tags", [])], "collections": [], "relations": {}}
    if title is not None:
        item["title"] = title
    item.update(fields)
    return item


def wait_for(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)
