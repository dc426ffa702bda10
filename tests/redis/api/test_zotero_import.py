"""Reading a Zotero library into the reading list (POST /library/import/zotero and `paperlens
import zotero`), against tests/fakes/zotero.py: the local API and the web API as Zotero's source
and docs describe them (paging by start/limit with Total-Results and Link; the web key in a header)."""

from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner

from paperlens.app import create_app
from paperlens.cli import main
from paperlens.corpus.paper import Paper
from paperlens.sync.zotero_reader import ReadLimits, ZoteroError, ZoteroLibrary, read_items

from tests.corpus import demo_papers
from tests.fakes.zotero import FakeZotero, zotero_item




# Corpus papers with ids, beside the demo corpus (whose papers have titles only).
WITH_IDS = [Paper(title="Attention Is All You Need", abstract="The Transformer, based solely on attention.",
                  arxiv_id="1706.03762", published="2017-06-12"),
            Paper(title="Denoising Diffusion Probabilistic Models", abstract="Diffusion models of images.",
                  arxiv_id="2006.11239", published="2020-06-19"),
            Paper(title="Illuminating protein space with a programmable generative model",
                  abstract="Chroma generates proteins.", doi="10.1101/2022.12.09.519842", published="2022-12-10")]


def corpus() -> list[Paper]:
    return [*WITH_IDS, *demo_papers()]


def library_of(papers) -> list[dict]:
    """A Zotero library of 250 items (three pages of 100): 4 corpus papers found by a versioned
    arXiv id, by title (in other capitals), by arXiv's DataCite DOI and by a DOI; 239 papers the
    corpus lacks; 3 without a title; 2 notes and 2 attachments."""
    first, second, third, fourth = WITH_IDS[0], demo_papers()[1], WITH_IDS[1], WITH_IDS[2]
    items = [
        zotero_item("A title Zotero spells its own way", archiveID=f"arXiv:{first.arxiv_id}v2",
                    creators=[{"creatorType": "author", "firstName": "Ada", "lastName": "Lovelace"}],
                    tags=["diffusion", "to read"], parsedDate="2025-01"),
        zotero_item(second.title.upper(), itemType="journalArticle", tags=["Reading group, week 3"]),
        zotero_item("x", DOI=f"10.48550/arXiv.{third.arxiv_id}", url=f"https://arxiv.org/abs/{third.arxiv_id}",
                    tags=["seen"]),
        zotero_item("Chroma (preprint)", DOI=fourth.doi.upper(), tags=["proteins"]),
    ]
    for n in range(239):
        items.append(zotero_item(f"Zotero-only study number {n} of tidal marsh sediments",
                                 itemType="journalArticle", DOI=f"10.5555/marsh.{n}", abstractNote="Marshes.",
                                 date="March 2019", parsedDate="2019-03", tags=["marsh"],
                                 creators=[{"creatorType": "author", "name": f"Marsh Group {n}"},
                                           {"creatorType": "editor", "firstName": "E", "lastName": "Ditor"}]))
    items += [zotero_item(None), zotero_item(""), zotero_item("   ")]
    items += [zotero_item(None, itemType="note", note="<p>hi</p>"), zotero_item(None, itemType="note"),
              zotero_item("paper.pdf", itemType="attachment"), zotero_item("snapshot", itemType="attachment")]
    return items


@pytest.fixture
def fake_local():
    fake = FakeZotero(library_of(demo_papers())).start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_web():
    fake = FakeZotero(library_of(demo_papers()), web_key="P9NiFoyLeZu2bZNvvuQPDWsd", user="475425").start()
    yield fake
    fake.stop()


