"""The operator's work on the whole corpus, for `paperlens ingest | reindex | summarize | doctor`
and the start of `paperlens serve`: papers in bulk, the index snapshot, every paper's summary, the
papers a stopped writer left unfinished, the demo corpus, and the ranking kernels compiled before
the server's workers fork."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..corpus.paper import Paper
from ..corpus.sources import read_records
from ..ranking import closeness, warm
from ..ranking.summary_cache import CorpusSummaries, summarize_corpus
from ..store.papers import Checkup
from .corpus import Corpus

# 3,000 real arXiv papers (cs.CV, cs.CL, cs.AI, ...) updated 2026-06-16..07-01, with ids, authors and
# dates, so every result links to its paper: the newest 3,000 of the 75k-paper file in docs/benchmarks.md.
DEMO_CORPUS = Path(__file__).parents[1] / "data" / "demo-arxiv.jsonl.gz"


def add_papers(corpus: Corpus, papers: Iterable[Paper]) -> Iterator[str]:
    """Store `papers` as they come, each merged with what is stored under any of its ids, and
    yield each one's outcome: "added", "merged" or "unchanged"."""
    for stored in corpus.store.papers.add_many(papers):
        yield stored.status


def paper_count(corpus: Corpus) -> int:
    return corpus.store.papers.count()


def build_index(corpus: Corpus) -> Path:
    """A new index snapshot of every stored paper, now; its folder."""
    return corpus.index.build_now()


def summarize_all(corpus: Corpus, processes: int,
                  on_progress: Callable[[int], None] | None = None) -> CorpusSummaries:
    """Cache the summary of every paper not cached yet (`on_progress(k)` after each k papers)."""
    return summarize_corpus(corpus.store, corpus.index.view(), processes=processes, on_progress=on_progress)


def checkup(corpus: Corpus) -> Checkup:
    """The papers a writer stopped halfway left: stored but never finished, missing from the corpus
    log, or merges unfinished."""
    return corpus.store.papers.checkup()


def repair(corpus: Corpus, found: Checkup) -> int:
    """Finish what `checkup` found; how many papers. Running servers pick them up from the log."""
    return corpus.store.papers.repair(found)


def keeps_data(corpus: Corpus) -> bool | None:
    """Whether Redis writes its data to disk (AOF or RDB), None when it does not say."""
    return corpus.store.is_persistent()


def load_demo(corpus: Corpus) -> int:
    """Into an empty store, unless PAPERLENS_DEMO_CORPUS is off: the demo corpus, marked as the demo.
    How many papers it loaded (0: none)."""
    if not corpus.settings.demo_corpus or corpus.store.papers.count() != 0:
        return 0
    records = [r for r in read_records(DEMO_CORPUS, "arxiv-oai") if isinstance(r, Paper)]
    list(corpus.store.papers.add_many(records))
    corpus.store.papers.mark_demo()
    return len(records)


def kernels_compiled() -> bool:
    """Whether the ranking kernels are compiled in the on-disk cache (else: about 20 s to compile)."""
    return warm.cached()


def prepare_ranking(corpus: Corpus) -> None:
    """Build or open the index, and compile every ranking kernel for it before the workers fork
    (they inherit the compiled code): no request ever waits on a compile."""
    view = corpus.index.prepare()
    warm.compile_kernels(view)
    closeness.typical_share(view)  # the related scale's yardstick, measured once before the workers fork
