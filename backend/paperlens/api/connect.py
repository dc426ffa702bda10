"""Connecting the browser extension to this server: GET /connect is the page the one-click link
opens (no scripts; the extension's content script reads the code from the link's fragment), and
POST /api/v1/connect trades a one-time code for a token, for the extension only.

Why a web page gets nothing here: the code travels in a POST body, never in a URL; it is shown
only in the serving user's terminal; and the exchange answers only requests whose Origin is a
browser extension (a page cannot forge its Origin), so a page that learned a code still cannot
use it. See docs/extension.md for the whole threat model.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Response, request
from flask_smorest import Blueprint

from ..domain.pairing import PairingRefused
from ..schemas import ConnectRequest, ConnectResponse
from ..services import services
from .access import public
from .errors import ApiError, ErrorSchema

blp = Blueprint("connect", __name__, description="Connecting the browser extension")

EXTENSION_ORIGIN = re.compile(r"^(chrome-extension|moz-extension)://[A-Za-z0-9-]{1,64}$")

REFUSED = {
    "wrong": (403, "That connect code is not valid: check it, or run `paperlens connect` for a new one."),
    "expired": (403, "That connect code has expired: run `paperlens connect` for a new one."),
    "limited": (429, "Too many wrong connect codes from this client: wait up to 10 minutes and try again. "
                     "Codes stay valid meanwhile."),
    "busy": (429, "Too many wrong connect codes from many clients: wait up to 10 minutes, or run "
                  "`paperlens connect` for a new code. Codes stay valid meanwhile."),
}


@blp.post("/api/v1/connect")
@public
@blp.arguments(ConnectRequest)
@blp.response(201, ConnectResponse)
@blp.alt_response(403, schema=ErrorSchema, description="Not from an extension, or a wrong or expired code")
@blp.alt_response(429, schema=ErrorSchema, description="Too many wrong codes from this client (or from all) in "
                                                         "the last minutes; no code is voided")
def connect(body: dict):
    """Trade a one-time code from `paperlens connect` (or the link `paperlens serve` prints) for a
    token of the browser extension's own. Only a browser extension may call this: requests whose
    Origin is not chrome-extension:// or moz-extension:// are refused before the code is looked at."""
    if not EXTENSION_ORIGIN.match(request.headers.get("Origin", "")):
        raise ApiError(403, "Connect codes are accepted only from the Paperlens browser extension.")
    try:
        # Wrong codes count against who asks: its address and its Origin (each extension has its own).
        caller = f"{request.remote_addr or 'unknown'} {request.headers['Origin']}"
        paired = services().pairing.pair(body["code"], body["client"], caller)
    except PairingRefused as refused:
        status, message = REFUSED[refused.outcome]
        raise ApiError(status, message) from None
    return {"token": paired.token, "user": paired.user, "name": paired.name}, 201


_STYLE = ("body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;color-scheme:light dark}"
          "#status{font-weight:600}")
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="paperlens-connect" content="1">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connect Paperlens</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Connect the Paperlens extension</h1>
<p id="status">If the Paperlens extension is installed, it connects to this server now.</p>
<p>Nothing happens? Install the extension and open the link again, or type the code printed beside
the link into the extension's options. A code works once, for a few minutes; <code>paperlens connect</code>
prints a fresh one.</p>
</body>
</html>
"""


@blp.get("/connect")
@public
@blp.doc(responses={"200": {"description": "The page the one-click link opens (HTML, no scripts)",
                            "content": {"text/html": {"schema": {"type": "string"}}}}})
def connect_page():
    """The page `paperlens serve`'s one-click link opens; the code stays in the link's fragment,
    which browsers never send to a server."""
    response = Response(_PAGE, mimetype="text/html")
    # No script may run here at all; the one inline style is allowed by its hash.
    response.headers["Content-Security-Policy"] = (f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; "
                                                   "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return response
