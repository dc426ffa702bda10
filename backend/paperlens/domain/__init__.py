"""The domain layer: what Paperlens decides, between the blueprints (which parse and serialize)
and the store (which alone talks to Redis) and the ranking (which alone knows BM25)."""

from ..store import StoreUnavailable
from ..store.tokens import TokenInfo, hash_token

__all__ = ["StoreUnavailable", "TokenInfo", "hash_token"]
