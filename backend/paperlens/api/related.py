"""Related papers: GET /papers/{id}/related and POST /related (for any paper, in the corpus or not).

Lists are cached per corpus version: a repeated call does not touch the index, and any ingest
moves the version on, so a stale list is never served.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from ..domain.drafts import missing_for_draft
from ..schemas import MissingRequest, MissingResponse, RelatedArgs, RelatedRequest, RelatedResponse
from ..services import services
from .access import CORPUS_WRITE, current_user, enforce, requires_read, requires_token
from .errors import ErrorSchema
from .results import ranking_response

blp = Blueprint("related", __name__, url_prefix="/api/v1", description="Related papers")

@blp.get("/papers/<path:paper_id>/related")
@requires_read
@blp.arguments(RelatedArgs, location="query")
@blp.response(200, RelatedResponse)
@blp.alt_response(404, schema=ErrorSchema)
def related_by_id(args: dict, paper_id: str):
    """The k papers most related to a paper in the corpus (itself excluded); `since` keeps papers
    published that day or later, `sort=date` shows them newest first."""
    corpus = services().corpus
    answer = corpus.related_by_id(paper_id, args["k"], args["summaries"], current_user(), args["sort"],
                                  args.get("since"), args.get("rank"))
    return ranking_response({**answer, "demo_corpus": corpus.is_demo()})


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
    answer = corpus.related_to(body, body["k"], body["summaries"], current_user(), body["sort"], body.get("since"),
                               body.get("rank"))
    return ranking_response({**answer, "demo_corpus": corpus.is_demo()})


@blp.post("/related/missing")
@requires_token
@blp.arguments(MissingRequest)
@blp.response(200, MissingResponse)
@blp.alt_response(422, schema=ErrorSchema)
def missing(body: dict):
    """Related work a draft lacks: the corpus papers most related to the draft's title and abstract
    that its bibliography (BibTeX text, or a list of ids) does not name by arXiv id, DOI or title,
    each with the draft's sentence and the paper's sentence that match best."""
    return ranking_response(missing_for_draft(services().corpus, body["title"], body["abstract"], body["bibliography"],
                                              body["k"], body["summaries"], current_user(), body.get("rank")))
