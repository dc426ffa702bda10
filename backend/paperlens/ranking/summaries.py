"""Extractive summaries: a one-sentence TL;DR, the key sentences and the key terms of a paper's text.

Sentences are scored by a small linear model over TextRank (PageRank over BM25 sentence similarity,
Barrios et al. 2016), position, cue phrases ("we propose", "in this paper") and title overlap. Its
weights were fitted on SciTLDR-A train by `bench/summaries.py --fit` and ship in summary_weights.json.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable

import numpy as np

from . import bm25
from .sentences import split_sentences
from .spelling import usual_spelling
from .tokenizer import WORD, stem, tokenize

# Bump whenever splitting, features, weights or key-term rules change: cached summaries key on it.
METHOD_VERSION = "summary-v1:sci-split,textrank-bm25+position+cue+title,linear-scitldr-train"

MAX_SENTENCES = 200  # TextRank is O(n²); the first 200 sentences hold any abstract or introduction
# Only the start of a text is read: 200 sentences of prose fit well within it, and a hostile text
# (one 100 KB "sentence", 20,000 distinct words) costs a bounded few hundred ms, not more.
MAX_TEXT_CHARS = 50_000
MAX_SENTENCE_CHARS = 400  # an unsplittable blob is cut to this, at a word boundary
KEY_TERMS = 8
LEAD_CHARS = 2_000
LEAD_METHOD = "lead-v1:first-sentence"
HAS_LETTER = re.compile(r"[^\W\d_]")
MAX_TERM_CHARS = 40  # longer "words" are unsegmented scripts or identifiers, not readable terms
TITLE_BOOST = 2.0  # a title word counts as this many extra occurrences
DAMPING = 0.85

FEATURES = (
    "textrank",
    "first",
    "position",
    "last",
    "contribution_cue",
    "finding_cue",
    "framing_cue",
    "background_cue",
    "title_overlap",
    "centrality",
    "length",
    "short",
)

# Phrases that mark a paper's own contribution or findings versus the background it starts from.
CUES = {
    "contribution_cue": re.compile(
        r"\b(?:we|this (?:paper|work|article|study)|our (?:paper|work)|the authors?)\s+(?:\w+\s+){0,2}?"
        r"(?:propose|introduce|present|develop|design|describe|formulate|devise|build|offer|investigate"
        r"|study|explore|address|tackle)"
    ),
    "finding_cue": re.compile(
        r"\b(?:we (?:\w+ )?(?:show|demonstrate|find|prove|observe|achieve|obtain|establish)"
        r"|our (?:results|experiments|method|approach|model|analysis|findings)"
        r"|results (?:show|demonstrate|indicate|suggest)|outperforms?|state[- ]of[- ]the[- ]art)"
    ),
    "framing_cue": re.compile(r"\b(?:in this (?:paper|work|article|study)|this (?:paper|work)|here,? we)\b"),
    "background_cue": re.compile(
        r"\b(?:recently|however|has been|have been|existing|previous|prior work|remains?|widely"
        r"|traditionally|is an? (?:important|popular|fundamental|key|central|common)|suffers?)\b"
    ),
}

WEIGHTS_FILE = "summary_weights.json"
IDF_FILE = "summary_idf.json"


@dataclass(frozen=True)
class Summary:
    tldr: str
    sentences: list[str]  # the top n, in their original order
    key_terms: list[str]  # readable surface words, most characteristic first
    method: str  # METHOD_VERSION


def summarize(
    text: str,
    title: str | None = None,
    *,
    n: int = 3,
    idf: Callable[[str], float] | None = None,
) -> Summary:
    """Summarise `text` (an abstract or longer); ValueError if it is blank.

    `idf(stem)` is the corpus IDF of a tokenizer stem and must answer for any stem, unseen ones
    included (the BM25 index's IDF, high for unseen stems); None uses a built-in SciTLDR table.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text to summarise is empty")
    if n < 1:
        raise ValueError("n must be at least 1")
    idf = idf or fallback_idf

    text = leading_text(text, MAX_TEXT_CHARS)
    sentences = split_sentences(text)[:MAX_SENTENCES] or [text.strip()]
    tokens = [tokenize(s) for s in sentences]
    title_stems = set(tokenize(title or ""))

    scores = sentence_features(sentences, tokens, title_stems, idf) @ _weights()
    # Ties go to the earlier sentence, so the result never depends on float noise or dict order.
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    chosen = sorted(ranked[:n])
    return Summary(
        tldr=trim_sentence(sentences[ranked[0]]),
        sentences=[trim_sentence(sentences[i]) for i in chosen],
        key_terms=key_terms(sentences, title, idf),
        method=METHOD_VERSION,
    )


def sentence_features(
    sentences: list[str],
    tokens: list[list[str]],
    title_stems: set[str],
    idf: Callable[[str], float],
) -> np.ndarray:
    """One row per sentence, one column per name in FEATURES (shared by `summarize` and the fitting)."""
    count = len(sentences)
    vocabulary = {stem: j for j, stem in enumerate(sorted({t for ts in tokens for t in ts}))}
    weights = np.array([max(idf(stem), 0.0) for stem in vocabulary], dtype=float)
    tf = np.zeros((count, len(vocabulary)))
    for i, stems in enumerate(tokens):
        for stem in stems:
            tf[i, vocabulary[stem]] += 1

    features = np.zeros((count, len(FEATURES)))
    column = {name: k for k, name in enumerate(FEATURES)}
    features[:, column["textrank"]] = textrank(tf, weights) * count  # 1.0 = an average sentence
    features[0, column["first"]] = 1.0
    features[:, column["position"]] = 1.0 - np.arange(count) / max(count - 1, 1)
    features[count - 1, column["last"]] = 1.0 if count > 1 else 0.0
    for i, sentence in enumerate(sentences):
        lowered = sentence.casefold()
        for name, cue in CUES.items():
            features[i, column[name]] = 1.0 if cue.search(lowered) else 0.0
        if title_stems:
            features[i, column["title_overlap"]] = len(title_stems & set(tokens[i])) / len(title_stems)
        features[i, column["length"]] = math.log1p(len(tokens[i]))
        features[i, column["short"]] = 1.0 if len(tokens[i]) < 6 else 0.0
    features[:, column["centrality"]] = _centrality(tf, weights)
    return features


def textrank(tf: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """PageRank over BM25 similarity: edge i→j weighs how well sentence i, as a query, matches j."""
    count = tf.shape[0]
    if count == 1:
        return np.ones(1)
    lengths = tf.sum(axis=1)
    average = max(lengths.mean(), 1.0)
    weights = bm25.saturation(tf, lengths[:, None], average)
    similarity = (tf > 0).astype(float) @ (weights * idf).T
    np.fill_diagonal(similarity, 0.0)
    totals = similarity.sum(axis=1, keepdims=True)
    # A sentence sharing no term with the others links to all of them equally (a random jump).
    transition = np.where(totals > 0, similarity / np.where(totals > 0, totals, 1.0), 1.0 / count)
    rank = np.full(count, 1.0 / count)
    for _ in range(100):
        updated = (1 - DAMPING) / count + DAMPING * (transition.T @ rank)
        if np.abs(updated - rank).sum() < 1e-9:
            return updated
        rank = updated
    return rank


def _centrality(tf: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """Cosine between each sentence's tf-idf vector and the whole text's."""
    vectors = tf * idf
    document = vectors.sum(axis=0)
    norms = np.linalg.norm(vectors, axis=1) * max(np.linalg.norm(document), 1e-12)
    return np.where(norms > 0, vectors @ document / np.where(norms > 0, norms, 1.0), 0.0)


def key_terms(
    sentences: list[str], title: str | None, idf: Callable[[str], float], k: int = KEY_TERMS
) -> list[str]:
    """The k stems with the highest tf × idf (title words count extra), each as its usual spelling."""
    frequency: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for sentence in sentences:
        for word, stem in _words(sentence):
            frequency[stem] += 1
            spellings[stem][word] += 1
    # Title words only lift terms the text itself uses, so every key term can be found in the text.
    for _, stem in _words(title or ""):
        if stem in frequency:
            frequency[stem] += TITLE_BOOST
    ranked = sorted(frequency, key=lambda stem: (-frequency[stem] * max(idf(stem), 0.0), stem))
    return [usual_spelling(spellings[stem]) for stem in ranked[:k]]


def _words(text: str) -> list[tuple[str, str]]:
    """(surface word, stem) pairs for the readable words of `text`: letters in them, not too long."""
    pairs = []
    for word in WORD.findall(unicodedata.normalize("NFKC", text)):
        if len(word) > MAX_TERM_CHARS or not HAS_LETTER.search(word):
            continue
        # one WORD match is one tokenizer word: its token is stem() of its casefolded form
        token = stem(word.casefold())
        if token:
            pairs.append((word, token))
    return pairs


def leading_text(text: str, limit: int) -> str:
    """The first ≤ limit characters of `text`, cut at its last whitespace when there is one."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return cut[:space] if space > limit // 2 else cut


def lead_summary(text: str, title: str | None = None) -> Summary:
    """A cheap stand-in when there is no time left to summarise properly: the first sentence of the
    text's start (its title when the text is blank). Linear and bounded whatever the text holds."""
    source = text if text.strip() else (title or "")
    if not source.strip():
        raise ValueError("text to summarise is empty")
    first = (split_sentences(leading_text(source, LEAD_CHARS)) or [source.strip()[:LEAD_CHARS]])[0]
    tldr = trim_sentence(first)
    return Summary(tldr=tldr, sentences=[tldr], key_terms=[], method=LEAD_METHOD)


def trim_sentence(sentence: str, limit: int = MAX_SENTENCE_CHARS) -> str:
    """`sentence`, or its first ≤ limit characters cut at a word boundary and marked with "…"."""
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def fallback_idf(stem: str) -> float:
    """IDF from document frequencies in SciTLDR-A train, for callers without a corpus index."""
    n_docs, frequencies = _idf_table()
    df = frequencies.get(stem, 0)
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


@lru_cache(maxsize=1)
def _idf_table() -> tuple[int, dict[str, int]]:
    table = json.loads(resources.files(__package__).joinpath(IDF_FILE).read_text("utf-8"))
    return table["n_docs"], table["df"]


@lru_cache(maxsize=1)
def _weights() -> np.ndarray:
    table = json.loads(resources.files(__package__).joinpath(WEIGHTS_FILE).read_text("utf-8"))
    if tuple(table["features"]) != FEATURES:
        raise RuntimeError(f"{WEIGHTS_FILE} was fitted for other features; rerun bench/summaries.py --fit")
    return np.array(table["weights"], dtype=float)
