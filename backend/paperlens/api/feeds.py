"""Feeds: GET /feeds (each feed and how its runs went), POST /feeds and DELETE /feeds/{id}. Feeds are
server-wide, so changing them needs an admin token; `paperlens serve` runs them when they are due."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..schemas import FeedInSchema, FeedSchema, FeedsResponse
from ..services import services
from .access import requires_admin, requires_read
from .errors import ErrorSchema

blp = Blueprint("feeds", __name__, url_prefix="/api/v1", description="Sources the server follows on a schedule")


@blp.get("/feeds")
@requires_read
@blp.response(200, FeedsResponse)
def list_feeds():
    """Every feed: its options, how often it runs, its last run, papers added, next run, last error."""
    return {"feeds": services().feeds.views()}


@blp.post("/feeds")
@requires_admin
@blp.arguments(FeedInSchema)
@blp.response(201, FeedSchema)
@blp.alt_response(409, schema=ErrorSchema, description="A feed with the same kind and options exists")
@blp.alt_response(422, schema=ErrorSchema, description="An unknown kind, options the kind does not take, a bad every")
def add_feed(body: dict):
    """Follow a source: `{"kind": "arxiv", "options": {"category": ["cs.CL"]}, "every": "6h"}`. The feed is
    due at once; options are those of `paperlens sync KIND`."""
    feeds = services().feeds
    return feeds.view(feeds.add(body["kind"], body["options"], body["every"])), 201


@blp.delete("/feeds/<feed_id>")
@requires_admin
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema)
def remove_feed(feed_id: str):
    """Stop following a feed (a run under way stops after its current page)."""
    services().feeds.remove(feed_id)
