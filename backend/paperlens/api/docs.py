"""GET /api/v1/docs: an API reference to browse and try, Swagger UI over /api/v1/openapi.json.

Swagger UI's files come from the swagger-ui-bundle package and are served from here, so the page
works offline and loads nothing from elsewhere (its Content-Security-Policy allows only this
server's scripts and styles)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from .access import public

blp = Blueprint("docs", __name__, url_prefix="/api/v1")

PAGE = Path(__file__).parent / "docs_page"
SWAGGER_FILES = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"}
# Swagger UI sets inline styles and uses data: images for its icons; scripts only from here.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


@blp.get("/docs")
@public
def reference_page():
    response = Response((PAGE / "index.html").read_text(encoding="utf-8"), mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    return response


@blp.get("/docs/<name>")
@public
def reference_file(name: str):
    if name == "start.js":
        return send_from_directory(PAGE, name, max_age=3600)
    if name not in SWAGGER_FILES:
        abort(404)
    return send_from_directory(swagger_ui_path, name, max_age=86400)
