"""`paperlens model fetch`: download the default model once into the data folder.

Two kinds of source, both trusted through one pinned checksum (PAPERLENS_EMBED_MODEL_SHA256):
- an archive (a URL ending in .tar.gz): the default is the ONNX export of all-MiniLM-L6-v2 that
  Chroma publishes for its own default embedding function and pins in its source by this same
  SHA-256. The archive must hash to the pin; its `model.onnx` and `tokenizer.json` are taken out,
  and the card (paperlens-model.json) is written here, listing their checksums.
- a folder URL holding a card and its files, as `python -m bench.embed_model` writes them (a mirror
  of your own): the card must hash to the pin, and it lists the SHA-256 and size of every other
  file, each checked as it streams in.
Files land in a temporary folder that replaces the model folder only when everything checked out,
so a failed or refused download leaves nothing half written."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import tempfile
import urllib.request
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin

from .model_files import CARD, DEFAULT_NAME, GRAPH, TOKENIZER, ModelCard

CHUNK = 1 << 20
TIMEOUT = 60.0
ARCHIVE_SUFFIX = ".tar.gz"
MAX_ARCHIVE_BYTES = 512 << 20  # the default archive is 79 MB; a source that streams on forever stops here
# sentence-transformers reads at most 256 tokens of a text with all-MiniLM-L6-v2 (its max_seq_length;
# Chroma truncates there too); the archive carries the transformer's config, not that setting
ARCHIVE_MAX_TOKENS = 256


class FetchRefused(Exception):
    """A file did not match its pinned checksum or size, or could not be downloaded."""


Progress = Callable[[str, int, int | None], None]  # file name, bytes so far, total (None: unknown)


def fetch_model(base_url: str, card_sha256: str, folder: Path, progress: Progress | None = None) -> ModelCard:
    """Download the model at `base_url` into `folder` (replacing what is there) after checking
    every file; FetchRefused, and `folder` untouched, if anything does not match."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".fetch-", dir=folder.parent))
    try:
        if base_url.endswith(ARCHIVE_SUFFIX):
            card = _unpack_archive(base_url, card_sha256, staging, progress)
        else:
            card = _download_folder(base_url, card_sha256, staging, progress)
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
        return card
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _download_folder(base_url: str, card_sha256: str, staging: Path, progress: Progress | None) -> ModelCard:
    """A card and the files it lists, each checked, into `staging`."""
    card_bytes = _download(urljoin(base_url, CARD), staging / CARD, progress, None, card_sha256)
    try:
        listed = json.loads(card_bytes)["files"]
        card = ModelCard.read(staging)
    except (ValueError, KeyError, TypeError) as exc:
        raise FetchRefused(f"{CARD} is not a model card: {exc}") from None
    for name in (GRAPH, TOKENIZER):
        if name not in listed:
            raise FetchRefused(f"{CARD} lists no {name}")
        entry = listed[name]
        _download(urljoin(base_url, name), staging / name, progress, int(entry["bytes"]), str(entry["sha256"]))
    return card


def _unpack_archive(url: str, sha256: str, staging: Path, progress: Progress | None) -> ModelCard:
    """The pinned archive into `staging`: its graph and tokenizer (found by file name in any folder
    of the archive) and a card written for them. Nothing else in the archive is extracted, and the
    names written are ours, so the archive's paths never choose where a file lands."""
    archive = staging / "model.tar.gz"
    _download(url, archive, progress, None, sha256, limit=MAX_ARCHIVE_BYTES)
    wanted = {GRAPH: GRAPH, TOKENIZER: TOKENIZER, "config.json": ".config.json"}
    found: dict[str, dict] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = member.name.rsplit("/", 1)[-1]
                if not member.isfile() or name not in wanted or name in found:
                    continue
                digest, size = hashlib.sha256(), 0
                with tar.extractfile(member) as source, open(staging / wanted[name], "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                found[name] = {"sha256": digest.hexdigest(), "bytes": size}
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise FetchRefused(f"{url.rsplit('/', 1)[-1]} is not a readable model archive: {exc}") from None
    finally:
        archive.unlink(missing_ok=True)
    for name in (GRAPH, TOKENIZER):
        if name not in found:
            raise FetchRefused(f"the model archive holds no {name}")
    try:
        config = json.loads((staging / ".config.json").read_text()) if "config.json" in found else {}
        dim = int(config.get("hidden_size", 384))
    except (ValueError, TypeError) as exc:
        raise FetchRefused(f"the model archive's config.json is not readable: {exc}") from None
    (staging / ".config.json").unlink(missing_ok=True)
    card = ModelCard(DEFAULT_NAME, dim, ARCHIVE_MAX_TOKENS, "mean")
    files = {name: found[name] for name in (GRAPH, TOKENIZER)}
    written = json.loads(card.to_json(files))
    written["source"] = {"url": url, "sha256": sha256.lower()}  # where it came from, for `model show`
    (staging / CARD).write_text(json.dumps(written, indent=2, sort_keys=True) + "\n")
    return card


def _download(url: str, path: Path, progress: Progress | None, size: int | None, sha256: str,
              limit: int | None = None) -> bytes | None:
    """Stream `url` to `path`, checking its size (exact, or at most `limit`) and SHA-256; the bytes
    of a small file (the card)."""
    digest, done = hashlib.sha256(), 0
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response, open(path, "wb") as out:
            total = size or _length(response)
            while chunk := response.read(CHUNK):
                done += len(chunk)
                if size is not None and done > size:
                    raise FetchRefused(f"{path.name}: larger than the {size:,} bytes its card lists")
                if limit is not None and done > limit:
                    raise FetchRefused(f"{url.rsplit('/', 1)[-1]}: larger than {limit:,} bytes")
                digest.update(chunk)
                out.write(chunk)
                if progress:
                    progress(path.name, done, total)
    except OSError as exc:  # URLError and HTTPError are OSErrors
        raise FetchRefused(f"{path.name}: could not download {url}: {exc}") from None
    if size is not None and done != size:
        raise FetchRefused(f"{path.name}: {done:,} bytes, its card lists {size:,}")
    if digest.hexdigest() != sha256.lower():
        raise FetchRefused(f"{path.name}: SHA-256 {digest.hexdigest()} is not the pinned {sha256}")
    return path.read_bytes() if path.name == CARD else None


def _length(response) -> int | None:
    value = response.headers.get("Content-Length")
    return int(value) if value and value.isdigit() else None
