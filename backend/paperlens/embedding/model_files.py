"""Where the embedding model lives and what a complete model folder holds.

A model folder has the ONNX graph, the tokenizer and a small card (paperlens-model.json) that says
the model's name, its vector size, how many tokens it reads and how token vectors are pooled.
`PAPERLENS_EMBED_MODEL=DIR` names a folder (an offline install); otherwise `paperlens model fetch`
puts the default model under the data folder."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

CARD = "paperlens-model.json"
GRAPH = "model.onnx"
TOKENIZER = "tokenizer.json"
DEFAULT_NAME = "all-MiniLM-L6-v2"


@dataclass(frozen=True)
class ModelCard:
    name: str
    dim: int
    max_tokens: int
    pooling: str = "mean"  # mean of the token vectors under the attention mask, then unit length

    @classmethod
    def read(cls, folder: Path) -> "ModelCard":
        data = json.loads((Path(folder) / CARD).read_text())
        return cls(str(data["name"]), int(data["dim"]), int(data["max_tokens"]), str(data.get("pooling", "mean")))

    def to_json(self, files: dict[str, dict] | None = None) -> str:
        """The card as written into a model folder; `files` (name -> sha256 and bytes) makes it the
        manifest `paperlens model fetch` checks each downloaded file against."""
        data = {"name": self.name, "dim": self.dim, "max_tokens": self.max_tokens, "pooling": self.pooling}
        if files:
            data["files"] = files
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def runtime_installed() -> bool:
    """The `semantic` extra is installed (ONNX Runtime and tokenizers), without importing them."""
    for name in ("onnxruntime", "tokenizers"):
        try:
            if importlib.util.find_spec(name) is None:
                return False
        except (ImportError, ValueError):  # ValueError: blocked (None in sys.modules)
            return False
    return True


def model_folder(settings) -> Path:
    """The folder the model is read from: PAPERLENS_EMBED_MODEL, else the fetched default's."""
    if settings.embed_model:
        return Path(settings.embed_model).expanduser()
    return Path(settings.data_dir) / "models" / DEFAULT_NAME


def is_complete(folder: Path) -> bool:
    folder = Path(folder)
    return all((folder / name).is_file() for name in (CARD, GRAPH, TOKENIZER))


def why_unavailable(settings) -> str | None:
    """None when the semantic signal can run here; otherwise why not, in words for /health."""
    if not runtime_installed():
        return "the semantic extra is not installed (pip install 'paperlens[semantic]')"
    folder = model_folder(settings)
    if not is_complete(folder):
        return f"no model in {folder} (run `paperlens model fetch`, or set PAPERLENS_EMBED_MODEL)"
    return None
