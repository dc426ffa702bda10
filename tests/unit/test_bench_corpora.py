"""The benchmark's corpus generator: seeded, so every run measures the same papers."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from bench import corpora
from paperlens.ranking import tokenize

from tests.corpus import FIXTURES


@pytest.fixture(scope="module")
def model():
    with gzip.open(FIXTURES / "arxiv-cs-3000.jsonl.gz", "rt") as handle:
        papers = [json.loads(line) for line in handle]
    return corpora.Model.fit(papers)


def test_same_seed_and_chunk_give_the_same_papers(model):
    assert corpora.generate_chunk(1, 3, model, size=300) == corpora.generate_chunk(1, 3, model, size=300)


def test_other_seeds_and_chunks_give_other_papers(model):
    base = corpora.generate_chunk(1, 0, model, size=100)
    assert corpora.generate_chunk(2, 0, model, size=100) != base
    assert corpora.generate_chunk(1, 1, model, size=100) != base


def test_generated_papers_have_the_real_fields_and_unique_ids(model):
    papers = corpora.generate_chunk(1, 0, model, size=200)
    assert len({p["id"] for p in papers}) == 200
    for paper in papers:
        assert set(paper) >= {"id", "title", "abstract", "authors", "categories", "update_date"}
        assert paper["title"] and len(paper["abstract"]) > 50


def test_new_words_keep_appearing_as_the_corpus_grows(model):
    seen: set[str] = set()
    new_per_chunk = []
    for chunk in range(3):
        before = len(seen)
        for paper in corpora.generate_chunk(5, chunk, model, size=500):
            seen.update(tokenize(corpora.text_of(paper)))
        new_per_chunk.append(len(seen) - before)
    assert all(n > 0 for n in new_per_chunk[1:])
    assert any(t.startswith("x") for t in seen)


def test_novel_words_are_a_function_of_their_rank():
    assert corpora.novel_word(12345) == corpora.novel_word(12345)
    assert corpora.novel_word(1) != corpora.novel_word(2)
    with pytest.raises(ValueError):
        corpora.novel_word(-1)


def test_held_out_papers_give_no_sentence_to_generated_papers():
    """The held-out queries are new papers: the generator, fitted without them, never copies their
    sentences, and every generated paper names the fitted papers it copies (for the in-index
    queries' exclusions)."""
    with gzip.open(FIXTURES / "arxiv-cs-3000.jsonl.gz", "rt") as handle:
        papers = [json.loads(line) for line in handle]
    held = set(range(0, len(papers), 10))
    kept = [p for i, p in enumerate(papers) if i not in held]
    model = corpora.Model.fit(kept)
    held_sentences = {s for i in held for s in corpora.SENTENCE_END.split(" ".join((papers[i].get("abstract") or "").split()))
                      if len(s) > 40}
    kept_ids = {p["id"] for p in kept}
    generated = corpora.generate_chunk(1, 0, model, size=400)
    for paper in generated:
        assert paper["sources"] and set(paper["sources"]) <= kept_ids
        assert not any(s in paper["abstract"] for s in held_sentences)
    # a generated paper does carry its sources' sentences (what the exclusions are for)
    by_id = {p["id"]: p for p in kept}
    first = generated[0]
    source_sentences = {s for sid in first["sources"] for s in corpora.SENTENCE_END.split(
        " ".join((by_id[sid].get("abstract") or "").split()))}
    assert any(s in first["abstract"] for s in source_sentences)


def test_held_out_positions_are_fixed_and_kept_out_of_small_corpora():
    positions = corpora.held_out_positions()
    assert len(positions) == corpora.HELD_OUT and np.array_equal(positions, corpora.held_out_positions())
    assert np.all(np.diff(positions) > 0)
