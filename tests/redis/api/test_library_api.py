"""The reading list through the Flask test client against a real Redis: save, list, edit, remove."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.corpus import demo_papers

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def alice(make_token):
    return auth(make_token("alice"))


def ids_of(client, headers, query: str = "") -> list[str]:
    body = client.get(f"/api/v1/library{query}", headers=headers).get_json()
    return [it["paper"]["id"] for it in body["items"]]


def test_saving_a_paper_returns_201_and_the_entry(demo_client, alice):
    paper = demo_papers()[0]
    r = demo_client.put(f"/api/v1/library/{paper.id}", json={"tags": ["diffusion", "to read"], "note": "SiD"},
                        headers=alice)
    assert r.status_code == 201
    body = r.get_json()
    assert body["paper"]["id"] == paper.id and body["paper"]["title"] == paper.title
    assert set(body["paper"]) == {"id", "title", "abstract", "authors", "arxiv_id", "doi", "published", "year", "url",
                                  "source_id", "categories"}
    assert body["paper"]["year"] == 2025
    assert body["tags"] == ["diffusion", "to read"] and body["note"] == "SiD"
    assert body["saved_at"].endswith("Z") and body["saved_at"][:2] == "20"


def test_saving_twice_keeps_one_entry(demo_client, alice):
    paper = demo_papers()[1]
    first = demo_client.put(f"/api/v1/library/{paper.id}", json={"tags": ["a"]}, headers=alice)
    again = demo_client.put(f"/api/v1/library/{paper.id}", json={"tags": ["b"], "note": "second"}, headers=alice)
    assert (first.status_code, again.status_code) == (201, 200)
    body = demo_client.get("/api/v1/library", headers=alice).get_json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["tags"] == ["b"] and item["note"] == "second"
    assert item["saved_at"] == first.get_json()["saved_at"], "saving again does not move the saved time"


def test_saving_again_without_tags_or_note_keeps_them(demo_client, alice):
    paper = demo_papers()[2]
    demo_client.put(f"/api/v1/library/{paper.id}", json={"tags": ["keep"], "note": "mine"}, headers=alice)
    r = demo_client.put(f"/api/v1/library/{paper.id}", headers=alice)
    assert r.status_code == 200 and r.get_json()["tags"] == ["keep"] and r.get_json()["note"] == "mine"


def test_saving_an_unknown_paper_without_metadata_is_404(demo_client, alice):
    r = demo_client.put("/api/v1/library/arxiv:2999.99999", json={}, headers=alice)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    assert demo_client.put("/api/v1/library/not-an-id", json={}, headers=alice).status_code == 404


def test_saving_an_unknown_paper_with_metadata_adds_it_to_the_corpus(demo_client, alice):
    meta = {"title": "Quokka locomotion on sandy terrain", "abstract": "Quokkas hop.", "authors": ["Q. Uokka"],
            "published": "2024-03-01"}
    r = demo_client.put("/api/v1/library/arxiv:2403.00001", json={"paper": meta, "tags": ["zoo"]}, headers=alice)
    assert r.status_code == 201
    assert r.get_json()["paper"]["id"] == "arxiv:2403.00001"
    assert r.get_json()["paper"]["arxiv_id"] == "2403.00001"
    assert demo_client.get("/api/v1/papers/arxiv:2403.00001").get_json()["title"] == meta["title"]
    assert demo_client.get("/api/v1/search?q=quokka").get_json()["results"][0]["id"] == "arxiv:2403.00001"


def test_doi_with_slash_and_alias_resolve_to_one_entry(demo_client, alice):
    meta = {"title": "Illuminating protein space", "arxiv_id": "2212.00001", "doi": "10.1101/2022.12.09.519842"}
    r = demo_client.put("/api/v1/library/arxiv:2212.00001", json={"paper": meta}, headers=alice)
    assert r.status_code == 201
    # the same paper by its DOI (with '/' in the id, and percent-encoded as the extension sends it)
    again = demo_client.put("/api/v1/library/doi:10.1101/2022.12.09.519842", json={"tags": ["bio"]}, headers=alice)
    assert again.status_code == 200 and again.get_json()["paper"]["id"] == "arxiv:2212.00001"
    encoded = demo_client.put("/api/v1/library/" + quote("doi:10.1101/2022.12.09.519842", safe=""),
                              json={"note": "n"}, headers=alice)
    assert encoded.status_code == 200
    assert ids_of(demo_client, alice) == ["arxiv:2212.00001"]
    r = demo_client.delete("/api/v1/library/doi:10.1101/2022.12.09.519842", headers=alice)
    assert r.status_code == 204 and ids_of(demo_client, alice) == []


def test_versioned_arxiv_ids_and_uppercase_dois_name_the_same_entry(demo_client, alice):
    r = demo_client.put("/api/v1/library/arxiv:2403.00077v3", json={"paper": {"title": "Versioned"}}, headers=alice)
    assert r.status_code == 201 and r.get_json()["paper"]["id"] == "arxiv:2403.00077"
    assert demo_client.put("/api/v1/library/arxiv:2403.00077v1", headers=alice).status_code == 200
    r = demo_client.put("/api/v1/library/doi:10.5555/ABC.Def", json={"paper": {"title": "Shouting DOI"}}, headers=alice)
    assert r.status_code == 201 and r.get_json()["paper"]["id"] == "doi:10.5555/abc.def"
    assert demo_client.patch("/api/v1/library/doi:10.5555/abc.DEF", json={"note": "x"}, headers=alice).status_code == 200
    assert sorted(ids_of(demo_client, alice)) == ["arxiv:2403.00077", "doi:10.5555/abc.def"]


def test_metadata_naming_another_paper_than_the_path_is_422(demo_client, alice):
    r = demo_client.put("/api/v1/library/arxiv:2999.00011", json={"paper": {"title": "X", "arxiv_id": "2999.00012"}},
                        headers=alice)
    assert r.status_code == 422 and "paper" in r.get_json()["error"]["details"]


def test_patch_adds_and_removes_tags_and_sets_the_note(demo_client, alice):
    paper = demo_papers()[3]
    demo_client.put(f"/api/v1/library/{paper.id}", json={"tags": ["a", "b"]}, headers=alice)
    r = demo_client.patch(f"/api/v1/library/{paper.id}", json={"add_tags": ["c"], "remove_tags": ["a"],
                                                              "note": "read §3"}, headers=alice)
    assert r.status_code == 200 and r.get_json()["tags"] == ["b", "c"] and r.get_json()["note"] == "read §3"
    r = demo_client.patch(f"/api/v1/library/{paper.id}", json={"tags": ["only"]}, headers=alice)
    assert r.get_json()["tags"] == ["only"] and r.get_json()["note"] == "read §3"


def test_patch_or_delete_of_a_paper_not_in_the_list_is_404(demo_client, alice):
    paper = demo_papers()[4]
    assert demo_client.patch(f"/api/v1/library/{paper.id}", json={"note": "x"}, headers=alice).status_code == 404
    assert demo_client.delete(f"/api/v1/library/{paper.id}", headers=alice).status_code == 404
    assert demo_client.delete("/api/v1/library/arxiv:0000.00000", headers=alice).status_code == 404
    # and the failed edit did not create anything
    assert ids_of(demo_client, alice) == []


def test_deleting_removes_the_entry_and_its_tags(demo_client, alice):
    paper = demo_papers()[5]
    demo_client.put(f"/api/v1/library/{paper.id}", json={"tags": ["gone"], "note": "bye"}, headers=alice)
    assert demo_client.delete(f"/api/v1/library/{paper.id}", headers=alice).status_code == 204
    assert demo_client.delete(f"/api/v1/library/{paper.id}", headers=alice).status_code == 404
    r = demo_client.put(f"/api/v1/library/{paper.id}", headers=alice)
    assert r.status_code == 201 and r.get_json()["tags"] == [] and r.get_json()["note"] == ""


def _fill(client, headers, n=6):
    papers = demo_papers()[:n]
    for i, p in enumerate(papers):
        tags = ["even"] if i % 2 == 0 else ["odd"]
        assert client.put(f"/api/v1/library/{p.id}", json={"tags": tags, "note": f"memo{i}x"},
                          headers=headers).status_code == 201
    return papers


def test_list_is_newest_first_and_pages(demo_client, alice):
    papers = _fill(demo_client, alice)
    newest_first = [p.id for p in reversed(papers)]
    assert ids_of(demo_client, alice) == newest_first
    body = demo_client.get("/api/v1/library?per_page=4&page=2", headers=alice).get_json()
    assert body["total"] == 6 and body["page"] == 2 and body["per_page"] == 4
    assert [it["paper"]["id"] for it in body["items"]] == newest_first[4:]
    assert ids_of(demo_client, alice, "?order=asc") == [p.id for p in papers]
    assert ids_of(demo_client, alice, "?page=9") == []


def test_list_filters_by_tag_sorts_by_title_and_searches(demo_client, alice):
    papers = _fill(demo_client, alice)
    assert set(ids_of(demo_client, alice, "?tag=even")) == {p.id for p in papers[::2]}
    by_title = ids_of(demo_client, alice, "?sort=title")
    assert by_title == [p.id for p in sorted(papers, key=lambda p: p.title.casefold())]
    assert ids_of(demo_client, alice, "?sort=title&order=desc") == by_title[::-1]
    word = papers[2].title.split()[0]
    found = ids_of(demo_client, alice, f"?q={quote(word)}")
    assert papers[2].id in found and all(word.casefold() in p.indexed_text.casefold() for p in papers if p.id in found)
    assert ids_of(demo_client, alice, "?q=MEMO4x") == [papers[4].id]
    assert ids_of(demo_client, alice, "?q=zzzzqqq") == []


@pytest.mark.parametrize("query", ["per_page=201", "per_page=0", "page=0", "sort=year", "order=up", "tag=" + "x" * 65,
                                   "page=abc", "q="])
def test_bad_list_arguments_are_422(demo_client, alice, query):
    r = demo_client.get(f"/api/v1/library?{query}", headers=alice)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("body, field", [
    ({"tags": "one"}, "tags"),
    ({"tags": ["x" * 65]}, "tags"),
    ({"tags": [f"t{i}" for i in range(51)]}, "tags"),
    ({"tags": ["a,b"]}, "tags"),
    ({"tags": [""]}, "tags"),
    ({"tags": [5]}, "tags"),
    ({"note": "x" * 10_001}, "note"),
    ({"note": 5}, "note"),
    ({"colour": "red"}, "colour"),
    ({"paper": {"title": ""}}, "paper"),
    ({"paper": {"title": "T", "url": "javascript:alert(1)"}}, "paper"),
    ({"paper": "nope"}, "paper"),
])
def test_invalid_save_bodies_are_422_with_field_messages(demo_client, alice, body, field):
    paper = demo_papers()[0]
    r = demo_client.put(f"/api/v1/library/{paper.id}", json=body, headers=alice)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["details"]


def test_invalid_edit_bodies_are_422(demo_client, alice):
    paper = demo_papers()[0]
    demo_client.put(f"/api/v1/library/{paper.id}", headers=alice)
    for body in ({}, {"add_tags": "x"}, {"remove_tags": [None]}, {"tag": ["x"]}, [1, 2]):
        r = demo_client.patch(f"/api/v1/library/{paper.id}", json=body, headers=alice)
        assert r.status_code == 422, body
    r = demo_client.patch(f"/api/v1/library/{paper.id}", data="{oops", content_type="application/json", headers=alice)
    assert r.status_code == 400


def test_tags_cannot_grow_past_fifty_through_add_tags(demo_client, alice):
    paper = demo_papers()[0]
    demo_client.put(f"/api/v1/library/{paper.id}", json={"tags": [f"t{i}" for i in range(50)]}, headers=alice)
    r = demo_client.patch(f"/api/v1/library/{paper.id}", json={"add_tags": ["one more"]}, headers=alice)
    assert r.status_code == 422 and "tags" in r.get_json()["error"]["details"]
    ok = demo_client.patch(f"/api/v1/library/{paper.id}", json={"add_tags": ["one more"], "remove_tags": ["t0"]},
                           headers=alice)
    assert ok.status_code == 200 and len(ok.get_json()["tags"]) == 50


def test_tags_are_trimmed_and_unicode_is_kept(demo_client, alice):
    paper = demo_papers()[0]
    r = demo_client.put(f"/api/v1/library/{paper.id}", json={"tags": ["  größe  ", "größe", "数学"]}, headers=alice)
    assert r.get_json()["tags"] == ["größe", "数学"]


def test_related_results_say_which_papers_are_saved(demo_client, alice):
    target = demo_papers()[3]
    first = demo_client.get(f"/api/v1/papers/{target.id}/related?k=3", headers=alice).get_json()["results"][0]
    assert first["saved"] is False
    demo_client.put(f"/api/v1/library/{first['id']}", headers=alice)
    again = demo_client.get(f"/api/v1/papers/{target.id}/related?k=3", headers=alice).get_json()["results"][0]
    assert again["id"] == first["id"] and again["saved"] is True


def test_openapi_documents_every_library_route_with_bearer_security(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    expected = {
        "/api/v1/library": {"get"},
        "/api/v1/library/tags": {"get"},
        "/api/v1/library/{paper_id}": {"put", "patch", "delete"},
        "/api/v1/library/export": {"get"},
        "/api/v1/library/import": {"post"},
        "/api/v1/library/recommendations": {"get"},
        "/api/v1/library/{paper_id}/dismiss": {"post", "delete"},
    }
    for path, methods in expected.items():
        assert path in spec["paths"], path
        for method in methods:
            operation = spec["paths"][path][method]
            assert operation["security"] == [{"bearer": []}], (path, method)
    put = spec["paths"]["/api/v1/library/{paper_id}"]["put"]
    assert {"200", "201", "404", "422"} <= set(put["responses"])
    assert "application/x-bibtex" in spec["paths"]["/api/v1/library/import"]["post"]["requestBody"]["content"]
    assert "LibraryItem" in spec["components"]["schemas"]


def test_tags_route_counts_each_tag_most_used_first(demo_client, alice, make_token):
    assert demo_client.get("/api/v1/library/tags", headers=alice).get_json() == {"tags": []}
    papers = demo_papers()
    for paper, tags in zip(papers, (["ml", "to-read"], ["ml"], ["b-side", "ml"], ["a-side"])):
        demo_client.put(f"/api/v1/library/{paper.id}", json={"tags": tags}, headers=alice)
    body = demo_client.get("/api/v1/library/tags", headers=alice).get_json()
    assert body == {"tags": [{"tag": "ml", "count": 3}, {"tag": "a-side", "count": 1}, {"tag": "b-side", "count": 1},
                             {"tag": "to-read", "count": 1}]}
    demo_client.delete(f"/api/v1/library/{papers[0].id}", headers=alice)
    assert demo_client.get("/api/v1/library/tags", headers=alice).get_json()["tags"][0] == {"tag": "ml", "count": 2}
    # another user's tags are not shown
    bob = auth(make_token("bob"))
    assert demo_client.get("/api/v1/library/tags", headers=bob).get_json() == {"tags": []}


def test_paging_by_saved_time_reads_the_same_entries_as_the_whole_list(demo_client, alice):
    papers = demo_papers()[:23]
    for n, paper in enumerate(papers):
        demo_client.put(f"/api/v1/library/{paper.id}", json={"tags": ["odd"] if n % 2 else []}, headers=alice)
    whole = demo_client.get("/api/v1/library?per_page=200", headers=alice).get_json()["items"]
    # the search path reads every entry; a search every entry matches must agree with the paged path
    searched = demo_client.get("/api/v1/library?per_page=200&q=%3A", headers=alice).get_json()["items"]
    assert [it["paper"]["id"] for it in whole] == [it["paper"]["id"] for it in searched]
    assert whole == searched
    for order in ("desc", "asc"):
        expected = whole if order == "desc" else whole[::-1]
        for tag, keep in ((None, expected), ("odd", [it for it in expected if "odd" in it["tags"]])):
            pages = []
            for page in range(1, 6):
                query = f"?per_page=5&page={page}&order={order}" + (f"&tag={tag}" if tag else "")
                body = demo_client.get(f"/api/v1/library{query}", headers=alice).get_json()
                assert body["total"] == len(keep)
                pages += body["items"]
            assert pages == keep
