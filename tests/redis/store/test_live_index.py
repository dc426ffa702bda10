"""The index a process serves from: snapshots on disk, a delta for new papers, restarts."""

from __future__ import annotations

import pytest
import time

import numpy as np

from paperlens.corpus.paper import Paper
from paperlens.ranking import snapshot
from paperlens.indexing.live_index import LiveIndex
from paperlens.ranking.related import related_papers, search_papers

from tests.corpus import demo_papers

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


def titles(view, ranking):
    return [view.papers.paper(h.doc)["title"] for h in ranking.hits]


def test_first_view_builds_a_snapshot_and_a_restart_maps_it_again(store, tmp_path):
    list(store.add_many(demo_papers()))
    first = LiveIndex(store, tmp_path, refresh_seconds=0).view()
    assert first.index.n_docs == 85 and snapshot.latest(tmp_path) is not None
    again = LiveIndex(store, tmp_path, refresh_seconds=0).view()  # a restarted worker
    assert again.index.n_docs == 85
    assert isinstance(again.index.segments[0].lows, np.memmap)  # shared through the page cache, not copied


def test_new_papers_join_the_delta_without_a_rebuild(store, tmp_path):
    list(store.add_many(demo_papers()))
    live = LiveIndex(store, tmp_path, refresh_seconds=0)
    view = live.view()
    list(store.add_many([Paper(title="Wombat burrow acoustics", abstract="Wombats and sound.")]))
    view = live.view()
    assert view.index.n_docs == 86 and len(view.index.segments) == 2
    assert titles(view, search_papers(view, "wombat", 1)) == ["Wombat burrow acoustics"]
    # a restarted process replays the log past its snapshot and sees the same
    restarted = LiveIndex(store, tmp_path, refresh_seconds=0).view()
    assert titles(restarted, search_papers(restarted, "wombat", 1)) == ["Wombat burrow acoustics"]


def test_a_large_delta_is_folded_into_a_new_snapshot_in_the_background(store, tmp_path):
    list(store.add_many(demo_papers()))
    live = LiveIndex(store, tmp_path, refresh_seconds=0, fold_min_docs=10, fold_fraction=0.01)
    live.view()
    list(store.add_many([Paper(title=f"Platypus study {i}", abstract="Electroreception.") for i in range(12)]))
    live.view()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(live.view().index.segments) != 1:
        time.sleep(0.05)
    view = live.view()
    assert len(view.index.segments) == 1 and view.index.n_docs == 97
    assert len(search_papers(view, "platypus", 20).hits) == 12


def test_a_changed_abstract_is_reindexed(store, tmp_path):
    list(store.add_many(demo_papers()))
    live = LiveIndex(store, tmp_path, refresh_seconds=0)
    live.view()
    target = demo_papers()[0]
    list(store.add_many([Paper(title=target.title, abstract=target.abstract + " Echidna echidna echidna.")]))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not search_papers(live.view(), "echidna", 1).hits:
        time.sleep(0.05)
    view = live.view()
    assert view.index.n_docs == 85
    assert titles(view, search_papers(view, "echidna", 1)) == [target.title]


def test_a_snapshot_from_another_corpus_is_not_trusted(store, tmp_path, redis_server):
    list(store.add_many(demo_papers()))
    LiveIndex(store, tmp_path, refresh_seconds=0).view()
    store.r.delete(store.keys.corpus_log, store.keys.corpus_version, store.keys.corpus_count)
    list(store.add_many([Paper(title="Only paper", abstract="Solo.")]))
    view = LiveIndex(store, tmp_path, refresh_seconds=0).view()
    assert view.index.n_docs == 1


def test_related_excludes_the_query_paper(store, tmp_path):
    papers = demo_papers()
    list(store.add_many(papers))
    view = LiveIndex(store, tmp_path, refresh_seconds=0).view()
    ranking = related_papers(view, papers[2].indexed_text, 10, exclude_id=papers[2].id)
    assert papers[2].title not in titles(view, ranking) and len(ranking.hits) == 10


def test_a_requests_view_never_changes_under_it(store, tmp_path):
    list(store.add_many(demo_papers()))
    live = LiveIndex(store, tmp_path, refresh_seconds=0)
    held = live.view()  # what a request in flight holds
    version, index_version, position = held.version, held.index.corpus_version, held.log_position
    # a merge that keeps the indexed text moves the corpus version on without a log entry to index
    paper = demo_papers()[0]
    merged = Paper(title=paper.title, abstract=paper.abstract, categories=["cs.LG", "cs.CV", "cs.AI"])
    assert [s.status for s in store.add_many([merged])] == ["merged"]
    assert store.version() == version + 1
    live.refresh(force=True)
    current = live.view()
    assert current.version == version + 1 and current.index is held.index  # same index, new view
    assert (held.version, held.index.corpus_version, held.log_position) == (version, index_version, position)
    # a paper added later: the new view gets a new index; the held one still answers as before
    list(store.add_many([Paper(title="Echidna electroreception", abstract="Echidnas sense fields.")]))
    newer = live.view()
    assert newer.version == version + 2 and newer.index.n_docs == 86
    assert held.version == version and held.index.n_docs == 85 and held.index.corpus_version == index_version


def test_a_worker_loads_the_snapshot_the_syncer_built_instead_of_building_its_own(store, tmp_path):
    list(store.add_many(demo_papers()))
    worker = LiveIndex(store, tmp_path, refresh_seconds=0, fold_min_docs=10, fold_fraction=0.01, fold_grace=0.2)
    syncer = LiveIndex(store, tmp_path, fold_min_docs=10, fold_fraction=0.01)
    worker.view()
    assert syncer.build_if_behind() is None  # nothing new
    list(store.add_many([Paper(title=f"Quokka census {i}", abstract="Island marsupials.") for i in range(12)]))
    built = syncer.build_if_behind()
    assert built is not None
    worker_builds = []
    build = worker._build_snapshot
    worker._build_snapshot = lambda: worker_builds.append(1) or build()
    worker.view()  # its delta of 12 asks for a fold; the syncer's snapshot covers it
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(worker.view().index.segments) != 1:
        time.sleep(0.05)
    assert worker.view().index.n_docs == 97 and worker.view().log_position == snapshot_position(built)
    assert worker_builds == []


def snapshot_position(path) -> int:
    import json

    return json.loads((path / "meta.json").read_text())["log_position"]


def test_the_syncer_builds_for_a_changed_text_only_when_asked_at_the_end_of_a_run(store, tmp_path):
    list(store.add_many(demo_papers()))
    syncer = LiveIndex(store, tmp_path)
    syncer.build_now()
    target = demo_papers()[0]
    list(store.add_many([Paper(title=target.title, abstract=target.abstract + " Bilby bilby.")]))
    assert syncer.build_if_behind() is None  # one changed text is not a fold's worth of papers
    path = syncer.build_if_behind(updates=True)
    assert path is not None
    view = LiveIndex(store, tmp_path, refresh_seconds=0).view()
    assert titles(view, search_papers(view, "bilby", 1)) == [target.title]
