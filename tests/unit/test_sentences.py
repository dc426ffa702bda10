"""Sentence splitting on the kinds of text papers are made of."""

import pytest

from paperlens.ranking.sentences import split_sentences


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We follow Smith et al. (2016) closely. It works.", ["We follow Smith et al. (2016) closely.", "It works."]),
        ("As in Lee et al. we train twice. Then we test.", ["As in Lee et al. we train twice.", "Then we test."]),
        ("Some tasks, e.g. Parsing, are hard. Others are not.", ["Some tasks, e.g. Parsing, are hard.", "Others are not."]),
        ("One task, i.e. Tagging, is easy. Done.", ["One task, i.e. Tagging, is easy.", "Done."]),
        ("This holds (cf. Theorem 1) in general. Done.", ["This holds (cf. Theorem 1) in general.", "Done."]),
        ("We compare BERT vs. GPT on QA. BERT wins.", ["We compare BERT vs. GPT on QA.", "BERT wins."]),
        ("See Fig. 2 for details. Done.", ["See Fig. 2 for details.", "Done."]),
        ("Figs. 3 and 4 agree. Done.", ["Figs. 3 and 4 agree.", "Done."]),
        ("Minimise Eq. (3) by descent. Done.", ["Minimise Eq. (3) by descent.", "Done."]),
        ("Proofs are in Sec. 4 below. Done.", ["Proofs are in Sec. 4 below.", "Done."]),
        ("Results are in Tab. 1 here. Done.", ["Results are in Tab. 1 here.", "Done."]),
    ],
    ids=["et-al-year", "et-al-lowercase", "e.g.", "i.e.", "cf.", "vs.", "Fig.", "Figs.", "Eq.", "Sec.", "Tab."],
)
def test_abbreviations_do_not_end_sentences(text, expected):
    assert split_sentences(text) == expected


def test_decimals_and_percentages_stay_whole():
    text = "Accuracy rose by 3.5% to 0.92 on the test set. Recall was 0.88."
    assert split_sentences(text) == ["Accuracy rose by 3.5% to 0.92 on the test set.", "Recall was 0.88."]


def test_sentence_ending_in_a_number_still_ends():
    assert split_sentences("We ran it in 2019. It was fast.") == ["We ran it in 2019.", "It was fast."]


def test_version_numbers_stay_whole():
    text = "We use Python 3.11 and release v1.2.3 of the tool. It is free."
    assert split_sentences(text) == ["We use Python 3.11 and release v1.2.3 of the tool.", "It is free."]


def test_urls_stay_whole_and_their_final_period_ends_the_sentence():
    text = "Code is at https://github.com/a/b.c. Data is at www.example.org/x.y too."
    assert split_sentences(text) == ["Code is at https://github.com/a/b.c.", "Data is at www.example.org/x.y too."]


def test_inline_latex_with_dots_stays_whole():
    text = r"It runs in $O(n^2)$ time. The bound $\mathcal{O}(n \log n). B$ is tight. Done."
    assert split_sentences(text) == [
        "It runs in $O(n^2)$ time.",
        r"The bound $\mathcal{O}(n \log n). B$ is tight.",
        "Done.",
    ]


def test_initials_in_names_do_not_end_sentences():
    text = "This extends work by J. Smith and K. L. Lee on parsing. We go further."
    assert split_sentences(text) == ["This extends work by J. Smith and K. L. Lee on parsing.", "We go further."]


def test_a_single_letter_before_a_sentence_starter_ends_the_sentence():
    assert split_sentences("Details are in Appendix A. We now turn to B.") == [
        "Details are in Appendix A.",
        "We now turn to B.",
    ]


def test_line_wrapped_abstract_joins_lines_within_a_sentence():
    text = "Sensor simulation is pivotal for\nvalidation of driving systems. This paper\nintroduces a state-of-the-\nart simulator.\n"
    assert split_sentences(text) == [
        "Sensor simulation is pivotal for validation of driving systems.",
        "This paper introduces a state-of-the-art simulator.",
    ]


def test_blank_line_ends_a_sentence_without_punctuation():
    assert split_sentences("Abstract\n\nWe study parsing.") == ["Abstract", "We study parsing."]


def test_question_and_exclamation_marks_end_sentences():
    text = "Can transformers count? They can! We show how."
    assert split_sentences(text) == ["Can transformers count?", "They can!", "We show how."]


def test_closing_quotes_and_parentheses_stay_with_their_sentence():
    text = 'The model "works." Then it stops (see the appendix.) Finally, (it ends.) "Quoted." Done.'
    assert split_sentences(text) == [
        'The model "works."',
        "Then it stops (see the appendix.)",
        "Finally, (it ends.)",
        '"Quoted."',
        "Done.",
    ]


def test_text_without_a_boundary_is_one_sentence():
    assert split_sentences("  a title-like fragment with no final period  ") == ["a title-like fragment with no final period"]


def test_blank_text_has_no_sentences():
    assert split_sentences(" \n\t ") == []


def test_chinese_full_stops_end_sentences():
    assert split_sentences("我们提出了一种新方法。实验表明它有效！") == ["我们提出了一种新方法。", "实验表明它有效！"]
