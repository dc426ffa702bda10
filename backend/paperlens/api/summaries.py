"""Extractive summaries for the API: cached in Redis by a hash of the text and the method version,
so a better method never serves old summaries."""

from __future__ import annotations

import hashlib

from ..ranking.live_index import View
from ..ranking.summaries import METHOD_VERSION, summarize
from ..services import services

SUMMARY_TTL = 30 * 24 * 3600


def text_key(title: str, abstract: str) -> tuple[str, str]:
    digest = hashlib.blake2b(f"{title}\x1f{abstract}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return (METHOD_VERSION, digest)


def summary_dict(title: str, abstract: str, view: View | None) -> dict:
    idf = _idf_lookup(view) if view is not None else None
    s = summarize(abstract or title, title=title or None, idf=idf)
    return {"tldr": s.tldr, "sentences": list(s.sentences), "key_terms": list(s.key_terms), "method": s.method}


def summaries_for(texts: list[tuple[str, str]], view: View | None) -> list[dict | None]:
    """Summaries for (title, abstract) pairs, from the cache where possible."""
    svc = services()
    keys = [text_key(t, a) for t, a in texts]
    cached = svc.cache.get_many("summary", keys)
    out, fresh = [], []
    for (title, abstract), key, hit in zip(texts, keys, cached):
        if hit is None and (abstract or title).strip():
            hit = summary_dict(title, abstract, view)
            fresh.append((key, hit))
        out.append(hit)
    svc.cache.set_many("summary", fresh, SUMMARY_TTL)
    return out


def _idf_lookup(view: View):
    index = view.index

    def idf(stem: str) -> float:
        ids = index.vocab.lookup([stem])
        return float(index.idf[ids[0]]) if ids[0] >= 0 else 0.0

    return idf
