"""The extension's core, as a person uses it, in Chromium AND Firefox ESR: the same scenarios
(tests/browser/extension/browsers/scenarios.js) driven by puppeteer-core, over CDP for Debian's Chromium and
WebDriver BiDi for Debian's Firefox ESR, against the live server and the fixture pages. One browser
of each kind runs every scenario; each scenario is one test here."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from paperlens.services import Services

from paperlens.corpus.paper import Paper

from bench.redis_server import free_port
from tests.corpus import demo_papers
from tests.fakes.zotero import FakeZotero
from .conftest import HOSTS, TLS_HOSTS
from .test_draft_and_digest import DRAFT_ABSTRACT, DRAFT_TITLE

pytestmark = pytest.mark.e2e

BROWSERS_DIR = Path(__file__).resolve().parents[1] / "extension" / "browsers"
NODE_MODULES = BROWSERS_DIR.parent / "node_modules"
EXECUTABLES = {"chromium": Path("/usr/bin/chromium"), "firefox": Path("/usr/bin/firefox-esr")}
BULK = 5000


def scenario_titles() -> list[str]:
    if shutil.which("node") is None or not (NODE_MODULES / "puppeteer-core").exists():
        return []
    names = ("[...Object.keys(require('./scenarios.js').SCENARIOS), "
             "...Object.keys(require('./pdf-scenarios.js').PDF_SCENARIOS)]")
    out = subprocess.run(["node", "-e", f"console.log(JSON.stringify({names}))"],
                         cwd=BROWSERS_DIR, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


SCENARIOS = scenario_titles()
# PAPERLENS_SCENARIOS=<regex>: run only the scenarios whose titles match (one browser launch still)
ONLY = os.environ.get("PAPERLENS_SCENARIOS")
SELECTED = [t for t in SCENARIOS if not ONLY or re.search(ONLY, t)]

# The papers of the PDFs the scenarios open (tests/browser/e2e/pages/arxiv.org/pdf/, openreview.net/pdf@id=…).
PDF_PAPERS = [
    Paper(title="Attention Is All You Need", arxiv_id="1706.03762", published="2017-06-12",
          authors=["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"], url="https://arxiv.org/abs/1706.03762",
          abstract="The dominant sequence transduction models are based on complex recurrent or convolutional "
                   "neural networks. We propose the Transformer, based solely on attention mechanisms, for "
                   "diffusion of image generation and language models."),
    Paper(title="Score-Based Generative Modeling through Stochastic Differential Equations", published="2021",
          authors=["Yang Song", "Jascha Sohl-Dickstein"], url="https://openreview.net/forum?id=PxTIG12RRHS",
          abstract="Creating noise from data is easy; creating data from noise is generative modeling. A "
                   "stochastic differential equation transforms a complex data distribution to a prior "
                   "distribution by slowly injecting noise, and a reverse-time SDE removes it: diffusion models."),
]


@pytest.fixture(scope="module")
def fake_zotero():
    """The Zotero app's connector server, as tests/fakes/zotero.py speaks it."""
    fake = FakeZotero().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def store(live_server):
    return Services.create(live_server.settings).store


@pytest.fixture(scope="module")
def bulk_user(store, live_server):
    """A reading list of 5,000 papers: the demo corpus's texts under 5,000 distinct ids and titles,
    saved with tags and notes the way the API would keep them."""
    user = "bulk5000"
    reading_list = store.reading_list(user)
    texts = demo_papers()
    for n in range(BULK):
        base = texts[n % len(texts)]
        paper_id = f"arxiv:2401.{n:05d}"
        paper = {"id": paper_id, "title": f"{base.title} (part {n})", "abstract": base.abstract,
                 "authors": list(base.authors), "arxiv_id": f"2401.{n:05d}", "published": f"20{10 + n % 15}-0{1 + n % 9}",
                 "url": f"https://arxiv.org/abs/2401.{n:05d}", "categories": ["cs.LG"]}
        reading_list.save(paper_id, paper, tags=[f"topic-{n % 40}", "bulk"], note=f"note {n}" if n % 3 == 0 else None)
    return live_server.make_token(user, user=user)


