"""For you: POST /library/rank (candidates by the reading list), GET /library/digest (papers new to
the corpus), the digest's Atom feed at GET /digest/<feed secret>, and that secret's management.

The feed URL carries its own credential (feed readers send no headers): a feed secret, which opens
that one feed and nothing else; a bearer token is never accepted there, nor a feed secret anywhere else.
"""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from ..domain.for_you import digest_feed
from ..schemas import DigestArgs, DigestResponse, FeedStatusResponse, FeedUrlResponse, RankRequest, RankResponse
from ..services import services
from .access import current_user, public, requires_token
from .errors import ErrorSchema
from .results import ranking_response

blp = Blueprint("for_you", __name__, url_prefix="/api/v1",
                description="Papers ranked by your reading list: listings, the daily digest and its feed")

FEED_PATH = "/api/v1/digest/"


def for_you():
    return services().for_you(current_user())


@blp.post("/library/rank")
@requires_token
@blp.arguments(RankRequest)
@blp.response(200, RankResponse)
def rank(body: dict):
    """Score up to 200 papers (a listing page, in the corpus or not) against the caller's reading
    list: one result per paper, in the order given, with the saved papers it is closest to."""
    return ranking_response(for_you().rank(body["papers"], body.get("tag"), body.get("rank")))


@blp.get("/library/digest")
@requires_token
@blp.arguments(DigestArgs, location="query")
@blp.response(200, DigestResponse)
def digest(args: dict):
    """Papers that joined the corpus in the last `days` days, closest to the reading list first,
    each with its TL;DR; saved and dismissed papers are left out."""
    return ranking_response(for_you().digest(args["days"], args["k"], args.get("tag"), args["summaries"],
                                              args.get("rank")))


@blp.get("/library/digest/feed")
@requires_token
@blp.response(200, FeedStatusResponse)
def feed_status():
    """Whether the caller has a digest feed URL (the URL itself is shown only when made)."""
    created = for_you().feed_secret_created()
    return {"exists": created is not None, "created": created}


@blp.post("/library/digest/feed")
@requires_token
@blp.response(201, FeedUrlResponse)
def rotate_feed():
    """Make the caller's digest feed URL (shown once), voiding the previous one: subscribe a feed
    reader to it. It opens that feed and nothing else."""
    secret = for_you().create_feed_secret()
    # PAPERLENS_PUBLIC_URL or the bound address: a request's Host is whatever its sender wrote
    return {"url": services().settings.base_url + FEED_PATH + secret, "created": for_you().feed_secret_created()}


@blp.delete("/library/digest/feed")
@requires_token
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema, description="There is no feed URL")
def revoke_feed():
    """Void the caller's digest feed URL."""
    for_you().revoke_feed_secret()
    return None


_ATOM_DOC = {"responses": {"200": {"description": "An Atom 1.0 feed",
                                   "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
                           "404": {"description": "Unknown, rotated or revoked feed URL",
                                   "content": {"application/json": {"schema": ErrorSchema}}}}}


@blp.get("/digest/<secret>")
@public
@blp.arguments(DigestArgs, location="query")
@blp.doc(**_ATOM_DOC)
def feed(args: dict, secret: str):
    """The digest as an Atom feed, for feed readers. The secret in the URL (from `POST
    /library/digest/feed` or `paperlens token create NAME --feed`) is the only credential."""
    text = digest_feed(services().corpus, secret, args["days"], args["k"], args.get("tag"),
                       services().settings.base_url + "/")
    return current_app.response_class(text, mimetype="application/atom+xml")
