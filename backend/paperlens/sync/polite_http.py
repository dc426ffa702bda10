"""Fetching from an upstream the way its operators ask: one request at a time, a pause between
requests, a User-Agent that says who is asking, a deadline on every request, and retries with
backoff that honour Retry-After. A body that is cut off or malformed fails its page; it is never
half taken."""

from __future__ import annotations

import email.utils
import http.client
import logging
import re
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Callable, TypeVar
from urllib.parse import urlencode, urlsplit

from .. import __version__
from ..corpus.formats import MalformedPage
from ..corpus.formats.records import CostlyPage

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_BODY = 32 * 1024 * 1024  # an OAI page of 1,000 records is about 2.5 MB; anything this big is not a page
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 600.0  # a longer wait is a "come back later": the next run resumes instead


class UpstreamError(Exception):
    """The upstream failed for good: refused the request, or kept failing after every retry."""


class Stopped(Exception):
    """The sync was asked to stop (the server is shutting down, or the feed was removed)."""


class RetryableError(Exception):
    """A failure worth another try after `wait` seconds (None: the backoff decides). `unreachable`:
    the name did not resolve or the connection was refused, which a minute of retries seldom mends
    (offline, a typo in a URL, a service down): one retry, then the run ends and says so."""

    def __init__(self, message: str, wait: float | None = None, unreachable: bool = False):
        super().__init__(message)
        self.wait = wait
        self.unreachable = unreachable


@dataclass(frozen=True)
class Politeness:
    delay: float = 3.0  # seconds between the end of one request and the start of the next
    timeout: float = 60.0  # seconds for a whole request, connecting to the last byte
    retries: int = 5
    contact: str | None = None
    max_body: int = MAX_BODY

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.contact}" if self.contact else ""
        return f"Paperlens/{__version__} (self-hosted related-work companion{contact})"

    @property
    def backoff(self) -> float:
        """The first wait after a failure without Retry-After; it doubles on each further failure."""
        return max(self.delay, 0.1)


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    headers: dict[str, str]  # lowercased names
    text: str


class Upstream:
    """One upstream service. Requests to it go one at a time, at least `delay` seconds apart."""

    def __init__(self, name: str, politeness: Politeness, stop: threading.Event | None = None):
        self.name = name
        self.politeness = politeness
        self.stop = stop or threading.Event()
        self.requests = 0
        self._turn = threading.Lock()
        self._last_end = float("-inf")

    def get(self, url: str, params: dict | None, read: Callable[[Response], T]) -> T:
        """GET url?params and return read(response). Timeouts, resets, 429/5xx and bodies read()
        finds malformed are retried with backoff (Retry-After when the upstream gives one); other
        statuses go to read(), which decides (the arXiv API answers a bad query with a 400 feed)."""
        full = f"{url}?{urlencode(params)}" if params else url
        last = ""
        for attempt in range(self.politeness.retries + 1):
            try:
                response = self._fetch(full)
                if response.status in RETRY_STATUSES:
                    raise RetryableError(f"HTTP {response.status}", retry_after(response.headers.get("retry-after")))
                try:
                    return read(response)
                except MalformedPage as err:
                    raise RetryableError(f"malformed response: {err}") from None
                except CostlyPage as err:  # the same page would cost as much again: no retry
                    raise UpstreamError(f"{self.name}: page refused: {err}") from None
            except RetryableError as err:
                last = str(err)
                if err.unreachable and attempt >= 1:
                    raise UpstreamError(f"cannot reach {self.name}: {last}") from None
                if attempt == self.politeness.retries:
                    break
                wait = err.wait if err.wait is not None else self.politeness.backoff * 2 ** attempt
                if wait > MAX_RETRY_AFTER:
                    raise UpstreamError(f"{self.name} asks to wait {wait:.0f} s ({last}); the next run resumes") from None
                log.warning("%s: %s; retrying in %.1f s (attempt %d of %d)", self.name, last, wait, attempt + 2,
                         self.politeness.retries + 1)
                self._pause(wait)
        raise UpstreamError(f"{self.name} failed {self.politeness.retries + 1} times; last: {last}")

    # -- one request ------------------------------------------------------------------------------
    def _fetch(self, url: str) -> Response:
        with self._turn:
            self._pause(self._last_end + self.politeness.delay - time.monotonic())
            self.requests += 1
            try:
                return fetch(url, self.politeness)
            except (socket.gaierror, ConnectionRefusedError) as err:
                raise RetryableError(describe(err), unreachable=True) from None
            except (OSError, http.client.HTTPException, MalformedPage) as err:  # timeouts, resets, cut-off bodies
                raise RetryableError(describe(err)) from None
            finally:
                self._last_end = time.monotonic()

    def _pause(self, seconds: float) -> None:
        if self.stop.is_set() or (seconds > 0 and self.stop.wait(seconds)):
            raise Stopped("stopped")


