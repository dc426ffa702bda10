"""Papers' embedding vectors in Redis: one key per paper and model (keys.paper_vector), the vector
as int8 in base64 (the clients here read text). Every step touches single keys, so the same code
runs on a Redis Cluster; reads of many vectors are one round trip per node."""

from __future__ import annotations

import base64

import numpy as np
import redis

from .keys import Keys
from .redis_client import mget


class VectorStore:
    def __init__(self, client: redis.Redis, keys: Keys, model: str):
        self.r = client
        self.keys = keys
        self.model = model

    def set_many(self, vectors: list[tuple[str, np.ndarray]]) -> None:
        """Store (paper id, int8 vector) pairs: one pipeline, one SET per paper (no transaction, which
        a Cluster could not span; a vector written twice is the same vector)."""
        if not vectors:
            return
        pipe = self.r.pipeline(transaction=False)
        for paper_id, vector in vectors:
            pipe.set(self.keys.paper_vector(self.model, paper_id), _encode(vector))
        pipe.execute()

    def get_many(self, ids: list[str], dim: int) -> list[np.ndarray | None]:
        """The int8 vectors of `ids`, None for a paper without one (or one of another size)."""
        raws = mget(self.r, [self.keys.paper_vector(self.model, i) for i in ids])
        return [_decode(raw, dim) if raw else None for raw in raws]


def _encode(vector: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(vector, dtype=np.int8).tobytes()).decode("ascii")


def _decode(raw: str, dim: int) -> np.ndarray | None:
    data = base64.b64decode(raw)
    return np.frombuffer(data, dtype=np.int8) if len(data) == dim else None
