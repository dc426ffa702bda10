"""GET /search?q=&k=: BM25 over titles and abstracts for a short query."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..ranking.related import search_papers
from ..schemas import SearchArgs, SearchResponse
from ..services import services
from .auth import BEARER, read_access
from .results import mark_saved, result_objects

blp = Blueprint("search", __name__, url_prefix="/api/v1", description="Keyword search")


@blp.get("/search")
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchResponse)
@blp.doc(security=[{}, BEARER])
def search(args: dict):
    user = read_access()
    view = services().index.view()
    ranking = search_papers(view, args["q"], args["k"])
    results, _ = result_objects(view, ranking.hits, args["summaries"])
    return {"q": args["q"], "corpus_version": view.version, "results": mark_saved(results, user)}
