"""A CPU budget for the routes whose cost grows with what a client sends: POST /library/rank,
POST /related/missing and POST /summarize. The request limit (limits.py) counts requests, but one
1 MB rank request costs 2-4 s of CPU, so 16 clients on two tokens, well inside 600 requests a
minute, held both cores and pushed everyone else's related p50 to 333-461 ms.

Each caller (a valid token's hash, else the client address, as for the request limit) has
PAPERLENS_COST_LIMIT milliseconds of CPU a minute on these routes, counted in the limiter's Redis so
every worker and node shares one count:
- before the route runs, the request is charged an estimate from its body size (ESTIMATE_MS_PER_KB),
  atomically, so many requests at once cannot all pass on one balance;
- after it ran, CPU it spent past that estimate (the thread's own CPU time) is charged too.
Over the budget: 429 with Retry-After, in the usual error format.
"""

from __future__ import annotations

import time

from flask import Flask, g, request
from flask_limiter import Limiter
from limits import parse

from .errors import error_response

COSTLY_ENDPOINTS = {"for_you.rank", "related.missing", "summaries.summarize_text"}
# a 1 MB listing of words the corpus does not know took 0.2-0.9 s of CPU to rank (2-4 s in issue 18's
# report): a low guess, so a normal request is not refused on it; what runs over it is charged after
ESTIMATE_MS_PER_KB = 0.5
NAMESPACE = "cpu"


def init_costs(app: Flask, limiter: Limiter, limit: str, key) -> None:
    item = parse(limit)

    def identity() -> tuple[str, str]:
        return NAMESPACE, key()

    def charge_the_estimate():
        if request.endpoint not in COSTLY_ENDPOINTS or request.method == "OPTIONS":
            return None
        who = identity()
        estimate = 1 + int((request.content_length or 0) / 1024 * ESTIMATE_MS_PER_KB)
        try:
            allowed = limiter.limiter.hit(item, *who, cost=min(estimate, item.amount))
        except Exception:  # Redis trouble: the route answers for itself, as with the request limit
            return None
        if not allowed:
            reset_at = limiter.limiter.get_window_stats(item, *who).reset_time
            retry = max(1, int(reset_at - time.time() + 0.999))
            return error_response(429, f"Too much work: one caller may use {limit} milliseconds of CPU on "
                                       f"ranking, bibliographies and summaries. Try again in {retry} s.",
                                  details={"limit": limit, "retry_after": retry},
                                  headers={"Retry-After": str(retry)})
        g.cost_charged = (who, estimate, time.thread_time())
        return None

    # first of the app's checks: a request over the budget costs no JSON scan or parse
    app.before_request_funcs.setdefault(None, []).insert(0, charge_the_estimate)

    @app.teardown_request
    def charge_the_rest(_exc):
        charged = g.pop("cost_charged", None)
        if charged is None:
            return
        who, estimate, started = charged
        spent = int((time.thread_time() - started) * 1000)
        if spent > estimate:
            try:
                limiter.limiter.hit(item, *who, cost=spent - estimate)
            except Exception:
                pass
