"""GET /health: is Redis reachable, how many papers are indexed, which corpus version is served."""

from __future__ import annotations

from flask_smorest import Blueprint

from .. import __version__
from ..schemas import HealthSchema
from ..services import services
from .access import public

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Server health")


@blp.get("/health")
@public
@blp.response(200, HealthSchema)
def health():
    return {**services().corpus.health(), "version": __version__}
