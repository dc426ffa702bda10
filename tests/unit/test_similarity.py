"""Texts as term vectors under the corpus's statistics, the pairwise kernel, the reading-list model
(closeness and its 0-100 scale) and the digest's Atom document."""

from __future__ import annotations

import gzip
import json
from collections import Counter

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from paperlens.library.atom import digest_feed
from paperlens.ranking.list_closeness import NEAREST, ListModel, candidate_vectors
from paperlens.ranking import tokenize
from paperlens.ranking.index import Index
from paperlens.ranking.similarity import Postings, bags, bm25_documents, bm25_queries, pairwise, tfidf

from tests.corpus import FIXTURES


@pytest.fixture(scope="module")
def texts() -> list[str]:
    with gzip.open(FIXTURES / "arxiv-cs-3000.jsonl.gz", "rt") as f:
        return [f"{d['title']}\n{d['abstract']}" for d in map(json.loads, f)][:800]


@pytest.fixture(scope="module")
def index(texts) -> Index:
    return Index.build(texts)


def test_bags_count_exactly_the_tokenizers_tokens(texts):
    sample = texts[:40] + ["", "the of and", "Ünïcödé STRASSE straße ＡＢＣ", "a" * 5000, "x1 x1 x1"]
    b = bags(sample)
    for n, text in enumerate(sample):
        row = slice(b.indptr[n], b.indptr[n + 1])
        assert {b.terms[c]: int(k) for c, k in zip(b.cols[row], b.counts[row])} == Counter(tokenize(text)), n
        assert b.lengths[n] == len(tokenize(text))
    spelled = bags(["Attention! The ATTENTION heads attend", "Distillation distills; distilled"], spelled=True)
    # Entries follow the process-wide word numbering (what earlier tests tokenized decides it), so
    # they are compared by text and term, not by position.
    got = {(n, spelled.terms[spelled.cols[e]]): spelled.spelling(e)
           for n in range(2) for e in range(spelled.indptr[n], spelled.indptr[n + 1])}
    assert got == {(0, tokenize("attention")[0]): "attention", (0, tokenize("heads")[0]): "heads",
                   (0, tokenize("attend")[0]): "attend", (1, tokenize("distillation")[0]): "distillation"}


def test_bm25_pairs_are_rank_bm25s_scores(texts, index):
    reference = BM25Okapi([tokenize(t) for t in texts])
    queries = texts[100:110] + ["diffusion distillation", "a word the corpus has never seen: zqxwv"]
    scores = pairwise(bm25_queries(bags(queries), index), Postings.build(bm25_documents(bags(texts), index)))
    for n, query in enumerate(queries):
        expected = reference.get_scores(tokenize(query))
        assert np.allclose(scores[n], expected, rtol=1e-9, atol=1e-12), n


def test_tfidf_rows_are_unit_vectors_and_their_dot_product_is_the_cosine(texts, index):
    vectors = tfidf(bags(texts[:20] + [""]), index)
    norms = [np.linalg.norm(vectors.weights[vectors.indptr[n]:vectors.indptr[n + 1]]) for n in range(21)]
    assert np.allclose(norms[:20], 1.0) and norms[20] == 0
    similarity = pairwise(vectors, Postings.build(vectors))
    assert np.allclose(np.diag(similarity)[:20], 1.0) and similarity[20].sum() == 0
    assert np.allclose(similarity, similarity.T)


def test_closeness_is_the_mean_of_the_nearest_saved_papers_minus_the_dismissed_ones(texts, index):
    saved, dismissed, candidates = texts[:12], texts[12:15], texts[300:320]
    model = ListModel.build(saved, dismissed, index)
    vectors = candidate_vectors(bags(candidates), index)
    found = model.closeness(vectors)
    cos = pairwise(vectors, Postings.build(tfidf(bags(saved), index)))
    away = pairwise(vectors, Postings.build(tfidf(bags(dismissed), index)))
    expected = np.maximum(np.sort(cos, axis=1)[:, -NEAREST:].mean(axis=1) - np.sort(away, axis=1)[:, -NEAREST:].mean(
        axis=1), 0)
    assert np.allclose(found.raw, expected)
    for n, nearest in enumerate(found.nearest):
        assert nearest == [int(j) for j in np.argsort(-cos[n], kind="stable")[:3] if cos[n, j] > 0]


def test_the_scale_is_the_lists_own_and_monotone(texts, index):
    model = ListModel.build(texts[:30], [], index)
    raw = np.linspace(0, 1, 500)
    scores = model.scale(raw)
    assert scores[0] == 0 and scores[-1] == 100 and np.all(np.diff(scores) >= 0)
    median = np.median(model.reference)
    assert model.scale(np.array([median]))[0] == pytest.approx(50, abs=100 / 30)
    # a saved paper scored against the rest of the list lands at its own point of the scale
    rows = np.arange(30)
    own = model.closeness(candidate_vectors(bags(texts[:30]), index), itself=rows)
    assert sorted(own.raw) == pytest.approx(sorted(model.reference))


def test_an_empty_list_and_a_list_of_one_still_answer(texts, index):
    vectors = candidate_vectors(bags(texts[:3]), index)
    empty = ListModel.build([], [], index).closeness(vectors)
    assert empty.scores.tolist() == [0, 0, 0] and empty.nearest == [[], [], []]
    one = ListModel.build(texts[:1], [], index).closeness(vectors, itself=np.array([0, -1, -1]))
    assert one.scores[0] == 0 and one.nearest[0] == [] and 0 <= one.scores[1] <= 100


def test_the_atom_document_drops_what_xml_cannot_hold():
    digest = {"days": 1, "new_papers": 1, "until": "2026-01-01T00:00:00Z", "results": [{
        "id": "doi:10.1/a<b>&c", "title": "T\x00i\x1ft\ufffele \ud800", "joined_at": "2026-01-01T00:00:00Z",
        "published": "2025", "url": "https://example.org/?a=1&b=2", "authors": ["A \x0b B"], "score": 12.5,
        "tldr": "x" * 10, "because": [{"id": "arxiv:1", "title": ""}], "matched_terms": [{"term": "w", "weight": 1}]}]}
    text = digest_feed(digest, feed_id="urn:x", title="t", base_url="http://h/")
    import xml.etree.ElementTree as ET

    root = ET.fromstring(text.encode())
    entry = root.find("{http://www.w3.org/2005/Atom}entry")
    assert entry.find("{http://www.w3.org/2005/Atom}title").text == "Title "
    assert entry.find("{http://www.w3.org/2005/Atom}published").text == "2025-01-01T00:00:00Z"
    assert "Close to: arxiv:1." in entry.find("{http://www.w3.org/2005/Atom}summary").text
