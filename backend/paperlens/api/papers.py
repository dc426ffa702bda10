"""Papers: GET /papers/{id} and POST /papers (one paper or a list), merged with what is stored."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..corpus.paper import year_of
from ..schemas import PaperByUrlArgs, PaperSchema, PapersInSchema, PostPapersResponse
from ..services import services
from .access import requires_corpus_write, requires_read
from .errors import ErrorSchema

blp = Blueprint("papers", __name__, url_prefix="/api/v1", description="Papers in the corpus")


@blp.get("/papers/lookup")
@requires_read
@blp.arguments(PaperByUrlArgs, location="query")
@blp.response(200, PaperSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def paper_by_url(args: dict):
    """A paper by the URL it was stored with (the extension asks this for a PDF link without an
    arXiv id, OpenReview id or DOI in it: a proceedings PDF)."""
    paper = services().corpus.by_url(args["url"])
    return {**paper, "year": year_of(paper.get("published"))}


@blp.get("/papers/<path:paper_id>")
@requires_read
@blp.response(200, PaperSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_paper(paper_id: str):
    """A paper by any of its ids (arxiv:, doi:, title:)."""
    paper = services().corpus.get(paper_id)
    return {**paper, "year": year_of(paper.get("published"))}


@blp.post("/papers")
@requires_corpus_write
@blp.arguments(PapersInSchema)
@blp.response(200, PostPapersResponse)
def post_papers(body: dict):
    """Add papers: `{"papers": [...]}`, a bare list, or one bare paper object. A paper already
    stored (same arXiv id, DOI or normalised title) is merged, keeping the richer fields."""
    corpus = services().corpus
    return corpus.ingest([corpus.to_paper(p, "api") for p in body["papers"]])
