"""The long-lived parts a server process shares between requests: the store, the index, and the
domain services over them (the corpus, each user's library, the tokens, the feeds, pairing). The
blueprints and the commands use the domain services, never the store itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from .domain.corpus import Corpus
from .domain.feeds import Feeds
from .domain.for_you import ForYou
from .domain.library import Library
from .domain.meaning import snapshot_vectors
from .domain.pairing import Pairing
from .domain.tokens import Tokens
from .ranking.live_index import LiveIndex
from .settings import Settings
from .store import LimiterStorage, Store


@dataclass
class Services:
    settings: Settings
    store: Store
    index: LiveIndex
    corpus: Corpus
    tokens: Tokens = field(init=False)
    feeds: Feeds = field(init=False)
    pairing: Pairing = field(init=False)

    def __post_init__(self):
        self.tokens = Tokens(self.store)
        self.feeds = Feeds(self.store)
        self.pairing = Pairing(self.store)

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

    def limiter_storage(self) -> LimiterStorage:
        """Where the rate limiter counts: this process's Redis connections (or its Cluster's nodes),
        with the store's timeouts and stall breaker, and the keys it counts under."""
        return self.store.limiter_storage(self.settings.redis_timeout)


def services() -> Services:
    return current_app.extensions["paperlens"]
