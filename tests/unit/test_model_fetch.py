"""`paperlens model fetch` against a local HTTP server serving a tiny model: every file checked
against the pinned card checksum and the card's own list; anything else refused, nothing half
installed."""

from __future__ import annotations

import functools
import hashlib
import json
import http.server
import shutil
import threading

import pytest
from click.testing import CliRunner

from paperlens.cli import main
from paperlens.embedding.encoder import Encoder
from paperlens.embedding.fetch import FetchRefused, fetch_model
from paperlens.embedding.model_files import CARD, GRAPH, is_complete

from tests.fixtures.tiny_model import write_tiny_model

TEXTS = ["attention is all you need", "graph neural networks for molecules", "video diffusion models"] * 5


@pytest.fixture
def served(tmp_path):
    """A folder served over HTTP on loopback (stopped after the test), holding a tiny model."""
    folder = tmp_path / "served"
    write_tiny_model(folder, TEXTS)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


def card_sum(folder) -> str:
    return hashlib.sha256((folder / CARD).read_bytes()).hexdigest()


def test_fetch_installs_a_checked_model_that_the_encoder_loads(served, tmp_path):
    folder, url = served
    seen = []
    card = fetch_model(url, card_sum(folder), tmp_path / "models" / "m", lambda n, d, t: seen.append((n, d, t)))
    assert card.name == "tiny-test-bert" and is_complete(tmp_path / "models" / "m")
    assert {n for n, _, _ in seen} == {CARD, GRAPH, "tokenizer.json"}
    graph_size = (folder / GRAPH).stat().st_size
    assert (GRAPH, graph_size, graph_size) in seen  # the progress reached the whole file
    assert Encoder(tmp_path / "models" / "m").embed(["video diffusion"]).shape == (1, 32)


def test_a_card_that_is_not_the_pinned_one_is_refused(served, tmp_path):
    folder, url = served
    with pytest.raises(FetchRefused, match="SHA-256"):
        fetch_model(url, "0" * 64, tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_a_tampered_file_is_refused_and_the_installed_model_stays(served, tmp_path):
    folder, url = served
    target = tmp_path / "m"
    fetch_model(url, card_sum(folder), target)
    before = (target / GRAPH).read_bytes()
    graph = bytearray((folder / GRAPH).read_bytes())
    graph[-1] ^= 0xFF  # same size, other bytes
    (folder / GRAPH).write_bytes(bytes(graph))
    with pytest.raises(FetchRefused, match="model.onnx: SHA-256"):
        fetch_model(url, card_sum(folder), target)
    assert (target / GRAPH).read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".fetch-")] == []


def test_a_missing_file_is_refused(served, tmp_path):
    folder, url = served
    (folder / "tokenizer.json").unlink()
    with pytest.raises(FetchRefused, match="could not download"):
        fetch_model(url, card_sum(folder), tmp_path / "m")


