"""`paperlens model fetch`: download the default model once into the data folder.

Trust flows from one pinned checksum (PAPERLENS_EMBED_MODEL_SHA256): the model's card
(paperlens-model.json) must hash to it, and the card lists the SHA-256 and size of every other
file, each checked as it streams in. Files land in a temporary folder that replaces the model
folder only when everything checked out, so a failed or refused download leaves nothing half
written. The card's pinned default is what `python -m bench.embed_model` writes from the PyPI
wheel of all-MiniLM-L6-v2, byte for byte: anyone can rebuild and compare."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import urllib.request
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin

from .model_files import CARD, GRAPH, TOKENIZER, ModelCard

CHUNK = 1 << 20
TIMEOUT = 60.0


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
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
        return card
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _download(url: str, path: Path, progress: Progress | None, size: int | None, sha256: str) -> bytes | None:
    """Stream `url` to `path`, checking its size and SHA-256; the bytes of a small file (the card)."""
    digest, done = hashlib.sha256(), 0
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response, open(path, "wb") as out:
            total = size or _length(response)
            while chunk := response.read(CHUNK):
                done += len(chunk)
                if size is not None and done > size:
                    raise FetchRefused(f"{path.name}: larger than the {size:,} bytes its card lists")
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
