"""Summaries as the API and `paperlens summarize` serve them: cached in Redis under one key builder
(a hash of title and text, the method version and n), computed lazily on a miss or for the whole
corpus at once, with the index's IDF.

The key does not carry the corpus version: IDF drifts slowly as papers arrive, and re-summarising
the corpus at every ingest would throw the cache away for no visible change. A new method does
change METHOD_VERSION, and with it every key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import multiprocessing
import os
import time
from dataclasses import dataclass
from typing import Callable, Iterator

from ..corpus.paper import Paper
from ..ranking import summaries
from ..ranking.index import Index
from ..ranking.view import View
from ..store import Store
from ..store.cache import Cache

log = logging.getLogger(__name__)

SUMMARY_KIND = "summary"
SUMMARY_TTL = 30 * 24 * 3600
DEFAULT_N = 3  # sentences in a summary unless asked otherwise; what related results carry
MIN_INDEX_DOCS = 50  # below this, BM25's IDF is negative or floored for most words: use the built-in table
BULK_BATCH = 1000  # papers per Redis round trip in the bulk path
BULK_MIN_FOR_PROCESSES = 2000  # under this a second process costs more to start than it saves
RESULTS_BUDGET_SECONDS = 0.5  # computing the summaries of one list of results; the rest wait for a later request


def summary_key(title: str | None, text: str, n: int) -> tuple[str, str, str]:
    """The cache key parts of a summary (the only key builder, for the lazy and the bulk path)."""
    # JSON keeps title/text boundaries unambiguous and escapes lone surrogates to plain ASCII.
    digest = json.dumps([title or "", text or ""]).encode("ascii")
    return (summaries.METHOD_VERSION, str(n), hashlib.blake2b(digest, digest_size=16).hexdigest())


class CorpusIdf:
    """The index's BM25 IDF (rank_bm25's, as the ranking uses) for any stem. A stem no paper uses
    gets ln((N + 0.5) / 0.5), the IDF of a term with df 0, so a word the corpus has never seen counts
    as rare rather than as worthless (the index's own table holds 0 for it)."""

    MEMO_LIMIT = 200_000

    def __init__(self, index: Index):
        self.vocab, self.idf, self.df = index.vocab, index.idf, index.df
        self.unseen = math.log((index.n_docs + 0.5) / 0.5)
        self._memo: dict[str, float] = {}

    def __call__(self, stem: str) -> float:
        value = self._memo.get(stem)
        if value is None:
            term = int(self.vocab.lookup([stem])[0])
            known = 0 <= term < len(self.idf) and self.df[term] > 0
            value = float(self.idf[term]) if known else self.unseen
            if len(self._memo) >= self.MEMO_LIMIT:
                self._memo.clear()
            self._memo[stem] = value
        return value

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_memo": {}}  # workers build their own memo


_last_idf: tuple[Index, CorpusIdf] | None = None


def corpus_idf(view: View | None) -> Callable[[str], float]:
    """The IDF to summarise with: the index's while it holds enough papers, else the built-in table."""
    global _last_idf
    if view is None or view.index.n_docs < MIN_INDEX_DOCS:
        return summaries.fallback_idf
    last = _last_idf
    if last is None or last[0] is not view.index:
        last = _last_idf = (view.index, CorpusIdf(view.index))  # one memo per index, shared by requests
    return last[1]


def summary_of(title: str | None, text: str, n: int, idf: Callable[[str], float] | None) -> dict:
    """A summary as the API shows it. A paper without an abstract is summarised from its title;
    ValueError when both are blank."""
    title, text = _encodable(title or ""), _encodable(text or "")
    source = text if text.strip() else title
    s = summaries.summarize(source, title or None, n=n, idf=idf)
    return {"tldr": s.tldr, "sentences": list(s.sentences), "key_terms": list(s.key_terms), "method": s.method}


def _encodable(text: str) -> str:
    """`text` with any lone surrogate (JSON allows "\\ud800") as U+FFFD, so the summary can be stored."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def cached_summaries(cache: Cache, texts: list[tuple[str, str]], view: View | None,
                     n: int = DEFAULT_N) -> list[dict | None]:
    """Summaries of (title, text) pairs, from the cache where possible, computed and stored where not.
    A pair that cannot be summarised gets None, never an exception: one bad paper must not fail a
    list of results."""
    return summaries_within(cache, texts, view, n).summaries


@dataclass(frozen=True)
class Summaries:
    summaries: list[dict | None]
    complete: bool  # False when some were left as lead sentences because the budget ran out


def summaries_within(cache: Cache, texts: list[tuple[str, str]], view: View | None, n: int = DEFAULT_N,
                     budget_seconds: float | None = None) -> Summaries:
    """cached_summaries with a time budget for the ones to compute: once it is spent, the rest get
    the cheap lead sentence (not cached, so a later request computes them), and the answer says it
    is incomplete. Each summary is bounded on its own (summaries.MAX_TEXT_CHARS), so a list of
    results costs at most about the budget plus one summary, whatever its papers hold."""
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    keys = [summary_key(title, text, n) for title, text in texts]
    found = cache.get_many(SUMMARY_KIND, keys)
    idf = None
    out, fresh, complete = [], [], True
    for (title, text), key, summary in zip(texts, keys, found):
        if summary is None and deadline is not None and time.monotonic() >= deadline:
            complete = False
            out.append(_lead(title, text))
            continue
        if summary is None:
            idf = idf or corpus_idf(view)
            try:
                summary = summary_of(title, text, n, idf)
            except ValueError:
                summary = None  # no title and no text: nothing to summarise
            except Exception:
                log.exception("summarising %r failed", (title or "")[:80])
                summary = None
            if summary is not None:
                fresh.append((key, summary))
        out.append(summary)
    cache.set_many(SUMMARY_KIND, fresh, SUMMARY_TTL)
    return Summaries(out, complete)


def _lead(title: str, text: str) -> dict | None:
    try:
        s = summaries.lead_summary(_encodable(text or ""), _encodable(title or "") or None)
    except ValueError:
        return None
    return {"tldr": s.tldr, "sentences": list(s.sentences), "key_terms": list(s.key_terms), "method": s.method}


# -- the whole corpus (`paperlens summarize`, `paperlens ingest --summaries`) --------------------
@dataclass(frozen=True)
class CorpusSummaries:
    papers: int  # distinct papers in the corpus
    computed: int
    cached: int  # already in the cache with this method and n
    empty: int  # neither title nor abstract
    failed: int  # the summariser raised (logged with its trace)
    seconds: float


def summarize_corpus(store: Store, view: View | None, *, n: int = DEFAULT_N, processes: int = 2, batch: int = BULK_BATCH,
                     min_for_processes: int = BULK_MIN_FOR_PROCESSES,
                     on_progress: Callable[[int], None] | None = None) -> CorpusSummaries:
    """Cache the summary of every paper in the corpus that is not cached yet, `batch` papers per
    pipelined write, on `processes` processes for a large corpus. `on_progress(k)` after each batch
    of k papers. Unlike a request, this fails loudly when Redis does."""
    started = time.monotonic()
    idf = corpus_idf(view)
    workers = min(processes, os.cpu_count() or 1)
    pool = None
    if workers > 1 and store.papers.count() >= min_for_processes:
        pool = multiprocessing.Pool(workers, initializer=_set_worker_idf, initargs=(idf,))
    counts = {"papers": 0, "cached": 0, "computed": 0, "empty": 0, "failed": 0}
    try:
        for chunk in _distinct_papers(store.papers, batch):
            keys = [summary_key(p.title, p.abstract, n) for p in chunk]
            missing = [(key, (p.title, p.abstract, n))
                       for key, p, there in zip(keys, chunk, store.cache.present(SUMMARY_KIND, keys)) if not there]
            jobs = [job for _, job in missing]
            results = pool.map(summarize_job, jobs, chunksize=max(1, len(jobs) // (4 * workers))) if pool and jobs \
                else [summarize_job(job, idf) for job in jobs]
            fresh = []
            for (key, _), (status, summary) in zip(missing, results):
                counts[status] += 1
                if summary is not None:
                    fresh.append((key, summary))
            store.cache.set_many(SUMMARY_KIND, fresh, SUMMARY_TTL, quiet=False)
            counts["papers"] += len(chunk)
            counts["cached"] += len(chunk) - len(missing)
            if on_progress:
                on_progress(len(chunk))
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    return CorpusSummaries(**counts, seconds=time.monotonic() - started)


def _distinct_papers(store, batch: int) -> Iterator[list[Paper]]:
    """Every paper in the corpus once (the log names a paper again when its text changes)."""
    seen: set[str] = set()
    chunk: list[Paper] = []
    for _, _, paper in store.iter_logged(0, batch):
        if paper is None or paper.id in seen:
            continue
        seen.add(paper.id)
        chunk.append(paper)
        if len(chunk) >= batch:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_worker_idf: Callable[[str], float] | None = None


def _set_worker_idf(idf: Callable[[str], float]) -> None:
    global _worker_idf
    _worker_idf = idf


def summarize_job(job: tuple[str, str, int], idf: Callable[[str], float] | None = None) -> tuple[str, dict | None]:
    """("computed", summary), ("empty", None) or ("failed", None): one bad paper never stops the run."""
    title, text, n = job
    try:
        return "computed", summary_of(title, text, n, idf or _worker_idf)
    except ValueError:
        return "empty", None
    except Exception:
        log.exception("summarising %r failed", (title or "")[:80])
        return "failed", None
