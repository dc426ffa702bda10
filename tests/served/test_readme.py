"""README.md runs as written: every ```bash block, in order, in one shell, as a new user pastes them,
against a `paperlens serve` started as the Quickstart starts it (embedded Redis, the demo corpus, a
fresh home folder so `~/.local/share/paperlens/token` is this server's), with the feeds pointed at
the local fake upstream and Zotero's local and web APIs at local fakes. Any command that exits non-zero or any curl answered outside 2xx fails the
test, naming the block and its line. A block may be left out only with a reason written above it in
the README (`<!-- doc-test: skip: REASON -->`), e.g. one that installs software."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bench.redis_server import free_port
from tests.fakes.zotero import FakeZotero, zotero_item
from bench.fake_upstream import FakeUpstream, synth_catalogue
from tests.waiting import until

README = Path(__file__).parents[2] / "README.md"
BLOCK = re.compile(r"(?:<!-- doc-test: skip: (?P<skip>[^>]+?) -->\n)?```bash\n(?P<body>.*?)```", re.S)
MAX_SKIPPED = 6  # two installs, semantic install+fetch, the benchmark, the 4 GB Kaggle file, the extension build

# Every curl fails on a status outside 2xx (and says it), as if the user read each answer.
PRELUDE = """set -eo pipefail
curl() { command curl --silent --show-error --fail-with-body "$@"; echo; }
"""


def readme_blocks() -> list[tuple[int, str | None, str]]:
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start("body")) + 1, m.group("skip"), m.group("body")) for m in BLOCK.finditer(text)]


def test_the_readme_leaves_out_few_blocks_and_says_why():
    blocks = readme_blocks()
    skipped = [(line, why) for line, why, _ in blocks if why]
    assert len(blocks) >= 10 and len(skipped) <= MAX_SKIPPED, skipped


ZOTERO_KEY = "P9NiFoyLeZu2bZNvvuQPDWsd"  # the fake web API's key for user 475425, as README's example names it


@pytest.fixture
def served(tmp_path):
    """`paperlens serve` on a free port, HOME in a fresh folder, feeds pointed at a fake upstream,
    Zotero's local API and zotero.org at fakes holding a few items."""
    upstream = FakeUpstream()
    upstream.arxiv = synth_catalogue(30)
    upstream.oai = list(reversed(synth_catalogue(30)))
    upstream.start()
    items = [zotero_item("Attention Is All You Need", url="https://arxiv.org/abs/1706.03762", tags=["transformers"]),
             zotero_item("A paper Zotero holds", DOI="10.1234/zotero.1", date="2025-03-01")]
    zotero_local = FakeZotero(items).start()
    zotero_web = FakeZotero(items, web_key=ZOTERO_KEY, user="475425").start()
    port = free_port()
    home = tmp_path / "home"
    home.mkdir()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PAPERLENS_")}, **upstream.env(),
           "HOME": str(home), "PAPERLENS_PORT": str(port), "PAPERLENS_SYNC_DELAY": "0",
           "PAPERLENS_ZOTERO_LOCAL_URL": f"{zotero_local.url}/api", "PAPERLENS_ZOTERO_WEB_URL": zotero_web.url,
           "ZOTERO_KEY": ZOTERO_KEY, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("XDG_DATA_HOME", None)
    server = subprocess.Popen(["paperlens", "serve"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)

    def healthy():
        assert server.poll() is None, server.stdout.read()
        try:
            return requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=10).json()["status"] == "ok"
        except requests.RequestException:
            return False

    try:
        until(healthy, timeout=300, what="serve answers /health")
        yield env, port, tmp_path
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
        upstream.stop()
        zotero_local.stop()
        zotero_web.stop()


def test_every_readme_block_runs_on_a_fresh_install(served):
    env, port, work = served
    script = [PRELUDE]
    ran = 0
    for line, skip, body in readme_blocks():
        if skip:
            continue
        ran += 1
        body = body.replace("127.0.0.1:8420", f"127.0.0.1:{port}")
        script.append(f"echo '=== README.md line {line}' >&2\n{body}\n")
    done = subprocess.run(["bash", "-c", "\n".join(script)], env=env, cwd=work, capture_output=True, text=True,
                          timeout=900)
    where = [l for l in done.stderr.splitlines() if l.startswith("=== README.md line")]
    assert done.returncode == 0, f"failed in {where[-1] if where else 'the prelude'}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert len(where) == ran
