"""Fixtures for sync tests: a Syncer pointed at the fake upstream (`fake` and `sync_settings` are in
tests/conftest.py: tests/served uses them too)."""

from __future__ import annotations

import pytest

from paperlens.store.feeds import FeedStore
from paperlens.store.keys import Keys
from paperlens.sync.runner import Syncer

from tests.servers import redis_client


@pytest.fixture
def feeds(sync_settings) -> FeedStore:
    return FeedStore(redis_client(sync_settings.redis_url), Keys(sync_settings.key_prefix))


@pytest.fixture
def syncer(sync_settings, store, feeds) -> Syncer:
    return Syncer(sync_settings, store, feeds)
