"""The corpus as the API sees it: a paper found by any of its ids (one policy), what clients send
turned into Papers, ingest that is searchable at once, the three rankings (related by id, related
to any paper, search) and the result objects they share, with per-request `saved` flags."""

from __future__ import annotations

import hashlib
import json
import re

from ..corpus.paper import (Paper, canonical_id, clean_arxiv_id, clean_doi, date_key, indexed_text, page_url,
                            year_of)
from ..ranking import summary_cache
from ..ranking.live_index import LiveIndex, View
from ..ranking.related import Hit, related_papers, search_papers
from ..settings import Settings
from ..store import Store, StoreUnavailable
from .errors import Invalid, NotFound
from .meaning import MeaningSignal, ranked_by

ID_FORMS = "ids look like arxiv:1706.03762, doi:10.1/x or title:<hash>"


class Corpus:
    def __init__(self, store: Store, index: LiveIndex, settings: Settings):
        self.store = store
        self.index = index
        self.settings = settings
        self.meaning = MeaningSignal(store, settings, index)  # closeness in meaning, when the signal is on here

    def is_demo(self) -> bool:
        """Whether the corpus is still only the demo `paperlens serve` loaded (False while Redis is down)."""
        try:
            return self.store.papers.is_demo()
        except StoreUnavailable:
            return False

    def health(self) -> dict:
        """Is Redis reachable, how many papers the index holds, which corpus version it serves."""
        from .summaries_ahead import NAME as SUMMARIES

        try:
            corpus_version, reachable = self.store.papers.version(), True
            backlog = max(0, self.store.papers.log_length() - self.store.log_reader(SUMMARIES).position())
            demo = self.store.papers.is_demo()
            vectors_backlog = self.meaning.backlog()
        except StoreUnavailable:
            corpus_version, reachable, backlog, demo, vectors_backlog = None, False, None, None, None
        view = self.index.view()
        return {"status": "ok" if reachable else "degraded", "redis": reachable, "papers": view.index.n_docs,
                "corpus_version": corpus_version, "index_version": view.version, "summaries_backlog": backlog,
                "vectors_backlog": vectors_backlog, "semantic": self.meaning.health(), "demo_corpus": demo}

    # -- finding papers ------------------------------------------------------------------------
    def find(self, view: View | None, ids: list[str], *, fresh: bool = False) -> dict | None:
        """The stored paper that any of `ids` names (its stored id or any alias), or None.

        One policy for every route: the view's copy when the view holds the paper under one of
        the ids, unless `fresh` metadata is asked for (it is the text the view ranks, and costs no
        round trip); else Redis, which knows every alias and every field; while Redis cannot
        answer, the view's copy again (reads keep answering), and StoreUnavailable if it has none.
        Without a `view`, the current one is opened only when Redis fails."""
        ids = [c for c in map(canonical_id, ids) if c]
        if view is not None and not fresh:
            found = _in_view(view, ids)
            if found is not None:
                return found
        try:
            for paper_id in ids:
                paper = self.store.papers.get(paper_id)
                if paper is not None:
                    return paper.to_dict()
        except StoreUnavailable:
            view = view or self._view_if_any()
            found = _in_view(view, ids) if view is not None else None
            if found is None:
                raise
            return found
        return None

    def papers_of(self, view: View, ids: list[str]) -> list[dict | None]:
        """The papers stored under `ids` (stored ids, not aliases), in order: the view's copy where
        it has the paper (the text it ranks), the rest from Redis in one round trip (None for an id
        neither has, or while Redis cannot answer)."""
        docs = [view.papers.doc_of(paper_id) for paper_id in ids]
        papers = [view.papers.paper(doc) if doc >= 0 else None for doc in docs]
        missing = [n for n, doc in enumerate(docs) if doc < 0]
        if missing:
            try:
                fresh = self.store.papers.get_many([ids[n] for n in missing])
            except StoreUnavailable:
                fresh = [None] * len(missing)
            for n, paper in zip(missing, fresh):
                papers[n] = paper.to_dict() if paper is not None else None
        return papers

    def get(self, paper_id: str, view: View | None = None) -> dict:
        """A stored paper with fresh metadata, by any of its ids; NotFound if there is none."""
        paper = self.find(view, [self.checked_id(paper_id)], fresh=True)
        if paper is None:
            raise NotFound(f"No paper with id {paper_id!r} in the corpus.")
        return paper

    def by_url(self, url: str) -> dict:
        """A stored paper by the URL it was stored with (a PDF link, a proceedings page), with
        fresh metadata; NotFound when no paper was stored with that URL."""
        # An arXiv page or PDF, or a doi.org link, names its paper's id; any other URL is looked up
        # as it was stored.
        doi = url.split("doi.org/", 1)[1] if re.match(r"(?i)^https?://(dx\.)?doi\.org/", url) else None
        ids = [f"arxiv:{arxiv}" for arxiv in [clean_arxiv_id(url)] if arxiv]
        ids += [f"doi:{d}" for d in [clean_doi(doi)] if d]
        paper = self.find(None, ids, fresh=True) if ids else None
        if paper is None:
            paper_id = self.store.papers.id_by_url(url)
            paper = self.find(None, [paper_id], fresh=True) if paper_id else None
        if paper is None:
            raise NotFound(f"No paper stored with the URL {url[:200]!r}.")
        return paper

    @staticmethod
    def checked_id(paper_id: str) -> str:
        """A paper id in canonical form; NotFound for something that is not an id at all."""
        canonical = canonical_id(paper_id)
        if canonical is None:
            raise NotFound(f"No paper with id {paper_id[:100]!r}: {ID_FORMS}.")
        return canonical

    def stored_id(self, paper_id: str) -> str:
        """The id the corpus keeps a paper under, for any of its ids (the id itself, in canonical
        form, when the corpus does not know it)."""
        canonical = self.checked_id(paper_id)
        return self.store.papers.resolve(canonical) or canonical

    # -- adding papers -------------------------------------------------------------------------
    @staticmethod
    def to_paper(data: dict, source: str) -> Paper:
        """A paper as a client sent it (a loaded PaperInSchema) as a Paper."""
        return Paper.from_dict({"title": "", **data}, source)

    def ingest(self, papers: list[Paper]) -> dict:
        """Store papers (merged with what is stored) and make them searchable in this process at once."""
        stored = list(self.store.papers.add_many(papers))
        self.index.refresh(force=True)
        counts = {s: sum(1 for x in stored if x.status == s) for s in ("added", "merged", "unchanged")}
        return {"results": [{"id": s.id, "status": s.status} for s in stored], **counts,
                "corpus_version": self.store.papers.version()}

    # -- ranking -------------------------------------------------------------------------------
    def related_by_id(self, paper_id: str, k: int, summaries: str, user: str | None, sort: str = "score",
                      since: str | None = None, rank: str | None = None) -> dict:
        view = self.index.view()
        paper = self.find(view, [self.checked_id(paper_id)])
        if paper is None:
            raise NotFound(f"No paper with id {paper_id!r} in the corpus.")
        text = indexed_text(paper.get("title"), paper.get("abstract"))
        answer = self._related(view, f"id:{paper['id']}", lambda: text, paper["id"], True, k, summaries, sort, since,
                               rank)
        return self._for_caller(answer, user, _url_of(paper), saveable=True)

    def related_to(self, given: dict, k: int, summaries: str, user: str | None, sort: str = "score",
                   since: str | None = None, rank: str | None = None) -> dict:
        """Related papers for a paper given by its text and/or ids (a loaded RelatedRequest); it
        need not be in the corpus."""
        paper = self.to_paper(given, "extension")
        view = self.index.view()
        try:
            stored = self.find(view, ([given["id"]] if given.get("id") else []) + paper.aliases())
        except StoreUnavailable:
            stored = None  # the view answered for what it holds; the rest is unknown while Redis is away
        text = paper.indexed_text or (indexed_text(stored.get("title"), stored.get("abstract")) if stored else "")
        if not text:
            raise NotFound("No paper with that id in the corpus, and no title or abstract given.")
        paper_id = stored["id"] if stored else (paper.id or None)
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        answer = self._related(view, f"text:{digest}:{paper_id or ''}", lambda: text, paper_id, stored is not None,
                               k, summaries, sort, since, rank)
        # the page's paper can be saved by id when the corpus has it, or with the metadata given
        saveable = stored is not None or bool(paper.title and paper.id)
        return self._for_caller(answer, user, _url_of(stored or paper.to_dict()), saveable)

    def search(self, q: str, k: int, summaries: str, user: str | None, sort: str = "score",
               since: str | None = None, rank: str | None = None) -> dict:
        """The k best papers for `q` (published `since` or later), best first or newest first."""
        view = self.index.view()
        rank = self.meaning.rank_used(rank)
        meaning = self.meaning.meaning(rank, text=q)
        ranking = search_papers(view, q, k, since, meaning=meaning)
        results, _ = self.results(view, ranking.hits, summaries)
        return {"q": q, "rank": ranked_by(meaning), "corpus_version": view.version,
                "results": self.mark_saved(_sorted(results, sort), user)}

    def _related(self, view: View, query_key: str, text, paper_id: str | None, in_corpus: bool, k: int,
                 summaries: str, sort: str = "score", since: str | None = None, rank: str | None = None) -> dict:
        """The answer for a query, from the cache when this corpus version has it (a hit costs one
        Redis read). Cached lists are shared by every caller: nothing in them is per user. The key
        names the ranking and, for rank=hybrid, how far the vectors it used reach: a list made
        before the vectors arrived is not served once they have."""
        rank = self.meaning.rank_used(rank)
        key = (str(view.version), query_key, str(k), summaries, sort, since or "", self.meaning.cache_part(rank))
        cached = self.store.cache.get("related", *key)
        if cached is not None:
            return {**cached, "cached": True}
        query_text = text()
        meaning = self.meaning.meaning(rank, paper_id=paper_id if in_corpus else None, text=query_text)
        ranking = related_papers(view, query_text, k, exclude_id=paper_id if in_corpus else None, since=since,
                                 meaning=meaning)
        results, complete = self.results(view, ranking.hits, summaries)
        results = _sorted(results, sort)
        answer = {
            "query": {"id": paper_id, "in_corpus": in_corpus, "terms": ranking.query_terms},
            "rank": ranked_by(meaning),
            "corpus_version": view.version,
            "cached": False,
            "results": results,
        }
        if complete:  # a list with stand-in TL;DRs is answered but not kept: the next request finishes it
            self.store.cache.set("related", key, answer, self.settings.related_cache_ttl)
        return answer

    def _for_caller(self, answer: dict, user: str | None, url: str | None, saveable: bool) -> dict:
        """A (possibly cached) related answer with what is per request: the query paper's url and
        whether it can be saved, and `saved` flags for a caller with a token."""
        query = {**answer["query"], "url": url, "saveable": saveable}
        ids = [query["id"]] + [r["id"] for r in answer["results"]]
        flags = self._saved(user, ids)
        if flags is not None:
            query["saved"] = bool(query["id"]) and flags[0]
            return {**answer, "query": query,
                    "results": [{**r, "saved": s} for r, s in zip(answer["results"], flags[1:])]}
        return {**answer, "query": query}

    # -- summaries -----------------------------------------------------------------------------
    def summary(self, paper_id: str, n: int) -> dict:
        """A paper's summary, by any of its ids. A paper without an abstract is summarised from its
        title; Invalid when it has neither."""
        paper = self.get(paper_id)
        summary = self.summarize(paper.get("title") or "", paper.get("abstract") or "", n)
        if summary is None:
            raise Invalid(f"Paper {paper['id']!r} has neither a title nor an abstract to summarise.")
        return {"paper_id": paper["id"], **summary}

    def summarize(self, title: str, text: str, n: int, view: View | None = None) -> dict | None:
        """The summary of any text (cached), with the corpus's IDF; None if it cannot be summarised."""
        view = view or self._view_if_any()
        return summary_cache.cached_summaries(self.store.cache, [(title, text)], view, n)[0]

    def _view_if_any(self) -> View | None:
        try:
            return self.index.view()
        except StoreUnavailable:
            return None  # no index could be opened: the built-in IDF table still summarises

    # -- results -------------------------------------------------------------------------------
    def results(self, view: View, hits: list[Hit], summaries: str) -> tuple[list[dict], bool]:
        """Result objects for hits, in ResultSchema's shape: metadata (fresh from Redis, else the
        view's copy), score, matched terms, and the TL;DR or full summary as asked; and whether
        every summary is a real one (False when the time budget for computing them ran out and
        some are lead sentences)."""
        ids = [json.loads(view.papers.raw(h.doc))["id"] for h in hits]
        try:
            stored = self.store.papers.get_many(ids)
        except StoreUnavailable:
            stored = [None] * len(ids)
        results, texts = [], []
        for hit, fresh in zip(hits, stored):
            data = fresh.to_dict() if fresh is not None else view.papers.paper(hit.doc)
            results.append({
                "id": data["id"],
                "title": data.get("title") or "",
                "authors": data.get("authors") or [],
                "published": data.get("published"),
                "year": year_of(data.get("published")),
                "url": _url_of(data),
                "source_id": data.get("source_id"),
                "score": hit.score,
                "matched_terms": [{"term": t, "weight": w} for t, w in hit.matched_terms],
                "meaning": hit.meaning,
                "closeness": hit.closeness,
                "saveable": True,  # a ranked paper is in the corpus
            })
            texts.append((data.get("title") or "", data.get("abstract") or ""))
        complete = True
        if summaries != "none":
            found = summary_cache.summaries_within(self.store.cache, texts, view,
                                                   budget_seconds=summary_cache.RESULTS_BUDGET_SECONDS)
            complete = found.complete
            for result, summary in zip(results, found.summaries):
                result["tldr"] = summary["tldr"] if summary else None
                if summaries == "full" and summary:
                    result["summary"] = summary
        return results, complete

    def mark_saved(self, results: list[dict], user: str | None) -> list[dict]:
        """`saved` on each result for a caller with a token; without one the flag is left out."""
        flags = self._saved(user, [r["id"] for r in results])
        return results if flags is None else [{**r, "saved": s} for r, s in zip(results, flags)]

    def _saved(self, user: str | None, ids: list[str | None]) -> list[bool] | None:
        if user is None:
            return None
        try:
            return self.store.reading_list(user).contains([i or "" for i in ids])
        except StoreUnavailable:
            return None


def _sorted(results: list[dict], sort: str) -> list[dict]:
    """Results best first (as ranked), or with sort="date" newest first (undated last; equal dates
    keep their rank order)."""
    if sort != "date":
        return results
    return sorted(results, key=lambda r: date_key(r.get("published")), reverse=True)


def _in_view(view: View, ids: list[str]) -> dict | None:
    for paper_id in ids:
        doc = view.papers.doc_of(paper_id)
        if doc >= 0:
            return view.papers.paper(doc)
    return None


def _url_of(paper: dict) -> str | None:
    return page_url(paper.get("arxiv_id"), paper.get("doi"), paper.get("url"))
