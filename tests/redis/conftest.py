"""Fixtures for tests on the session's redis-server that the API, CLI and store tests share."""

from __future__ import annotations

import pytest


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("PAPERLENS_REDIS_URL", settings.redis_url)
    monkeypatch.setenv("PAPERLENS_KEY_PREFIX", settings.key_prefix)
    monkeypatch.setenv("PAPERLENS_DATA_DIR", str(settings.data_dir))
    return settings
