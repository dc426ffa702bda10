"""The domain layer: what Paperlens decides, between its callers (the blueprints in api/ and the
commands in cli/, which parse and print) and the store (which alone talks to Redis) and the ranking
(which alone knows BM25)."""
