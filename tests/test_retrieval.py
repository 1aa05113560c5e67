"""Tests for embedcourse.retrieval: exact search vs numpy and faiss, metrics vs scikit-learn.

Seeded random embeddings are enough here: the point is the ranking arithmetic, not the data.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import label_ranking_average_precision_score, top_k_accuracy_score

from embedcourse.retrieval import mrr, rank_of_relevant, recall_at_k, search, top_k


@pytest.fixture
def emb():
    rng = np.random.default_rng(0)
    docs = rng.normal(size=(60, 16)).astype(np.float32)
    queries = rng.normal(size=(25, 16)).astype(np.float32)
    return queries, docs


def _unit(M):
    return M / np.linalg.norm(M, axis=1, keepdims=True)


# Scores closer than this (relative) are a near-tie: their order is decided by float32 rounding,
# which depends on the BLAS kernel and on how each implementation sums. The seeded fixture has
# some (the closest two cosines of a query differ by 1.6e-6), so orders are compared tie-aware.
TIE_RTOL = 1e-4


def _near(a, b, tie_rtol=TIE_RTOL):
    return abs(a - b) <= tie_rtol * max(abs(a), abs(b))


def _assert_same_ranking(ids, ref_ids, S, tie_rtol=TIE_RTOL):
    """Row by row, ids and ref_ids (k columns) rank the same documents by the float64 scores S,
    except that a run of near-tied scores is compared as a set, and a run that continues past the
    k-th position is not compared at all (which of the tied documents made the cut is rounding)."""
    ids, ref_ids = np.asarray(ids), np.asarray(ref_ids)
    k = ids.shape[1]
    for row, (mine, ref) in enumerate(zip(ids, ref_ids)):
        full = np.sort(S[row])[::-1]
        start = 0
        for i in range(1, k + 1):
            if i < len(full) and _near(full[i - 1], full[i], tie_rtol):
                continue
            if i == k and k < len(full) and _near(full[k - 1], full[k], tie_rtol):
                break  # ties across the cut-off
            assert set(mine[start:i]) == set(ref[start:i]), (row, mine, ref)
            start = i


def _truth_not_tied(S, truth, tie_rtol=TIE_RTOL):
    """True if no query's relevant document has a near-tied score: its rank is then exact."""
    for row, t in enumerate(truth):
        others = np.delete(S[row], t)
        if np.any(np.abs(others - S[row, t]) <= tie_rtol * np.abs(S[row, t])):
            return False
    return True


# --------------------------------------------------------------------------------------------
# search
# --------------------------------------------------------------------------------------------
def test_search_matches_numpy_argsort(emb):
    Q, D = emb
    scores, ids = search(Q, D, k=7)
    S = _unit(Q.astype(np.float64)) @ _unit(D.astype(np.float64)).T  # the reference, in float64
    ref = np.argsort(-S, axis=1, kind="stable")[:, :7]
    assert ids.shape == scores.shape == (25, 7)
    assert ids.dtype == np.int64 and scores.dtype == np.float32
    _assert_same_ranking(ids, ref, S)
    np.testing.assert_allclose(scores, np.take_along_axis(S, ids, 1), atol=1e-6)
    assert np.all(np.diff(scores, axis=1) <= 0)


def test_search_matches_faiss_flat_ip(emb):
    faiss = pytest.importorskip("faiss")
    Q, D = emb
    index = faiss.IndexFlatIP(D.shape[1])
    index.add(_unit(D))
    ref_scores, ref_ids = index.search(_unit(Q), 10)
    scores, ids = search(Q, D, 10)
    _assert_same_ranking(ids, ref_ids, _unit(Q.astype(np.float64)) @ _unit(D.astype(np.float64)).T)
    np.testing.assert_allclose(scores, ref_scores, atol=1e-5)


def test_search_ignores_lengths_and_accepts_one_query(emb):
    Q, D = emb
    scaled = D * np.arange(1, 61, dtype=np.float32)[:, None]
    S = _unit(Q.astype(np.float64)) @ _unit(D.astype(np.float64)).T
    # rescaling a row changes its normalised values by rounding only: near-ties may swap
    _assert_same_ranking(search(Q, scaled, 5)[1], search(Q, D, 5)[1], S)
    s1, i1 = search(Q[3], D, 4)
    assert i1.shape == (1, 4)
    np.testing.assert_array_equal(i1[0], search(Q, D, 4)[1][3])  # the same arithmetic on the same row


def test_search_ties_broken_by_lower_id_and_zero_rows_score_zero():
    D = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    scores, ids = search(np.array([[1.0, 0.0]]), D, 4)
    np.testing.assert_array_equal(ids[0], [0, 2, 1, 3])
    np.testing.assert_allclose(scores[0], [1, 1, 0, 0])


def test_search_bad_input(emb):
    Q, D = emb
    with pytest.raises(ValueError, match="query_emb has 8 columns but doc_emb has 16"):
        search(Q[:, :8], D, 3)
    with pytest.raises(ValueError, match="larger than the 60 documents"):
        search(Q, D, 61)
    with pytest.raises(ValueError, match="at least 1"):
        search(Q, D, 0)
    with pytest.raises(ValueError, match="doc_emb is empty"):
        search(Q, np.zeros((0, 16)), 1)
    with pytest.raises(TypeError, match="expected numbers"):
        search(np.array([["a", "b"]]), D, 1)


