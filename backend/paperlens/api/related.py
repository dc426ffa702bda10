"""Related papers: GET /papers/{id}/related and POST /related (for any paper, in the corpus or not).

Lists are cached per corpus version: a repeated call does not touch the index, and any ingest
moves the version on, so a stale list is never served.
"""

from __future__ import annotations

import hashlib

from flask_smorest import Blueprint

from ..corpus.paper import Paper
from ..ranking.live_index import View
from ..ranking.related import related_papers
from ..schemas import RelatedArgs, RelatedRequest, RelatedResponse
from ..domain import StoreUnavailable
from ..services import services
from .access import CORPUS_WRITE, current_user, enforce, requires_read
from .errors import ApiError, ErrorSchema
from .papers import VALID_ID, find_paper, ingest
from .results import json_response, result_objects

blp = Blueprint("related", __name__, url_prefix="/api/v1", description="Related papers")


@blp.get("/papers/<path:paper_id>/related")
@requires_read
@blp.arguments(RelatedArgs, location="query")
@blp.response(200, RelatedResponse)
@blp.alt_response(404, schema=ErrorSchema)
def related_by_id(args: dict, paper_id: str):
    user = current_user()
    view = services().index.view()
    doc = view.papers.doc_of(paper_id) if VALID_ID.match(paper_id) else -1
    # A paper the index holds is answered from the index alone; other ids (aliases, papers not
    # indexed yet) are looked up in Redis.
    paper = view.papers.paper(doc) if doc >= 0 else find_paper(paper_id)
    answer = _related(view, f"id:{paper['id']}", lambda: _text_of(paper), paper["id"], True,
                      args["k"], args["summaries"])
    return json_response(answer, user)


@blp.post("/related")
@requires_read
@blp.arguments(RelatedRequest)
@blp.response(200, RelatedResponse)
def related_for(body: dict):
    """Related papers for a paper given by title + abstract and/or ids. With `"save": true` the
    paper is also added to the corpus (which needs a token unless the server binds to loopback)."""
    user = current_user()
    given = Paper(title=body.get("title") or "", abstract=body.get("abstract") or "",
                  authors=body.get("authors") or [], arxiv_id=body.get("arxiv_id"), doi=body.get("doi"),
                  url=body.get("url"), published=body.get("published"), source="extension")
    if body.get("save"):
        enforce(CORPUS_WRITE)
        ingest([given])
    view = services().index.view()
    stored = _stored(view, body.get("id") or given.id, given)
    text = given.indexed_text or (_text_of(stored) if stored else "")
    if not text:
        raise ApiError(404, "No paper with that id in the corpus, and no title or abstract given.")
    paper_id = stored["id"] if stored else (given.id or None)
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    answer = _related(view, f"text:{digest}:{paper_id or ''}", lambda: text, paper_id, stored is not None,
                      body["k"], body["summaries"])
    return json_response(answer, user)


def _text_of(paper: dict) -> str:
    return f"{paper.get('title') or ''}\n{paper.get('abstract') or ''}".strip()


def _stored(view: View, paper_id: str | None, given: Paper) -> dict | None:
    """The stored paper this request names (by id, arXiv id, DOI or title), if any: from the index
    when it holds it, else from Redis."""
    candidates = [paper_id] if paper_id else []
    candidates += [a for a in given.aliases() if a not in candidates]
    for candidate in candidates:
        doc = view.papers.doc_of(candidate)
        if doc >= 0:
            return view.papers.paper(doc)
    try:
        for candidate in candidates:
            paper = services().papers.get(candidate)
            if paper is not None:
                return paper.to_dict()
    except StoreUnavailable:
        pass  # the index has answered for what it holds; the rest is unknown while Redis is away
    return None


def _related(view: View, query_key: str, text, paper_id: str | None, in_corpus: bool, k: int,
             summaries: str) -> dict:
    """The answer for a query, from the cache when this corpus version has it; a hit costs one
    Redis read and no re-serialising."""
    svc = services()
    key = (str(view.version), query_key, str(k), summaries)
    cached = svc.cache.get("related", *key)
    if cached is not None:
        return {**cached, "cached": True}
    ranking = related_papers(view, text(), k, exclude_id=paper_id if in_corpus else None)
    results, complete = result_objects(view, ranking.hits, summaries)
    # Built directly in RelatedResponse's shape (result_objects makes exactly its fields); dumping
    # through marshmallow as well cost more than the ranking itself. The fuzz tests check the shape.
    answer = {
        "query": {"id": paper_id, "in_corpus": in_corpus, "terms": ranking.query_terms},
        "corpus_version": view.version,
        "cached": False,
        "results": results,
    }
    if complete:  # a list with stand-in TL;DRs is answered but not kept: the next request finishes it
        svc.cache.set("related", key, answer, svc.settings.related_cache_ttl)
    return answer
