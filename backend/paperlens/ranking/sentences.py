"""Sentence splitting that survives scientific prose: abbreviations, numbers, URLs, LaTeX, wrapped lines."""

from __future__ import annotations

import re
from bisect import bisect_right

# Abbreviations after which a period never ends a sentence in paper text ("et al. (2016)", "Fig. 2").
# Compared case-insensitively against the word before the period, without that period.
NEVER_FINAL = frozenset(
    """
    al e.g i.e cf vs viz fig figs eq eqs sec secs tab tabs ref refs no nos approx resp ch chap app
    appx thm thms def defn prop lem cor alg algs dr prof mr mrs ms st jr sr p pp vol eds ed est dept
    univ ca c.f w.r.t wrt a.k.a aka incl max min
    """.split()
)

# After an initial ("J. Smith", "U.S.") the next capitalised word usually continues the sentence, but
# "... in Appendix A. We then ..." does end one: these words start sentences far more often than names.
SENTENCE_STARTERS = frozenset(
    """
    a an as at but by finally for furthermore here however in it its moreover our on since so that the
    then there these this those thus to unlike using we when while with additionally also although
    despite experiments extensive given instead overall results specifically such
    """.split()
)

# Spans whose periods are not punctuation: URLs (trailing punctuation left outside) and inline maths.
# Every pattern here runs in time linear in the text, whatever it holds (a hostile abstract of 100,000
# dots or "\\(" once took minutes): a TeX span cannot contain its own opener, so a run of openers
# without a closer fails at the next opener instead of scanning to the end of the text from each one.
PROTECTED = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]'”’]"  # a URL, not its closing punctuation
    r"|\$\$(?:(?!\$\$).)+?\$\$|\$[^$\n]+?\$"  # $$display$$ and $inline$ TeX
    r"|\\\((?:(?!\\\().)+?\\\)|\\\[(?:(?!\\\[).)+?\\\]",  # \( \) and \[ \] TeX
    re.DOTALL,
)

# A candidate end: terminal punctuation, any closing quotes/brackets, then whitespace and what comes next.
# CJK full stops need no following space. A match may only start at the first mark of a run, and
# its runs never give back what they took (possessive): without both, a run of N dots with no space
# after it was tried from each of its N positions, each scanning to its end (N² steps).
CANDIDATE = re.compile(r"(?:(?<![.!?…])[.!?…]++[\"'”’»)\]]*+(?=\s)|(?<![。！？])[。！？]++[」』”’)）]*+)")

NEXT_WORD = re.compile(r"\s*([\"'“‘(\[]*)(\S*)")
INITIALS = re.compile(r"^(?:[A-Za-z]\.)*[A-Z]$")  # "J", "U.S", "Ph.D" without the last period


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` in order, whitespace-normalised; [] for blank text, [text] with no boundary."""
    sentences: list[str] = []
    for paragraph in _paragraphs(text):
        sentences.extend(_split_paragraph(paragraph))
    return sentences


def _paragraphs(text: str) -> list[str]:
    """Blank lines end paragraphs; single hard line breaks (wrapped abstracts) are just spaces."""
    paragraphs = []
    for block in re.split(r"\n[ \t\r\f\v]*\n", text):
        # A hyphen at a line end joins a wrapped compound ("state-of-the-\nart"), so keep it and no space.
        block = re.sub(r"-[ \t]*\r?\n[ \t]*", "-", block)
        block = re.sub(r"\s+", " ", block).strip()
        if block:
            paragraphs.append(block)
    return paragraphs


def _split_paragraph(text: str) -> list[str]:
    protected = [m.span() for m in PROTECTED.finditer(text)]
    sentences, start = [], 0
    for match in CANDIDATE.finditer(text):
        end = match.end()
        if _inside(match.start(), protected) or not _ends_sentence(text, match):
            continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    # Spans come from finditer: sorted and disjoint, so only the last one starting before can hold it.
    k = bisect_right(spans, (position, float("inf"))) - 1
    return k >= 0 and spans[k][0] <= position < spans[k][1]


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    punctuation = match.group()
    if punctuation[0] in "。！？":
        return True
    following = NEXT_WORD.match(text, match.end())
    opener, next_word = following.group(1), following.group(2)
    if not next_word and not opener:
        return True  # end of text
    first = (next_word or opener)[0]
    # A lowercase continuation ("e.g. the", "vs. baselines") is never a new sentence in abstracts.
    if first.islower():
        return False
    if punctuation[0] != ".":
        return True  # "?" and "!" end sentences whenever something capitalised follows
    # Paragraphs are whitespace-normalised, so the word before the period starts after the last space.
    word = text[text.rfind(" ", 0, match.start()) + 1 : match.start()].lstrip("([\"'“‘")
    if word.casefold() in NEVER_FINAL or word.casefold().rstrip(".") in NEVER_FINAL:
        return False
    if INITIALS.match(word):
        starter = re.sub(r"[^\w]", "", next_word).casefold()
        return starter in SENTENCE_STARTERS
    return True
