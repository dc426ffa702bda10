"""Papers: GET /papers/{id} and POST /papers (one paper or a list), merged with what is stored."""

from __future__ import annotations

import re

from flask_smorest import Blueprint

from ..corpus.paper import Paper
from ..schemas import PAPER_ID, PaperSchema, PapersInSchema, PostPapersResponse
from ..domain import StoreUnavailable
from ..services import services
from .access import requires_corpus_write, requires_read
from .errors import ApiError, ErrorSchema
from .results import paper_view

blp = Blueprint("papers", __name__, url_prefix="/api/v1", description="Papers in the corpus")

VALID_ID = re.compile(PAPER_ID)


def find_paper(paper_id: str) -> dict:
    """The stored paper for any of its ids, from Redis, else from the index snapshot; 404 if none."""
    if not VALID_ID.match(paper_id):
        raise ApiError(404, f"No paper with id {paper_id[:100]!r}: ids look like arxiv:1706.03762, doi:10.1/x or title:<hash>.")
    svc = services()
    try:
        paper = svc.papers.get(paper_id)
        if paper is not None:
            return paper.to_dict()
    except StoreUnavailable:
        view = svc.index.view()
        doc = view.papers.doc_of(paper_id)
        if doc >= 0:
            return view.papers.paper(doc)
        raise
    raise ApiError(404, f"No paper with id {paper_id!r} in the corpus.")


@blp.get("/papers/<path:paper_id>")
@requires_read
@blp.response(200, PaperSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_paper(paper_id: str):
    return paper_view(find_paper(paper_id))


def to_paper(data: dict, source: str) -> Paper:
    return Paper(
        title=data["title"], abstract=data.get("abstract") or "", authors=data.get("authors") or [],
        arxiv_id=data.get("arxiv_id"), doi=data.get("doi"), published=data.get("published"),
        url=data.get("url"), source=source, source_id=data.get("source_id"),
        categories=data.get("categories") or [], upvotes=data.get("upvotes"),
    )


def ingest(papers: list[Paper]) -> dict:
    """Store papers and make them searchable in this process at once."""
    svc = services()
    stored = list(svc.papers.add_many(papers))
    svc.index.refresh(force=True)
    counts = {s: sum(1 for x in stored if x.status == s) for s in ("added", "merged", "unchanged")}
    return {"results": [{"id": s.id, "status": s.status} for s in stored], **counts,
            "corpus_version": svc.papers.version()}


@blp.post("/papers")
@requires_corpus_write
@blp.arguments(PapersInSchema)
@blp.response(200, PostPapersResponse)
def post_papers(body: dict):
    """Add papers: `{"papers": [...]}`, a bare list, or one bare paper object. A paper already
    stored (same arXiv id, DOI or normalised title) is merged, keeping the richer fields."""
    return ingest([to_paper(p, "api") for p in body["papers"]])
