"""Tests for embedcourse.metrics.ranking: recall@k, MRR and the retrieval report.

Checked against brute-force definitions and scikit-learn (``top_k_accuracy_score`` for recall@k
with one relevant document, ``label_ranking_average_precision_score`` for MRR).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import label_ranking_average_precision_score, top_k_accuracy_score

from embedcourse.metrics import mrr, rank_of_relevant, recall_at_k, retrieval_report
from embedcourse.retrieval import search

from conftest import truth_not_tied, unit


# --------------------------------------------------------------------------------------------
# metrics: brute-force definitions and scikit-learn
# --------------------------------------------------------------------------------------------
def _brute_recall(ranked, relevant, k):
    total = 0.0
    for r, rel in zip(ranked, relevant, strict=True):
        found = 0
        for doc in rel:
            if doc in list(r[:k]):
                found += 1
        total += found / len(rel)
    return total / len(ranked)


def _brute_mrr(ranked, relevant):
    total = 0.0
    for r, rel in zip(ranked, relevant, strict=True):
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
    S = unit(Q.astype(np.float64)) @ unit(D.astype(np.float64)).T
    # exact agreement is meaningful only if no relevant document is in a near-tie (checked)
    assert truth_not_tied(S, truth)
    _, ids = search(Q, D, D.shape[0])
    for k in (1, 5, 10, 20):
        ref = top_k_accuracy_score(truth, S, k=k, labels=np.arange(D.shape[0]))
        assert recall_at_k(ids, truth, k) == pytest.approx(ref)


def test_mrr_equals_sklearn_lrap_with_one_relevant(emb):
    # with a single relevant label per row, label-ranking average precision is 1 / rank
    Q, D = emb
    rng = np.random.default_rng(3)
    truth = rng.integers(0, D.shape[0], size=Q.shape[0])
    S = unit(Q.astype(np.float64)) @ unit(D.astype(np.float64)).T
    assert truth_not_tied(S, truth)  # so the rank of each relevant document is exact
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
    with pytest.raises(TypeError, match="not its scores"):
        mrr(np.array([[0.5, 0.2]]), [0])
    with pytest.raises(ValueError, match="1-d array"):
        mrr(np.array([0, 1, 2]), [0])
    with pytest.raises(ValueError, match="ranked_ids is empty"):
        mrr([], [])
    with pytest.raises(TypeError, match="expected integer document ids"):
        recall_at_k(ranked, [{"a"}, {0}], 1)


def test_retrieval_report_is_recall_and_mrr():
    rng = np.random.default_rng(6)
    ranked = np.array([rng.permutation(20) for _ in range(15)])
    relevant = rng.integers(0, 20, size=15)
    report = retrieval_report(ranked, relevant, ks=(1, 5, 10))
    assert list(report) == ["R@1", "R@5", "R@10", "MRR"]
    for k in (1, 5, 10):
        assert report[f"R@{k}"] == recall_at_k(ranked, relevant, k)
    assert report["MRR"] == mrr(ranked, relevant)
    assert retrieval_report([[2, 0, 1], [1, 2, 0]], [0, 1], ks=(1, 2)) == {"R@1": 0.5, "R@2": 1.0, "MRR": 0.75}
    assert list(retrieval_report(ranked, relevant)) == ["R@1", "R@10", "MRR"]  # the default ks


def test_retrieval_report_bad_input():
    ranked = np.array([[0, 1, 2], [2, 1, 0]])
    with pytest.raises(ValueError, match="ks is empty"):
        retrieval_report(ranked, [0, 1], ks=())
    with pytest.raises(TypeError, match="ks must be a list"):
        retrieval_report(ranked, [0, 1], ks=1)
    with pytest.raises(ValueError, match=r"ks\[1\]=4 is larger than the 3 ids"):
        retrieval_report(ranked, [0, 1], ks=(1, 4))
