"""Export (BibTeX for Zotero/JabRef, CSV, JSON) and import (BibTeX, JSON) of reading lists."""

from __future__ import annotations

import csv
import io
import json

import pytest

from paperlens.library import bibtex
from paperlens.schemas import MAX_IMPORT

from tests.corpus import demo_papers

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


SPECIAL = {"title": "R&D at 50% for $5: #1 a_b {BERT} ~x^2 C:\\dir — Müller's 数学",
           "abstract": "Über & more", "authors": ["José Núñez", "Zoë O'Brien"], "arxiv_id": "2401.00001",
           "published": "2024-01-15", "categories": ["cs.CL", "cs.LG"]}


@pytest.fixture
def filled(demo_client, make_token):
    """A list with a demo paper, an arXiv paper full of special characters, and a DOI paper."""
    headers = auth(make_token("alice"))
    demo = demo_papers()[0]
    demo_client.put(f"/api/v1/library/{demo.id}", json={"tags": ["diffusion"], "note": "first"}, headers=headers)
    demo_client.put("/api/v1/library/arxiv:2401.00001", json={"paper": SPECIAL, "tags": ["to read", "größe"],
                                                              "note": "line one\nline two & 100%"}, headers=headers)
    demo_client.put("/api/v1/library/doi:10.5555/abc-1", json={"paper": {"title": "A DOI paper",
                                                                         "authors": ["Ann Lee"],
                                                                         "published": "2020"}}, headers=headers)
    return demo_client, headers


def export(client, headers, fmt):
    r = client.get(f"/api/v1/library/export?format={fmt}", headers=headers)
    assert r.status_code == 200
    return r


def test_bibtex_export_is_an_attachment_zotero_and_jabref_can_read(filled):
    client, headers = filled
    r = export(client, headers, "bibtex")
    assert r.headers["Content-Type"] == "application/x-bibtex; charset=utf-8"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"paperlens-alice-") and disposition.endswith(".bib\"")
    text = r.get_data(as_text=True)
    entries, skips = bibtex.parse(text)
    assert skips == [] and len(entries) == 3
    assert len({e.key for e in entries}) == 3
    arxiv = next(e for e in entries if e.fields.get("eprint") == "2401.00001")
    assert arxiv.kind == "misc"
    assert arxiv.fields["archiveprefix"] == "arXiv" and arxiv.fields["primaryclass"] == "cs.CL"
    assert arxiv.key == "nunez2024rd"
    assert arxiv.fields["title"] == (r"R\&D at 50\% for \$5: \#1 a\_b \{BERT\} \textasciitilde{}x\textasciicircum{}2 "
                                     r"C:\textbackslash{}dir — Müller's 数学")
    assert bibtex.latex_to_unicode(arxiv.fields["title"]) == SPECIAL["title"]
    assert "Núñez" in text and "数学" in text, "non-ASCII stays UTF-8"
    doi = next(e for e in entries if "doi" in e.fields)
    assert doi.kind == "article" and doi.fields["doi"] == "10.5555/abc-1"
    assert text.count("{") == text.count("}")


def test_csv_export_has_a_row_per_paper(filled):
    client, headers = filled
    r = export(client, headers, "csv")
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Content-Disposition"].endswith(".csv\"")
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert len(rows) == 3
    special = next(row for row in rows if row["id"] == "arxiv:2401.00001")
    assert special["title"] == SPECIAL["title"] and special["tags"] == "größe; to read"
    assert special["authors"] == "José Núñez; Zoë O'Brien" and special["note"] == "line one\nline two & 100%"


def test_csv_cells_that_look_like_formulas_are_defused(demo_client, make_token):
    headers = auth(make_token("alice"))
    demo_client.put("/api/v1/library/arxiv:2401.00002", json={"paper": {"title": "=HYPERLINK(\"x\")"},
                                                              "note": "+1"}, headers=headers)
    rows = list(csv.DictReader(io.StringIO(export(demo_client, headers, "csv").get_data(as_text=True))))
    assert rows[0]["title"] == "'=HYPERLINK(\"x\")" and rows[0]["note"] == "'+1"


def test_export_of_one_tag_and_of_an_empty_list(filled, make_token):
    client, headers = filled
    text = client.get("/api/v1/library/export?format=json&tag=diffusion", headers=headers).get_data(as_text=True)
    assert [it["tags"] for it in json.loads(text)["items"]] == [["diffusion"]]
    empty = auth(make_token("nobody"))
    assert export(client, empty, "bibtex").get_data(as_text=True) == ""
    assert json.loads(export(client, empty, "json").get_data(as_text=True))["items"] == []
    assert client.get("/api/v1/library/export?format=ris", headers=headers).status_code == 422


