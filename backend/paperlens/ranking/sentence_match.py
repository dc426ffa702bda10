"""The sentence of one text and the sentence of another that match best: each sentence of the
first as a BM25 query against the sentences of the second (the corpus's idf, the sentences' own
average length), through the one sentence splitter and the one tokenizer."""

from __future__ import annotations

import numpy as np

from .index import Index
from .sentences import split_sentences
from .similarity import Postings, bags, bm25_documents, bm25_queries, pairwise
from .summaries import MAX_SENTENCES, MAX_TEXT_CHARS, leading_text, trim_sentence


def sentences_of(text: str) -> list[str]:
    """The text's sentences (its first MAX_SENTENCES, from its first MAX_TEXT_CHARS characters)."""
    text = leading_text(text, MAX_TEXT_CHARS)
    return split_sentences(text)[:MAX_SENTENCES] or ([text.strip()] if text.strip() else [])


def best_pairs(index: Index, draft: list[str], papers: list[list[str]]) -> list[tuple[str, str] | None]:
    """For each paper's sentences, (the draft's sentence, the paper's sentence) with the highest
    BM25 score, or None when no sentence of the draft shares a word with the paper."""
    flat = [sentence for sentences in papers for sentence in sentences]
    if not draft or not flat:
        return [None] * len(papers)
    queries = bm25_queries(bags(draft), index)
    paper_bags = bags(flat)
    lengths = paper_bags.lengths[paper_bags.lengths > 0]
    documents = bm25_documents(paper_bags, index, avgdl=float(lengths.mean()) if len(lengths) else None)
    scores = pairwise(queries, Postings.build(documents))  # draft sentences x every paper sentence
    found, start = [], 0
    for sentences in papers:
        block = scores[:, start: start + len(sentences)]
        start += len(sentences)
        if block.size == 0 or block.max() <= 0:
            found.append(None)
            continue
        i, j = np.unravel_index(int(np.argmax(block)), block.shape)
        found.append((trim_sentence(draft[i]), trim_sentence(sentences[j])))
    return found
