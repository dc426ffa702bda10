"""A local stand-in for arXiv (API and OAI-PMH), Hugging Face Daily Papers and bioRxiv.

It answers with the real recorded responses (tests/fixtures/feeds/) when told to, and otherwise
generates pages in the same shapes from synthetic catalogues, so paging tests can have thousands of
records. Each test scripts failures the way the real services fail (503 + Retry-After, resets, cut-off
bodies, stalls, badResumptionToken, an empty arXiv page), and reads back every request with the time
the server saw it. The sync tests (tests/redis/sync/, tests/served/) and bench.sync_speed and
bench.hostile_pages share it; it lives in bench/ so that bench needs nothing from tests/.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

RECORDINGS = Path(__file__).parents[1] / "tests" / "fixtures" / "feeds"
WORDS = ("graph attention retrieval diffusion sparse kernel protein token robust causal contrastive latent "
         "federated quantum spectral tensor bandit policy reward manifold").split()


def recording(name: str) -> bytes:
    return (RECORDINGS / name).read_bytes()


# -- synthetic catalogues ------------------------------------------------------------------------
@dataclass
class SynthPaper:
    number: int
    arxiv_id: str
    title: str
    abstract: str
    authors: list[str]
    published: datetime  # v1 submission
    updated: datetime  # latest version
    day: date  # OAI datestamp / HF listing day / bioRxiv posting day
    version: int = 1
    upvotes: int = 0


def synth_paper(number: int, published: datetime, day: date | None = None, marker: str = "") -> SynthPaper:
    words = [WORDS[(number * 7 + k) % len(WORDS)] for k in range(5)]
    tag = f"zq{number:06d}"  # a word only this paper has, to find it by search
    return SynthPaper(
        number=number,
        arxiv_id=f"{2601 + number // 90000:04d}.{number % 90000:05d}",
        title=f"Synthetic study {tag} of {' '.join(words[:3])}{marker}",
        abstract=f"We study {' '.join(words)} in setting {tag}. Our method improves {words[0]} by {number % 17} points.",
        authors=[f"Author{number % 13} Person{number % 7}", f"Second{number % 5} Writer"],
        published=published,
        updated=published,
        day=day or published.date(),
        upvotes=number % 11,
    )


def synth_catalogue(count: int, newest: datetime | None = None, spacing: timedelta = timedelta(minutes=7),
                    first_number: int = 0) -> list[SynthPaper]:
    """`count` papers, newest first, one every `spacing` back from `newest`."""
    newest = newest or datetime(2026, 6, 12, 18, 0, tzinfo=timezone.utc)
    return [synth_paper(first_number + i, newest - i * spacing) for i in range(count)]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the shapes of the real responses ------------------------------------------------------------
def atom_feed(entries: list[SynthPaper], total: int, start: int) -> bytes:
    parts = [
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/fake</id>\n  <title>arXiv Query: fake</title>\n"
        f"  <updated>{iso(datetime.now(timezone.utc))}</updated>\n"
        f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
    ]
    for p in entries:
        authors = "".join(f"    <author>\n      <name>{escape(a)}</name>\n    </author>\n" for a in p.authors)
        parts.append(
            "  <entry>\n"
            f"    <id>http://arxiv.org/abs/{p.arxiv_id}v{p.version}</id>\n"
            f"    <title>{escape(p.title)}</title>\n"
            f"    <updated>{iso(p.updated)}</updated>\n"
            f'    <link href="https://arxiv.org/abs/{p.arxiv_id}v{p.version}" rel="alternate" type="text/html"/>\n'
            f"    <summary>{escape(p.abstract)}</summary>\n"
            '    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>\n'
            f"    <published>{iso(p.published)}</published>\n"
            '    <arxiv:primary_category term="cs.CL"/>\n'
            f"{authors}  </entry>\n"
        )
    parts.append("</feed>\n")
    return "".join(parts).encode()


OAI_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
            'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n<responseDate>2026-06-12T20:00:00Z</responseDate>\n'
            '<request verb="ListRecords">http://export.arxiv.org/oai2</request>\n')


def oai_page(records: list[SynthPaper], token: str | None, cursor: int, size: int) -> bytes:
    parts = [OAI_HEAD, "<ListRecords>\n"]
    for p in records:
        authors = "".join(
            f"<author><keyname>{escape(a.split()[-1])}</keyname><forenames>{escape(' '.join(a.split()[:-1]))}</forenames></author>"
            for a in p.authors)
        updated = f"<updated>{p.updated.date().isoformat()}</updated>" if p.updated != p.published else ""
        parts.append(
            "<record>\n<header>\n"
            f" <identifier>oai:arXiv.org:{p.arxiv_id}</identifier>\n <datestamp>{p.day.isoformat()}</datestamp>\n"
            " <setSpec>cs</setSpec>\n</header>\n<metadata>\n"
            ' <arXiv xmlns="http://arxiv.org/OAI/arXiv/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://arxiv.org/OAI/arXiv/ http://arxiv.org/OAI/arXiv.xsd">\n'
            f" <id>{p.arxiv_id}</id><created>{p.published.date().isoformat()}</created>{updated}"
            f"<authors>{authors}</authors><title>{escape(p.title)}</title><categories>cs.CL cs.LG</categories>"
            f"<license>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</license><abstract>  {escape(p.abstract)}\n</abstract></arXiv>\n"
            "</metadata>\n</record>\n")
    if token is not None:
        parts.append(f'<resumptionToken cursor="{cursor}" completeListSize="{size}">{escape(token)}</resumptionToken>\n')
    parts.append("</ListRecords>\n</OAI-PMH>\n")
    return "".join(parts).encode()


def oai_error(code: str, message: str) -> bytes:
    return (OAI_HEAD + f"<error code={quoteattr(code)}>{escape(message)}</error>\n</OAI-PMH>\n").encode()


def hf_daily(papers: list[SynthPaper]) -> bytes:
    items = []
    for p in papers:
        paper = {"id": p.arxiv_id,
                 "authors": [{"_id": f"{p.number:024x}", "name": a, "hidden": False} for a in p.authors],
                 "publishedAt": p.published.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                 "submittedOnDailyAt": f"{p.day.isoformat()}T00:00:00.000Z", "title": p.title, "summary": p.abstract,
                 "upvotes": p.upvotes, "discussionId": f"{p.number:024x}"}
        items.append({"paper": paper, "publishedAt": paper["publishedAt"], "title": p.title, "summary": p.abstract,
                      "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{p.arxiv_id}.png",
                      "numComments": 0, "submittedBy": {"_id": "0", "fullname": "Someone", "type": "user"},
                      "isAuthorParticipating": False})
    return json.dumps(items).encode()


def biorxiv_page(versions: list[SynthPaper], cursor: int, total: int, interval: str) -> bytes:
    if not total:
        return json.dumps({"messages": [{"status": "no posts found"}], "collection": []}).encode()
    collection = [{
        "title": p.title, "authors": "; ".join(p.authors), "author_corresponding": p.authors[0],
        "author_corresponding_institution": "Somewhere", "doi": f"10.1101/{p.day.isoformat().replace('-', '.')}.{p.number:06d}",
        "date": p.updated.date().isoformat(), "version": str(p.version), "type": "new results", "license": "cc_by",
        "category": "bioinformatics", "jatsxml": "https://www.biorxiv.org/content/early/x.source.xml",
        "abstract": p.abstract, "funder": "NA", "published": "NA", "server": "bioRxiv"} for p in versions]
    message = {"status": "ok", "interval": interval, "cursor": cursor, "count": len(collection),
               "count_new_papers": str(len(collection)), "total": str(total)}
    return json.dumps({"messages": [message], "collection": collection}, indent=2).encode()


# -- scripted failures ---------------------------------------------------------------------------
@dataclass
class Fault:
    kind: str  # status | reset | truncate | stall | trickle | body
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes | None = None
    seconds: float = 0.0
    keep: int = 0  # truncate: bytes of the real body to send


def status(code: int, body: bytes = b"", **headers) -> Fault:
    return Fault("status", status=code, body=body, headers={k.replace("_", "-"): str(v) for k, v in headers.items()})


def reset() -> Fault:
    return Fault("reset")


def truncate(keep: int) -> Fault:
    """Announce the whole body's length, send only `keep` bytes of it, close."""
    return Fault("truncate", keep=keep)


