"""One rule shows a stem as a word: matched words of related papers and search, and summaries' key terms."""

from __future__ import annotations

from collections import Counter

from paperlens.ranking.related import surface_words
from paperlens.ranking.spelling import usual_spelling
from paperlens.ranking.summaries import key_terms
from paperlens.ranking.tokenizer import stem


def test_the_most_frequent_form_of_a_stem_is_shown():
    assert usual_spelling(Counter({"model": 1, "models": 3})) == "models"


def test_case_variants_count_together_and_lowercase_wins():
    # "Networks" alone is the most frequent spelling, but "networks" in any case is used more often
    assert usual_spelling(Counter({"Networks": 2, "networks": 1, "network": 2})) == "networks"


def test_a_word_the_text_always_capitalises_keeps_its_capitals():
    assert usual_spelling(Counter({"BERT": 3, "Bert": 1})) == "BERT"


def test_a_tie_goes_to_the_form_met_first():
    assert usual_spelling(Counter({"learning": 2, "learned": 2})) == "learning"
    assert usual_spelling(Counter({"learned": 2, "learning": 2})) == "learned"


def test_related_papers_show_the_querys_most_used_form():
    # the tokenizer casefolds, so matched words are lowercase whatever the query wrote
    shown = surface_words("Transformers use attention. A transformer attends; transformers scale.")
    assert shown[stem("transformers")] == "transformers"
    assert shown[stem("attention")] == "attention"


def test_key_terms_use_the_same_rule_on_the_texts_own_spelling():
    sentences = ["Graph Networks learn on graphs.", "Our networks beat prior Networks.", "GNN results hold."]
    terms = key_terms(sentences, None, lambda _: 1.0, k=10)
    assert "networks" in terms and "Networks" not in terms
    assert "GNN" in terms
