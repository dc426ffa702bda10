"""Related papers: GET /papers/{id}/related and POST /related (for any paper, in the corpus or not).

Lists are cached per corpus version: a repeated call does not touch the index, and any ingest
moves the version on, so a stale list is never served.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from ..schemas import RelatedArgs, RelatedRequest, RelatedResponse
from ..services import services
from .access import CORPUS_WRITE, current_user, enforce, requires_read
from .errors import ErrorSchema
from .results import ranking_response

blp = Blueprint("related", __name__, url_prefix="/api/v1", description="Related papers")


@blp.get("/papers/<path:paper_id>/related")
@requires_read
@blp.arguments(RelatedArgs, location="query")
@blp.response(200, RelatedResponse)
@blp.alt_response(404, schema=ErrorSchema)
def related_by_id(args: dict, paper_id: str):
    """The k papers most related to a paper in the corpus (itself excluded)."""
    answer = services().corpus.related_by_id(paper_id, args["k"], args["summaries"], current_user())
    return ranking_response(answer)


@blp.post("/related")
@requires_read
@blp.arguments(RelatedRequest)
@blp.response(200, RelatedResponse)
@blp.alt_response(404, schema=ErrorSchema)
def related_for(body: dict):
    """Related papers for a paper given by title + abstract and/or ids. With `"save": true` the
    paper is also added to the corpus (which needs a token unless the server binds to loopback)."""
    corpus = services().corpus
    if body["save"]:
        enforce(CORPUS_WRITE)
        corpus.ingest([corpus.to_paper(body, "extension")])
    return ranking_response(corpus.related_to(body, body["k"], body["summaries"], current_user()))
