"""Summaries: GET /papers/{id}/summary for a paper in the corpus, POST /summarize for any text.

Both are cached in Redis (indexing/summary_cache.py), so a repeated call does not summarise again.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from ..schemas import MAX_SUMMARIZE_BYTES, PaperSummarySchema, SummarizeRequest, SummaryArgs, SummarySchema
from ..services import services
from .access import requires_read
from .errors import ApiError, ErrorSchema

blp = Blueprint("summaries", __name__, url_prefix="/api/v1", description="Extractive summaries")


@blp.get("/papers/<path:paper_id>/summary")
@requires_read
@blp.arguments(SummaryArgs, location="query")
@blp.response(200, PaperSummarySchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def paper_summary(args: dict, paper_id: str):
    """A paper's TL;DR, its `n` key sentences (in their order) and its key terms. A paper without an
    abstract is summarised from its title."""
    return services().corpus.summary(paper_id, args["n"])


@blp.post("/summarize")
@requires_read
@blp.arguments(SummarizeRequest)
@blp.response(200, SummarySchema)
@blp.alt_response(413, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def summarize_text(body: dict):
    """Summarise any text (an abstract, a section, a whole paper's text) of up to 100 KB (UTF-8)."""
    size = len(body["text"].encode("utf-8", "surrogatepass"))
    if size > MAX_SUMMARIZE_BYTES:
        raise ApiError(413, f"The text is {size:,} bytes; the limit is {MAX_SUMMARIZE_BYTES:,} bytes (UTF-8).",
                       details={"text": [f"at most {MAX_SUMMARIZE_BYTES} bytes"], "bytes": size})
    summary = services().corpus.summarize(body.get("title") or "", body["text"], body["n"])
    if summary is None:  # the schema refuses blank text, so only a summariser failure lands here
        raise ApiError(500, "The text could not be summarised; the error has been logged on the server.", "internal")
    return summary
