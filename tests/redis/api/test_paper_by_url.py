"""GET /api/v1/papers/lookup?url=: a paper by the URL it was stored with. The extension's side
panel asks it for a PDF whose URL carries no arXiv id, OpenReview id or DOI (a proceedings PDF)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.cluster_too

NEURIPS_PDF = ("https://proceedings.neurips.cc/paper_files/paper/2023/file/"
               "1feb87871436031bdc0f2beaa62a049b-Paper-Conference.pdf")


def lookup(client, url: str):
    return client.get(f"/api/v1/papers/lookup?url={quote(url, safe='')}")


@pytest.fixture
def with_pdfs(demo_client):
    papers = [{"title": "Direct Preference Optimization: Your Language Model is Secretly a Reward Model",
               "abstract": "DPO fits a reward model in closed form.", "url": NEURIPS_PDF, "published": "2023"},
              {"title": "Segment Anything", "abstract": "SAM.",
               "url": "https://openaccess.thecvf.com/content/ICCV2023/papers/Kirillov_Segment_Anything_ICCV_2023_paper.pdf"}]
    assert demo_client.post("/api/v1/papers", json={"papers": papers}).status_code == 200
    return demo_client


def test_a_paper_stored_with_a_pdf_url_is_found_by_it(with_pdfs):
    r = lookup(with_pdfs, NEURIPS_PDF)
    assert r.status_code == 200
    body = r.get_json()
    assert body["title"].startswith("Direct Preference Optimization") and body["year"] == 2023
    assert body["id"].startswith("title:")


def test_scheme_www_fragment_and_trailing_slash_do_not_matter(with_pdfs):
    for variant in (NEURIPS_PDF.replace("https://", "http://"), NEURIPS_PDF + "#page=3",
                    NEURIPS_PDF.replace("://", "://www."), NEURIPS_PDF.replace("proceedings.neurips.cc", "Proceedings.NeurIPS.cc")):
        assert lookup(with_pdfs, variant).status_code == 200, variant


def test_an_unknown_url_is_404_and_a_bad_one_422(with_pdfs):
    r = lookup(with_pdfs, "https://proceedings.neurips.cc/paper_files/paper/2023/file/ffff-Paper-Conference.pdf")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    for bad in ("javascript:alert(1)", "not a url", "https://x.org/" + "a" * 5000, ""):
        r = lookup(with_pdfs, bad)
        assert r.status_code == 422 and r.get_json()["error"]["code"], bad
    assert with_pdfs.get("/api/v1/papers/lookup").status_code == 422


def test_the_route_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/papers/lookup"]["get"]
    assert operation["x-access"] == "read"
    assert [p["name"] for p in operation["parameters"] if p["in"] == "query"] == ["url"]
    assert {"200", "404", "422"} <= set(operation["responses"])


def test_ids_still_win_over_the_lookup_route_name(with_pdfs):
    # /papers/<id> and /papers/lookup live side by side: an id is never taken for "lookup".
    assert with_pdfs.get("/api/v1/papers/lookup?url=https://a.org/x").status_code == 404
    assert with_pdfs.get("/api/v1/papers/arxiv:2999.99999").status_code == 404


def test_arxiv_and_doi_urls_are_read_for_their_ids(demo_client):
    papers = [{"title": "Attention Is All You Need", "arxiv_id": "1706.03762"},
              {"title": "Illuminating protein space", "doi": "10.1101/2022.12.09.519842"}]
    assert demo_client.post("/api/v1/papers", json={"papers": papers}).status_code == 200
    assert lookup(demo_client, "https://arxiv.org/pdf/1706.03762v7").get_json()["id"] == "arxiv:1706.03762"
    assert lookup(demo_client, "http://arxiv.org/abs/1706.03762").get_json()["id"] == "arxiv:1706.03762"
    assert lookup(demo_client, "https://doi.org/10.1101/2022.12.09.519842").get_json()["id"] == \
        "doi:10.1101/2022.12.09.519842"


def test_papers_whose_url_their_ids_give_add_no_lookup_keys(store):
    # A corpus of a million arXiv papers must not hold a million URL keys it never needs.
    from paperlens.corpus.paper import Paper

    list(store.add_many([Paper(title=f"Paper {n}", arxiv_id=f"2401.{n:05d}") for n in range(20)]
                        + [Paper(title="A proceedings paper", url=NEURIPS_PDF)]))
    keys = list(store.r.scan_iter(match=f"{store.keys.prefix}:url:*"))
    assert len(keys) == 1
