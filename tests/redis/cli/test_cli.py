"""The paperlens command: ingest from files and stdin with counts and skips, export, tokens
(serve end to end is tests/served/test_serve_embedded_default.py)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperlens.cli import main

from tests.corpus import FIXTURES

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


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
    readme = Path(__file__).parents[3] / "README.md"  # mentions Daily Papers: it looked like the HF page
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
