"""Who is calling: the bearer token in the Authorization header (never a URL parameter)."""

from __future__ import annotations

import redis
from flask import g, request

from ..services import services
from ..store.tokens import TokenStore
from .errors import ApiError

BEARER = {"bearer": []}


def presented_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_user(required: bool) -> str | None:
    """The caller's user name; raises 401 when `required` and the token is missing or invalid."""
    if "user" not in g:
        token = presented_token()
        svc = services()
        g.user = TokenStore(svc.redis, svc.keys).user_for(token) if token else None
        g.token_presented = token is not None
    if required and g.user is None:
        message = "This route needs a valid token in 'Authorization: Bearer <token>'."
        if g.token_presented:
            message = "The token is not valid (unknown or revoked)."
        raise ApiError(401, message, headers={"WWW-Authenticate": 'Bearer realm="paperlens"'})
    return g.user


def read_access() -> str | None:
    """Read routes are open on loopback and need a token elsewhere (PAPERLENS_PUBLIC_READ decides).
    While Redis is down an open read route still answers, anonymously, from the in-memory index."""
    required = services().settings.reads_need_token
    try:
        return current_user(required=required)
    except redis.RedisError:
        if required:
            raise
        g.user = None
        return None


def corpus_write_access() -> str | None:
    """Adding papers to the shared corpus needs a token unless the server binds to loopback."""
    return current_user(required=services().settings.corpus_writes_need_token)
