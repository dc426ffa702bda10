"""Who may call a route, declared on the route itself:

    @blp.get("/library")
    @requires_token
    @blp.arguments(...)

`@public`, `@requires_read`, `@requires_corpus_write`, `@requires_token` and `@requires_admin` record
the rule and the route's OpenAPI security; one check before each request enforces it, before any
argument is parsed, so a request without the right token gets 401 (403: a valid token that is not
an admin token on an admin route) whatever else is wrong with it. Tokens come only from the
`Authorization: Bearer` header, never from a URL.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass

from flask import Flask, current_app, g, request
from flask_smorest.utils import deepupdate

from ..domain.errors import StoreUnavailable
from ..domain.tokens import Caller
from ..services import services
from .errors import ApiError

BEARER = {"bearer": []}
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_401 = {"description": "No valid token in 'Authorization: Bearer <token>'", "content": _ERROR}
_403 = {"description": "The token is valid but not an admin token", "content": _ERROR}


@dataclass(frozen=True)
class Rule:
    name: str  # also the operation's `x-access` in the OpenAPI document
    doc: dict  # OpenAPI: security and the error answers the rule adds


PUBLIC = Rule("public", {"security": []})
READ = Rule("read", {"security": [{}, BEARER]})  # a token is needed unless the server binds to loopback
CORPUS_WRITE = Rule("corpus-write", {"security": [{}, BEARER]})
TOKEN = Rule("token", {"security": [BEARER], "responses": {"401": _401}})
ADMIN = Rule("admin", {"security": [BEARER], "responses": {"401": _401, "403": _403}})


def _declare(rule: Rule):
    def decorator(view):
        view._access = rule
        view._apidoc = deepcopy(getattr(view, "_apidoc", {}))
        view._apidoc["manual_doc"] = deepupdate(deepcopy(view._apidoc.get("manual_doc", {})),
                                                {**rule.doc, "x-access": rule.name})
        return view

    return decorator


public = _declare(PUBLIC)
requires_read = _declare(READ)
requires_corpus_write = _declare(CORPUS_WRITE)
requires_token = _declare(TOKEN)
requires_admin = _declare(ADMIN)


def rule_of(view) -> Rule | None:
    return getattr(view, "_access", None)


# -- enforcing --------------------------------------------------------------------------------------
def init_access(app: Flask) -> None:
    """Check each request against its route's rule. Registered after the rate limiter, so refused
    requests count against the caller's budget too."""
    app.before_request(_enforce)


def _enforce() -> None:
    if request.method != "OPTIONS":
        enforce(rule_of(current_app.view_functions.get(request.endpoint)))


def enforce(rule: Rule | None) -> None:
    """Raise the 401/403 `rule` calls for (a view calls this itself for a rule that depends on the
    body, e.g. POST /related with "save": true also needs corpus-write access)."""
    settings = services().settings
    if rule is READ:
        _read(settings.reads_need_token)
    elif rule is CORPUS_WRITE:
        _require(settings.corpus_writes_need_token)
    elif rule is TOKEN:
        _require(True)
    elif rule is ADMIN:
        if not _require(True).admin:
            raise ApiError(403, "This route needs an admin token (paperlens token create NAME --admin).")


def presented_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def caller() -> Caller | None:
    """The valid token this request presents (looked up once per request), or None."""
    if "caller" not in g:
        token = presented_token()
        g.caller = services().tokens.lookup(token) if token else None
        g.token_presented = token is not None
    return g.caller


def current_user() -> str | None:
    """The user whose reading list this request acts for: its token's user, None without one."""
    found = caller()
    return found.user if found else None


def _require(needed: bool) -> Caller | None:
    found = caller()
    if needed and found is None:
        message = "This route needs a valid token in 'Authorization: Bearer <token>'."
        if g.token_presented:
            message = "The token is not valid (unknown or revoked)."
        raise ApiError(401, message, headers={"WWW-Authenticate": 'Bearer realm="paperlens"'})
    return found


def _read(needed: bool) -> None:
    """While Redis is down an open read route still answers, anonymously, from the in-memory index.
    A token that is presented must be valid even where reads are open (RFC 6750's invalid_token):
    answering anonymously would hide from a client that its token is wrong or revoked."""
    try:
        found = _require(needed)
    except StoreUnavailable:
        if needed:
            raise
        g.caller = None
        return
    if found is None and g.token_presented:
        raise ApiError(401, "The token is not valid (unknown or revoked).",
                       headers={"WWW-Authenticate": 'Bearer realm="paperlens", error="invalid_token"'})
