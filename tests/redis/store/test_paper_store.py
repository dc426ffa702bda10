"""Papers in a real Redis: merging across sources, the corpus log and version."""

import pytest
from paperlens.corpus.paper import Paper

pytestmark = pytest.mark.cluster_too  # also on a Redis Cluster


def test_the_same_paper_from_two_sources_is_stored_once(store):
    first = list(store.add_many([Paper(title="Sparse Attention", source="hf-daily")]))
    second = list(store.add_many([Paper(title="sparse attention.", abstract="Longer.", arxiv_id="2101.00002",
                                        source="arxiv-oai", source_id="2101.00002")]))
    assert first[0].status == "added" and second[0].status == "merged"
    assert second[0].id == first[0].id
    stored = store.get("arxiv:2101.00002")
    assert stored.abstract == "Longer." and stored.source_id == "2101.00002"
    assert store.count() == 1


def test_duplicates_within_one_batch_merge(store):
    results = list(store.add_many([Paper(title="A", arxiv_id="2101.00003"), Paper(title="A", arxiv_id="2101.00003v2", abstract="x")]))
    assert [r.status for r in results] == ["added", "merged"]
    assert store.count() == 1 and store.get("arxiv:2101.00003").abstract == "x"


def test_a_second_arxiv_id_with_the_same_title_leads_to_the_stored_paper(store):
    """The real corpus has such pairs (2510.03122 resubmits 2506.06035): the second merges into the
    first, and its own ids must still find the paper, whether the merge changed it or not."""
    text = dict(title="HAVIR: Hierarchical Vision to Image Reconstruction", abstract="We reconstruct images.")
    first = list(store.add_many([Paper(arxiv_id="2506.06035", **text)]))[0]
    unchanged = list(store.add_many([Paper(arxiv_id="2510.03122", **text)]))[0]
    richer = list(store.add_many([Paper(arxiv_id="2510.09999", doi="10.1234/havir", authors=["A. Author"], **text)]))[0]
    assert (unchanged.status, richer.status) == ("unchanged", "merged")
    for paper_id in ("arxiv:2510.03122", "arxiv:2510.09999", "doi:10.1234/havir"):
        assert store.resolve(paper_id) == first.id, paper_id
    assert store.count() == 1
    within = list(store.add_many([Paper(title="Twice in one batch", arxiv_id="2601.00001"),
                                  Paper(title="Twice in one batch", arxiv_id="2601.00002")]))
    assert store.resolve("arxiv:2601.00002") == within[0].id


def test_every_change_moves_the_version_and_unchanged_does_not(store):
    list(store.add_many([Paper(title="B", arxiv_id="2101.00004")]))
    v1 = store.version()
    assert list(store.add_many([Paper(title="B", arxiv_id="2101.00004")]))[0].status == "unchanged"
    assert store.version() == v1
    list(store.add_many([Paper(title="B", arxiv_id="2101.00004", abstract="now longer")]))
    assert store.version() == v1 + 1


def test_the_log_records_additions_and_text_changes(store):
    list(store.add_many([Paper(title="C", arxiv_id="2101.00005")]))
    list(store.add_many([Paper(title="C", arxiv_id="2101.00005", abstract="new text")]))
    list(store.add_many([Paper(title="C", arxiv_id="2101.00005", abstract="new text", upvotes=3)]))
    assert store.log_entries(0) == ["a:arxiv:2101.00005", "u:arxiv:2101.00005"]
