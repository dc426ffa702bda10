"""The digest: papers that joined the corpus in a window, ranked by the reading list; its Atom feed
behind a feed-only secret URL; `paperlens digest` and `paperlens token create NAME --feed`."""

from __future__ import annotations

import feedparser
import pytest
from click.testing import CliRunner

from paperlens.cli import main
from paperlens.corpus.paper import Paper

from tests.corpus import demo_papers
from tests.servers import redis_client

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster

DAY = 24 * 3600
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z, the time "now" in these tests


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def paper(n: int, topic: str = "diffusion distillation", **fields) -> Paper:
    return Paper(title=f"{topic.title()} study {n}", abstract=f"We study {topic} in setting {n}. "
                 f"Our {topic} method improves results.", arxiv_id=f"2999.{n:05d}", **fields)


@pytest.fixture
def papers_store(app):
    return app.extensions["paperlens"].store.papers


def add_at(papers_store, when: float, *papers: Paper) -> None:
    papers_store.clock = lambda: when
    list(papers_store.add_many(papers))


def digest(client, headers, query="days=1&k=20"):
    r = client.get(f"/api/v1/library/digest?{query}", headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@pytest.fixture
def alice(client, make_token):
    return auth(make_token("alice"))


def test_the_window_holds_exactly_the_papers_that_joined_in_the_last_days(client, alice, papers_store):
    add_at(papers_store, T0 - 2 * DAY - 0.001, paper(1))  # just over two days ago
    add_at(papers_store, T0 - 2 * DAY, paper(2))  # exactly two days ago
    add_at(papers_store, T0 - DAY - 0.001, paper(3))
    add_at(papers_store, T0 - DAY, paper(4))  # exactly one day ago: the window's first instant
    add_at(papers_store, T0, paper(5))  # now
    add_at(papers_store, T0 + 0.001, paper(6))  # after the request's "now": not yet
    papers_store.clock = lambda: T0
    one = digest(client, alice, "days=1")
    assert {r["id"] for r in one["results"]} == {"arxiv:2999.00004", "arxiv:2999.00005"}
    assert one["new_papers"] == 2
    assert one["since"] == "2025-12-31T00:00:00Z" and one["until"] == "2026-01-01T00:00:00Z"
    two = digest(client, alice, "days=2")
    assert {r["id"] for r in two["results"]} == {f"arxiv:2999.{n:05d}" for n in (2, 3, 4, 5)}
    joined = {r["id"]: r["joined_at"] for r in two["results"]}
    assert joined["arxiv:2999.00002"] == "2025-12-30T00:00:00Z"


def test_a_paper_joins_once_and_a_later_merge_keeps_its_time(client, alice, papers_store):
    add_at(papers_store, T0 - 3 * DAY, paper(1))
    add_at(papers_store, T0, Paper(title="Diffusion Distillation Study 1", abstract="A longer abstract now. " * 5,
                                   arxiv_id="2999.00001"))
    papers_store.clock = lambda: T0
    assert digest(client, alice, "days=1")["results"] == []
    assert [r["id"] for r in digest(client, alice, "days=4")["results"]] == ["arxiv:2999.00001"]


def test_papers_stored_before_join_times_were_kept_are_simply_not_in_any_digest(client, alice, papers_store, settings):
    add_at(papers_store, T0, paper(1), paper(2))
    redis_client(settings.redis_url).zrem(f"{settings.key_prefix}:{{corpus}}:joined", "arxiv:2999.00001")
    papers_store.clock = lambda: T0
    assert [r["id"] for r in digest(client, alice)["results"]] == ["arxiv:2999.00002"]


def test_the_digest_is_ranked_by_the_list_and_leaves_out_saved_and_dismissed_papers(client, alice, papers_store):
    add_at(papers_store, T0 - 10 * DAY, paper(1), paper(2), paper(3, "protein folding"))
    add_at(papers_store, T0 - 3600, paper(10), paper(11), paper(12, "protein folding"), paper(13, "graph coloring"),
           paper(14, "graph coloring"))
    papers_store.clock = lambda: T0
    empty = digest(client, alice)
    assert empty["based_on"] == 0 and len(empty["results"]) == 5
    for paper_id in ("arxiv:2999.00001", "arxiv:2999.00002", "arxiv:2999.00010"):
        assert client.put(f"/api/v1/library/{paper_id}", headers=alice).status_code == 201
    assert client.post("/api/v1/library/arxiv:2999.00014/dismiss", headers=alice).status_code == 200
    body = digest(client, alice)
    ids = [r["id"] for r in body["results"]]
    assert body["based_on"] == 3 and body["dismissed"] == 1 and body["new_papers"] == 5
    assert ids[0] == "arxiv:2999.00011" and set(ids) == {"arxiv:2999.00011", "arxiv:2999.00012", "arxiv:2999.00013"}
    first = body["results"][0]
    assert first["score"] > body["results"][1]["score"]
    assert first["tldr"] and first["because"] and first["saved"] is False and first["saveable"] is True
    assert {b["id"] for b in first["because"]} <= {"arxiv:2999.00001", "arxiv:2999.00002", "arxiv:2999.00010"}
    assert first["url"] == "https://arxiv.org/abs/2999.00011"
    assert [r["id"] for r in digest(client, alice, "k=1")["results"]] == ["arxiv:2999.00011"]


def test_a_large_window_is_narrowed_by_the_list_and_still_finds_the_closest_papers(client, alice, papers_store,
                                                                                   monkeypatch):
    import paperlens.domain.for_you as for_you

    monkeypatch.setattr(for_you, "DIGEST_SCORED", 5)
    add_at(papers_store, T0 - 3600, *demo_papers(), paper(1), paper(2))
    add_at(papers_store, T0 - 10 * DAY, paper(3))
    client.put("/api/v1/library/arxiv:2999.00003", headers=alice)
    papers_store.clock = lambda: T0
    body = digest(client, alice, "k=2")
    assert body["new_papers"] == 87
    assert [r["id"] for r in body["results"]] == ["arxiv:2999.00001", "arxiv:2999.00002"]


@pytest.mark.parametrize("query", ["days=0", "days=31", "days=x", "k=0", "k=101", "tag=a,b", "summaries=all",
                                   "days=" + "9" * 5000])
def test_bad_digest_arguments_are_422(client, alice, query):
    r = client.get(f"/api/v1/library/digest?{query}", headers=alice)
    assert r.status_code == 422, r.get_json()


# -- the Atom feed ------------------------------------------------------------------------------------
def feed_path(client, headers) -> str:
    r = client.post("/api/v1/library/digest/feed", headers=headers)
    assert r.status_code == 201, r.get_json()
    url = r.get_json()["url"]
    assert url.startswith("http://127.0.0.1:8420/api/v1/digest/plf_")  # the bound address (settings)
    return url.removeprefix("http://127.0.0.1:8420")


def test_the_feed_url_never_comes_from_the_request_host(settings, redis_url, alice):
    """Issue 18 finding 13: `Host: evil.example` made the feed URL http://evil.example/..."""
    from paperlens.app import create_app

    settings.public_url = "https://papers.example.org/"
    client = create_app(settings).test_client()
    r = client.post("/api/v1/library/digest/feed", headers={**alice, "Host": "evil.example"})
    assert r.status_code == 201, r.get_json()
    url = r.get_json()["url"]
    assert url.startswith("https://papers.example.org/api/v1/digest/plf_"), url
    feed = client.get(url.removeprefix("https://papers.example.org"), headers={"Host": "evil.example"}).get_data()
    assert b"evil.example" not in feed and b"https://papers.example.org/" in feed


def test_the_feed_is_valid_atom_with_the_digests_papers(client, alice, papers_store):
    hostile = Paper(title="Diffusion \x01distillation\x0b <b>&amp; \"quotes\" \ufffe]]>",
                    abstract="Control \x00characters\x1f and <script>alert(1)</script> in diffusion distillation.",
                    arxiv_id="2999.00099", published="2025-12")
    add_at(papers_store, T0 - 3600, paper(10), paper(11, "protein folding"), hostile)
    add_at(papers_store, T0 - 10 * DAY, paper(1))
    client.put("/api/v1/library/arxiv:2999.00001", headers=alice)
    papers_store.clock = lambda: T0
    path = feed_path(client, alice)
    r = client.get(path)
    assert r.status_code == 200 and r.content_type == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(r.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    expected = digest(client, alice)["results"]
    assert [e.id.removeprefix("urn:paperlens:paper:") for e in parsed.entries] == [x["id"] for x in expected]
    entry = next(e for e in parsed.entries if e.id.endswith("2999.00099"))
    assert "\x01" not in entry.title and "<b>&amp;" in entry.title, "text, escaped, never markup"
    assert entry.link == "https://arxiv.org/abs/2999.00099" and entry.published.startswith("2025-12-01")
    assert "Score" in entry.summary and "Close to:" in entry.summary
    assert parsed.feed.title and parsed.feed.updated == "2026-01-01T00:00:00Z"
    assert feedparser.parse(client.get(path + "?days=30&k=1").get_data()).entries[0].id == parsed.entries[0].id


def test_the_feed_secret_opens_the_feed_and_nothing_else(client, alice, settings):
    path = feed_path(client, alice)
    secret = path.rsplit("/", 1)[1]
    as_bearer = auth(secret)
    for method, url, body in [("get", "/api/v1/library", None), ("get", "/api/v1/library/digest", None),
                              ("post", "/api/v1/library/rank", {"papers": [{"id": "arxiv:2999.00001"}]}),
                              ("post", "/api/v1/library/digest/feed", None), ("get", "/api/v1/library/export", None),
                              ("post", "/api/v1/related/missing", {"title": "x", "bibliography": []}),
                              ("get", "/api/v1/feeds", None)]:
        r = getattr(client, method)(url, json=body, headers=as_bearer)
        assert r.status_code == 401, (url, r.status_code)
    assert client.get(f"/api/v1/papers/{secret}").status_code == 404
    # stored hashed: the secret itself is nowhere in Redis
    r = redis_client(settings.redis_url)
    for key in r.scan_iter(f"{settings.key_prefix}:*"):
        assert secret not in key
        if r.type(key) == "string":
            assert secret not in (r.get(key) or "")
        elif r.type(key) == "hash":
            assert secret not in str(r.hgetall(key))


def test_a_bearer_token_is_not_accepted_in_the_feed_url(client, make_token):
    token = make_token("bob", admin=True)
    assert client.get(f"/api/v1/digest/{token}").status_code == 404
    assert client.get(f"/api/v1/digest/{token}", headers=auth(token)).status_code == 404


def test_rotating_or_revoking_the_feed_url_voids_the_old_one(client, alice):
    first = feed_path(client, alice)
    assert client.get("/api/v1/library/digest/feed", headers=alice).get_json()["exists"] is True
    second = feed_path(client, alice)
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    assert client.delete("/api/v1/library/digest/feed", headers=alice).status_code == 204
    assert client.get(second).status_code == 404
    assert client.get("/api/v1/library/digest/feed", headers=alice).get_json() == {"exists": False, "created": None}
    assert client.delete("/api/v1/library/digest/feed", headers=alice).status_code == 404


def test_each_users_feed_url_serves_that_users_digest(client, alice, make_token, papers_store):
    bob = auth(make_token("bob"))
    add_at(papers_store, T0 - 3600, paper(10), paper(11, "protein folding"), paper(12, "graph coloring"))
    add_at(papers_store, T0 - 10 * DAY, paper(1), paper(2, "protein folding"))
    client.put("/api/v1/library/arxiv:2999.00001", headers=alice)
    client.put("/api/v1/library/arxiv:2999.00002", headers=bob)
    papers_store.clock = lambda: T0
    firsts = [feedparser.parse(client.get(feed_path(client, who)).get_data()).entries[0].id for who in (alice, bob)]
    assert firsts == ["urn:paperlens:paper:arxiv:2999.00010", "urn:paperlens:paper:arxiv:2999.00011"]


@pytest.mark.parametrize("secret", ["plf_" + "a" * 5000, "plf_", "%00", "plf_../../library", "x" * 100])
def test_odd_feed_urls_are_404(client, alice, secret):
    feed_path(client, alice)
    r = client.get(f"/api/v1/digest/{secret}")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


# -- the commands ---------------------------------------------------------------------------------------
def test_token_create_feed_prints_a_feed_url_and_revoke_voids_it(cli_env, client):
    runner = CliRunner()
    made = runner.invoke(main, ["token", "create", "carol", "--feed"])
    assert made.exit_code == 0, made.output
    url = made.stdout.strip()
    assert url.startswith("http://127.0.0.1:8420/api/v1/digest/plf_")
    path = url.removeprefix("http://127.0.0.1:8420")
    assert not feedparser.parse(client.get(path).get_data()).bozo
    assert runner.invoke(main, ["token", "create", "carol", "--feed", "--admin"]).exit_code != 0
    revoked = runner.invoke(main, ["token", "revoke", "carol", "--feed"])
    assert revoked.exit_code == 0 and client.get(path).status_code == 404
    assert runner.invoke(main, ["token", "revoke", "carol", "--feed"]).exit_code != 0


def test_the_digest_command_prints_the_ranked_papers(cli_env, client, alice, papers_store):
    add_at(papers_store, T0 - 10 * DAY, paper(1))
    client.put("/api/v1/library/arxiv:2999.00001", headers=alice)
    import time

    add_at(papers_store, time.time() - 60, paper(10), paper(11, "protein folding"))
    result = CliRunner().invoke(main, ["digest", "--user", "alice", "--days", "1"])
    assert result.exit_code == 0, result.output
    assert "2 papers joined the corpus" in result.output and "ranked by 1 saved paper\n" in result.output
    lines = result.output.splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith(" 1. ["))
    assert "Diffusion Distillation study 10" in lines[first] and "https://arxiv.org/abs/2999.00010" in lines[first + 1]
    assert "Close to: Diffusion Distillation study 1." in result.output