def test_json_round_trip_loses_nothing(filled, make_token):
    client, headers = filled
    exported = json.loads(export(client, headers, "json").get_data(as_text=True))
    assert exported["format"] == "paperlens-library" and len(exported["items"]) == 3
    other = auth(make_token("bob"))
    r = client.post("/api/v1/library/import", json=exported, headers=other)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"imported": 3, "added": 3, "updated": 0, "skipped": [], "skipped_total": 0}
    again = json.loads(export(client, other, "json").get_data(as_text=True))
    assert again["items"] == exported["items"]


def test_bibtex_round_trip_keeps_tags_notes_saved_time_and_fields(filled, make_token):
    client, headers = filled
    original = json.loads(export(client, headers, "json").get_data(as_text=True))["items"]
    text = export(client, headers, "bibtex").get_data(as_text=True)
    other = auth(make_token("bob"))
    r = client.post("/api/v1/library/import", data=text.encode(), content_type="application/x-bibtex", headers=other)
    assert r.status_code == 200 and r.get_json()["added"] == 3 and r.get_json()["skipped"] == []
    imported = json.loads(export(client, other, "json").get_data(as_text=True))["items"]
    assert imported == original


def test_importing_into_a_list_that_has_the_papers_merges(filled):
    client, headers = filled
    exported = json.loads(export(client, headers, "json").get_data(as_text=True))
    for it in exported["items"]:
        it["tags"] = ["imported"]
        it["note"] = ""
    r = client.post("/api/v1/library/import", json=exported, headers=headers)
    assert r.get_json()["updated"] == 3 and r.get_json()["added"] == 0
    items = {it["paper"]["id"]: it for it in json.loads(export(client, headers, "json").get_data(as_text=True))["items"]}
    special = items["arxiv:2401.00001"]
    assert special["tags"] == ["größe", "imported", "to read"], "tags are merged, none lost"
    assert special["note"] == "line one\nline two & 100%", "an empty imported note does not wipe the note"
    assert len(items) == 3


def test_import_of_a_zotero_style_bibtex_file(demo_client, make_token):
    headers = auth(make_token("alice"))
    text = r"""
@article{vaswani_attention_2017,
    title = {Attention {Is} {All} {You} {Need}},
    url = {http://arxiv.org/abs/1706.03762},
    doi = {10.48550/arXiv.1706.03762},
    abstract = {The dominant sequence transduction models},
    urldate = {2024-01-01},
    publisher = {arXiv},
    author = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
    month = dec,
    year = {2017},
    note = {arXiv:1706.03762 [cs]},
    keywords = {Computer Science - Computation and Language, Computer Science - Machine Learning},
    annote = {Comment: 15 pages},
}
@inproceedings{broken, title = {Unclosed
@misc{notitle, author = {Nobody}}
"""
    r = demo_client.post("/api/v1/library/import", data=text, content_type="text/plain", headers=headers)
    body = r.get_json()
    assert r.status_code == 200 and body["added"] == 1
    assert {s["position"] for s in body["skipped"]} == {"line 16", "line 17"}
    item = demo_client.get("/api/v1/library", headers=headers).get_json()["items"][0]
    assert item["paper"]["id"] == "arxiv:1706.03762" and item["paper"]["title"] == "Attention Is All You Need"
    assert item["paper"]["authors"] == ["Vaswani, Ashish", "Shazeer, Noam", "Parmar, Niki"]
    assert item["paper"]["published"] == "2017-12"
    assert item["tags"] == ["Computer Science - Computation and Language", "Computer Science - Machine Learning"]
    assert item["note"] == "Comment: 15 pages"


def test_import_accepts_a_file_upload(demo_client, make_token):
    headers = auth(make_token("alice"))
    data = {"file": (io.BytesIO(b"@misc{k, title={Uploaded paper}, eprint={2401.00003}, archivePrefix={arXiv}}"),
                     "library.bib")}
    r = demo_client.post("/api/v1/library/import", data=data, content_type="multipart/form-data", headers=headers)
    assert r.status_code == 200 and r.get_json()["added"] == 1
    assert demo_client.get("/api/v1/papers/arxiv:2401.00003").get_json()["title"] == "Uploaded paper"


