"""The extension's own checks, run from pytest so one command runs everything: the adapters' node
unit tests and `web-ext lint` (no errors allowed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent
EXTENSION = HERE.parents[2] / "extension"

needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (HERE / "node_modules").exists(),
    reason="needs node and `npm ci --prefix tests/browser/extension` (the README's test command runs it)",
)


@needs_node
def test_site_adapters_pass_their_node_unit_tests():
    result = subprocess.run(["node", "--test", str(HERE)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout


@needs_node
def test_web_ext_lint_reports_no_errors():
    web_ext = HERE / "node_modules" / ".bin" / "web-ext"
    result = subprocess.run([str(web_ext), "lint", "--source-dir", str(EXTENSION), "--output", "json", "--no-input"],
                            capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout[result.stdout.index("{"):])
    assert report["summary"]["errors"] == 0, report["errors"]
