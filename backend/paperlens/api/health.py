"""GET /health: is Redis reachable, how many papers are indexed, which corpus version is served."""

from __future__ import annotations

import redis
from flask_smorest import Blueprint

from .. import __version__
from ..schemas import HealthSchema
from ..services import services

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Server health")


@blp.get("/health")
@blp.response(200, HealthSchema)
def health():
    svc = services()
    try:
        corpus_version = svc.papers.version()
        reachable = True
    except redis.RedisError:
        corpus_version, reachable = None, False
    view = svc.index.view()
    return {
        "status": "ok" if reachable else "degraded",
        "redis": reachable,
        "papers": view.index.n_docs,
        "corpus_version": corpus_version,
        "index_version": view.version,
        "version": __version__,
    }