def test_the_command_fetches_into_the_data_folder_and_says_so(served, tmp_path, monkeypatch):
    folder, url = served
    for name, value in {"PAPERLENS_DATA_DIR": str(tmp_path / "data"), "PAPERLENS_EMBED_MODEL_URL": url,
                        "PAPERLENS_EMBED_MODEL_SHA256": card_sum(folder)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PAPERLENS_EMBED_MODEL", raising=False)
    result = CliRunner().invoke(main, ["model", "fetch"])
    assert result.exit_code == 0, result.output
    assert "checked and installed" in result.output
    assert is_complete(tmp_path / "data" / "models" / "all-MiniLM-L6-v2")
    assert "is in place" in CliRunner().invoke(main, ["model", "fetch"]).output
    shown = CliRunner().invoke(main, ["model", "show"]).output
    assert "related by meaning: on, tiny-test-bert" in shown
    monkeypatch.setenv("PAPERLENS_EMBED_MODEL_SHA256", "f" * 64)
    refused = CliRunner().invoke(main, ["model", "fetch", "--force"])
    assert refused.exit_code == 1 and "model not installed" in refused.output
    assert is_complete(tmp_path / "data" / "models" / "all-MiniLM-L6-v2")  # the one in place stays


def test_an_offline_folder_needs_no_fetch(tmp_path, monkeypatch):
    write_tiny_model(tmp_path / "own", TEXTS)
    monkeypatch.setenv("PAPERLENS_EMBED_MODEL", str(tmp_path / "own"))
    result = CliRunner().invoke(main, ["model", "fetch"])
    assert result.exit_code == 1 and "nothing to fetch" in result.output
    shutil.rmtree(tmp_path / "own")
    assert "off (no model in" in CliRunner().invoke(main, ["model", "show"]).output


# The default source: an archive laid out as Chroma publishes all-MiniLM-L6-v2 (onnx/model.onnx,
# onnx/tokenizer.json, onnx/config.json and more), trusted through the archive's pinned SHA-256.

def archive_of(served_folder, members: dict[str, bytes]) -> tuple[str, str]:
    """A .tar.gz of `members` (name -> bytes) written into the served folder: its name and SHA-256."""
    import io
    import tarfile

    path = served_folder / "onnx.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path.name, hashlib.sha256(path.read_bytes()).hexdigest()


def chroma_layout(folder) -> dict[str, bytes]:
    return {"onnx/config.json": b'{"hidden_size": 32, "model_type": "bert"}',
            "onnx/model.onnx": (folder / GRAPH).read_bytes(),
            "onnx/tokenizer.json": (folder / "tokenizer.json").read_bytes(),
            "onnx/vocab.txt": b"[PAD]\n[UNK]\n"}


def test_the_default_kind_of_source_an_archive_pinned_by_its_checksum(served, tmp_path):
    folder, url = served
    name, digest = archive_of(folder, chroma_layout(folder))
    seen = []
    card = fetch_model(url + name, digest, tmp_path / "models" / "m", lambda n, d, t: seen.append(n))
    target = tmp_path / "models" / "m"
    assert (card.name, card.dim, card.max_tokens) == ("all-MiniLM-L6-v2", 32, 256)
    assert sorted(p.name for p in target.iterdir()) == sorted([CARD, GRAPH, "tokenizer.json"])
    written = json.loads((target / CARD).read_text())
    assert written["files"][GRAPH]["sha256"] == hashlib.sha256((folder / GRAPH).read_bytes()).hexdigest()
    assert written["source"] == {"url": url + name, "sha256": digest}
    assert "model.tar.gz" in seen  # the download showed progress
    assert Encoder(target).embed(["video diffusion"]).shape == (1, 32)


def test_an_archive_that_is_not_the_pinned_one_is_refused_and_the_installed_model_stays(served, tmp_path):
    folder, url = served
    name, digest = archive_of(folder, chroma_layout(folder))
    target = tmp_path / "m"
    fetch_model(url + name, digest, target)
    before = (target / GRAPH).read_bytes()
    layout = chroma_layout(folder)
    layout["onnx/model.onnx"] = layout["onnx/model.onnx"][:-1] + bytes([layout["onnx/model.onnx"][-1] ^ 0xFF])
    archive_of(folder, layout)  # same name, other bytes: the pin no longer holds
    with pytest.raises(FetchRefused, match="SHA-256"):
        fetch_model(url + name, digest, target)
    assert (target / GRAPH).read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".fetch-")] == []


def test_an_archive_without_a_tokenizer_is_refused(served, tmp_path):
    folder, url = served
    layout = chroma_layout(folder)
    del layout["onnx/tokenizer.json"]
    name, digest = archive_of(folder, layout)
    with pytest.raises(FetchRefused, match="no tokenizer.json"):
        fetch_model(url + name, digest, tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_an_archive_s_paths_never_choose_where_files_land(served, tmp_path):
    folder, url = served
    layout = chroma_layout(folder)
    layout["../../escaped.txt"] = b"outside"
    layout["/tmp/absolute-escape.txt"] = b"outside"
    name, digest = archive_of(folder, layout)
    target = tmp_path / "deep" / "m"
    fetch_model(url + name, digest, target)
    assert sorted(p.name for p in target.iterdir()) == sorted([CARD, GRAPH, "tokenizer.json"])
    assert not list(tmp_path.rglob("escaped.txt")) and not list(tmp_path.rglob("absolute-escape.txt"))


def test_the_default_source_is_the_pinned_public_archive():
    from paperlens.settings import Settings

    settings = Settings()
    assert settings.embed_model_url.endswith(".tar.gz") and settings.embed_model_url.startswith("https://")
    assert len(settings.embed_model_sha256) == 64
