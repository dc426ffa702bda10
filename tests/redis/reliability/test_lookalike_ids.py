"""A paper posted with look-alike digits in its arXiv id cannot capture the real paper
(issue 15, finding 8): fullwidth digits are the same id after NFKC, other digit scripts are no
arXiv id at all, and the real id keeps answering for the paper and the reading list."""

from __future__ import annotations

import pytest

REAL = "2401.12345"
TITLE = "Sparse Mixture of Experts for Long Documents"


@pytest.mark.parametrize("look_alike", ["２４０１.１２３４５", "٢٤٠١.١٢٣٤٥", "۲۴۰۱.۱۲۳۴۵"])
def test_a_look_alike_arxiv_id_posted_first_does_not_capture_the_real_paper(client, make_token, look_alike):
    first = client.post("/api/v1/papers", json={"title": TITLE, "abstract": "Posted first.", "arxiv_id": look_alike})
    assert first.status_code == 200
    real = client.post("/api/v1/papers", json={"title": TITLE, "abstract": "The real abstract, longer than the first.",
                                              "arxiv_id": REAL})
    assert real.status_code == 200
    stored = client.get(f"/api/v1/papers/arxiv:{REAL}")
    assert stored.status_code == 200
    assert stored.get_json()["arxiv_id"] == REAL
    ids = {r["id"] for r in first.get_json()["results"] + real.get_json()["results"]}
    assert len(ids) == 1, f"one paper, not {ids}"
    assert all(ch.isascii() for ch in ids.pop())
    headers = {"Authorization": f"Bearer {make_token('alice')}"}
    saved = client.put(f"/api/v1/library/arxiv:{REAL}", json={"tags": ["moe"]}, headers=headers)
    assert saved.status_code in (200, 201)
    listed = client.get("/api/v1/library", headers=headers).get_json()["items"]
    assert [it["paper"]["arxiv_id"] for it in listed] == [REAL]


def test_a_published_date_in_other_digits_is_refused(client):
    r = client.post("/api/v1/papers", json={"title": "Dated paper", "published": "٢٠٢٤-٠١-٠١"})
    assert r.status_code == 422
