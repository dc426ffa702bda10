"""What `paperlens status` reports: the corpus, the index snapshot, summaries ahead of time, the
semantic signal and the feeds, as this server's Redis and index folder have them."""

from __future__ import annotations

from dataclasses import dataclass

from ..ranking import snapshot
from ..sync.lock import describe_holder
from .corpus import Corpus
from .summaries_ahead import NAME as SUMMARIES


@dataclass(frozen=True)
class Status:
    papers: int
    corpus_version: int
    logged: int  # entries in the corpus log
    snapshot: str | None  # the newest index snapshot's name
    summarised: int  # log entries the summariser has done
    summariser: str | None  # who is summarising now, as a person reads it
    meaning: str  # the semantic signal's one line
    feeds: int
    syncing: str | None  # who holds the sync lock, as a person reads it


def status(corpus: Corpus) -> Status:
    store = corpus.store
    latest = snapshot.latest(corpus.settings.index_dir)
    summariser = store.lease(SUMMARIES).lock_holder()
    syncing = store.feeds.lock_holder()
    return Status(
        papers=store.papers.count(), corpus_version=store.papers.version(), logged=store.papers.log_length(),
        snapshot=latest.name if latest else None, summarised=store.log_reader(SUMMARIES).position(),
        summariser=describe_holder(summariser) if summariser else None, meaning=corpus.meaning.status_line(),
        feeds=len(store.feeds.list()), syncing=describe_holder(syncing, store.feeds) if syncing else None)
