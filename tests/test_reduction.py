"""Tests for embedcourse.reduction: PCA, t-SNE and UMAP projections, seeded and disk-cached.

Oracles: scikit-learn's PCA and TSNE (and umap for determinism); how much of a neighbourhood a
projection keeps is measured with embedcourse.metrics.neighbourhood_preservation (whose own
oracle tests against scikit-learn's NearestNeighbors are at the end of this file).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from embedcourse import reduction
from embedcourse.metrics import neighbourhood_preservation
from embedcourse.reduction import METHODS, project
from embedcourse.viz import projection_explorer


pytestmark = pytest.mark.usefixtures("no_show", "private_cache")

# --------------------------------------------------------------------------------------------
# import is cheap


def test_import_reduction_does_not_import_sklearn_or_umap():
    code = "import sys, embedcourse.reduction; print(sorted(m for m in ('plotly', 'sklearn', 'umap') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names():
    assert reduction.__all__ == ["METHODS", "project"]
    assert METHODS == ("pca", "tsne", "umap")
    import embedcourse as ec

    assert ec.reduction.project is project


# --------------------------------------------------------------------------------------------
# project


def _same_up_to_sign(A, B, atol):
    signs = np.sign(np.sum(A * B, axis=0))
    return np.allclose(A, B * signs, atol=atol)


def test_pca_oracle_euclidean_matches_sklearn(clusters):
    from sklearn.decomposition import PCA

    X, _ = clusters
    ours = project(X, "pca", 3, metric="euclidean", cache=False)
    ref = PCA(n_components=3).fit_transform(X.astype(np.float64))
    assert ours.shape == (120, 3) and ours.dtype == np.float32
    assert _same_up_to_sign(ours, ref, atol=1e-3)


def test_pca_oracle_cosine_is_pca_of_unit_rows(glove_arrays):
    from sklearn.decomposition import PCA

    vectors, _ = glove_arrays
    X = vectors[:500]
    ours = project(X, "pca", cache=False)  # metric="cosine" by default
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    ref = PCA(n_components=2).fit_transform(unit.astype(np.float64))
    assert _same_up_to_sign(ours, ref, atol=1e-4)
    # and it is not the PCA of the raw rows (the metric matters)
    raw = PCA(n_components=2).fit_transform(X.astype(np.float64))
    assert not _same_up_to_sign(ours, raw, atol=1e-2)


def test_pca_sign_convention_is_reproducible(clusters):
    X, _ = clusters
    Y = project(X, "pca", cache=False)
    Y_flipped_input_order = project(X[::-1], "pca", cache=False)[::-1]
    assert np.allclose(Y, Y_flipped_input_order, atol=1e-4)


def test_tsne_matches_sklearn_and_is_deterministic(clusters):
    from sklearn.manifold import TSNE

    X, _ = clusters
    first = project(X, "tsne", random_state=3, cache=False)
    second = project(X, "tsne", random_state=3, cache=False)
    assert first.shape == (120, 2)
    assert np.array_equal(first, second)
    ref = TSNE(2, perplexity=30.0, init="pca", metric="cosine", random_state=3).fit_transform(X)
    assert np.allclose(first, ref, atol=1e-4)
    # t-SNE keeps local neighbourhoods better than PCA here (observed 0.56 vs 0.35)
    assert neighbourhood_preservation(X, first, k=10) > 0.45 > neighbourhood_preservation(
        X, project(X, "pca", cache=False), k=10
    )
    # with init="pca" scikit-learn's t-SNE ignores the seed; with init="random" (passed through) it matters
    r3 = project(X, "tsne", random_state=3, cache=False, init="random")
    r4 = project(X, "tsne", random_state=4, cache=False, init="random")
    assert not np.allclose(r3, r4) and not np.allclose(r3, first)


def test_tsne_default_perplexity_for_small_n():
    X = np.random.default_rng(1).normal(size=(10, 5))
    Y = project(X, "tsne", cache=False)  # perplexity = (10 - 1) / 3 = 3
    assert Y.shape == (10, 2) and np.isfinite(Y).all()


def test_cache_hit_returns_identical_array_without_recomputing(clusters, private_cache, monkeypatch):
    X, _ = clusters
    first = project(X, "tsne", random_state=0)
    files = list((private_cache / "projections").glob("*.npy"))
    assert len(files) == 1

    def not_again(*args, **kwargs):
        raise AssertionError("recomputed despite a cache hit")

    import sklearn.manifold

    monkeypatch.setattr(sklearn.manifold, "TSNE", not_again)
    second = project(X, "tsne", random_state=0)
    assert np.array_equal(first, second) and second.dtype == first.dtype
    # any change of input or parameter is a different key, so a miss (which would call TSNE)
    with pytest.raises(AssertionError, match="recomputed"):
        project(X, "tsne", random_state=0, perplexity=10)
    with pytest.raises(AssertionError, match="recomputed"):
        project(X[:-1], "tsne", random_state=0)


def test_cache_keys_differ_by_method_and_metric(clusters, private_cache):
    X, _ = clusters
    project(X, "pca")
    project(X, "pca", metric="euclidean")
    project(X, "pca", n_components=3)
    assert len(list((private_cache / "projections").glob("*.npy"))) == 3


def test_random_state_none_is_never_cached(clusters, private_cache):
    X, _ = clusters
    project(X[:30], "tsne", random_state=None)
    folder = private_cache / "projections"
    assert not folder.exists() or not list(folder.glob("*.npy"))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(method="mds"), ValueError, "Unknown projection method 'mds'"),
        (dict(method="tsne", X=np.ones((2, 4))), ValueError, "at least 3 points"),
        (dict(method="umap", X=np.ones((2, 4))), ValueError, "at least 3 points"),
        (dict(n_components=0), ValueError, r"n_components must be an int >= 1"),
        (dict(n_components=2.5), TypeError, r"n_components must be an int >= 1 \(2 or 3 for a plot\)"),
        (dict(n_components=9), ValueError, "larger than the 8 dimensions"),
        (dict(method="tsne", n_components=4), ValueError, "1, 2 or 3"),
        (dict(method="tsne", perplexity=40), ValueError, "must be smaller than the number of points"),
        (dict(method="umap", n_neighbors=40), ValueError, "n_neighbors must be between"),
        (dict(metric="manhattan"), ValueError, "metric must be one of 'cosine', 'euclidean'; got 'manhattan'"),
        (dict(whiten=True), TypeError, "PCA takes no extra parameters"),
        (dict(X=np.ones(8)), ValueError, "must be 2-d"),
        (dict(X=np.full((5, 8), np.nan)), ValueError, "NaN or infinity"),
        (dict(random_state="0"), TypeError, "random_state"),
    ],
)
def test_project_bad_input(kwargs, error, match):
    X = kwargs.pop("X", np.random.default_rng(0).normal(size=(20, 8)))
    with pytest.raises(error, match=match):
        project(X, cache=False, **kwargs)


def test_cosine_projection_rejects_zero_rows():
    X = np.random.default_rng(0).normal(size=(10, 4))
    X[3] = 0
    with pytest.raises(ValueError, match="zero row\\(s\\) \\(first at row 3\\)"):
        project(X, cache=False)
    assert project(X, metric="euclidean", cache=False).shape == (10, 2)


@pytest.mark.slow
def test_umap_deterministic_shape_and_in_explorer(clusters):
    X, labels = clusters
    first = project(X, "umap", random_state=0, cache=False)
    second = project(X, "umap", random_state=0, cache=False)
    assert first.shape == (120, 2)
    assert np.array_equal(first, second)
    # UMAP keeps half of the 10-neighbourhoods inside these clusters (observed 0.52; PCA 0.35,
    # t-SNE 0.56, a random layout about 10 / 119 = 0.08)
    assert neighbourhood_preservation(X, first, k=10) > 0.4
    fig = projection_explorer(X, labels, hover=[f"point {i}" for i in range(120)])  # umap, tsne, pca
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["UMAP", "t-SNE", "PCA"]
    umap_xy = np.concatenate([np.c_[t.x, t.y] for t in fig.data[:3]])
    order = np.concatenate([np.flatnonzero(labels == lab) for lab in "abc"])
    assert np.allclose(umap_xy, first[order], atol=1e-5)


# --------------------------------------------------------------------------------------------
# neighbourhood_preservation


def _kth_neighbour_gap(X, k, metric):
    """Smallest relative gap, over all rows, between the k-th and (k+1)-th nearest distance (float64).
    A neighbour set of size k is well defined, whatever the summation order, only if this is
    clearly above rounding (float32: about 1e-7)."""
    X = np.asarray(X, dtype=np.float64)
    if metric == "cosine":
        U = X / np.linalg.norm(X, axis=1, keepdims=True)
        D = 1.0 - U @ U.T
    else:
        D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(D, np.inf)
    s = np.sort(D, axis=1)
    return float(((s[:, k] - s[:, k - 1]) / s[:, k]).min())


def test_neighbourhood_preservation_identity_is_one():
    X = np.random.default_rng(0).normal(size=(200, 16))
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    # exactly 1.0 is a count (every neighbour kept); it is exact only if no k-th neighbour is a
    # near-tie that rounding could swap: measured gaps 9e-5 (cosine, k=10) and 6e-5 (k=5)
    assert _kth_neighbour_gap(X, 10, "cosine") > 1e-5 and _kth_neighbour_gap(X, 5, "euclidean") > 1e-5
    # on unit vectors Euclidean and cosine neighbours coincide
    assert neighbourhood_preservation(X, unit, k=10) == 1.0
    assert neighbourhood_preservation(X, X, k=5, metric="euclidean") == 1.0


def test_neighbourhood_preservation_oracle_against_sklearn_neighbors():
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 12))
    Y = X[:, :2] + 0.3 * rng.normal(size=(300, 2))
    k = 7
    # sklearn and ours compute distances differently: the neighbour sets agree exactly only
    # without near-ties at the k-th neighbour (measured: relative gaps of 1.5e-4 at least)
    assert _kth_neighbour_gap(X, k, "cosine") > 1e-5 and _kth_neighbour_gap(Y, k, "euclidean") > 1e-5
    nx = NearestNeighbors(n_neighbors=k + 1, metric="cosine").fit(X).kneighbors(X, return_distance=False)[:, 1:]
    ny = NearestNeighbors(n_neighbors=k + 1).fit(Y).kneighbors(Y, return_distance=False)[:, 1:]
    expected = np.mean([len(set(a) & set(b)) / k for a, b in zip(nx, ny, strict=True)])
    assert neighbourhood_preservation(X, Y, k=k) == pytest.approx(expected, abs=1e-12)


def test_neighbourhood_preservation_agrees_in_direction_with_trustworthiness():
    from sklearn.manifold import trustworthiness

    rng = np.random.default_rng(0)
    # rank-2 data plus a little noise: PCA to 2-d keeps it; a random 2-d projection of 50-d data does not
    X = rng.normal(size=(300, 2)) @ rng.normal(size=(2, 50)) + 0.01 * rng.normal(size=(300, 50))
    pca = project(X, "pca", metric="euclidean", cache=False)
    scrambled = rng.normal(size=(300, 2))
    good = neighbourhood_preservation(X, pca, k=10, metric="euclidean")
    bad = neighbourhood_preservation(X, scrambled, k=10, metric="euclidean")
    # observed: 1.00 vs 0.035; trustworthiness 1.00 vs 0.51
    assert good > 0.9 and bad < 0.1
    assert trustworthiness(X, pca, n_neighbors=10) > 0.95 > 0.6 > trustworthiness(X, scrambled, n_neighbors=10)


def test_neighbourhood_preservation_bad_input():
    X = np.random.default_rng(0).normal(size=(20, 4))
    with pytest.raises(ValueError, match="X has 20 rows but Y has 19"):
        neighbourhood_preservation(X, X[:-1, :2])
    with pytest.raises(ValueError, match="k=20 is larger than the 19 other points"):
        neighbourhood_preservation(X, X[:, :2], k=20)
    with pytest.raises(ValueError, match="metric must be one of"):
        neighbourhood_preservation(X, X[:, :2], metric="dot")
