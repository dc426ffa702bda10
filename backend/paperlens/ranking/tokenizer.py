"""The one tokenizer: the index and every query go through it, so their tokens always agree."""

from __future__ import annotations

import re
import unicodedata
from array import array

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

# ASCII text takes a faster path that splits exactly where WORD would: on everything but [a-z0-9].
_ASCII_SPLIT = str.maketrans({c: " " for c in range(128) if not chr(c).isalnum()})
_CACHE_LIMIT = 2_000_000


class _StemCache(dict):
    """word -> stem, or None for a stop word or a one-letter word. Vocabularies are Zipfian, so
    almost every look-up is a hit and stemming runs once per distinct word."""

    def __missing__(self, word: str) -> str | None:
        if len(self) > _CACHE_LIMIT:
            self.clear()
        stem = None if len(word) < 2 or word in STOP_WORDS else _stemmer.stemWord(word)
        self[word] = stem
        return stem


_stems = _StemCache()


def stem(word: str) -> str | None:
    """The token a casefolded word becomes, or None when the tokenizer drops it."""
    return _stems[word]


def words(text: str) -> list[str]:
    """The casefolded words of `text`, before stop words and stemming."""
    if text.isascii():
        return text.lower().translate(_ASCII_SPLIT).split()
    return WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def tokenize(text: str) -> list[str]:
    """Lowercased, stop-word-free, stemmed word tokens of `text`, in order, repeats kept."""
    if not text:
        return []
    return [s for s in map(_stems.__getitem__, words(text)) if s]


class _WordIds(dict):
    """word -> the id of its token in `terms` (ids numbered on first sight), or -1 for a dropped
    word; so a document becomes ids in one C-level map() with no per-token Python code."""

    def __init__(self) -> None:
        super().__init__()
        self.terms: dict[str, int] = {}

    def __missing__(self, word: str) -> int:
        token = _stems[word]
        i = -1 if token is None else self.terms.setdefault(token, len(self.terms))
        self[word] = i
        return i


def token_ids(texts) -> tuple[list[str], "array", "array"]:
    """tokenize() of many documents at once, as ids: (terms, ids, offsets).

    `ids` holds one entry per word of each document in order, the token's index in `terms` or -1
    where tokenize() drops the word; document i's words are ids[offsets[i]:offsets[i + 1]].
    Dropping the -1 entries gives exactly tokenize(text)'s tokens."""
    ids = array("i")
    offsets = array("q", [0])
    word_ids = _WordIds()
    for text in texts:
        if text:
            ids.extend(map(word_ids.__getitem__, words(text)))
        offsets.append(len(ids))
    return list(word_ids.terms), ids, offsets
