"""Turning ranked hits into the result objects every ranking route returns."""

from __future__ import annotations

import json

from flask import Response, current_app

from ..corpus.paper import Paper
from ..ranking.live_index import View
from ..ranking.related import Hit
from ..ranking import summary_cache
from ..domain import StoreUnavailable
from ..services import services


def paper_view(data: dict) -> dict:
    """A stored paper as the API shows it (with its year)."""
    published = data.get("published")
    year = int(published[:4]) if published and published[:4].isdigit() else None
    return {**data, "year": year}


def result_objects(view: View, hits: list[Hit], summaries: str) -> tuple[list[dict], bool]:
    """Result dicts for hits: metadata (fresh from Redis, else from the index snapshot), score,
    matched terms, and the TL;DR or full summary as asked; and whether every summary is a real one
    (False when the time budget for computing them ran out and some are lead sentences)."""
    svc = services()
    ids = [json.loads(view.papers.raw(h.doc))["id"] for h in hits]
    try:
        stored = svc.papers.get_many(ids)
    except StoreUnavailable:
        stored = [None] * len(ids)
    results = []
    for hit, fresh in zip(hits, stored):
        data = fresh.to_dict() if isinstance(fresh, Paper) else view.papers.paper(hit.doc)
        if isinstance(fresh, Paper):
            data["id"] = fresh.id
        shown = paper_view(data)
        results.append({
            "id": shown["id"],
            "title": shown.get("title") or "",
            "authors": shown.get("authors") or [],
            "published": shown.get("published"),
            "year": shown.get("year"),
            "url": shown.get("url"),
            "source_id": shown.get("source_id"),
            "score": hit.score,
            "matched_terms": [{"term": t, "weight": w} for t, w in hit.matched_terms],
            "_text": (shown.get("title") or "", shown.get("abstract") or ""),
        })
    complete = True
    if summaries != "none":
        found = summary_cache.summaries_within(svc.cache, [r["_text"] for r in results], view,
                                               budget_seconds=summary_cache.RESULTS_BUDGET_SECONDS)
        complete = found.complete
        for result, summary in zip(results, found.summaries):
            result["tldr"] = summary["tldr"] if summary else None
            if summaries == "full" and summary:
                result["summary"] = summary
    for result in results:
        del result["_text"]
    return results, complete


def mark_saved(results: list[dict], user: str | None) -> list[dict]:
    """Add `saved` to each result for a caller with a token (cached lists are shared, flags are not)."""
    if user is None or not results:
        return results
    try:
        saved = services().store.reading_list(user).contains([r["id"] for r in results])
    except StoreUnavailable:
        return results
    return [{**r, "saved": s} for r, s in zip(results, saved)]


def json_response(answer: dict, user: str | None) -> Response:
    """A ranking answer (built in its schema's shape) as JSON, with `saved` flags for a caller with
    a token. Returning a Response skips flask-smorest's serialisation through marshmallow."""
    answer = {**answer, "results": mark_saved(answer["results"], user)}
    return current_app.response_class(json.dumps(answer, ensure_ascii=False), mimetype="application/json")
