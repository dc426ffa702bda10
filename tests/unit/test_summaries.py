"""Extractive summaries: what a researcher skimming a related paper sees."""

import json
import time
from pathlib import Path

import pytest

from paperlens.ranking import tokenize
from paperlens.ranking.sentences import split_sentences
from paperlens.ranking.summaries import METHOD_VERSION, MAX_SENTENCE_CHARS, Summary, summarize

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "summaries"
EXAMPLES = [json.loads(line) for line in (FIXTURES / "abstracts.jsonl").read_text("utf-8").splitlines() if line]

WRAPPED_ABSTRACT = """Sensor simulation is pivotal for scalable validation of autonomous driving
systems, yet existing Neural Radiance Fields (NeRF) based methods face
applicability and efficiency challenges in industrial workflows. This paper
introduces a Gaussian Splatting (GS) based system to address these challenges.
We implement this framework on a proprietary autonomous driving dataset
supporting cameras and LiDAR sensors. We demonstrate through ablation studies
that our approach reduces frame-wise simulation latency, achieves better
geometric consistency (Fig. 3), and enables explicit scene editing, e.g. insertion.
"""
WRAPPED_TITLE = "Industrial-Grade Sensor Simulation via Gaussian Splatting"


def test_tldr_is_one_of_the_key_sentences():
    summary = summarize(WRAPPED_ABSTRACT, WRAPPED_TITLE)
    assert summary.tldr in summary.sentences
    assert summary.tldr in split_sentences(WRAPPED_ABSTRACT)


def test_key_sentences_keep_their_original_order():
    sentences = split_sentences(WRAPPED_ABSTRACT)
    summary = summarize(WRAPPED_ABSTRACT, WRAPPED_TITLE, n=3)
    positions = [sentences.index(s) for s in summary.sentences]
    assert len(positions) == 3
    assert positions == sorted(positions)


def test_n_larger_than_the_text_returns_every_sentence():
    summary = summarize("First finding here. Second finding here.", n=5)
    assert summary.sentences == ["First finding here.", "Second finding here."]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["title"][:30] for e in EXAMPLES])
def test_key_terms_are_readable_words_from_the_text(example):
    summary = summarize(example["abstract"], example["title"])
    words_in_text = set(example["abstract"].replace(",", " ").replace(".", " ").split())
    assert 5 <= len(summary.key_terms) <= 10
    assert len(set(summary.key_terms)) == len(summary.key_terms)
    for term in summary.key_terms:
        assert term in words_in_text
        assert any(ch.isalpha() for ch in term)
        assert tokenize(term), f"{term!r} is a stop word"


def test_title_words_rank_high_among_key_terms():
    example = EXAMPLES[2]  # sparse mixture of experts for speech recognition
    terms = summarize(example["abstract"], example["title"]).key_terms
    assert {"speech", "sparse"} <= set(terms[:5])


def test_key_terms_use_the_given_idf():
    example = EXAMPLES[0]
    # A corpus where "clipping" is everywhere should not call it characteristic.
    terms = summarize(example["abstract"], idf=lambda stem: 0.01 if stem == "clip" else 5.0).key_terms
    assert "clipping" not in terms


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["title"][:30] for e in EXAMPLES])
def test_the_paper_own_contribution_beats_background_as_tldr(example):
    summary = summarize(example["abstract"], example["title"])
    assert summary.tldr == example["cue"]
    assert summary.tldr != example["background"]


@pytest.mark.parametrize("text", ["", "   ", "\n\t  \n"])
def test_empty_text_is_rejected(text):
    with pytest.raises(ValueError):
        summarize(text)


def test_text_without_a_boundary_is_one_trimmed_sentence():
    text = " ".join(["unpunctuated"] * 100)
    summary = summarize(text)
    assert summary.sentences == [summary.tldr]
    assert len(summary.tldr) <= MAX_SENTENCE_CHARS
    assert summary.tldr.endswith("…")
    assert text.startswith(summary.tldr[:-1])
    assert summary.tldr[:-1].endswith("unpunctuated")  # cut at a word boundary


def test_short_text_without_a_boundary_is_kept_as_is():
    assert summarize("Graph neural networks for molecules").tldr == "Graph neural networks for molecules"


@pytest.mark.parametrize(
    "text",
    [
        "深度学习是机器学习的一个分支。它使用多层神经网络进行表示学习！",
        "Глубокое обучение — это раздел машинного обучения. Оно использует нейронные сети.",
        "∑∫∂ ≈≠ ±±± $$$ ### @@@ 12.5 % → ∞",
        "!!! ??? ... ;;; ---",
        "x" * 5000,
    ],
    ids=["chinese", "russian", "symbols", "punctuation-only", "one-long-token"],
)
def test_non_english_and_symbol_text_gives_a_result(text):
    summary = summarize(text, title="标题 ∑")
    assert isinstance(summary, Summary)
    assert summary.tldr
    assert 1 <= len(summary.sentences) <= 3
    assert all(len(s) <= MAX_SENTENCE_CHARS for s in summary.sentences)


def test_same_input_gives_the_same_summary():
    first = summarize(WRAPPED_ABSTRACT, WRAPPED_TITLE)
    again = summarize(WRAPPED_ABSTRACT, WRAPPED_TITLE)
    assert first == again
    assert first.method == METHOD_VERSION


def test_a_hundred_kilobyte_text_is_summarised_quickly():
    text = " ".join(e["abstract"] for e in EXAMPLES) + " "
    text = (text * (100_000 // len(text) + 1))[:100_000]
    start = time.perf_counter()
    summary = summarize(text)
    assert time.perf_counter() - start < 2.0
    assert 1 <= len(summary.sentences) <= 3


def test_n_below_one_is_rejected():
    with pytest.raises(ValueError):
        summarize("We propose a method.", n=0)
