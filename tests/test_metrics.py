"""Tests for embedcourse.metrics: arithmetic checked against scipy and scikit-learn.

Seeded random matrices are enough here: the point is the arithmetic, not the data.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import distance as sd
from sklearn.metrics import pairwise as skp

from embedcourse.metrics import (
    DISTANCE_METRICS,
    SIMILARITY_METRICS,
    cosine_similarity,
    dot_similarity,
    euclidean_distance,
    hamming_distance,
    manhattan_distance,
    pairwise_distances,
    pairwise_similarity,
)
from embedcourse.ops import normalize_rows


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def AB(rng):
    A = rng.normal(size=(7, 16))
    B = rng.normal(size=(5, 16)) * 3.0 + 1.0
    return A, B


# --------------------------------------------------------------------------------------------
# one pair of vectors, against scipy
# --------------------------------------------------------------------------------------------
def test_pair_functions_match_scipy(rng):
    for _ in range(5):
        a, b = rng.normal(size=(2, 32))
        assert isinstance(cosine_similarity(a, b), float)
        assert cosine_similarity(a, b) == pytest.approx(1 - sd.cosine(a, b), abs=1e-12)
        assert euclidean_distance(a, b) == pytest.approx(sd.euclidean(a, b), abs=1e-12)
        assert manhattan_distance(a, b) == pytest.approx(sd.cityblock(a, b), abs=1e-12)
        assert dot_similarity(a, b) == pytest.approx(float(np.dot(a, b)), abs=1e-12)
        codes = rng.integers(0, 2, size=(2, 32)).astype(bool)
        assert hamming_distance(*codes) == pytest.approx(sd.hamming(*codes))
        assert hamming_distance(*codes, normalized=False) == np.count_nonzero(codes[0] != codes[1])


def test_cosine_ignores_length_dot_does_not():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([-2.0, 0.5, 1.0])
    assert cosine_similarity(10 * a, b) == pytest.approx(cosine_similarity(a, b))
    assert dot_similarity(10 * a, b) == pytest.approx(10 * dot_similarity(a, b))
    assert cosine_similarity(a, a) == pytest.approx(1.0)
    assert cosine_similarity(a, -a) == pytest.approx(-1.0)


def test_unit_vector_identity(rng):
    """For unit vectors ||a - b||^2 = 2 (1 - cos(a, b)): Euclidean and cosine rank alike."""
    U = normalize_rows(rng.normal(size=(10, 24)))
    for a, b in zip(U[:-1], U[1:], strict=True):
        assert euclidean_distance(a, b) ** 2 == pytest.approx(2 * (1 - cosine_similarity(a, b)))
    np.testing.assert_allclose(
        pairwise_distances(U, metric="sqeuclidean"),
        2 * (1 - pairwise_similarity(U, metric="cosine")),
        atol=1e-12,
    )


def test_pair_errors():
    with pytest.raises(ValueError, match="a has 3 dimensions but b has 4"):
        cosine_similarity([1, 2, 3], [1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"zero vector has no direction; drop it or use dot/euclidean"):
        cosine_similarity([0, 0, 0], [1, 2, 3])
    with pytest.raises(ValueError, match=r"b is the zero vector"):
        cosine_similarity([1, 2, 3], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"1-d vector; got shape \(2, 3\).*pairwise"):
        euclidean_distance(np.ones((2, 3)), np.ones(3))
    with pytest.raises(ValueError, match=r"1-d vector; got shape \(\)"):
        manhattan_distance(3.0, 4.0)
    with pytest.raises(ValueError, match="NaN or infinity"):
        dot_similarity([1.0, np.inf], [1.0, 2.0])
    # zero vectors are fine where they have a meaning
    assert euclidean_distance([0, 0], [3, 4]) == pytest.approx(5.0)
    assert dot_similarity([0, 0], [3, 4]) == 0.0


# --------------------------------------------------------------------------------------------
# matrices, against scipy's cdist and scikit-learn
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "ours, scipy_name",
    [
        ("euclidean", "euclidean"),
        ("sqeuclidean", "sqeuclidean"),
        ("manhattan", "cityblock"),
        ("cosine", "cosine"),
    ],
)
def test_pairwise_distances_match_cdist(AB, ours, scipy_name):
    A, B = AB
    D = pairwise_distances(A, B, metric=ours)
    assert D.shape == (7, 5)
    np.testing.assert_allclose(D, sd.cdist(A, B, metric=scipy_name), rtol=1e-10, atol=1e-10)
    # B=None compares A with itself, diagonal exactly 0
    DA = pairwise_distances(A, metric=ours)
    np.testing.assert_allclose(DA, sd.cdist(A, A, metric=scipy_name), atol=1e-10)
    assert np.all(np.diag(DA) == 0)


def test_pairwise_matches_sklearn(AB):
    A, B = AB
    np.testing.assert_allclose(pairwise_similarity(A, B), skp.cosine_similarity(A, B), atol=1e-12)
    np.testing.assert_allclose(pairwise_similarity(A, B, metric="dot"), A @ B.T, atol=1e-12)
    np.testing.assert_allclose(pairwise_distances(A, B), skp.euclidean_distances(A, B), atol=1e-10)
    np.testing.assert_allclose(
        pairwise_distances(A, B, metric="manhattan"), skp.manhattan_distances(A, B), atol=1e-10
    )
    S = pairwise_similarity(A)
    np.testing.assert_allclose(S, skp.cosine_similarity(A), atol=1e-12)
    np.testing.assert_allclose(S, S.T)


def test_pairwise_hamming_binary_and_general(rng):
    A = rng.integers(0, 2, size=(9, 40)).astype(bool)
    B = rng.integers(0, 2, size=(4, 40)).astype(bool)
    np.testing.assert_allclose(pairwise_distances(A, B, metric="hamming"), sd.cdist(A, B, "hamming"))
    # non-binary codes (e.g. product-quantisation code words) go through the general path
    C = rng.integers(0, 8, size=(6, 12))
    D = rng.integers(0, 8, size=(3, 12))
    np.testing.assert_allclose(pairwise_distances(C, D, metric="hamming"), sd.cdist(C, D, "hamming"))


def test_pairwise_euclidean_clips_negative_rounding():
    # identical rows far from the origin: the expansion gives tiny negatives before clipping
    X = np.full((4, 64), 1e4) + np.arange(4)[:, None] * 1e-9
    D = pairwise_distances(X, X.copy(), metric="sqeuclidean")
    assert np.all(D >= 0)
    assert np.all(np.isfinite(pairwise_distances(X, X.copy())))


def test_pairwise_float32_stays_float32(rng):
    A = rng.normal(size=(5, 8)).astype(np.float32)
    assert pairwise_similarity(A).dtype == np.float32
    assert pairwise_distances(A, A[:2]).dtype == np.float32
    assert pairwise_distances(A, A[:2].astype(np.float64)).dtype == np.float64


def test_pairwise_single_vector_is_one_row(rng):
    A = rng.normal(size=(5, 8))
    assert pairwise_distances(A[0], A).shape == (1, 5)


def test_pairwise_errors(AB):
    A, B = AB
    with pytest.raises(ValueError, match=r"unknown metric 'l2'; choose one of 'euclidean', 'sqeuclidean'"):
        pairwise_distances(A, B, metric="l2")
    with pytest.raises(ValueError, match=r"unknown metric 'euclidean'; choose one of 'cosine', 'dot'"):
        pairwise_similarity(A, B, metric="euclidean")
    with pytest.raises(ValueError, match="X has 16 columns but Y has 3"):
        pairwise_distances(A, B[:, :3])
    with pytest.raises(ValueError, match=r"must be 2-d.*\(2, 3, 16\)"):
        pairwise_similarity(np.ones((2, 3, 16)))
    with pytest.raises(ValueError, match=r"must be 2-d.*got shape \(\)"):
        pairwise_distances(np.float64(1.0))
    bad = A.copy()
    bad[2, 3] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN or infinity \(first at row 2, column 3\)"):
        pairwise_distances(bad, B)
    Z = B.copy()
    Z[1] = 0
    msg = r"Y has 1 zero row.*row 1.*zero vector has no direction; drop it or use dot/euclidean"
    with pytest.raises(ValueError, match=msg):
        pairwise_similarity(A, Z)
    with pytest.raises(ValueError, match="zero vector has no direction"):
        pairwise_distances(Z, metric="cosine")
    # but zero rows are fine for dot and euclidean
    assert np.isfinite(pairwise_distances(Z)).all()
    assert np.isfinite(pairwise_similarity(A, Z, metric="dot")).all()


def test_metric_lists():
    assert SIMILARITY_METRICS == ("cosine", "dot")
    assert set(DISTANCE_METRICS) == {"euclidean", "sqeuclidean", "manhattan", "cosine", "hamming"}


# --------------------------------------------------------------------------------------------
# kNN label accuracy (oracle: scikit-learn's KNeighborsClassifier under the same folds)
# --------------------------------------------------------------------------------------------
def _glove_categories():
    from embedcourse.data import load_glove

    wv = load_glove(n_words=50_000)
    cats = {
        "animal": "cat dog horse cow sheep pig goat rabbit mouse lion tiger bear wolf fox deer".split(),
        "colour": "red blue green yellow purple orange pink brown black white grey violet".split(),
        "country": "france germany italy spain japan china india brazil canada mexico egypt kenya".split(),
        "number": "one two three four five six seven eight nine ten eleven twelve".split(),
    }
    words = [w for ws in cats.values() for w in ws]
    labels = [c for c, ws in cats.items() for _ in ws]
    return wv[words], np.array(labels)


@pytest.mark.slow
@pytest.mark.parametrize("metric, k", [("cosine", 5), ("euclidean", 3), ("manhattan", 1)])
def test_knn_label_accuracy_matches_sklearn(metric, k):
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    from embedcourse.metrics import knn_label_accuracy

    X, labels = _glove_categories()
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=3)
    sk = cross_val_score(KNeighborsClassifier(n_neighbors=k, metric=metric, algorithm="brute"),
                         X, labels, cv=folds).mean()
    ours = knn_label_accuracy(X, labels, k=k, metric=metric, random_state=3)
    assert ours == pytest.approx(sk, abs=1e-12)
    # real categories in GloVe are near-perfectly separable (observed 0.96-1.0) ...
    assert ours > 0.85
    # ... and shuffling the labels destroys it (observed about 0.2 for 4 classes)
    shuffled = np.random.default_rng(0).permutation(labels)
    assert knn_label_accuracy(X, shuffled, k=k, metric=metric) < 0.5


def test_knn_label_accuracy_bad_input():
    from embedcourse.metrics import knn_label_accuracy

    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="one label per row"):
        knn_label_accuracy(X, ["a"] * 19)
    with pytest.raises(ValueError, match="single class"):
        knn_label_accuracy(X, ["a"] * 20)
    with pytest.raises(ValueError, match="fewer than n_splits"):
        knn_label_accuracy(X, ["a"] * 17 + ["b"] * 3)
    with pytest.raises(ValueError, match="k=99 is larger"):
        knn_label_accuracy(X, ["a", "b"] * 10, k=99)
    with pytest.raises(ValueError, match="NaN"):
        knn_label_accuracy(np.full((20, 3), np.nan), ["a", "b"] * 10)
