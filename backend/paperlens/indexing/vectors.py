"""The papers' vectors as the index snapshot takes them: what a snapshot built in this process
writes (the background filler's vectors, from Redis), and the name under which the filler records
how far it got, per model. Here, between the domain and the store, so that every process that
builds snapshots (the server, the syncer, the summariser, `paperlens sync`) reaches it without the
domain."""

from __future__ import annotations

from ..embedding.model_files import ModelCard, model_folder, why_unavailable
from ..ranking.vectors import VectorSource
from ..settings import Settings
from ..store import Store


def reader_name(model: str) -> str:
    """The name of the filler's log reader and lease for `model` (a new model starts over)."""
    return f"vectors:{model}"


def snapshot_vectors(store: Store, settings: Settings) -> VectorSource | None:
    """What each index snapshot built in this process writes of the papers' vectors (the filler's,
    from Redis), so that servers map them instead of each loading its own copy; None while the
    signal is off here. No model runs for it: the card names the model and its size."""
    if why_unavailable(settings) is not None:
        return None
    try:
        card = ModelCard.read(model_folder(settings))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    vectors = store.vectors(card.name)
    return VectorSource(card.name, card.dim, store.log_reader(reader_name(card.name)).position,
                        lambda ids: vectors.get_many(ids, card.dim))