@pytest.fixture
def zotero_client(settings, store, fake_local, fake_web):
    """The app with the demo corpus, its Zotero base URLs at the fakes."""
    list(store.add_many(corpus()))
    app = create_app(dataclasses.replace(settings, zotero_local_url=f"{fake_local.url}/api",
                                         zotero_web_url=fake_web.url))
    app.config["TESTING"] = True
    return app.test_client()


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_local_zotero_library_joins_the_reading_list_with_its_tags(zotero_client, make_token, fake_local):
    alice = auth(make_token("alice"))
    r = zotero_client.post("/api/v1/library/import/zotero", json={"source": "local"}, headers=alice)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["summary"] == ("read 250 items: 243 saved, 0 already saved, 4 skipped (notes and attachments), "
                               "3 skipped (no title)")
    assert (body["read"], body["saved"], body["matched"], body["added"]) == (250, 243, 4, 239)
    # Three pages of 100, asked by start/limit on the local API's own path.
    pages = [q["path"] for q in fake_local.requests]
    assert pages == [f"/api/users/0/items/top?format=json&start={s}&limit=100" for s in (0, 100, 200)]
    listed = zotero_client.get("/api/v1/library?per_page=200&q=marsh", headers=alice).get_json()
    assert listed["total"] == 239
    entry = {it["paper"]["id"]: it for it in
             zotero_client.get("/api/v1/library?per_page=200&sort=title", headers=alice).get_json()["items"]}
    assert entry["arxiv:1706.03762"]["tags"] == ["diffusion", "to read"], "matched by arXiv id (versioned), tags kept"
    assert entry["arxiv:1706.03762"]["paper"]["title"] == WITH_IDS[0].title, "the corpus's record, not Zotero's"
    assert entry[demo_papers()[1].id]["tags"] == ["Reading group week 3"], "matched by title; commas leave a tag"
    assert entry["arxiv:2006.11239"]["tags"] == ["seen"], "matched by arXiv's DataCite DOI"
    assert entry["doi:10.1101/2022.12.09.519842"]["tags"] == ["proteins"], "matched by DOI, in any capitals"
    marsh = zotero_client.get("/api/v1/papers/doi:10.5555/marsh.7").get_json()
    assert marsh["authors"] == ["Marsh Group 7"] and marsh["published"] == "2019-03"


def test_importing_again_saves_nothing_twice(zotero_client, make_token):
    bob = auth(make_token("bob"))
    first = zotero_client.post("/api/v1/library/import/zotero", json={"source": "local"}, headers=bob).get_json()
    again = zotero_client.post("/api/v1/library/import/zotero", json={"source": "local"}, headers=bob).get_json()
    assert first["saved"] == 243
    assert again["summary"].startswith("read 250 items: 0 saved, 243 already saved")
    assert again["matched"] == 243 and again["added"] == 0
    assert zotero_client.get("/api/v1/library?per_page=1", headers=bob).get_json()["total"] == 243


def test_the_web_api_gets_the_key_in_a_header_never_in_a_url(zotero_client, make_token, fake_web):
    carol = auth(make_token("carol"))
    r = zotero_client.post("/api/v1/library/import/zotero", headers=carol,
                           json={"source": "web", "user_id": "475425", "api_key": "P9NiFoyLeZu2bZNvvuQPDWsd"})
    assert r.status_code == 200 and r.get_json()["saved"] == 243
    assert all("P9NiFoyLeZu2bZNvvuQPDWsd" not in q["path"] for q in fake_web.requests)
    assert all(q["headers"].get("Zotero-API-Key") == "P9NiFoyLeZu2bZNvvuQPDWsd" for q in fake_web.requests)
    assert fake_web.requests[0]["path"].startswith("/users/475425/items/top?")
    wrong = zotero_client.post("/api/v1/library/import/zotero", headers=carol,
                               json={"source": "web", "user_id": "475425", "api_key": "wrongkey"})
    assert wrong.status_code == 503 and "API key" in wrong.get_json()["error"]["message"]
    assert "wrongkey" not in wrong.get_data(as_text=True)


@pytest.mark.parametrize("body, status", [
    ({}, 422), ({"source": "ftp"}, 422), ({"source": "web"}, 422),
    ({"source": "web", "user_id": "1 OR 1", "api_key": "k"}, 422),
    ({"source": "web", "user_id": "1", "api_key": "k/../../x"}, 422),
    ({"source": "local", "base": "http://evil.example"}, 422),
    ({"source": "local", "user_id": "9" * 5000}, 422),
])
def test_bad_requests_get_a_clear_error(zotero_client, make_token, body, status):
    r = zotero_client.post("/api/v1/library/import/zotero", json=body, headers=auth(make_token("dave")))
    assert r.status_code == status and r.get_json()["error"]["code"]


def test_no_token_is_401_and_deep_json_is_400(zotero_client, make_token):
    assert zotero_client.post("/api/v1/library/import/zotero", json={"source": "local"}).status_code == 401
    deep = "[" * 100_000 + "]" * 100_000
    r = zotero_client.post("/api/v1/library/import/zotero", data=deep, content_type="application/json",
                           headers=auth(make_token("erin")))
    assert r.status_code in (400, 413) and r.get_json()["error"]


def test_zotero_not_running_is_503_and_says_so(settings, store, make_token):
    app = create_app(dataclasses.replace(settings, zotero_local_url="http://127.0.0.1:9/api"))
    r = app.test_client().post("/api/v1/library/import/zotero", json={"source": "local"},
                               headers=auth(make_token("fay")))
    assert r.status_code == 503 and "running" in r.get_json()["error"]["message"]


