"""GET /search?q=&k=: BM25 over titles and abstracts for a short query."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..schemas import SearchArgs, SearchResponse
from ..services import services
from .access import current_user, requires_read
from .results import ranking_response

blp = Blueprint("search", __name__, url_prefix="/api/v1", description="Keyword search")


@blp.get("/search")
@requires_read
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchResponse)
def search(args: dict):
    """The k best papers for a few words; `since` keeps papers published that day or later,
    `sort=date` shows them newest first."""
    return ranking_response(services().corpus.search(args["q"], args["k"], args["summaries"], current_user(),
                                                     args["sort"], args.get("since"), args.get("rank")))
