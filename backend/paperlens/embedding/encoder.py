"""Texts to unit vectors: a sentence-embedding model run by ONNX Runtime on the CPU, its input
made by the `tokenizers` library from the model's tokenizer.json (no hub, no torch).

The vectors are the mean of the token vectors under the attention mask, scaled to unit length
(what sentence-transformers' Mean pooling + Normalize do), so a dot product is the cosine."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from .model_files import GRAPH, TOKENIZER, ModelCard

# Texts per run. Abstracts are long (~250 tokens), so a run is all matrix work and nothing is left
# to amortise: one text at a time took the least CPU here (60 ms a paper, against 70 ms in runs of 8
# and 83 ms in runs of 32, all-MiniLM-L6-v2 on one thread), as it pads nothing and stays in cache.
BATCH = 1


class Encoder:
    def __init__(self, folder: Path, threads: int = 1):
        import onnxruntime
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.card = ModelCard.read(folder)
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
        self.tokenizer.enable_truncation(self.card.max_tokens)
        self.tokenizer.no_padding()  # each batch is padded to its own longest text below
        options = onnxruntime.SessionOptions()
        # one request's texts use `threads` cores; the server's workers and threads share the rest
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # idle threads sleep instead of spinning: on a server's shared cores spinning burns CPU that
        # requests need (and, under load, made an embedding run take a multiple of its CPU time)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(folder / GRAPH), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self._lock = threading.Lock()  # tokenizer settings are per object; runs themselves are thread-safe

    @property
    def dim(self) -> int:
        return self.card.dim

    def embed(self, texts: list[str], batch: int = BATCH) -> np.ndarray:
        """One unit vector per text (float32, [len(texts), dim]); an empty text gets the vector of
        the model's special tokens alone, like any other short text."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        with self._lock:
            encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda n: len(encodings[n].ids))
        for start in range(0, len(order), batch):
            chosen = order[start:start + batch]
            out[chosen] = self._run([encodings[n] for n in chosen])
        return out

    def _run(self, encodings) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = e.attention_mask
            types[row, :len(e.ids)] = e.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        tokens = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
