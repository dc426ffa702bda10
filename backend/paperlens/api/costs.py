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
And one caller runs one such request at a time (IN_FLIGHT_PER_CALLER, counted in the same Redis):
without that, eight at once from one token passed on the budget left and then held eight of the
workers' threads and both cores, and everyone else's requests queued behind them.
Over the budget, or with one already running: 429 with Retry-After, in the usual error format.
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
IN_FLIGHT_PER_CALLER = 1
IN_FLIGHT_SECONDS = 120  # a worker killed mid-request frees its caller's slot at most this late


def init_costs(app: Flask, limiter: Limiter, limit: str, key, in_flight_key) -> None:
    """`key()`: the caller's identity; `in_flight_key(identity)`: the Redis key counting its costly requests."""
    item = parse(limit)

    def identity() -> tuple[str, str]:
        return NAMESPACE, key()

    def running(who: tuple[str, str], change: int) -> int | None:
        try:
            return limiter.storage.incr(in_flight_key(who[1]), IN_FLIGHT_SECONDS, amount=change)
        except Exception:  # Redis trouble: the route answers for itself
            return None

    def too_much(message: str, retry: int):
        return error_response(429, message, details={"limit": limit, "retry_after": retry},
                              headers={"Retry-After": str(retry)})

    def charge_the_estimate():
        if request.endpoint not in COSTLY_ENDPOINTS or request.method == "OPTIONS":
            return None
        who = identity()
        now_running = running(who, 1)
        if now_running is not None and now_running > IN_FLIGHT_PER_CALLER:
            running(who, -1)
            return too_much("Too much work at once: one caller runs one ranking, bibliography or summary at a "
                            "time. Try again in 1 s.", 1)
        g.cost_running = who if now_running is not None else None
        estimate = 1 + int((request.content_length or 0) / 1024 * ESTIMATE_MS_PER_KB)
        try:
            allowed = limiter.limiter.hit(item, *who, cost=min(estimate, item.amount))
        except Exception:  # Redis trouble: the route answers for itself, as with the request limit
            return None
        if not allowed:
            reset_at = limiter.limiter.get_window_stats(item, *who).reset_time
            retry = max(1, int(reset_at - time.time() + 0.999))
            return too_much(f"Too much work: one caller may use {limit} milliseconds of CPU on ranking, "
                            f"bibliographies and summaries. Try again in {retry} s.", retry)
        g.cost_charged = (who, estimate, time.thread_time())
        return None

    # The request limit first, then this budget, then the app's other checks: a refused request
    # costs no JSON scan or parse, and requests refused here still count against the request limit.
    checks = app.before_request_funcs.setdefault(None, [])
    request_limit = [check for check in checks if getattr(check, "__self__", None) is limiter]
    checks[:] = request_limit + [charge_the_estimate] + [check for check in checks if check not in request_limit]

    @app.teardown_request
    def charge_the_rest(_exc):
        busy = g.pop("cost_running", None)
        if busy is not None:
            running(busy, -1)
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
