"""Reading a Zotero library over HTTP: Zotero 7's local API (http://127.0.0.1:23119/api, no key)
or the web API (https://api.zotero.org, a key the user gives), which speak the same protocol:
GET <base>/users/<id>/items/top?format=json&start=&limit=, a JSON array per page, the total in
`Total-Results` and the next page in `Link: <…>; rel="next"` (web API v3 basics, "Sorting and
Pagination"; chrome/content/zotero/xpcom/server/server_localAPI.js buildLinks). The key travels
in the `Zotero-API-Key` header, never in a URL. A library that pages forever, stalls or answers
something else is stopped by page, item, size and time caps."""

from __future__ import annotations

import http.client
import json
import re
import time
from dataclasses import dataclass
from typing import Callable, Iterator
from urllib.parse import urlencode, urlsplit

from .. import __version__
from ..library.limits import MAX_IMPORT_BYTES

PAGE_SIZE = 100  # the web API's largest page


class ZoteroError(Exception):
    """Reading the library failed; the message says why in words a user can act on."""


class ZoteroUnreachable(ZoteroError):
    """Nothing answered (Zotero is not running, or the local API is off)."""


@dataclass(frozen=True)
class ReadLimits:
    max_pages: int = 200  # 20,000 items at 100 a page
    max_items: int = 20_000
    request_timeout: float = 20.0  # seconds for one socket operation
    deadline: float = 180.0  # seconds for the whole library
    max_page_bytes: int = MAX_IMPORT_BYTES  # a page may be as large as a whole import posted to the API


@dataclass(frozen=True)
class ZoteroLibrary:
    """Where the items are: `base` is a setting (zotero_local_url, zotero_web_url), `user` 0 for
    the local app's own library."""

    base: str
    user: str = "0"
    api_key: str | None = None

    @property
    def items_url(self) -> str:
        return f"{self.base.rstrip('/')}/users/{self.user}/items/top"

    def __repr__(self) -> str:  # the key is never printed, logged or put in an error
        return f"ZoteroLibrary({self.base!r}, user={self.user!r})"


def read_items(library: ZoteroLibrary, limits: ReadLimits = ReadLimits(),
               clock: Callable[[], float] = time.monotonic) -> Iterator[dict]:
    """Every top-level item of the library, page by page."""
    started = clock()
    start = 0
    for page in range(limits.max_pages + 1):
        if page == limits.max_pages:
            raise ZoteroError(f"Zotero kept sending pages: stopped after {limits.max_pages} pages.")
        if clock() - started > limits.deadline:
            raise ZoteroError(f"Reading the Zotero library took longer than {limits.deadline:.0f} s: stopped.")
        items, total, has_next = _page(library, start, limits, deadline=started + limits.deadline, clock=clock)
        yield from items
        start += len(items)
        if start > limits.max_items:
            raise ZoteroError(f"The Zotero library holds more than {limits.max_items} items: stopped.")
        # The last page: an empty one, no rel="next" in Link, the total reached, or (neither
        # header given) a page shorter than asked for.
        if not items or has_next is False or (total is not None and start >= total):
            return
        if has_next is None and total is None and len(items) < PAGE_SIZE:
            return


def _page(library: ZoteroLibrary, start: int, limits: ReadLimits, *, deadline: float,
          clock: Callable[[], float]) -> tuple[list, int | None, bool | None]:
    url = urlsplit(library.items_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ZoteroError(f"The Zotero URL {library.base!r} is not an http(s) URL.")
    query = urlencode({"format": "json", "start": start, "limit": PAGE_SIZE})
    headers = {"Zotero-API-Version": "3", "Accept": "application/json",
               "User-Agent": f"Paperlens/{__version__}"}
    if library.api_key:
        headers["Zotero-API-Key"] = library.api_key
    cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    connection = cls(url.hostname, url.port, timeout=limits.request_timeout)
    try:
        try:
            connection.request("GET", f"{url.path}?{query}", headers=headers)
            response = connection.getresponse()
            body = _read(response, limits.max_page_bytes, deadline, clock)
        except TimeoutError:
            raise ZoteroError(f"Zotero stopped answering (nothing for {limits.request_timeout:.0f} s) "
                              f"after {start} items.") from None
        except (OSError, http.client.HTTPException) as exc:
            if isinstance(exc, (ConnectionRefusedError, http.client.RemoteDisconnected)) or start == 0:
                raise ZoteroUnreachable(f"Zotero did not answer at {url.scheme}://{url.netloc} "
                                        f"({type(exc).__name__}): is it running, with its local API on?") from None
            raise ZoteroError(f"Zotero stopped answering after {start} items ({type(exc).__name__}).") from None
    finally:
        connection.close()
    if response.status in (401, 403):
        raise ZoteroError(f"Zotero refused the request ({response.status}): "
                          + ("check the user id and the API key (it needs read access)." if library.api_key
                             else "turn on \"Allow other applications on this computer to communicate with "
                                  "Zotero\" (Settings → Advanced)."))
    if response.status != 200:
        raise ZoteroError(f"Zotero answered {response.status} for the items.")
    try:
        items = json.loads(body)
    except (ValueError, RecursionError):
        raise ZoteroError("Zotero's answer is not JSON.") from None
    if not isinstance(items, list):
        raise ZoteroError("Zotero's answer is not a list of items.")
    return items, _total(response.getheader("Total-Results")), _has_next(response.getheader("Link"))


def _read(response: http.client.HTTPResponse, max_bytes: int, deadline: float, clock: Callable[[], float]) -> bytes:
    # In chunks, so a page that trickles in a byte at a time still meets the deadline.
    chunks, size = [], 0
    while True:
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise ZoteroError(f"A page of Zotero items is over {max_bytes // (1024 * 1024)} MB: stopped.")
        if clock() > deadline:
            raise ZoteroError("Zotero sent its items too slowly: stopped.")
        chunks.append(chunk)


def _total(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() and len(value.strip()) < 12 else None


def _has_next(link: str | None) -> bool | None:
    # Only whether there is a next page: its URL is not followed (it could name another host, and
    # the key would go with it); the next page is asked for by `start` on the same base.
    if link is None:
        return None
    return re.search(r'rel="?next"?', link[:10_000]) is not None
