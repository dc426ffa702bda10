"""The pruned top k (top_k.pruned_top_k behind Index.rank) is the exhaustive top k of rank_bm25's
scores: on real abstracts, after papers are added, with exclusions, ties, negative query
weights, k beyond the matches, and on random small corpora against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from paperlens.ranking import postings, tokenize, top_k
from paperlens.ranking.index import Index, Query

from .test_bm25_exactness import RTOL, arxiv_texts


def reference_top(scores: np.ndarray, k: int, exclude=()) -> np.ndarray:
    """Brute force: documents with a positive score, best first, ties by lower document."""
    scores = np.array(scores, dtype=np.float64)
    scores[list(exclude)] = -np.inf
    positive = np.flatnonzero(scores > 0)
    return positive[np.lexsort((positive, -scores[positive]))][:k]


def assert_same_top(docs, scores, reference: np.ndarray, k: int, exclude=()) -> None:
    """Same documents in the same order as brute force, except that documents whose scores differ
    only by float rounding (sums taken in another order) may swap; scores equal to 1e-6."""
    expected = reference_top(reference, k, exclude)
    assert len(docs) == len(expected)
    np.testing.assert_allclose(scores, reference[docs], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(scores, reference[expected], rtol=RTOL, atol=1e-12)
    for ours, theirs in zip(docs, expected):
        assert ours == theirs or np.isclose(reference[ours], reference[theirs], rtol=1e-9, atol=1e-12)
    assert not set(docs) & set(exclude)


@pytest.fixture(scope="module")
def grown_corpus():
    """3,000 real abstracts: a main segment of 2,400 and a delta of 600 added later, and
    rank_bm25 over all of them."""
    texts = arxiv_texts()
    index = Index.build(texts[:2400]).with_documents(texts[2400:], corpus_version=2, log_position=3000)
    assert len(index.segments) == 2
    return texts, index, BM25Okapi([tokenize(t) for t in texts])


def test_related_top_ten_is_rank_bm25_top_ten_after_papers_are_added(grown_corpus):
    texts, index, reference = grown_corpus
    for doc in (3, 17, 801, 1234, 2399, 2400, 2777, 2999):
        tokens = tokenize(texts[doc])
        docs, scores = index.rank(index.query(tokens), 10, exclude=doc)
        assert_same_top(docs, scores, reference.get_scores(tokens), 10, exclude=[doc])


def test_search_top_ten_is_rank_bm25_top_ten(grown_corpus):
    _, index, reference = grown_corpus
    for q in ("graph neural networks", "diffusion models image", "reinforcement learning reward", "language model"):
        tokens = tokenize(q)
        docs, scores = index.rank(index.query(tokens), 10)
        assert_same_top(docs, scores, reference.get_scores(tokens), 10)


def test_pruning_reads_fewer_postings_than_the_query_terms_hold(grown_corpus):
    texts, index, _ = grown_corpus
    query = index.query(tokenize(texts[1234]))
    stats = np.zeros(4, np.int64)
    index.rank(query, 10, stats=stats)
    main = index.segments[0]
    held = sum(int(main.indptr[t + 1] - main.indptr[t]) for t in query.term_ids if t < len(main.indptr) - 1)
    assert 0 < stats[0] < held


def test_several_documents_can_be_excluded(grown_corpus):
    texts, index, reference = grown_corpus
    tokens = tokenize(texts[42])
    full = reference.get_scores(tokens)
    best = list(reference_top(full, 5))
    docs, scores = index.rank(index.query(tokens), 10, exclude=np.array(best))
    assert_same_top(docs, scores, full, 10, exclude=best)


def test_k_beyond_the_matching_papers_returns_every_match(grown_corpus):
    _, index, reference = grown_corpus
    tokens = tokenize("wavelet")
    full = reference.get_scores(tokens)
    matching = int(np.sum(full > 0))
    assert 0 < matching < 200
    docs, scores = index.rank(index.query(tokens), 500)
    assert len(docs) == matching
    assert_same_top(docs, scores, full, 500)


def test_exact_ties_keep_document_order_across_segments():
    # identical papers score identically; the lower document number comes first, in either segment
    texts = ["sparse attention kernels", "graph", "sparse attention kernels", "other words", "sparse attention"] * 20
    index = Index.build(texts[:60]).with_documents(texts[60:], corpus_version=2, log_position=100)
    docs, scores = index.rank(index.query(tokenize("sparse attention kernels")), 25)
    tied = [d for d in range(100) if d % 5 in (0, 2)]
    assert list(docs) == tied[:25] and tied[24] >= 60  # the last ones come from the delta
    assert len(set(scores.tolist())) == 1


def test_a_paper_and_its_copy_in_the_delta_tie_exactly():
    # the main search sums a long query's terms in its own order; the delta adds them in the same
    # order, so the copy scores bit for bit the same and comes second
    texts = arxiv_texts(1000)
    index = Index.build(texts[:900]).with_documents([texts[10], texts[500]], corpus_version=2, log_position=902)
    for doc, copy in ((10, 900), (500, 901)):
        docs, scores = index.rank(index.query(tokenize(texts[doc])), 5)
        assert list(docs[:2]) == [doc, copy] and scores[0] == scores[1]


def test_negative_query_weights_lower_scores_exactly(grown_corpus):
    # recommendations weight the words of dismissed papers negatively; a score is linear in the
    # weights, so the reference is a weighted sum of rank_bm25's one-word scores
    texts, index, reference = grown_corpus
    liked, dismissed = tokenize(texts[7]), tokenize(texts[8])
    terms = list(dict.fromkeys(liked + dismissed))
    known = index.query(terms)
    multipliers = np.array([liked.count(t) - 0.7 * dismissed.count(t) for t in known.terms])
    query = Query(known.terms, known.term_ids, known.weights * multipliers)
    expected = sum(m * reference.get_scores([t]) for t, m in zip(known.terms, multipliers) if m != 0)
    assert (multipliers < 0).any()
    docs, scores = index.rank(query, 10, exclude=[7, 8])
    assert_same_top(docs, scores, expected, 10, exclude=[7, 8])


WORDS = [f"w{i}q" for i in range(30)]


@st.composite
def corpora_and_queries(draw):
    n_words = draw(st.integers(3, len(WORDS)))
    skew = draw(st.floats(0.2, 1.6))
    p = 1.0 / np.arange(1, n_words + 1) ** skew
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_docs = draw(st.integers(1, 150))
    texts = [" ".join(rng.choice(WORDS[:n_words], size=int(rng.integers(1, 25)), p=p / p.sum())) for _ in range(n_docs)]
    split = draw(st.integers(1, n_docs))
    query = list(rng.choice(WORDS[:n_words], size=int(rng.integers(1, 15)), p=p / p.sum()))
    multipliers = draw(st.lists(st.sampled_from([1.0, 1.0, 2.0, 0.5, -0.5, -1.0]), min_size=len(WORDS), max_size=len(WORDS)))
    k = draw(st.integers(1, 20))
    exclude = draw(st.lists(st.integers(0, n_docs - 1), max_size=4, unique=True))
    return texts, split, query, multipliers, k, exclude


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora_and_queries(), st.booleans(), st.sampled_from([2, 4, postings.RANGE_BITS]))
def test_top_k_equals_brute_force_on_random_corpora(case, signed, bits):
    """bits: the segments' ranges hold 2**bits papers; small ones split these corpora into many
    ranges (2-byte documents, scans range by range, look-ups that find a range first)."""
    saved, postings.RANGE_BITS = postings.RANGE_BITS, bits
    try:
        check_random_case(case, signed)
    finally:
        postings.RANGE_BITS = saved


def check_random_case(case, signed):
    texts, split, tokens, multipliers, k, exclude = case
    index = Index.build(texts[:split])
    if split < len(texts):
        index = index.with_documents(texts[split:], corpus_version=2, log_position=len(texts))
    reference = BM25Okapi([tokenize(t) for t in texts])
    query = index.query(tokens)
    if signed:
        m = np.array([multipliers[WORDS.index(t)] for t in query.terms])
        query = Query(query.terms, query.term_ids, query.weights * m)
        counts = {t: tokens.count(t) for t in query.terms}
        full = sum(c * reference.get_scores([t]) for t, c in zip(query.terms, m * [counts[t] for t in query.terms]))
        full = np.zeros(len(texts)) + full
    else:
        full = reference.get_scores(tokens)
    docs, scores = index.rank(query, k, exclude=exclude)
    # a sum of positive and negative parts that cancel can land on either side of 0 by rounding
    keep = np.abs(scores) > 1e-9
    docs, scores = docs[keep], scores[keep]
    full = np.where(np.abs(full) > 1e-9, full, 0.0)
    assert_same_top(docs, scores, full, k, exclude)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 5000), min_size=0, max_size=3000, unique=True), st.data())
def test_a_look_up_through_the_skip_array_finds_what_a_binary_search_finds(values, data):
    """Look-ups find the document's range in the list, narrow it to one block with the skip array
    (every SKIP-th document of the whole postings array, so blocks straddle lists and ranges) and
    count 2-byte offsets within it: any list, any range size, any target, the same position as a
    binary search of the full documents, or -1 when the list lacks the document."""
    docs = np.array(sorted(values), dtype=np.int32)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(docs)), max_size=4)))
    indptr = np.array([0, *cuts, len(docs)], dtype=np.int64)  # consecutive lists, each sorted
    bits = data.draw(st.sampled_from([3, 7, 10, 16]))
    lows, range_indptr, range_ids, range_starts = postings.layout(indptr, docs, bits)
    codes = np.arange(len(docs), dtype=np.int32)  # each posting's code is its position
    lists = postings.Lists(indptr, lows, codes, range_indptr, range_ids, range_starts, top_k.skip_docs(docs), bits)
    np.testing.assert_array_equal(postings.documents(lists), docs)
    t = data.draw(st.integers(0, len(indptr) - 2))
    lo, hi = int(indptr[t]), int(indptr[t + 1])

    def where(d):
        at = lo + int(np.searchsorted(docs[lo:hi], d))
        return at if at < hi and docs[at] == d else -1

    d = data.draw(st.one_of(st.integers(0, 5001), st.sampled_from(values or [0])))
    a, b, low = top_k._locate(range_indptr, range_ids, range_starts, lists.skip, bits, t, d)
    assert a == b or lo <= a <= b <= hi
    assert top_k._position(lows, a, b, low) == where(d)
    assert postings.position(lists, t, d) == where(d)
    # many candidates at once, in document order (the look-ups' cursors only move forward)
    cands = np.array(sorted(set(data.draw(st.lists(st.one_of(st.integers(0, 5001), st.sampled_from(values or [0])),
                                                   max_size=60)))), dtype=np.int64)
    found = np.zeros(len(cands))
    top_k._look_up(cands, found, len(cands), lists, t, np.arange(1, len(docs) + 1, dtype=np.float64), 1.0)
    np.testing.assert_array_equal(found, [where(c) + 1 for c in cands])  # position + 1, or 0 where absent


@st.composite
def long_list_corpora(draw):
    """Corpora of up to 2,500 documents over a few words: the common words' lists run past
    2 * SKIP postings (look-ups through the skip array, lists walked beside dense candidates, and
    the candidates scored in full before the look-ups), with queries as long as an abstract."""
    n_words = draw(st.integers(4, len(WORDS)))
    skew = draw(st.floats(0.3, 1.4))
    p = 1.0 / np.arange(1, n_words + 1) ** skew
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_docs = draw(st.integers(300, 2500))
    texts = [" ".join(rng.choice(WORDS[:n_words], size=int(rng.integers(1, 30)), p=p / p.sum())) for _ in range(n_docs)]
    query = list(rng.choice(WORDS[:n_words], size=int(rng.integers(5, 60)), p=p[::-1] / p.sum()))
    k = draw(st.sampled_from([1, 3, 10, 25]))
    exclude = draw(st.lists(st.integers(0, n_docs - 1), max_size=30, unique=True))
    return texts, n_docs, query, [1.0] * len(WORDS), k, exclude


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_list_corpora(), st.sampled_from([6, 9, postings.RANGE_BITS]))
def test_top_k_equals_brute_force_with_long_lists(case, bits):
    saved, postings.RANGE_BITS = postings.RANGE_BITS, bits
    try:
        check_random_case(case, False)
    finally:
        postings.RANGE_BITS = saved


def test_top_k_equals_brute_force_when_long_lists_remain_after_the_open_phase():
    """12,000 papers, three words in 90% of them and rarer words in a few: a query of both leaves
    the common words' long lists after the open phase, with enough postings
    (top_k.FINAL_ESTIMATE_RATIO) that the best papers are scored in full once more before the
    scan-or-look-up decisions (k = 1: the fewer best papers, the fewer look-ups that costs)."""
    rng = np.random.default_rng(7)
    common = ["c0w", "c1w", "c2w"]
    rare = [f"r{i}w" for i in range(3000)]
    texts = []
    for _ in range(12_000):
        words = [w for w in common for _ in range(int(rng.random() < 0.9) * int(rng.integers(1, 3)))]
        words += list(rng.choice(rare, size=int(rng.integers(1, 6))))
        texts.append(" ".join(words))
    index = Index.build(texts)
    reference = BM25Okapi([tokenize(t) for t in texts])
    for query_words in (["r1w", "r2w", "r3w", *common], ["r10w", "r11w", "c0w", "c0w", "c1w"], ["r5w", *common, *common]):
        tokens = tokenize(" ".join(query_words))
        docs, scores = index.rank(index.query(tokens), 1, exclude=[0, 1])
        assert_same_top(docs, scores, reference.get_scores(tokens), 1, exclude=[0, 1])
