"""The one tokenizer: casefolded, stop-word-free, stemmed words, the same for index and queries."""

from paperlens.ranking import tokenize
from paperlens.ranking.tokenizer import WORD, words


def test_lowercases_drops_stop_words_and_stems():
    assert tokenize("The Transformers are learning attention") == ["transform", "learn", "attent"]


def test_repeats_are_kept_in_order():
    assert tokenize("graph graph networks graph") == ["graph", "graph", "network", "graph"]


def test_one_letter_words_and_punctuation_are_dropped():
    assert tokenize("a b c -- O(n) ... x_y") == []


def test_unicode_words_are_split_and_normalised():
    assert tokenize("Naïve ﬁne-tuning für Übersetzung") == ["naïv", "fine", "tune", "für", "übersetzung"]
    assert tokenize("注意力 机制") == ["注意力", "机制"]


def test_ascii_fast_path_splits_like_the_unicode_rule():
    text = "GPT-4o's F1=0.93 on SQuAD_v2, e.g. (see https://x.org/a_b)"
    assert words(text) == WORD.findall(text.casefold())


def test_empty_text_gives_no_tokens():
    assert tokenize("") == [] and tokenize("   ") == []
