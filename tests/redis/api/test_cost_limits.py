"""The CPU budget of the routes whose cost grows with the body (issue 18, finding 11): /library/rank,
/related/missing and /summarize charge each caller an estimate from the body before they run and
the CPU they spent past it after, so a few large requests, well inside the request limit, cannot
hold the cores for everyone else."""

from __future__ import annotations


from paperlens.api.costs import COSTLY_ENDPOINTS
from paperlens.settings import Settings

from .test_tokens_auth import app_with

TEXT = " ".join(f"Sentence {n} says attention and recurrence differ in cost." for n in range(1500))  # ~80 KB


def test_the_cpu_budget_answers_429_with_retry_after_per_caller(settings, store, make_token):
    # 80 KB of text is estimated at about 41 ms (0.5 ms a KB): two fit in 100 ms, a third never does
    client = app_with(settings, store, cost_limit="100/minute")
    alice = {"Authorization": f"Bearer {make_token('alice')}"}
    answers = [client.post("/api/v1/summarize", json={"text": TEXT}, headers=alice) for _ in range(3)]
    assert [r.status_code for r in answers[:1]] == [200]
    refused = answers[-1]
    assert refused.status_code == 429, [r.status_code for r in answers]
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited" and error["details"]["limit"] == "100/minute"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # the budget is shared by the costly routes, not by the rest of the API
    assert client.post("/api/v1/library/rank", json={"papers": [{"title": "x"}]}, headers=alice).status_code == 429
    assert client.get("/api/v1/library", headers=alice).status_code == 200
    # another token has its own budget, and so does an address without a token
    bob = {"Authorization": f"Bearer {make_token('bob')}"}
    assert client.post("/api/v1/summarize", json={"text": TEXT}, headers=bob).status_code == 200
    assert client.post("/api/v1/summarize", json={"text": TEXT}).status_code == 200


def test_cpu_spent_past_the_estimate_is_charged_after(settings, store, make_token, monkeypatch):
    """The estimate from the body is low on purpose; what a request spends past it is charged after
    it ran (here the estimate is made 1 ms, and summarising 80 KB takes far more)."""
    from limits import parse

    from paperlens.api import costs

    monkeypatch.setattr(costs, "ESTIMATE_MS_PER_KB", 0.0)
    client = app_with(settings, store, cost_limit="60000/minute")
    alice = {"Authorization": f"Bearer {make_token('alice')}"}
    limiter = next(iter(client.application.extensions["limiter"]))
    item = parse("60000/minute")
    before = limiter.limiter.get_window_stats(item, "cpu", _key(client, alice)).remaining
    assert client.post("/api/v1/summarize", json={"text": TEXT}, headers=alice).status_code == 200
    charged = before - limiter.limiter.get_window_stats(item, "cpu", _key(client, alice)).remaining
    assert charged >= 5, f"charged {charged} ms"


def _key(client, headers) -> str:
    from paperlens.api.limits import rate_key

    with client.application.test_request_context(headers=headers):
        return rate_key()


def test_the_costly_endpoints_are_the_three_routes(app):
    """The budget names endpoints: a renamed view function must not drop out of it unnoticed."""
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert {rules.get(endpoint) for endpoint in COSTLY_ENDPOINTS} == {"/api/v1/library/rank", "/api/v1/related/missing",
                                                                       "/api/v1/summarize"}


def test_the_cost_limit_comes_from_the_environment():
    assert Settings.from_env({"PAPERLENS_COST_LIMIT": "5000/minute"}).cost_limit == "5000/minute"


def test_one_caller_runs_one_costly_request_at_a_time(settings, store, make_token):
    """Eight at once from one token all passed on the budget left, then held eight of the workers'
    threads: a caller with one costly request running gets a 429 for the next, at once."""
    client = app_with(settings, store, cost_limit="60000/minute")
    alice = {"Authorization": f"Bearer {make_token('alice')}"}
    limiter = next(iter(client.application.extensions["limiter"]))
    running = f"{settings.key_prefix}:ratelimit/cpu-running/{_key(client, alice)}"
    limiter.storage.incr(running, 120)  # as if one of alice's requests were running in another worker
    refused = client.post("/api/v1/summarize", json={"text": TEXT}, headers=alice)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    bob = {"Authorization": f"Bearer {make_token('bob')}"}
    assert client.post("/api/v1/summarize", json={"text": TEXT}, headers=bob).status_code == 200
    limiter.storage.incr(running, 120, amount=-1)  # it finished
    assert client.post("/api/v1/summarize", json={"text": TEXT}, headers=alice).status_code == 200
    assert limiter.storage.get(running) == 0, "a finished request frees its caller's slot"
