"""tests/unit needs nothing but Python (tests/README.md): a test here that asks for one of the
fixtures that start Redis or a server fails at collection, with where it belongs."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
STARTS_SOMETHING = {"redis_server", "redis_cluster", "redis_url", "settings", "store", "app", "client",
                    "demo_app", "demo_client", "make_token", "live_server"}


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(item.fspath).parents:
            asked = STARTS_SOMETHING & set(getattr(item, "fixturenames", ()))
            if asked:
                raise pytest.UsageError(f"{item.nodeid} asks for {', '.join(sorted(asked))}, which start Redis: "
                                        "it belongs in tests/redis (tests/README.md)")
