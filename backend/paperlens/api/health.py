"""GET /health: is Redis reachable, how many papers are indexed, which corpus version is served."""

from __future__ import annotations

from flask_smorest import Blueprint

from .. import __version__
from ..schemas import HealthSchema
from ..domain import StoreUnavailable
from ..services import services
from .access import public

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Server health")


@blp.get("/health")
@public
@blp.response(200, HealthSchema)
def health():
    svc = services()
    try:
        corpus_version = svc.papers.version()
        reachable = True
    except StoreUnavailable:
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
