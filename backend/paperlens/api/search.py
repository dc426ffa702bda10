"""GET /search?q=&k=: BM25 over titles and abstracts for a short query."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..ranking.related import search_papers
from ..schemas import SearchArgs, SearchResponse
from ..services import services
from .access import current_user, requires_read
from .results import mark_saved, result_objects

blp = Blueprint("search", __name__, url_prefix="/api/v1", description="Keyword search")


@blp.get("/search")
@requires_read
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchResponse)
def search(args: dict):
    user = current_user()
    view = services().index.view()
    ranking = search_papers(view, args["q"], args["k"])
    results, _ = result_objects(view, ranking.hits, args["summaries"])
    return {"q": args["q"], "corpus_version": view.version, "results": mark_saved(results, user)}