def test_top_k_from_scores():
    S = np.array([[0.1, 0.9, 0.5], [0.3, 0.3, 0.2]])
    scores, ids = top_k(S, 2)
    np.testing.assert_array_equal(ids, [[1, 2], [0, 1]])
    np.testing.assert_allclose(scores, [[0.9, 0.5], [0.3, 0.3]])


# --------------------------------------------------------------------------------------------
# metrics: brute-force definitions and scikit-learn
# --------------------------------------------------------------------------------------------
def _brute_recall(ranked, relevant, k):
    total = 0.0
    for r, rel in zip(ranked, relevant):
        found = 0
        for doc in rel:
            if doc in list(r[:k]):
                found += 1
        total += found / len(rel)
    return total / len(ranked)


def _brute_mrr(ranked, relevant):
    total = 0.0
    for r, rel in zip(ranked, relevant):
        for pos, doc in enumerate(r):
            if doc in rel:
                total += 1.0 / (pos + 1)
                break
    return total / len(ranked)


def test_metrics_match_brute_force_with_several_relevant():
    rng = np.random.default_rng(1)
    ranked = np.array([rng.permutation(30) for _ in range(40)])
    relevant = [set(rng.choice(30, size=rng.integers(1, 5), replace=False).tolist()) for _ in range(40)]
    for k in (1, 3, 10, 30):
        assert recall_at_k(ranked, relevant, k) == pytest.approx(_brute_recall(ranked, relevant, k))
    assert mrr(ranked, relevant) == pytest.approx(_brute_mrr(ranked, relevant))
    assert recall_at_k(ranked, relevant, 30) == 1.0


def test_recall_at_k_equals_sklearn_top_k_accuracy(emb):
    Q, D = emb
    rng = np.random.default_rng(2)
    truth = rng.integers(0, D.shape[0], size=Q.shape[0])
    S = _unit(Q.astype(np.float64)) @ _unit(D.astype(np.float64)).T
    # exact agreement is meaningful only if no relevant document is in a near-tie (checked)
    assert _truth_not_tied(S, truth)
    _, ids = search(Q, D, D.shape[0])
    for k in (1, 5, 10, 20):
        ref = top_k_accuracy_score(truth, S, k=k, labels=np.arange(D.shape[0]))
        assert recall_at_k(ids, truth, k) == pytest.approx(ref)


def test_mrr_equals_sklearn_lrap_with_one_relevant(emb):
    # with a single relevant label per row, label-ranking average precision is 1 / rank
    Q, D = emb
    rng = np.random.default_rng(3)
    truth = rng.integers(0, D.shape[0], size=Q.shape[0])
    S = _unit(Q.astype(np.float64)) @ _unit(D.astype(np.float64)).T
    assert _truth_not_tied(S, truth)  # so the rank of each relevant document is exact
    Y = np.zeros_like(S, dtype=int)
    Y[np.arange(len(truth)), truth] = 1
    _, ids = search(Q, D, D.shape[0])
    assert mrr(ids, truth) == pytest.approx(label_ranking_average_precision_score(Y, S))
    np.testing.assert_allclose(
        1.0 / rank_of_relevant(ids, truth),
        [label_ranking_average_precision_score(Y[i : i + 1], S[i : i + 1]) for i in range(len(truth))],
    )


def test_rank_of_relevant_and_cutoffs():
    ranked = np.array([[4, 2, 0], [1, 3, 2], [0, 1, 2]])
    ranks = rank_of_relevant(ranked, [2, 9, {1, 2}])
    np.testing.assert_array_equal(ranks, [2, np.inf, 2])
    assert mrr(ranked, [2, 9, {1, 2}]) == pytest.approx((0.5 + 0 + 0.5) / 3)
    assert mrr(ranked, [2, 3, 0], k=1) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, np.array([4, 3, 2]), 2) == pytest.approx(2 / 3)
    assert recall_at_k([[5, 6], [7]], [{6}, {7}], 1) == pytest.approx(0.5)


def test_metric_bad_input():
    ranked = np.array([[0, 1, 2], [2, 1, 0]])
    with pytest.raises(ValueError, match="2 queries but relevant_ids has 3"):
        recall_at_k(ranked, [0, 1, 2], 1)
    with pytest.raises(ValueError, match="relevant_ids\\[1\\] is empty"):
        mrr(ranked, [{0}, set()])
    with pytest.raises(ValueError, match="larger than the 3 ids"):
        recall_at_k(ranked, [0, 1], 4)
    with pytest.raises(TypeError, match="not its `scores`"):
        mrr(np.array([[0.5, 0.2]]), [0])
    with pytest.raises(ValueError, match="1-d array"):
        mrr(np.array([0, 1, 2]), [0])
    with pytest.raises(ValueError, match="ranked_ids is empty"):
        mrr([], [])
    with pytest.raises(TypeError, match="expected integer document ids"):
        recall_at_k(ranked, [{"a"}, {0}], 1)