def cut_short(keep: int) -> Fault:
    """A body that ends early but says so in no header: `keep` bytes, Content-Length to match."""
    return Fault("cut", keep=keep)


def stall(seconds: float) -> Fault:
    return Fault("stall", seconds=seconds)


def trickle() -> Fault:
    """Headers, then a byte every 0.1 s for ever (until the client goes away)."""
    return Fault("trickle")


def body(content: bytes, code: int = 200, **headers) -> Fault:
    return Fault("body", status=code, body=content, headers={k.replace("_", "-"): str(v) for k, v in headers.items()})


@dataclass
class Seen:
    at: float  # time.monotonic() when the request arrived
    route: str
    path: str
    query: dict
    headers: dict


class FakeUpstream:
    def __init__(self):
        self.arxiv: list[SynthPaper] = []  # newest first
        self.oai: list[SynthPaper] = []  # datestamp order
        self.oai_page_size = 100
        self.hf: dict[str, list[SynthPaper]] = {}
        self.biorxiv: list[SynthPaper] = []  # posting order; each item one version
        self.biorxiv_page_size = 100
        self.page_delay = 0.0  # seconds every generated answer takes
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.fixed: dict[str, Fault] = {}  # a route answered the same way every time
        self.requests: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def env(self) -> dict[str, str]:
        """PAPERLENS_* settings that point every source here."""
        return {"PAPERLENS_ARXIV_API_URL": f"{self.url}/api/query", "PAPERLENS_ARXIV_OAI_URL": f"{self.url}/oai",
                "PAPERLENS_HF_API_URL": f"{self.url}/api", "PAPERLENS_BIORXIV_API_URL": f"{self.url}/biorxiv"}

    def settings_overrides(self) -> dict[str, str]:
        return {"arxiv_api_url": f"{self.url}/api/query", "arxiv_oai_url": f"{self.url}/oai",
                "hf_api_url": f"{self.url}/api", "biorxiv_api_url": f"{self.url}/biorxiv"}

    def start(self) -> "FakeUpstream":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, route: str, *faults: Fault | None) -> None:
        """The next requests to `route` (arxiv, oai, hf, biorxiv) fail these ways, one each, in order;
        None lets a request through untouched."""
        self.faults[route].extend(faults)

    def seen(self, route: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.requests if route is None or s.route == route]

    # -- answering ---------------------------------------------------------------------------
    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                route = fake.route_of(parts.path)
                with fake._lock:
                    fake.requests.append(Seen(time.monotonic(), route, parts.path, query, dict(self.headers)))
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    with fake._lock:
                        fault = fake.faults[route].popleft() if fake.faults[route] else fake.fixed.get(route)
                    if fault is None or fault.kind in ("truncate", "cut", "stall"):
                        if fake.page_delay:
                            time.sleep(fake.page_delay)
                        code, content, headers = fake.answer(route, parts.path, query)
                    if fault is not None:
                        if fault.kind == "stall":
                            time.sleep(fault.seconds)
                        elif fault.kind == "truncate":
                            return self._send(code, content[: fault.keep], headers, length=len(content))
                        elif fault.kind == "cut":
                            content = content[: fault.keep]
                        elif fault.kind == "reset":
                            return self._reset()
                        elif fault.kind == "trickle":
                            return self._trickle()
                        else:
                            code, content, headers = fault.status, fault.body or b"", fault.headers
                    self._send(code, content, headers)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def _send(self, code, content, headers, length=None):
                self.send_response(code)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content) if length is None else length))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(content)
                self.wfile.flush()
                self.close_connection = True

            def _reset(self):
                # SO_LINGER 0: close sends RST, as a dropped connection does
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True

            def _trickle(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.end_headers()
                self.wfile.write(b"<?xml version='1.0'?>")
                try:
                    for _ in range(6000):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(0.1)
                except OSError:
                    pass
                self.close_connection = True

        return Handler

    @staticmethod
    def route_of(path: str) -> str:
        if path.startswith("/api/query"):
            return "arxiv"
        if path.startswith("/oai"):
            return "oai"
        if path.startswith("/api/daily_papers"):
            return "hf"
        if path.startswith("/biorxiv/"):
            return "biorxiv"
        return "other"

    def answer(self, route: str, path: str, query: dict) -> tuple[int, bytes, dict]:
        if route == "arxiv":
            start, size = int(query.get("start", 0)), int(query.get("max_results", 10))
            return 200, atom_feed(self.arxiv[start:start + size], len(self.arxiv), start), {
                "Content-Type": "application/atom+xml; charset=utf-8"}
        if route == "oai":
            return 200, self.answer_oai(query), {"Content-Type": "text/xml; charset=utf-8"}
        if route == "hf":
            return 200, hf_daily(self.hf.get(query.get("date", ""), [])), {"Content-Type": "application/json"}
        if route == "biorxiv":
            _, _, _, _, start, until, cursor = (path.split("/") + [""] * 7)[:7]
            chosen = [p for p in self.biorxiv if start <= p.day.isoformat() <= until]
            offset = int(cursor or 0)
            page = chosen[offset:offset + self.biorxiv_page_size]
            return 200, biorxiv_page(page, offset, len(chosen), f"{start}:{until}"), {"Content-Type": "application/json"}
        return 404, b"not found", {}

    def answer_oai(self, query: dict) -> bytes:
        if "resumptionToken" in query:
            try:
                _, offset, start, until = query["resumptionToken"].split("|")
                offset = int(offset)
            except ValueError:
                return recording("oai-bad-resumption-token.xml")
        else:
            offset, start, until = 0, query.get("from", ""), query.get("until", "")
        chosen = [p for p in self.oai if (not start or p.day.isoformat() >= start) and (not until or p.day.isoformat() <= until)]
        if not chosen:
            return oai_error("noRecordsMatch", "No records match")
        page = chosen[offset:offset + self.oai_page_size]
        following = offset + len(page)
        token = f"fake|{following}|{start}|{until}" if following < len(chosen) else ("" if offset else None)
        return oai_page(page, token, offset, len(chosen))
