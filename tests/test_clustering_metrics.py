"""Tests for embedcourse.metrics.clustering (ARI, NMI, silhouette, trustworthiness) and
embedcourse.metrics.correlation (Pearson, Spearman).

Oracles: scikit-learn (adjusted_rand_score, normalized_mutual_info_score, silhouette_score,
silhouette_samples, manifold.trustworthiness) on the digits data set, and scipy.stats
(pearsonr, spearmanr), to 1e-9 or better.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from embedcourse.metrics import (adjusted_rand_index, normalized_mutual_info, pearson, silhouette, spearman,
                                 trustworthiness)

from conftest import oracle


@functools.cache
def _digits():
    from sklearn.cluster import KMeans
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA

    X, y = load_digits(return_X_y=True)
    X, y = X[:800], y[:800]
    pred = KMeans(10, n_init=3, random_state=0).fit_predict(X)
    Xp = PCA(20, random_state=0).fit_transform(X)
    Z = PCA(2, random_state=0).fit_transform(X)
    return X, y, pred, Xp, Z


# ---- hand-computed --------------------------------------------------------------------------
def test_ari_nmi_hand_computed():
    assert adjusted_rand_index([0, 0, 1, 1], ["b", "b", "a", "a"]) == 1.0
    assert normalized_mutual_info([0, 0, 1, 1], [1, 1, 0, 0]) == pytest.approx(1.0)
    # [0,0,1,1] vs [0,0,0,1]: pairs together in both 1, true-only 1, pred-only 2, neither 2
    # ARI = 2 (tp tn - fn fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)) = 2 (1*2 - 2*1) / ... = 0
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 0, 1]) == pytest.approx(0.0, abs=1e-15)
    # independent labelings: MI = 0
    assert normalized_mutual_info([0, 0, 1, 1], [0, 1, 0, 1]) == 0.0
    assert adjusted_rand_index([0, 0, 0], [0, 0, 0]) == 1.0 and normalized_mutual_info([3, 3], [1, 1]) == 1.0


def test_silhouette_hand_computed():
    X = np.array([[0.0], [1.0], [4.0], [6.0]])
    lab = [0, 0, 1, 1]
    # item 0: a = 1, b = mean(4, 6) = 5 -> 0.8; item 1: a = 1, b = 4 -> 0.75
    # item 2: a = 2, b = mean(4, 3) = 3.5 -> 1.5/3.5; item 3: a = 2, b = 5.5 -> 3.5/5.5
    expect = [0.8, 0.75, 1.5 / 3.5, 3.5 / 5.5]
    np.testing.assert_allclose(silhouette(X, lab, per_item=True), expect, rtol=1e-12)
    assert silhouette(X, lab) == pytest.approx(np.mean(expect))
    # a singleton cluster scores 0
    assert silhouette(X, [0, 0, 0, 1], per_item=True)[3] == 0.0


def test_trustworthiness_of_identity_is_one():
    X = np.random.default_rng(0).normal(size=(40, 5))
    assert trustworthiness(X, X, n_neighbors=5) == pytest.approx(1.0)
    assert trustworthiness(X, X * 3.0 + 1.0, n_neighbors=3) == pytest.approx(1.0)


def test_correlations_hand_computed():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3, 4], [1, 4, 9, 100]) == pytest.approx(1.0)
    # ties share the average rank: ranks of [1, 2, 2, 3] are [1, 2.5, 2.5, 4]
    r = np.array([1, 2.5, 2.5, 4])
    s = np.array([1, 2, 3, 4.0])
    expected = np.corrcoef(r, s)[0, 1]
    assert spearman([1, 2, 2, 3], [10, 20, 30, 40]) == pytest.approx(expected, rel=1e-12)


# ---- oracles ----------------------------------------------------------------------------------
def test_oracle_sklearn_ari_nmi_on_digits():
    skm = oracle("sklearn.metrics")
    _, y, pred, _, _ = _digits()
    assert adjusted_rand_index(y, pred) == pytest.approx(skm.adjusted_rand_score(y, pred), abs=1e-12)
    for method in ("arithmetic", "geometric", "min", "max"):
        ref = skm.normalized_mutual_info_score(y, pred, average_method=method)
        assert normalized_mutual_info(y, pred, average_method=method) == pytest.approx(ref, abs=1e-12)
    rng = np.random.default_rng(0)
    for _ in range(20):  # random labelings of different sizes, including near-independent ones
        a, b = rng.integers(0, rng.integers(2, 8), 200), rng.integers(0, rng.integers(2, 8), 200)
        assert adjusted_rand_index(a, b) == pytest.approx(skm.adjusted_rand_score(a, b), abs=1e-12)
        assert normalized_mutual_info(a, b) == pytest.approx(skm.normalized_mutual_info_score(a, b), abs=1e-12)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_oracle_sklearn_silhouette_on_digits(metric):
    skm = oracle("sklearn.metrics")
    X, _, pred, _, _ = _digits()
    assert silhouette(X, pred, metric=metric) == pytest.approx(skm.silhouette_score(X, pred, metric=metric), abs=1e-9)
    np.testing.assert_allclose(silhouette(X, pred, metric=metric, per_item=True),
                               skm.silhouette_samples(X, pred, metric=metric), atol=1e-9)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_oracle_sklearn_silhouette_with_singletons_and_duplicates(metric):
    # singleton clusters (sklearn: 0) and duplicated points (a = b = 0: sklearn's nan_to_num gives 0)
    skm = oracle("sklearn.metrics")
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 3))
    X[5] = X[4]
    X[7] = X[6]
    labels = np.array([0] * 10 + [1] * 10 + [2] * 8 + [3, 4])
    labels[4] = labels[5] = labels[6] = labels[7] = 5                      # a cluster of two identical pairs
    np.testing.assert_allclose(silhouette(X, labels, metric=metric, per_item=True),
                               skm.silhouette_samples(X, labels, metric=metric), atol=1e-12)
    assert silhouette(X, labels, metric=metric) == pytest.approx(skm.silhouette_score(X, labels, metric=metric),
                                                                  abs=1e-12)


@pytest.mark.parametrize(("metric", "k"), [("euclidean", 5), ("cosine", 5), ("euclidean", 12)])
def test_oracle_sklearn_trustworthiness_on_digits(metric, k):
    manifold = oracle("sklearn.manifold")
    _, _, _, Xp, Z = _digits()
    ref = manifold.trustworthiness(Xp, Z, n_neighbors=k, metric=metric)
    assert trustworthiness(Xp, Z, n_neighbors=k, metric=metric) == pytest.approx(ref, abs=1e-9)


def test_oracle_scipy_correlations_with_ties():
    stats = oracle("scipy.stats")
    rng = np.random.default_rng(1)
    for _ in range(10):
        a = rng.integers(0, 6, 300).astype(float)  # many ties
        b = a + rng.integers(0, 5, 300)
        assert spearman(a, b) == pytest.approx(stats.spearmanr(a, b).statistic, abs=1e-12)
        c, d = rng.normal(size=300), rng.normal(size=300)
        assert pearson(c, d) == pytest.approx(stats.pearsonr(c, d).statistic, abs=1e-12)
        assert spearman(c, d) == pytest.approx(stats.spearmanr(c, d).statistic, abs=1e-12)


# ---- bad input ------------------------------------------------------------------------------
def test_bad_input():
    with pytest.raises(ValueError, match="labels_true has 3 items and labels_pred 2"):
        adjusted_rand_index([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="labels_true is empty"):
        normalized_mutual_info([], [])
    with pytest.raises(TypeError, match="labels_pred must be a 1-d sequence"):
        adjusted_rand_index([0, 1], "01")
    with pytest.raises(ValueError, match="labels_true contains NaN"):
        adjusted_rand_index([0.0, np.nan], [0, 1])
    with pytest.raises(ValueError, match="average_method must be one of"):
        normalized_mutual_info([0, 1], [0, 1], average_method="mean")
    X = np.random.default_rng(0).normal(size=(6, 3))
    with pytest.raises(ValueError, match="between 2 and n - 1 clusters"):
        silhouette(X, [0] * 6)
    with pytest.raises(ValueError, match="labels has 5 entries but X has 6 rows"):
        silhouette(X, [0, 1, 0, 1, 0])
    with pytest.raises(ValueError, match="metric must be one of"):
        silhouette(X, [0, 1] * 3, metric="manhattan")
    with pytest.raises(ValueError, match="all-zero row"):
        silhouette(np.vstack([X[:5], np.zeros(3)]), [0, 1] * 3, metric="cosine")
    with pytest.raises(ValueError, match="X contains NaN"):
        silhouette(np.where(X > 1, np.nan, X), [0, 1] * 3)
    with pytest.raises(ValueError, match="n_neighbors=3 must be below n / 2"):
        trustworthiness(X, X[:, :2], n_neighbors=3)
    with pytest.raises(ValueError, match="X_embedded has 5 rows but X has 6"):
        trustworthiness(X, X[:5, :2], n_neighbors=2)
    with pytest.raises(ValueError, match="a is constant"):
        spearman([1, 1, 1], [1, 2, 3])
    with pytest.raises(ValueError, match="a has 3 values and b has 2"):
        pearson([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="b contains NaN"):
        pearson([1, 2, 3], [1, np.nan, 2])


def test_deterministic_and_symmetric():
    _, y, pred, Xp, Z = _digits()
    assert adjusted_rand_index(y, pred) == adjusted_rand_index(pred, y)
    assert normalized_mutual_info(y, pred) == pytest.approx(normalized_mutual_info(pred, y), abs=1e-14)
    assert trustworthiness(Xp, Z) == trustworthiness(Xp, Z)
