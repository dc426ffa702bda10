"""The extension installs for good: `npm run build --prefix tests/browser/extension` makes a Chromium zip and a
Firefox package from extension/, and each installs as a user keeps it (Firefox ESR with unsigned
add-ons allowed: the .xpi in the profile, still active after a restart; Chromium: the unzipped folder
loaded as "Load unpacked" loads it, twice on one profile)."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from .test_node_suite import HERE, needs_node

pytestmark = [needs_node, pytest.mark.e2e]

VERSION = json.loads((HERE.parents[2] / "extension" / "manifest.json").read_text())["version"]


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(["npm", "run", "build", "--prefix", str(HERE), "--", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def install_check(browser: str, package: Path) -> dict:
    done = subprocess.run(["node", "install_check.js", browser, str(package)], cwd=HERE / "browsers",
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_build_makes_both_packages_from_one_source(packages):
    chromium, firefox = packages / f"paperlens-chromium-{VERSION}.zip", packages / f"paperlens-firefox-{VERSION}.xpi"
    for package in (chromium, firefox):
        with zipfile.ZipFile(package) as archive:
            names = set(archive.namelist())
            manifest = json.loads(archive.read("manifest.json"))
        assert {"manifest.json", "background/worker.js", "options/options.html"} <= names
        assert manifest["version"] == VERSION and manifest["browser_specific_settings"]["gecko"]["id"]
    assert chromium.read_bytes() == firefox.read_bytes()  # one source: the manifest serves both


def test_the_firefox_package_installs_for_good_in_firefox_esr(packages):
    seen = install_check("firefox", packages / f"paperlens-firefox-{VERSION}.xpi")
    assert seen["first"]["title"] == "Paperlens library"  # the extension ran: it opened its first-run page
    for start in (seen["first"], seen["second"]):
        assert start["state"] == {"active": True, "location": "app-profile", "userDisabled": False}


def test_the_chromium_package_loads_unpacked_and_stays(packages, tmp_path):
    with zipfile.ZipFile(packages / f"paperlens-chromium-{VERSION}.zip") as archive:
        archive.extractall(tmp_path / "paperlens")
    seen = install_check("chromium", tmp_path / "paperlens")
    assert seen["first"]["title"] == seen["second"]["title"] == "Paperlens options"
