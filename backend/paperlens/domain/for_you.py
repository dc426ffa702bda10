"""For you: papers ranked by one user's reading list. Candidates from a listing page (POST
/library/rank), the digest of papers new to the corpus (GET /library/digest, `paperlens digest`)
and its Atom feed behind a feed-only secret URL. The scoring is library/closeness.py's."""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from dataclasses import dataclass, field

import numpy as np

from ..corpus.paper import canonical_id, indexed_text
from ..corpus.timestamps import iso_utc
from ..library import atom
from ..library.closeness import ListModel, candidate_vectors
from ..library.recommend import profile
from ..ranking.list_meaning import ListMeaning, mixed_scores
from ..ranking.live_index import View
from ..ranking.related import Hit
from ..ranking.similarity import Bags, bags
from .corpus import Corpus
from .errors import NotFound
from .meaning import BM25, HYBRID

DAY_MS = 24 * 3600 * 1000
MODEL_SECONDS = 600  # a list's cached model is rebuilt at least this often (a saved paper's text may change)
MODELS_KEPT = 64  # (user, tag) pairs whose models a process keeps
DIGEST_WINDOW_MAX = 5_000  # the newest papers of a window the digest looks at (a day of all of arXiv: ~1-3k)
DIGEST_SCORED = 300  # papers scored in full; a larger window is first narrowed by the list's profile query


@dataclass
class _ListText:
    """What a list's model is built from (tokenized once per version of the list)."""

    fingerprint: str
    built: float
    ids: list[str]  # saved papers (one tag's, with a tag), newest first: the model's rows
    titles: list[str]
    texts: list[str]
    dismissed: int
    dismissed_texts: list[str]
    saved_bags: Bags
    dismissed_bags: Bags | None
    models: dict = field(default_factory=dict)  # id(index) -> (weakref to the index, ListModel)


@dataclass(frozen=True)
class Scored:
    score: float
    because: list[dict]  # [{"id", "title"}] of the nearest saved papers
    matched_terms: list[tuple[str, float]]
    meaning: float | None = None  # closeness in meaning to the list (mean cosine of the nearest saved papers)


_lists: dict[tuple[str, str | None], _ListText] = {}
_lists_lock = threading.Lock()