@pytest.fixture(scope="module", params=sorted(EXECUTABLES))
def run(request, live_server, page_server, store, bulk_user, fake_zotero, tmp_path_factory):
    """Every scenario in one browser of this kind; the results by scenario title."""
    name = request.param
    if not SCENARIOS:
        pytest.skip("needs node and `npm ci --prefix tests/browser/extension` (the README's test command runs it)")
    if not EXECUTABLES[name].exists():
        pytest.skip(f"{EXECUTABLES[name]} is not installed (apt-get install -y {name if name != 'firefox' else 'firefox-esr'})")
    curator = live_server.make_token(f"curator-{name}", user=f"curator-{name}")
    keys_user = f"keys-{name}"  # six papers, tags as the Chromium library tests have them
    keys_token = live_server.make_token(keys_user, user=keys_user)
    for n, paper in enumerate(demo_papers()[10:16]):
        store.reading_list(keys_user).save(paper.id, paper.to_dict(), note=f"note {n}",
                                           tags=["diffusion"] if n % 2 == 0 else ["language", "to-read"])
    arxiv_lister = live_server.make_token(f"arxiv-lister-{name}", user=f"arxiv-lister-{name}")
    for paper in demo_papers()[:3]:  # a small saved library before the arXiv listing opens
        store.reading_list(f"arxiv-lister-{name}").save(paper.id, paper.to_dict(), tags=["seed"], note=None)
    for n, paper in enumerate(demo_papers()[20:26]):
        store.reading_list(f"curator-{name}").save(paper.id, paper.to_dict(), tags=["seed"], note=f"note {n}")
    stored = {s.id for s in store.papers.add_many(PDF_PAPERS)}
    openreview_id = next(i for i in stored if not i.startswith("arxiv:"))
    config = {
        "only": SELECTED,
        "serverUrl": live_server.url,
        "pagePort": page_server[0],
        "tlsPort": page_server[1],
        "tlsHosts": TLS_HOSTS,
        "hosts": HOSTS,
        "pdfToken": live_server.make_token(f"pdf-{name}", user=f"pdf-{name}"),
        "zoteroToken": live_server.make_token(f"zotero-{name}", user=f"zotero-{name}"),
        "openreviewPaperId": openreview_id,
        "zoteroPort": fake_zotero.port,
        "zoteroDownPort": free_port(),  # nothing listens there: Zotero is not running
        "readerToken": live_server.make_token(f"reader-{name}", user=f"reader-{name}"),
        "curatorToken": curator,
        "attackToken": live_server.make_token(f"attacked-{name}", user=f"attacked-{name}"),
        "connectCode": store.pairing.issue(f"connect-{name}").code,
        "attackCode": store.pairing.issue(f"attack-{name}").code,
        "bulkToken": bulk_user,
        "listingToken": live_server.make_token(f"lister-{name}", user=f"lister-{name}"),
        "arxivListingToken": arxiv_lister,
        "keysToken": keys_token,
        "bulkCount": BULK,
        "draft": {"title": DRAFT_TITLE, "abstract": DRAFT_ABSTRACT},
    }
    path = tmp_path_factory.mktemp(name) / "config.json"
    path.write_text(json.dumps(config))
    done = subprocess.run(["node", "run.js", name, str(path)], cwd=BROWSERS_DIR, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, f"{name} did not run: {done.stderr[-4000:]}"
    results = json.loads(done.stdout.strip().splitlines()[-1])
    results["listingToken"] = config["listingToken"]
    results["arxivListingToken"] = config["arxivListingToken"]
    measured = {title: r.get("measured") for title, r in results.items() if isinstance(r, dict) and r.get("measured")}
    print(f"\n{name}: browser up in {results['launchMs']} ms; {json.dumps(measured)}")
    return results


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(run, scenario, live_server):
    if scenario not in SELECTED:
        pytest.skip(f"not selected by PAPERLENS_SCENARIOS={ONLY}")
    result = run[scenario]
    assert result["ok"], result.get("error")
    # Requests the browser cannot count itself (a listing is ranked in batches, not per card).
    measured = result.get("measured") or {}
    expected = measured.get("rankRequests")
    if expected is not None:
        token = run[measured.get("rankToken", "listingToken")]
        assert live_server.requests.count("POST", "/api/v1/library/rank", token=token) == expected


def test_zotero_round_trip_saves_read_back_into_a_list(run, fake_zotero, live_server):
    """What the extension saved to (the fake) Zotero, read back by the import as a Zotero library:
    the extension's Paperlens → Zotero mapping and the server's Zotero → Paperlens one agree."""
    if not any("Zotero" in t for t in SELECTED):
        pytest.skip(f"the Zotero scenario is not selected by PAPERLENS_SCENARIOS={ONLY}")
    scenario = next(t for t in SELECTED if "Zotero" in t)
    assert run[scenario]["ok"], run[scenario].get("error")
    saved = [it for it in fake_zotero.saved if it["_sessionID"].startswith("paperlens-")]
    assert saved, "the extension saved to Zotero"
    from paperlens.app import create_app

    app = create_app(dataclasses.replace(live_server.settings, zotero_local_url=f"{fake_zotero.url}/api"))
    who = f"round-trip-{uuid.uuid4().hex[:8]}"
    token = live_server.make_token(who, user=who)
    body = app.test_client().post("/api/v1/library/import/zotero", json={"source": "local"},
                                  headers={"Authorization": f"Bearer {token}"}).get_json()
    print(f"\nZotero round trip: {body['summary']}; matched {body['matched']}, added {body['added']}")
    assert body["read"] == len(saved) and body["matched"] == len(saved) and body["added"] == 0
    # Two papers (from the side panel and from a page's panel), saved to Zotero once per browser run.
    assert body["saved"] == 2 and body["already_saved"] == len(saved) - 2
    listed = app.test_client().get("/api/v1/library", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert sorted(it["paper"]["id"] for it in listed["items"]) == ["arxiv:1706.03762", "arxiv:2006.11239"]
