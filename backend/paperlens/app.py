"""create_app(settings): Redis, the index, blueprints, CORS, security headers and JSON errors."""

from __future__ import annotations

import logging

from flask import Flask
from flask_cors import CORS

from . import __version__
from .api import connect, docs, feeds, for_you, health, library, papers, related, search, summaries
from .api.access import init_access
from .api.body_limits import apply_route_limit
from .api.errors import PaperlensApi, register_error_handlers
from .api.limits import init_limiter
from .api.nesting import refuse_deep_json
from .services import Services
from .settings import Settings

BLUEPRINTS = [health.blp, papers.blp, related.blp, search.blp, library.blp, for_you.blp, summaries.blp, connect.blp,
              feeds.blp]


def create_app(settings: Settings | None = None, *, redis_client=None) -> Flask:
    """`redis_client`: a client made elsewhere (tests); by default the store opens its own."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        API_TITLE="Paperlens",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False
    app.extensions["paperlens"] = Services.create(settings, redis_client)

    api = PaperlensApi(app, spec_kwargs={"info": {"description": "Related papers, summaries and reading lists."}})
    app.extensions["paperlens_api"] = api
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    app.register_blueprint(docs.blp)  # the reference page is not an operation of the API it shows
    register_error_handlers(app)
    app.before_request(refuse_deep_json)
    app.before_request(apply_route_limit)
    with app.app_context():
        init_limiter(app)
    init_access(app)  # after the limiter: refused requests count against the budget too

    # The extension's background worker is not subject to CORS; these origins are for pages of
    # the extension itself (and any web client the operator chooses to allow).
    CORS(app, resources={r"/api/*": {"origins": settings.cors_origins}}, allow_headers=["Authorization", "Content-Type"],
         max_age=600)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    logging.getLogger("paperlens").setLevel(logging.INFO)
    return app
