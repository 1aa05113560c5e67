"""Tests for embedcourse.metrics.ranking: recall@k, MRR and the retrieval report.

Checked against brute-force definitions and scikit-learn (``top_k_accuracy_score`` for recall@k
with one relevant document, ``label_ranking_average_precision_score`` for MRR).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import label_ranking_average_precision_score, top_k_accuracy_score

from embedcourse.metrics import (hits_at_k, mean_average_precision, mrr, ndcg_at_k, precision_at_k, rank_of_relevant,
                                 ranked_ids_from_scores, recall_at_k, retrieval_report)
from embedcourse.retrieval import search

from conftest import oracle, truth_not_tied, unit


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


# --------------------------------------------------------------------------------------------
# chapter 09 metrics: hand-computed examples
# --------------------------------------------------------------------------------------------
def test_hand_computed_tiny_example():
    # one query, ranking 5 1 7 2, relevant {1: 2, 2: 1, 9: 3} (9 never retrieved)
    ranked, rel = [[5, 1, 7, 2]], [{1: 2, 2: 1, 9: 3}]
    assert precision_at_k(ranked, rel, 2) == pytest.approx(1 / 2)
    assert precision_at_k(ranked, rel, 4) == pytest.approx(2 / 4)
    assert recall_at_k(ranked, rel, 2) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, rel, 4) == pytest.approx(2 / 3)
    assert hits_at_k(ranked, rel, 1) == 0.0 and hits_at_k(ranked, rel, 2) == 1.0
    assert mrr(ranked, rel) == pytest.approx(1 / 2)
    assert mean_average_precision(ranked, rel) == pytest.approx((1 / 2 + 2 / 4) / 3)
    assert mean_average_precision(ranked, rel, k=2) == pytest.approx((1 / 2) / 3)
    dcg = 2 / np.log2(3) + 1 / np.log2(5)
    idcg = 3 + 2 / np.log2(3) + 1 / 2
    assert ndcg_at_k(ranked, rel, 4) == pytest.approx(dcg / idcg, rel=1e-12)
    dcg_exp = 3 / np.log2(3) + 1 / np.log2(5)
    idcg_exp = 7 + 3 / np.log2(3) + 1 / 2
    assert ndcg_at_k(ranked, rel, 4, gain="exponential") == pytest.approx(dcg_exp / idcg_exp, rel=1e-12)
    # binary relevance: linear and exponential gains agree
    assert ndcg_at_k(ranked, [{1, 2}], 3) == ndcg_at_k(ranked, [{1, 2}], 3, gain="exponential")


def test_per_query_returns_float64_arrays_whose_mean_is_the_metric():
    rng = np.random.default_rng(4)
    ranked = np.array([rng.permutation(20) for _ in range(12)])
    rel = [{int(d): int(rng.integers(1, 4)) for d in rng.choice(20, 3, replace=False)} for _ in range(12)]
    for f, kw in ((recall_at_k, {"k": 5}), (precision_at_k, {"k": 5}), (hits_at_k, {"k": 5}), (mrr, {}),
                  (mean_average_precision, {}), (mean_average_precision, {"k": 5}), (ndcg_at_k, {"k": 5})):
        per = f(ranked, rel, per_query=True, **kw)
        assert isinstance(per, np.ndarray) and per.dtype == np.float64 and per.shape == (12,)
        assert f(ranked, rel, **kw) == pytest.approx(per.mean(), abs=1e-15)
        assert np.all((per >= 0) & (per <= 1))
    with pytest.raises(TypeError, match="per_query"):
        recall_at_k(ranked, rel, 5, per_query="yes")


def test_graded_dict_uses_positive_gains_as_relevant():
    ranked = [[0, 1, 2, 3]]
    assert recall_at_k(ranked, [{0: 0, 1: 1}], 1) == 0.0  # gain 0 = judged non-relevant
    assert mrr(ranked, [{0: 0, 1: 1}]) == 0.5
    assert ndcg_at_k(ranked, [{0: 0, 1: 1}], 2) == pytest.approx(1 / np.log2(3))


def test_ranked_ids_from_scores_breaks_ties_by_id_descending():
    S = np.array([[0.5, 0.9, 0.5, 0.1, 0.5], [1.0, 1.0, 1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(ranked_ids_from_scores(S), [[1, 4, 2, 0, 3], [4, 3, 2, 1, 0]])
    np.testing.assert_array_equal(ranked_ids_from_scores(S, k=2), [[1, 4], [4, 3]])
    assert ranked_ids_from_scores(S).dtype == np.int64
    with pytest.raises(ValueError, match="scores contains NaN"):
        ranked_ids_from_scores(np.array([[0.1, np.nan]]))
    with pytest.raises(ValueError, match="k=3 is larger than the 2 documents"):
        ranked_ids_from_scores(np.array([[0.1, 0.2]]), k=3)
    with pytest.raises(ValueError, match="scores must be 2-d"):
        ranked_ids_from_scores(np.array([0.1, 0.2]))


def test_new_metrics_bad_input():
    ranked = np.array([[0, 1, 2], [2, 1, 0]])
    with pytest.raises(ValueError, match=r"ranked_ids\[0\] ranks document 1 more than once"):
        precision_at_k(np.array([[0, 1, 1], [2, 1, 0]]), [0, 1], 1)
    # faiss's -1 padding may repeat
    assert recall_at_k(np.array([[0, -1, -1], [2, 1, 0]]), [0, 1], 3) == 1.0
    with pytest.raises(ValueError, match=r"relevant_ids\[1\] is empty"):
        ndcg_at_k(ranked, [{0: 1}, {1: 0}], 2)
    with pytest.raises(ValueError, match="gains must be finite and >= 0"):
        ndcg_at_k(ranked, [{0: 1}, {1: -1}], 2)
    with pytest.raises(ValueError, match="k must be"):
        hits_at_k(ranked, [0, 1], 0)
    with pytest.raises(ValueError, match="larger than the 3 ids"):
        mean_average_precision(ranked, [0, 1], k=4)
    with pytest.raises(ValueError, match="gain must be one of"):
        ndcg_at_k(ranked, [0, 1], 2, gain="log")
    with pytest.raises(TypeError, match="has gain 'a'"):
        ndcg_at_k(ranked, [{0: "a"}, {1: 1}], 2)
    with pytest.raises(ValueError, match="2 queries but relevant_ids has 1"):
        precision_at_k(ranked, [0], 1)


def test_negative_relevant_id_is_refused_not_matched_to_padding():
    # regression: a relevant id -1 matched faiss's repeated -1 padding, giving recall 1.5
    padded = np.array([[0, -1, -1], [2, 1, 0]])
    with pytest.raises(ValueError, match=r"relevant_ids\[0\] contains the negative id -1"):
        recall_at_k(padded, [-1, 1], 3)
    with pytest.raises(ValueError, match="negative id -2"):
        ndcg_at_k(padded, [{0: 1}, {-2: 1}], 2)
    assert 0.0 <= recall_at_k(padded, [{0, 5}, 1], 3) <= 1.0


# --------------------------------------------------------------------------------------------
# oracle: trec_eval (pytrec_eval) and ir_measures on random runs with graded qrels
# --------------------------------------------------------------------------------------------
def _random_run(seed, n_queries=80, n_docs=60, depth=40):
    rng = np.random.default_rng(seed)
    ranked, rels = [], []
    for _ in range(n_queries):
        ranked.append(rng.permutation(n_docs)[:depth])
        judged = rng.choice(n_docs, size=int(rng.integers(2, 15)), replace=False)
        gains = {int(d): int(rng.integers(0, 4)) for d in judged}
        gains[int(judged[0])] = int(rng.integers(1, 4))  # at least one relevant document
        rels.append(gains)
    return np.array(ranked), rels


def _trec(ranked, rels, measures, scores=None):
    pytrec_eval = oracle("pytrec_eval")
    qrel = {f"q{i}": {f"d{d:03d}": g for d, g in rel.items()} for i, rel in enumerate(rels)}
    if scores is None:  # distinct scores: the run is the ranking
        run = {f"q{i}": {f"d{d:03d}": float(len(r) - j) for j, d in enumerate(r)} for i, r in enumerate(ranked)}
    else:
        run = {f"q{i}": {f"d{d:03d}": float(s) for d, s in enumerate(row)} for i, row in enumerate(scores)}
    out = pytrec_eval.RelevanceEvaluator(qrel, set(measures)).evaluate(run)
    return {m: np.array([out[f"q{i}"][m.replace(".", "_")] for i in range(len(rels))]) for m in measures}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_oracle_pytrec_eval_on_random_graded_runs(seed):
    ranked, rels = _random_run(seed)
    ks = (1, 5, 10, 40)
    measures = ["recip_rank", "map"] + [f"{m}.{k}" for k in ks for m in ("P", "recall", "map_cut", "ndcg_cut")]
    ref = _trec(ranked, rels, measures)
    np.testing.assert_allclose(mrr(ranked, rels, per_query=True), ref["recip_rank"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(mean_average_precision(ranked, rels, per_query=True), ref["map"], rtol=0, atol=1e-9)
    for k in ks:
        np.testing.assert_allclose(precision_at_k(ranked, rels, k, per_query=True), ref[f"P.{k}"], atol=1e-9)
        np.testing.assert_allclose(recall_at_k(ranked, rels, k, per_query=True), ref[f"recall.{k}"], atol=1e-9)
        np.testing.assert_allclose(mean_average_precision(ranked, rels, k, per_query=True), ref[f"map_cut.{k}"],
                                   atol=1e-9)
        np.testing.assert_allclose(ndcg_at_k(ranked, rels, k, per_query=True), ref[f"ndcg_cut.{k}"], atol=1e-9)
        assert ndcg_at_k(ranked, rels, k) == pytest.approx(ref[f"ndcg_cut.{k}"].mean(), abs=1e-9)


def test_oracle_pytrec_eval_tie_rule():
    # heavily tied scores: trec_eval sorts by score, then docno descending; so do we
    rng = np.random.default_rng(7)
    n_queries, n_docs = 50, 30
    scores = rng.integers(0, 4, size=(n_queries, n_docs)).astype(np.float64)
    rels = [{int(d): int(rng.integers(1, 3)) for d in rng.choice(n_docs, 4, replace=False)} for _ in range(n_queries)]
    ranked = ranked_ids_from_scores(scores)
    ref = _trec(ranked, rels, ["recip_rank", "map", "P.5", "ndcg_cut.10"], scores=scores)
    np.testing.assert_allclose(mrr(ranked, rels, per_query=True), ref["recip_rank"], atol=1e-9)
    np.testing.assert_allclose(mean_average_precision(ranked, rels, per_query=True), ref["map"], atol=1e-9)
    np.testing.assert_allclose(precision_at_k(ranked, rels, 5, per_query=True), ref["P.5"], atol=1e-9)
    np.testing.assert_allclose(ndcg_at_k(ranked, rels, 10, per_query=True), ref["ndcg_cut.10"], atol=1e-9)
    # the opposite tie rule gives different numbers here: the test can tell rules apart
    asc = np.lexsort((np.broadcast_to(np.arange(n_docs), scores.shape), -scores), axis=-1)
    assert not np.allclose(mrr(asc, rels, per_query=True), ref["recip_rank"])


def test_oracle_ir_measures_success_and_ndcg():
    ir_measures = oracle("ir_measures")
    ranked, rels = _random_run(5, n_queries=40)
    qrels = {f"q{i}": {f"d{d:03d}": g for d, g in rel.items()} for i, rel in enumerate(rels)}
    run = {f"q{i}": {f"d{d:03d}": float(len(r) - j) for j, d in enumerate(r)} for i, r in enumerate(ranked)}
    for k in (1, 3, 10):
        per = {m.query_id: m.value for m in ir_measures.iter_calc([ir_measures.Success @ k], qrels, run)}
        np.testing.assert_allclose(hits_at_k(ranked, rels, k, per_query=True), [per[f"q{i}"] for i in range(40)])
        agg = ir_measures.calc_aggregate([ir_measures.nDCG @ k, ir_measures.RR], qrels, run)
        assert ndcg_at_k(ranked, rels, k) == pytest.approx(agg[ir_measures.nDCG @ k], abs=1e-9)
        assert mrr(ranked, rels) == pytest.approx(agg[ir_measures.RR], abs=1e-9)


def test_ndcg_linear_equals_sklearn_ndcg_score():
    from sklearn.metrics import ndcg_score

    rng = np.random.default_rng(8)
    scores = rng.normal(size=(30, 25))
    gains = rng.integers(0, 4, size=(30, 25))
    gains[:, 0] = 1  # every query has a relevant document
    rels = [{int(d): int(g) for d, g in enumerate(row) if g > 0} for row in gains]
    ranked = ranked_ids_from_scores(scores)
    ref = [ndcg_score(gains[i : i + 1], scores[i : i + 1], k=10) for i in range(30)]
    np.testing.assert_allclose(ndcg_at_k(ranked, rels, 10, per_query=True), ref, atol=1e-12)
