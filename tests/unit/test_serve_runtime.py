"""serve.json: the running server's URL for the commands beside it, and the URL the settings give."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from paperlens.server import runtime
from paperlens.settings import BadSetting, Settings


def test_the_url_of_the_running_server_wins_and_a_dead_ones_is_ignored(tmp_path):
    served = Settings(data_dir=tmp_path, port=9721)
    runtime.write(served)
    assert (tmp_path / "serve.json").stat().st_mode & 0o777 == 0o600
    asking = Settings(data_dir=tmp_path)  # a command with no --port: its own settings say 8420
    assert runtime.served_url(asking) == "http://127.0.0.1:9721"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    record = json.loads((tmp_path / "serve.json").read_text())
    (tmp_path / "serve.json").write_text(json.dumps({**record, "pid": int(gone.stdout)}))
    assert runtime.served_url(asking) == "http://127.0.0.1:8420", "a file left by a killed server is ignored"
    (tmp_path / "serve.json").write_text(json.dumps(record))
    runtime.remove(served)
    assert not (tmp_path / "serve.json").exists()


def test_the_public_url_is_the_base_of_every_link(tmp_path):
    assert Settings(data_dir=tmp_path, public_url="https://papers.example.org/").base_url == "https://papers.example.org"
    assert Settings(data_dir=tmp_path, host="0.0.0.0", port=1).base_url == "http://127.0.0.1:1"
    assert Settings(data_dir=tmp_path, host="::1", port=2).base_url == "http://[::1]:2"
    assert Settings.from_env({"PAPERLENS_PUBLIC_URL": "https://p.example"}).public_url == "https://p.example"
    assert Settings.from_env({"PAPERLENS_ALLOWED_HOSTS": "a.lan, b.lan:8443"}).allowed_hosts == ["a.lan", "b.lan:8443"]


@pytest.mark.parametrize("url", ["papers.example.org", "ftp://papers.example.org", "https://", "https://x/?a=1"])
def test_a_public_url_that_is_not_one_is_refused(tmp_path, url):
    with pytest.raises(BadSetting, match="PAPERLENS_PUBLIC_URL"):
        Settings(data_dir=tmp_path, public_url=url)
