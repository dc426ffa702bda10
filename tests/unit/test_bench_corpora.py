"""The benchmark's corpus generator: seeded, so every run measures the same papers."""

from __future__ import annotations

import gzip
import json

import pytest

from bench import corpora
from paperlens.ranking import tokenize

from ..conftest import FIXTURES


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