def test_hostile_items_are_clipped_or_skipped_never_a_500(settings, store, make_token):
    huge = "w" * 3_000_000
    items = [zotero_item(huge, abstractNote=huge, tags=["t" * 5000, *[f"tag{n}" for n in range(500)]]),
             zotero_item("Fine paper about hostile inputs", creators=[{"creatorType": "author", "name": "n" * 1000}] * 3000,
                         DOI="10.1/" + "d" * 5000, url="javascript:alert(1)", extra="arXiv: " + "9" * 100_000),
             {"data": "not an object"}, 17, None, {"data": {"title": ["a", "list"]}}]
    fake = FakeZotero(items).start()
    try:
        app = create_app(dataclasses.replace(settings, zotero_local_url=f"{fake.url}/api"))
        r = app.test_client().post("/api/v1/library/import/zotero", json={"source": "local"},
                                   headers=auth(make_token("gus")))
    finally:
        fake.stop()
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    body = r.get_json()
    assert body["read"] == 6 and body["saved"] + sum(s["count"] for s in body["skipped"]) == 6
    assert body["saved"] >= 1


def test_a_library_that_pages_forever_is_stopped():
    fake = FakeZotero([zotero_item("Looping paper")], mode="forever").start()
    try:
        with pytest.raises(ZoteroError, match="kept sending pages"):
            list(read_items(ZoteroLibrary(f"{fake.url}/api"), ReadLimits(max_pages=5)))
        assert len(fake.requests) == 5
    finally:
        fake.stop()


def test_a_library_that_stalls_is_stopped_by_the_timeout():
    fake = FakeZotero([zotero_item("Slow paper")], mode="stall").start()
    try:
        with pytest.raises(ZoteroError):
            list(read_items(ZoteroLibrary(f"{fake.url}/api"), ReadLimits(request_timeout=0.5, deadline=2)))
    finally:
        fake.stop()


def test_the_cli_prints_the_count_line(settings, store, fake_local, monkeypatch):
    list(store.add_many(corpus()))
    for name, value in {"REDIS_URL": settings.redis_url, "KEY_PREFIX": settings.key_prefix,
                        "DATA_DIR": str(settings.data_dir), "DEMO_CORPUS": "false",
                        "ZOTERO_LOCAL_URL": f"{fake_local.url}/api"}.items():
        monkeypatch.setenv(f"PAPERLENS_{name}", value)
    runner = CliRunner()
    first = runner.invoke(main, ["import", "zotero", "--user", "hal"])
    assert first.exit_code == 0, first.output
    assert "read 250 items: 243 saved, 0 already saved, 4 skipped (notes and attachments), 3 skipped (no title)" \
        in first.output
    again = runner.invoke(main, ["import", "zotero", "--user", "hal"])
    assert "read 250 items: 0 saved, 243 already saved" in again.output


def test_the_cli_reads_the_web_key_from_the_environment_not_its_arguments(settings, store, fake_web, monkeypatch):
    for name, value in {"REDIS_URL": settings.redis_url, "KEY_PREFIX": settings.key_prefix,
                        "DATA_DIR": str(settings.data_dir), "DEMO_CORPUS": "false",
                        "ZOTERO_WEB_URL": fake_web.url}.items():
        monkeypatch.setenv(f"PAPERLENS_{name}", value)
    monkeypatch.setenv("ZOTERO_API_KEY", "P9NiFoyLeZu2bZNvvuQPDWsd")
    done = CliRunner().invoke(main, ["import", "zotero", "--user", "ivy", "--web-user", "475425"])
    assert done.exit_code == 0, done.output
    assert "243 saved" in done.output and "P9Ni" not in done.output


def test_reader_module_keeps_the_key_out_of_its_repr():
    assert "secret" not in repr(ZoteroLibrary("https://api.zotero.org", "1", "secret"))


def test_a_huge_body_is_413(zotero_client, make_token):
    r = zotero_client.post("/api/v1/library/import/zotero", data='{"source": "local", "x": "' + "a" * 20_000_000 + '"}',
                           content_type="application/json", headers=auth(make_token("jay")))
    assert r.status_code == 413 and r.get_json()["error"]["code"]


def test_on_a_shared_server_only_an_admin_may_read_the_servers_own_zotero(settings, store, make_token, fake_local):
    shared = dataclasses.replace(settings, host="0.0.0.0", zotero_local_url=f"{fake_local.url}/api")
    client = create_app(shared).test_client()
    r = client.post("/api/v1/library/import/zotero", json={"source": "local"}, headers=auth(make_token("kim")))
    assert r.status_code == 403 and "admin" in r.get_json()["error"]["message"]
    assert fake_local.requests == [], "Zotero was not asked"
    admin = client.post("/api/v1/library/import/zotero", json={"source": "local"},
                        headers=auth(make_token("ops", admin=True)))
    assert admin.status_code == 200 and admin.get_json()["read"] == 250
