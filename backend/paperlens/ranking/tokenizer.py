"""The one tokenizer: the index and every query go through it, so their tokens always agree."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

# Bumped whenever a choice below changes: an index records it and is rebuilt when it differs.
TOKENIZER_VERSION = "v1:nfkc-casefold,word=[^\\W_]+,min-len=2,stop=english-v1,stem=snowball-english"

WORD = re.compile(r"[^\W_]+")

# A plain English list (the usual IR set: articles, pronouns, auxiliaries, prepositions, conjunctions).
# Kept small on purpose: domain words such as "model" or "learning" stay, because BM25's IDF already
# weighs them and they do carry meaning in paper titles.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because been before
    being below between both but by can cannot could couldn did didn do does doesn doing don down
    during each either etc few for from further had hadn has hasn have haven having he her here hers
    herself him himself his how however i if in into is isn it its itself just let me more most must
    mustn my myself no nor not now of off on once only or other ought our ours ourselves out over own
    same shall shan she should shouldn so some such than that the their theirs them themselves then
    there these they this those through thus to too under until up upon us very via was wasn we were
    weren what when where whether which while who whom whose why will with within without won would
    wouldn yet you your yours yourself yourselves
    """.split()
)

_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=500_000)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def tokenize(text: str) -> list[str]:
    """Lowercased, stop-word-free, stemmed word tokens of `text`, in order, repeats kept."""
    if not text:
        return []
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [_stem(w) for w in WORD.findall(folded) if len(w) > 1 and w not in STOP_WORDS]
