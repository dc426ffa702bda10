"""Rate limits per token (by the token's hash, never the token), else per client address, counted
in the same Redis as everything else so every worker and host shares one count.

The routes whose cost grows with the body also share a CPU budget per caller (costs.py).

Settings.rate_limit (PAPERLENS_RATE_LIMIT, default "600/minute", any `limits` string such as
"100/minute;2000/hour") applies to every API route but health and the OpenAPI document. Over the
limit: 429 in the usual error format, with Retry-After.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from ..domain.tokens import fingerprint
from ..services import services
from .access import caller, presented_token
from .costs import init_costs
from .errors import error_response

log = logging.getLogger(__name__)

EXEMPT_ENDPOINTS = {"health.health", "api-docs.openapi_json"}


def rate_key() -> str:
    """A valid token's hash, else the client address: an invalid token must not buy a fresh
    bucket per attempt."""
    token = presented_token()
    try:
        if token and caller():
            return "t:" + fingerprint(token)
    except Exception:  # Redis down: the request fails on its own; the limiter does not decide that
        pass
    return "a:" + (request.remote_addr or "unknown")


def init_limiter(app: Flask) -> Limiter:
    settings = services().settings
    # The limiter's own connections (one server, or every node of a Cluster), with the store's
    # timeouts and stall breaker
    storage = services().limiter_storage()
    limiter = Limiter(
        rate_key,
        app=app,
        application_limits=[settings.rate_limit],  # one budget across all routes, not one per route
        storage_uri=storage.uri,
        storage_options=storage.options,
        key_prefix=storage.key_prefix,
        # A fixed window is one counter per token and minute: the cheapest check (about 15% more
        # cached answers per second than a sliding-window counter; "moving-window" keeps a list
        # entry per request). Its cost: up to twice the limit across a window boundary.
        strategy="fixed-window",
        headers_enabled=False,  # it would send Retry-After on every answer; 429s carry their own
        swallow_errors=True,  # Redis trouble is answered by the routes (503), not by the limiter
        application_limits_exempt_when=lambda: request.endpoint in EXEMPT_ENDPOINTS or request.method == "OPTIONS",
    )

    init_costs(app, limiter, settings.cost_limit, rate_key, storage.in_flight_key)

    @app.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded):
        current = limiter.current_limit
        retry = max(1, int(current.reset_at - time.time())) if current else 60
        return error_response(429, f"Too many requests: the limit is {exc.description}. Try again in {retry} s.",
                              details={"limit": exc.description, "retry_after": retry},
                              headers={"Retry-After": str(retry)})

    return limiter

