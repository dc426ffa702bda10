"""POST /related/missing: the related work a draft's bibliography lacks."""

from __future__ import annotations

import time

import pytest

from paperlens.corpus.paper import Paper

DRAFT = {"title": "One-step image generation by distilling diffusion models",
         "abstract": "Diffusion models generate images in many steps. We distill a pretrained diffusion model into a "
                     "one-step generator. Our distillation matches the teacher's scores."}

CITABLE = [
    Paper(title="Score Distillation of Diffusion Models into One Step", arxiv_id="2999.10001",
          abstract="We distill diffusion models into a one-step generator by score distillation."),
    Paper(title="Consistency Distillation for Diffusion Image Generators", doi="10.5555/Consistency.2024",
          abstract="Consistency distillation turns a diffusion model into a one-step image generator."),
    Paper(title="Adversarial Diffusion Distillation: One Step, {High} Quality",
          abstract="Adversarial distillation of diffusion models gives one-step image generation."),
]


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def alice(demo_client, make_token, store):
    list(store.add_many(CITABLE))
    return auth(make_token("alice"))


def missing(client, headers, **body):
    r = client.post("/api/v1/related/missing", json={**DRAFT, "k": 10, **body}, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def ids(body) -> list[str]:
    return [r["id"] for r in body["results"]]


CITED = ["arxiv:2999.10001", "doi:10.5555/consistency.2024", CITABLE[2].id]

BIBTEX = r"""
@article{score2999,
  title = {Score distillation of diffusion models into one step},
  author = {Doe, Jane},
  eprint = {2999.10001v3}, archivePrefix = {arXiv},
}
@inproceedings{cons, title = {A different title the corpus does not know}, doi = {https://doi.org/10.5555/CONSISTENCY.2024}}
@misc{add, title = {Adversarial {D}iffusion {D}istillation: one step, high quality}}
@misc{broken, title = {never closed
"""


def test_without_a_bibliography_the_citable_papers_lead(demo_client, alice):
    body = missing(demo_client, alice)
    assert set(CITED) <= set(ids(body)[:5])
    assert body["bibliography"] == {"entries": 0, "in_corpus": 0, "skipped": [], "skipped_total": 0}


def test_every_bibliography_entry_is_excluded_by_arxiv_id_doi_or_title(demo_client, alice):
    body = missing(demo_client, alice, bibliography=BIBTEX)
    assert not set(CITED) & set(ids(body))
    assert len(body["results"]) == 10
    assert body["bibliography"]["entries"] == 3 and body["bibliography"]["in_corpus"] == 3
    assert body["bibliography"]["skipped_total"] == 1 and body["bibliography"]["skipped"][0]["position"] == "line 9"


@pytest.mark.parametrize("cited", [["arxiv:2999.10001v2", "doi:10.5555/CONSISTENCY.2024", CITABLE[2].id], CITED])
def test_a_list_of_ids_excludes_them_too(demo_client, alice, cited):
    assert not set(CITED) & set(ids(missing(demo_client, alice, bibliography=cited)))


def test_a_paper_is_excluded_by_any_of_its_ids_even_one_the_entry_alone_gives(demo_client, alice, store):
    # stored under its arXiv id; the bibliography knows it only by its DOI, or only by its title
    list(store.add_many([Paper(title="Distribution Matching Distillation for One-Step Diffusion",
                               arxiv_id="2999.10004", doi="10.5555/dmd",
                               abstract="We distill diffusion models into one-step image generators.")]))
    assert "arxiv:2999.10004" in ids(missing(demo_client, alice))
    for bib in ("@misc{a, doi = {10.5555/DMD}}", "@misc{b, title = {Distribution matching distillation for "
                                                "one-step diffusion}}", ["doi:10.5555/dmd"]):
        assert "arxiv:2999.10004" not in ids(missing(demo_client, alice, bibliography=bib)), bib


def test_each_result_names_the_sentences_that_match_best(demo_client, alice):
    body = missing(demo_client, alice, k=3)
    first = body["results"][0]
    assert first["draft_sentence"] == "We distill a pretrained diffusion model into a one-step generator."
    paper = demo_client.get(f"/api/v1/papers/{first['id']}").get_json()
    assert first["paper_sentence"] in paper["abstract"]
    assert first["tldr"] and first["matched_terms"] and first["saved"] is False
    assert body["query"]["terms"] > 5


def test_the_route_needs_a_token(demo_client):
    assert demo_client.post("/api/v1/related/missing", json={**DRAFT, "bibliography": []}).status_code == 401


# -- hostile input --------------------------------------------------------------------------------
@pytest.mark.parametrize("body, field", [
    ({"title": "", "abstract": " "}, "_schema"),
    ({**DRAFT, "bibliography": 42}, "bibliography"),
    ({**DRAFT, "bibliography": {"a": 1}}, "bibliography"),
    ({**DRAFT, "bibliography": ["not an id"]}, "bibliography"),
    ({**DRAFT, "bibliography": ["arxiv:1"] * 10_001}, "bibliography"),
    ({**DRAFT, "bibliography": "no entries here, only words"}, "bibliography"),
    ({**DRAFT, "abstract": "a" * 100_001}, "abstract"),
    ({**DRAFT, "k": 0}, "k"),
    ({**DRAFT, "colour": "red"}, "colour"),
])
def test_bad_requests_are_422_naming_the_field(demo_client, alice, body, field):
    r = demo_client.post("/api/v1/related/missing", json=body, headers=alice)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["details"]


@pytest.mark.parametrize("garbage", [
    "@" * 50_000,
    "@misc{" * 5_000,
    "@article{x, title = {" + "{" * 20_000,
    "@misc{x, title = " + "\"" * 20_000 + "}",
    "\x00\x01\x02@misc{\ud800, title={\x7f}}" * 100,
    "@string{a = b # a}\n@misc{x, title = a # a # a}" * 500,
    "@misc{x, " + "a = {b}, " * 20_000 + "}",
    "".join(chr(c) for c in range(32, 0x3000)) * 3,
])
def test_bibtex_garbage_is_answered_not_a_500(demo_client, alice, garbage):
    started = time.monotonic()
    r = demo_client.post("/api/v1/related/missing", json={**DRAFT, "bibliography": garbage}, headers=alice)
    assert r.status_code in (200, 422), r.get_json()
    assert time.monotonic() - started < 10
    if r.status_code == 200:
        assert len(r.get_json()["results"]) == 10


def test_too_many_entries_are_422_before_any_work(demo_client, alice):
    bib = "".join(f"@misc{{k{n}, title={{t}}}}\n" for n in range(20_001))
    r = demo_client.post("/api/v1/related/missing", json={**DRAFT, "bibliography": bib}, headers=alice)
    assert r.status_code == 422 and "bibliography" in r.get_json()["error"]["details"]


def test_a_big_bibliography_is_accepted_and_a_huge_body_is_413(demo_client, alice):
    entry = "@article{k%d, title = {Paper number %d about something}, abstract = {%s}}\n"
    bib = "".join(entry % (n, n, "words " * 300) for n in range(1500))  # ~2.8 MB, over the app's 1 MB
    r = demo_client.post("/api/v1/related/missing", json={**DRAFT, "bibliography": bib}, headers=alice)
    assert r.status_code == 200 and r.get_json()["bibliography"]["entries"] == 1500
    r = demo_client.post("/api/v1/related/missing", json={**DRAFT, "bibliography": bib * 2}, headers=alice)
    assert r.status_code == 413


def test_deep_json_is_400(demo_client, alice):
    r = demo_client.post("/api/v1/related/missing", data="{\"bibliography\": " + "[" * 5000 + "]" * 5000 + "}",
                         content_type="application/json", headers=alice)
    assert r.status_code == 400


@pytest.mark.parametrize("run", ["a" * 100_000, "." * 100_000, "ß" * 100_000, "Word. " * 16_000])
def test_a_long_run_of_one_character_in_the_draft_is_answered_quickly(demo_client, alice, run):
    started = time.monotonic()
    r = demo_client.post("/api/v1/related/missing", json={"title": "Diffusion distillation", "abstract": run,
                                                         "bibliography": []}, headers=alice)
    assert r.status_code == 200 and time.monotonic() - started < 10
