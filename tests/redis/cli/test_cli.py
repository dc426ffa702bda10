"""The paperlens command: ingest from files and stdin with counts and skips; serve end to end."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from paperlens.cli import main

from ..conftest import FIXTURES, free_port

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("PAPERLENS_REDIS_URL", settings.redis_url)
    monkeypatch.setenv("PAPERLENS_KEY_PREFIX", settings.key_prefix)
    monkeypatch.setenv("PAPERLENS_DATA_DIR", str(settings.data_dir))
    return settings


def test_ingest_reports_added_merged_and_skipped_with_line_numbers(cli_env, store):
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(FIXTURES / "formats" / "jsonl-malformed.jsonl")])
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output and "line" in result.output
    again = runner.invoke(main, ["ingest", str(FIXTURES / "formats" / "jsonl-malformed.jsonl")])
    assert "added 0" in again.output


def test_ingest_reads_gzip_and_stdin_and_merges_across_sources(cli_env, store):
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(FIXTURES / "formats" / "arxiv-oai-20.jsonl.gz")])
    assert result.exit_code == 0 and "added 20" in result.output, result.output
    with gzip.open(FIXTURES / "formats" / "arxiv-oai-20.jsonl.gz", "rt") as f:
        first_line = f.readline()
    result = runner.invoke(main, ["ingest", "-"], input=first_line)
    assert "added 0, merged 0, unchanged 1" in result.output, result.output
    assert store.count() == 20


def test_ingest_of_an_unknown_format_fails_clearly(cli_env, tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("just some words\n")
    result = CliRunner().invoke(main, ["ingest", str(path)])
    assert result.exit_code != 0 and "x.txt" in result.output


def test_ingest_of_a_file_with_no_papers_fails_instead_of_reporting_zero(cli_env, store):
    readme = Path(__file__).parents[2] / "README.md"  # mentions Daily Papers: it looked like the HF page
    result = CliRunner().invoke(main, ["ingest", str(readme)])
    assert result.exit_code == 1 and "no papers found" in result.output, result.output
    assert store.count() == 0


def test_export_of_a_user_nobody_has_fails_and_writes_nothing(cli_env, tmp_path):
    out = tmp_path / "nobody.bib"
    result = CliRunner().invoke(main, ["export", "nobody", "-o", str(out)])
    assert result.exit_code == 1 and "no reading list for user 'nobody'" in result.output
    assert not out.exists()


def test_command_output_is_its_own_lines_without_log_noise(cli_env, store):
    # a process of its own: logging is configured once per process, and pytest's own handlers are in this one
    done = subprocess.run([sys.executable, "-m", "paperlens.cli", "ingest", str(FIXTURES / "formats" / "arxiv-oai-20.jsonl.gz")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "added 20" in done.stdout and "index snapshot" in done.stdout
    assert "INFO" not in done.stdout + done.stderr, done.stderr
    assert "Revoke the token" in CliRunner().invoke(main, ["token", "revoke", "--help"]).output


def test_token_commands_create_list_and_revoke(cli_env):
    runner = CliRunner()
    created = runner.invoke(main, ["token", "create", "bob"])
    assert created.exit_code == 0 and created.output.startswith("pl_")
    assert "bob" in runner.invoke(main, ["token", "list"]).output
    assert runner.invoke(main, ["token", "revoke", "bob"]).exit_code == 0
    assert "bob" not in runner.invoke(main, ["token", "list"]).output


def test_serve_on_the_embedded_default_loads_the_demo_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {**os.environ, "PAPERLENS_DATA_DIR": str(tmp_path / "data"), "PAPERLENS_PORT": str(port)}
    env.pop("PAPERLENS_REDIS_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "paperlens.cli", "serve"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = requests.get(f"{base}/health", timeout=10).json()
                break
            except (requests.ConnectionError, requests.Timeout):
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert health["papers"] == 3000 and health["status"] == "ok" and health["demo_corpus"] is True
        hit = requests.get(f"{base}/search", params={"q": "diffusion distillation", "k": 1}).json()["results"][0]
        related = requests.get(f"{base}/papers/{hit['id']}/related", params={"k": 5}).json()
        assert len(related["results"]) == 5 and all(r["tldr"] for r in related["results"])
        # a newcomer can click through: every demo paper links to arXiv and names its authors
        assert all(r["url"].startswith("https://arxiv.org/abs/") and r["authors"] for r in related["results"])
        assert related["demo_corpus"] is True and all(0 <= r["closeness"] <= 100 for r in related["results"])
        # a posted paper is found by every worker within 2 s, without a restart
        posted = requests.post(f"{base}/papers", json={"title": "Numbat foraging ecology", "abstract": "Termites."})
        assert posted.json()["added"] == 1
        deadline = time.monotonic() + 15.0  # about 0.5 s when the machine is idle; a margin for busy cores
        while True:
            answers = [requests.get(f"{base}/search", params={"q": "numbat"}).json()["results"] for _ in range(6)]
            if all(a and a[0]["title"] == "Numbat foraging ecology" for a in answers):
                break
            assert time.monotonic() < deadline, "a posted paper was not searchable in every worker"
            time.sleep(0.1)
        assert requests.get(f"{base}/health").json()["demo_corpus"] is False  # the corpus is no longer only the demo
        token_file = tmp_path / "data" / "token"
        assert token_file.stat().st_mode & 0o777 == 0o600
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert "embedded Redis stopped" in output
    assert not (tmp_path / "data" / "redis.sock").exists()
    assert (tmp_path / "data" / "appendonly.aof").exists() or (tmp_path / "data" / "appendonlydir").exists()