class Upstreams:
    """The Upstream for each service, shared by every source in one process, so that two feeds of
    one service (the arXiv API and arXiv's OAI count as one, as arXiv's terms say) keep the pause."""

    def __init__(self, politeness: Politeness, stop: threading.Event | None = None):
        self.politeness = politeness
        self.stop = stop or threading.Event()
        self._by_service: dict[str, Upstream] = {}

    def for_url(self, url: str) -> Upstream:
        service = service_of(url)
        if service not in self._by_service:
            self._by_service[service] = Upstream(service, self.politeness, self.stop)
        return self._by_service[service]

    @property
    def requests(self) -> int:
        return sum(u.requests for u in self._by_service.values())


def service_of(url: str) -> str:
    """export.arxiv.org and oaipmh.arxiv.org -> arxiv.org; 127.0.0.1:8080 stays itself."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host):
        host = ".".join(host.split(".")[-2:])
    return f"{host}:{parts.port}" if parts.port else host


def fetch(url: str, politeness: Politeness) -> Response:
    """One GET with a deadline on the whole exchange (a peer that trickles bytes forever still
    ends), a cap on the body, and gzip undone within the same cap."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UpstreamError(f"not an http(s) URL: {url[:100]!r}")
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=politeness.timeout)
    deadline = Deadline(politeness.timeout)
    try:
        connection.connect()
        deadline.watch(connection.sock)  # held here: http.client lets go of it once the response starts
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers={
            "User-Agent": politeness.user_agent, "Accept-Encoding": "gzip", "Connection": "close"})
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        body = _read_body(response, headers.get("content-encoding", ""), politeness.max_body)
    except (OSError, http.client.HTTPException):
        deadline.check()
        raise
    finally:
        deadline.cancel()
        connection.close()
    deadline.check()
    return Response(url, response.status, headers, body.decode(_charset(headers), errors="replace"))


class Deadline:
    """Shuts the request's socket once the whole request has taken `seconds`: a socket timeout
    alone bounds each read, and a peer that sends a byte just before each one would never time out."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self.sock: socket.socket | None = None
        self._lock = threading.Lock()
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True
        self.timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self.sock = sock
            if self.expired:
                self._shut()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shut()

    def _shut(self) -> None:
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def check(self) -> None:
        if self.expired:
            raise TimeoutError(f"no complete response within {self.seconds:g} s")

    def cancel(self) -> None:
        self.timer.cancel()


def _read_body(response: http.client.HTTPResponse, encoding: str, max_body: int) -> bytes:
    gzipped = encoding.strip().lower() in ("gzip", "x-gzip")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    parts, size = [], 0
    while True:
        chunk = response.read1(65536)
        if not chunk:
            break
        if inflate is not None:
            try:
                chunk = inflate.decompress(chunk, max_body + 1 - size)
            except zlib.error as err:
                raise MalformedPage(f"the gzip body is corrupt: {err}") from None
            if inflate.unconsumed_tail:
                chunk += b"x"  # more output is waiting than the cap allows: over the limit
        size += len(chunk)
        if size > max_body:
            raise UpstreamError(f"response larger than {max_body // (1024 * 1024)} MB; refused")
        parts.append(chunk)
    if inflate is not None and not inflate.eof:
        raise http.client.IncompleteRead(b"".join(parts))  # the gzip stream was cut off
    return b"".join(parts)


# The text encodings a feed may declare. Python's codec registry also holds idna, punycode, the
# unicode-escape family and others that raise (or interpret escapes) on arbitrary bytes even with
# errors="replace"; a charset outside this list is read as UTF-8, as XML and JSON default to.
CHARSETS = re.compile(r"utf[-_]?(8|16|32)([-_]?(le|be))?|us[-_]?ascii|ascii|latin[-_]?1|iso[-_]?8859[-_]?\d{1,2}"
                      r"|(windows|cp)[-_]?125\d|koi8[-_]?[ru]|shift[-_]?jis|euc[-_]?(jp|kr)|gb(k|2312|18030)|big5",
                      re.I)


def _charset(headers: dict[str, str]) -> str:
    found = re.search(r"charset=\"?([\w.-]+)", headers.get("content-type", ""), re.I)
    name = found.group(1) if found else "utf-8"
    if not CHARSETS.fullmatch(name):
        return "utf-8"
    try:
        "".encode(name)
    except LookupError:
        return "utf-8"
    return name


def retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def describe(err: BaseException) -> str:
    if isinstance(err, socket.gaierror):
        return f"the name does not resolve ({err.strerror or err}); is this machine offline?"
    if isinstance(err, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(err, TimeoutError):
        return f"timed out ({err})" if str(err) else "timed out"
    if isinstance(err, http.client.IncompleteRead):
        return "the response was cut off"
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
