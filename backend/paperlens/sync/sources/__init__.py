"""One module per upstream, each behind the same small interface:

    KIND          the name users type (`paperlens sync KIND`, `feeds add KIND`)
    URL_SETTING   the Settings field with the upstream's base URL
    HELP          what it asks, for `paperlens sync KIND --help` and `feeds add KIND --help`
    OPTIONS       its options, each an Option (contract.py): the commands' options and the API's
                  feed schema are made from them
    options(raw)  the checked options of a sync (raises ValueError with the reason)
    pages(options, checkpoint, upstream, base_url, today) -> Iterator[Page]

A source yields one Page per upstream response: the papers in it and the checkpoint reached once
they are stored. The runner stores each page before it asks for the next, so a checkpoint never
runs ahead of what is stored.
"""

from __future__ import annotations

from . import arxiv_api, biorxiv, hf_daily, oai
from .contract import Option, Page, SyncFailed, source_key

SOURCES = {module.KIND: module for module in (arxiv_api, oai, hf_daily, biorxiv)}


def checked_options(kind: str, raw: dict) -> dict:
    """The options of a sync of `kind`, checked and in canonical form; ValueError says what is wrong."""
    if kind not in SOURCES:
        raise ValueError(f"unknown feed kind {kind!r}; known: {', '.join(SOURCES)}")
    return SOURCES[kind].options(raw)


__all__ = ["SOURCES", "Option", "Page", "SyncFailed", "checked_options", "source_key"]
