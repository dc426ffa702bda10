"""The long-lived parts a server process shares between requests: the store, the index, and the
domain services over them (the corpus, and each user's library)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from .domain.corpus import Corpus
from .domain.for_you import ForYou
from .domain.library import Library
from .indexing.live_index import LiveIndex
from .indexing.vectors import snapshot_vectors
from .settings import Settings
from .store import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    index: LiveIndex
    corpus: Corpus

    @classmethod
    def create(cls, settings: Settings, client=None) -> "Services":
        """`client`: a redis client made elsewhere (tests); by default the store opens its own."""
        store = Store.open(settings, client)
        index = LiveIndex(store.papers, settings.index_dir, settings.index_refresh_seconds,
                          vectors=snapshot_vectors(store, settings))
        return cls(settings, store, index, Corpus(store, index, settings))

    def library(self, user: str) -> Library:
        return Library(self.corpus, user)

    def for_you(self, user: str) -> ForYou:
        return ForYou(self.corpus, user)


def services() -> Services:
    return current_app.extensions["paperlens"]