@pytest.mark.parametrize("body, content_type, status", [
    (b"", "application/json", 400),
    (b"{not json", "application/json", 400),
    (b"\xff\xfe\x00", "application/x-bibtex", 400),
    (json.dumps({"items": [{"paper": {"title": ""}}]}).encode(), "application/json", 422),
    (json.dumps({"items": [{"paper": {"title": "x"}, "tags": "x"}]}).encode(), "application/json", 422),
    (json.dumps({"items": [{"paper": {"title": "x"}, "saved_at": "yesterday"}]}).encode(), "application/json", 422),
    (json.dumps({"items": [{"paper": {"title": "x"}, "extra": 1}]}).encode(), "application/json", 422),
    (json.dumps({"items": "all"}).encode(), "application/json", 422),
    (json.dumps({"items": [{"paper": {"title": "x"}}] * (MAX_IMPORT + 1)}).encode(), "application/json", 422),
    (json.dumps(5).encode(), "application/json", 422),
    (json.dumps(None).encode(), "application/json", 422),
])
def test_bad_imports_are_refused_with_json_errors(demo_client, make_token, body, content_type, status):
    headers = auth(make_token("alice"))
    r = demo_client.post("/api/v1/library/import", data=body, content_type=content_type, headers=headers)
    assert r.status_code == status, r.get_json()
    assert set(r.get_json()["error"]) == {"code", "message", "details"}
    assert demo_client.get("/api/v1/library", headers=headers).get_json()["total"] == 0


def test_bibtex_with_nothing_importable_reports_every_skip(demo_client, make_token):
    headers = auth(make_token("alice"))
    r = demo_client.post("/api/v1/library/import?format=bibtex", data="@misc{a, author={X}}\n@misc{b, title={",
                         headers=headers)
    assert r.status_code == 200
    assert r.get_json()["imported"] == 0 and len(r.get_json()["skipped"]) == 2


def test_import_takes_bodies_larger_than_the_other_routes_allow(demo_client, make_token, app):
    headers = auth(make_token("alice"))
    entry = "@misc{{k{n}, title={{Paper {n}}}, abstract={{" + "word " * 400 + "}}}}\n"
    text = "".join(entry.format(n=n) for n in range(600))
    assert len(text.encode()) > app.config["MAX_CONTENT_LENGTH"]
    r = demo_client.post("/api/v1/library/import", data=text, content_type="application/x-bibtex", headers=headers)
    assert r.status_code == 200 and r.get_json()["added"] == 600
    too_big = demo_client.post("/api/v1/papers", data="x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                               content_type="application/json")
    assert too_big.status_code == 413


def test_cli_export_writes_a_users_list(filled, settings, tmp_path):
    from click.testing import CliRunner

    from paperlens.cli import main

    env = {"PAPERLENS_REDIS_URL": settings.redis_url, "PAPERLENS_KEY_PREFIX": settings.key_prefix,
           "PAPERLENS_DATA_DIR": str(tmp_path / "cli")}
    out = tmp_path / "library.bib"
    result = CliRunner().invoke(main, ["export", "alice", "--format", "bibtex", "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    entries, skips = bibtex.parse(out.read_text(encoding="utf-8"))
    assert len(entries) == 3 and skips == []
    result = CliRunner().invoke(main, ["export", "alice", "--format", "json", "--tag", "diffusion"], env=env)
    assert [it["tags"] for it in json.loads(result.stdout)["items"]] == [["diffusion"]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_no_csv_cell_can_become_a_formula_whatever_the_separator(demo_client, make_token, delimiter):
    """Opened in a locale that splits on ';' (or a tab, or '|'), no cell may start with a formula."""
    headers = auth(make_token("mallory"))
    hostile = {"title": "Benign title; =1+1", "abstract": "An abstract ending ;=cmd|' /C calc'!A0",
               "authors": ["=HYPERLINK(\"http://x\")", " @SUM(A1)"], "arxiv_id": "2401.00003"}
    r = demo_client.put("/api/v1/library/arxiv:2401.00003", headers=headers,
                        json={"paper": hostile, "note": " =cmd|' /C calc'!A0\n\t-2+3;+4", "tags": ["=x", "+y", " -z"]})
    assert r.status_code == 201
    text = export(demo_client, headers, "csv").get_data(as_text=True)
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        for cell in row:
            for part in cell.split("; "):  # list items too, should a reader split them
                assert part.lstrip()[:1] not in ("=", "+", "-", "@"), (delimiter, cell)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["abstract"] == "An abstract ending ;'=cmd|' /C calc'!A0"
    assert rows[0]["note"].startswith(" '=cmd")
    exact = json.loads(export(demo_client, headers, "json").get_data(as_text=True))["items"][0]
    assert exact["paper"]["abstract"] == hostile["abstract"]  # only the CSV is defused
