"""How large a request body each route takes, in one table read by both layers: the HTTP server
(server/asgi.py) refuses a larger body as it arrives, before buffering it, and the app sets the same
limit on the request (Flask's max_content_length) for anything that reaches it another way (tests).

Every route takes PAPERLENS_MAX_BODY_BYTES (1 MB) unless it is listed here. The listed routes all
need a token, so a request without an Authorization header is held to the default: nobody can make
a worker buffer 16 MB without at least claiming to be someone.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from ..schemas.limits import MAX_IMPORT_BYTES
from .nesting import refuse_deep_json

MB = 1024 * 1024
ROUTE_LIMITS = {
    "library.import_library": MAX_IMPORT_BYTES,  # a whole Zotero library, abstracts included
    "related.missing": 4 * MB,  # a thesis's .bib with abstracts
}


def limit_for(endpoint: str | None, default: int, has_credentials: bool) -> int:
    if not has_credentials:
        return default
    return max(default, ROUTE_LIMITS.get(endpoint or "", default))


def endpoint_of(app: Flask, method: str, path: str) -> str | None:
    """The endpoint a request would reach, matched as Flask will match it (None: no route)."""
    try:
        endpoint, _ = app.url_map.bind("", path_info=path).match(path, method)
    except HTTPException:
        return None
    except Exception:  # a path the router cannot even read: the app answers it
        return None
    return endpoint


def apply_route_limit() -> None:
    """before_request: the route's own limit, then the nesting check (which skipped a body over the
    app's default limit)."""
    limit = ROUTE_LIMITS.get(request.endpoint or "")
    if limit is not None and request.headers.get("Authorization"):
        request.max_content_length = max(limit, request.max_content_length or 0)
        refuse_deep_json()
