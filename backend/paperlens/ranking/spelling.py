"""How a stem is shown to people: the word form a text uses for it most, so a matched or key term
reads 'attention', not 'attent'. One rule for the matched words of related papers and search
(ranking/related.py) and for the key terms of summaries (ranking/summaries.py)."""

from __future__ import annotations

from collections import Counter


def usual_spelling(spellings: Counter[str]) -> str:
    """The most frequent word form of one stem; case variants pool their counts ("Network" +
    "network"), and the lowercase spelling is preferred unless the text always capitalises the word
    (names, acronyms). Ties go to the form met first. Casefolded words (the tokenizer's) have one
    variant per form, so for them this is simply the most frequent word."""
    if len(spellings) == 1:  # most stems of a query: nothing to choose
        return next(iter(spellings))
    by_form: Counter[str] = Counter()
    for word, count in spellings.items():
        by_form[word.casefold()] += count
    form = max(by_form, key=lambda f: (by_form[f], -list(by_form).index(f)))
    cased = [w for w in spellings if w.casefold() == form]
    return form if form in cased else max(cased, key=lambda w: spellings[w])