class ForYou:
    def __init__(self, corpus: Corpus, user: str):
        self.corpus = corpus
        self.user = user
        self.list = corpus.store.reading_list(user)

    # -- ranking candidates ------------------------------------------------------------------
    def rank(self, candidates: list[dict], tag: str | None = None, rank: str | None = None) -> dict:
        """One result per candidate, in the order given: its id as the corpus knows it (else the id
        its metadata gives it), its 0-100 score against the list (or `tag`'s papers), the saved
        papers it is closest to, the words it shares with them, and whether it is saved."""
        view = self.corpus.index.view()
        listed = self._list_text(view, tag)
        found = self._find(view, candidates)
        rows = {paper_id: n for n, paper_id in enumerate(listed.ids)}
        scored, used = self._score(view, listed, [text for _, text, _ in found],
                                   [rows.get(paper_id, -1) if in_corpus else -1 for paper_id, _, in_corpus in found],
                                   [paper_id if in_corpus else None for paper_id, _, in_corpus in found], rank)
        flags = self.list.contains([paper_id for paper_id, _, _ in found])
        results = [{"id": paper_id, "score": s.score, "because": s.because,
                    "matched_terms": [{"term": t, "weight": w} for t, w in s.matched_terms],
                    "meaning": s.meaning, "saved": saved, "in_corpus": in_corpus}
                   for (paper_id, _, in_corpus), s, saved in zip(found, scored, flags)]
        return {"rank": used, "based_on": len(listed.ids), "dismissed": listed.dismissed, "tag": tag,
                "results": results}

    def _find(self, view: View, candidates: list[dict]) -> list[tuple[str | None, str, bool]]:
        """(id, text to score, in the corpus) per candidate: the corpus's copy when it has the paper
        (by any of its ids), else what the candidate carries."""
        given = [self.corpus.to_paper({k: v for k, v in c.items() if k != "id"}, "listing") if len(c) > 1 or "id" not in c
                 else None for c in candidates]
        names = [([canonical_id(c["id"])] if c.get("id") else []) + (p.aliases() if p else [])
                 for c, p in zip(candidates, given)]
        docs = [next((d for d in map(view.papers.doc_of, ids) if d >= 0), -1) for ids in names]
        records = [view.papers.paper(doc) if doc >= 0 else None for doc in docs]
        unknown = [n for n, doc in enumerate(docs) if doc < 0 and names[n]]
        if unknown:  # aliases the view cannot see (a DOI of a paper stored as arxiv:...), or papers
            # that joined a moment ago: one round trip asks Redis
            flat = [(n, i) for n in unknown for i in names[n]]
            stored: dict[int, str] = {}
            for (n, _), resolved in zip(flat, self.corpus.store.papers.resolve_many([i for _, i in flat])):
                if resolved:
                    stored.setdefault(n, resolved)
            for n, record in zip(stored, self.corpus.papers_of(view, list(stored.values()))):
                records[n] = record
        found = []
        for paper, ids, record in zip(given, names, records):
            text = indexed_text(record.get("title"), record.get("abstract")) if record else ""
            found.append((record["id"] if record else (ids[0] if ids else None),
                          text or (paper.indexed_text if paper else ""), record is not None))
        return found

    # -- the digest ----------------------------------------------------------------------------
    def digest(self, days: int, k: int, tag: str | None = None, summaries: str = "tldr",
               rank: str | None = None) -> dict:
        """Papers that joined the corpus in the last `days` days, best for the list first (newest
        first while the list is empty), never a saved or dismissed paper; each with its TL;DR."""
        papers = self.corpus.store.papers
        until = int(papers.clock() * 1000)
        since = until - days * DAY_MS
        joined = papers.joined_between(since, until, DIGEST_WINDOW_MAX)
        view = self.corpus.index.view()
        listed = self._list_text(view, tag)
        skip = set(self.list.ids()) | set(self.list.dismissed())
        window = [(doc, ms) for doc, ms in ((view.papers.doc_of(i), ms) for i, ms in joined if i not in skip)
                  if doc >= 0]
        if len(window) > DIGEST_SCORED:
            window = self._narrowed(view, listed, window)
        texts, ids = [], []
        for doc, _ in window:
            record = view.papers.paper(doc)
            texts.append(indexed_text(record.get("title"), record.get("abstract")))
            ids.append(record["id"])
        scored, used = self._score(view, listed, texts, [-1] * len(texts), ids, rank)
        order = sorted(range(len(window)), key=lambda n: (-scored[n].score, -window[n][1], window[n][0]))[:k]
        hits = [Hit(window[n][0], scored[n].score, scored[n].matched_terms, scored[n].meaning) for n in order]
        results, _ = self.corpus.results(view, hits, summaries)
        for result, n in zip(results, order):
            result.update(because=scored[n].because, joined_at=iso_utc(window[n][1] / 1000), saved=False)
        return {"rank": used, "days": days, "since": iso_utc(since / 1000), "until": iso_utc(until / 1000),
                "new_papers": len(joined), "based_on": len(listed.ids), "dismissed": listed.dismissed, "tag": tag,
                "corpus_version": view.version, "results": results}

    def _narrowed(self, view: View, listed: _ListText, window: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The DIGEST_SCORED papers of a large window that the list's profile query (the
        recommendations' BM25 query) ranks best; the newest ones while the list is empty."""
        if not listed.ids:
            return window[:DIGEST_SCORED]
        query = profile(view, listed.texts, listed.dismissed_texts)
        scores = view.index.scores(query)[[doc for doc, _ in window]]
        best = np.argsort(-scores, kind="stable")[:DIGEST_SCORED]
        return [window[n] for n in sorted(best.tolist())]

    def feed(self, days: int, k: int, tag: str | None, base_url: str) -> str:
        """The digest as an Atom document."""
        digest = self.digest(days, k, tag)
        feed_id = "urn:paperlens:digest:" + hashlib.blake2b(self.user.encode(), digest_size=12).hexdigest()
        return atom.digest_feed(digest, feed_id=feed_id, title="Paperlens: new papers for you", base_url=base_url)

    # -- the feed's secret ---------------------------------------------------------------------
    def create_feed_secret(self) -> str:
        """A new secret for this user's digest feed URL (shown once); the previous one stops working."""
        return self.corpus.store.feed_secrets.create(self.user)

    def revoke_feed_secret(self) -> None:
        if not self.corpus.store.feed_secrets.revoke(self.user):
            raise NotFound("There is no digest feed URL to revoke.")

    def feed_secret_created(self) -> str | None:
        created = self.corpus.store.feed_secrets.created(self.user)
        return iso_utc(created) if created else None

    # -- scoring -------------------------------------------------------------------------------
    def _score(self, view: View, listed: _ListText, texts: list[str], itself: list[int],
               ids: list[str | None], rank: str | None) -> tuple[list[Scored], str]:
        """Each text's Scored against the list, and the ranking used: the words' 0-100 score, mixed
        with meaning's (ranking/list_meaning.py) for rank=hybrid when the list's papers have vectors."""
        signal = self.corpus.meaning
        rank = signal.rank_used(rank)
        if not texts:
            return [], BM25
        model = self._model(view, listed)
        b = bags(texts, spelled=True)
        vectors = candidate_vectors(b, view.index)
        found = model.closeness(vectors, np.array(itself, dtype=np.int64))
        words = found.scores
        raw = scores = None
        table = signal.table()
        saved = [v for v in map(table.vector_of, listed.ids)] if table is not None else []
        have = [n for n, v in enumerate(saved) if v is not None]
        if len(have) >= 2:  # a scale needs two saved papers with vectors
            rows = {j: n for n, j in enumerate(have)}
            candidates = np.full((len(texts), table.dim), np.nan, dtype=np.float32)
            for n, paper_id in enumerate(ids):
                v = table.vector_of(paper_id) if paper_id else None
                if v is not None:
                    candidates[n] = v
            own = np.array([rows.get(i, -1) for i in itself], dtype=np.int64)
            raw, meaning = ListMeaning(np.stack([saved[j] for j in have])).scores(candidates, own)
            if rank == HYBRID:
                scores = mixed_scores(words, meaning)
        used = HYBRID if scores is not None else BM25
        scores = words if scores is None else scores
        return [Scored(float(score), [{"id": listed.ids[j], "title": listed.titles[j]} for j in nearest],
                       [(b.spelling(vectors.source[p]), round(w, 6)) for p, w in terms],
                       None if raw is None or np.isnan(raw[n]) else round(float(raw[n]), 4))
                for n, (score, nearest, terms) in enumerate(zip(scores.tolist(), found.nearest,
                                                                model.matched_terms(vectors, found.nearest)))], used

    def _model(self, view: View, listed: _ListText) -> ListModel:
        """The list's model under this view's index (term ids and idf are the index's)."""
        kept = listed.models.get(id(view.index))
        if kept is not None and kept[0]() is view.index:
            return kept[1]
        model = ListModel.from_bags(listed.saved_bags, listed.dismissed_bags, view.index)
        listed.models = {id(view.index): (weakref.ref(view.index), model)}  # only the newest index's
        return model

    def _list_text(self, view: View, tag: str | None) -> _ListText:
        """The saved papers (one tag's) and the dismissed ones, tokenized; cached per process while
        the list stays the same (and at most MODEL_SECONDS). Without a tag, whether it changed costs
        one round trip; a tag's papers are read each time (their tags may have changed)."""
        key = (self.user, tag)
        cached = _lists.get(key)
        if tag is None:
            fingerprint = self.list.fingerprint()
            if _fresh(cached, fingerprint):
                return cached
            ids, dismissed = self.list.ids(), self.list.dismissed()
        else:
            ids, dismissed = self.list.ids(), self.list.dismissed()
            ids = [i for i, tags in zip(ids, self.list.tags_of(ids)) if tag in tags]
            fingerprint = hashlib.blake2b("\n".join(ids + ["\0"] + dismissed).encode(), digest_size=16).hexdigest()
            if _fresh(cached, fingerprint):
                return cached
        papers = self.corpus.papers_of(view, ids + dismissed)
        saved, thrown = papers[: len(ids)], [p for p in papers[len(ids):] if p]
        texts = [indexed_text(p.get("title"), p.get("abstract")) if p else "" for p in saved]
        dismissed_texts = [indexed_text(p.get("title"), p.get("abstract")) for p in thrown]
        listed = _ListText(fingerprint, time.monotonic(), ids, [(p or {}).get("title") or "" for p in saved], texts,
                           len(dismissed), dismissed_texts, bags(texts), bags(dismissed_texts) if dismissed_texts else None)
        with _lists_lock:
            _lists.pop(key, None)
            if len(_lists) >= MODELS_KEPT:
                _lists.pop(next(iter(_lists)))
            _lists[key] = listed
        return listed


def _fresh(cached: _ListText | None, fingerprint: str) -> bool:
    return cached is not None and cached.fingerprint == fingerprint and time.monotonic() - cached.built < MODEL_SECONDS


def digest_feed(corpus: Corpus, secret: str, days: int, k: int, tag: str | None, base_url: str) -> str:
    """The Atom digest a feed secret opens; NotFound for anything else (a bearer token included)."""
    user = corpus.store.feed_secrets.lookup(secret)
    if user is None:
        raise NotFound("No feed at this address (its URL may have been replaced or revoked).")
    return ForYou(corpus, user).feed(days, k, tag, base_url)


def entry_paragraphs(result: dict) -> list[str]:
    """A digest result as its Atom entry reads: the score, then its TL;DR, the saved papers it is
    close to and the shared words, where it has them (`paperlens digest` prints the same)."""
    return atom.summary(result).split("\n\n")
