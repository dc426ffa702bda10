"""Fixtures for sync tests: a fake upstream on a free port, and a Syncer pointed at it."""

from __future__ import annotations

import dataclasses

import pytest

from paperlens.store.feeds import FeedStore
from paperlens.store.keys import Keys
from paperlens.sync.runner import Syncer

from tests.servers import redis_client
from bench.fake_upstream import FakeUpstream


@pytest.fixture
def fake():
    upstream = FakeUpstream().start()
    yield upstream
    upstream.stop()


@pytest.fixture
def sync_settings(settings, fake):
    """The test's settings with every source pointed at the fake upstream, no pause between requests
    and a short timeout."""
    return dataclasses.replace(settings, sync_delay=0.0, sync_timeout=2.0, **fake.settings_overrides())


@pytest.fixture
def feeds(sync_settings) -> FeedStore:
    return FeedStore(redis_client(sync_settings.redis_url), Keys(sync_settings.key_prefix))


@pytest.fixture
def syncer(sync_settings, store, feeds) -> Syncer:
    return Syncer(sync_settings, store, feeds)
