"""Clustering and projection quality: ARI, NMI, silhouette, trustworthiness, from scratch in numpy.

- :func:`adjusted_rand_index`: agreement of two partitions counted over *pairs* of items,
  corrected for chance (0 for random labels, 1 for identical partitions up to renaming);
- :func:`normalized_mutual_info`: mutual information of the two labelings divided by a mean of
  their entropies; the **arithmetic** mean by default, scikit-learn's default (so NMI equals the
  V-measure);
- :func:`silhouette`: per item (b - a) / max(a, b), a the mean distance to its own cluster and
  b to the nearest other cluster; euclidean or cosine distance; needs no ground truth;
- :func:`trustworthiness`: Venna & Kaski (2001): how many of an item's k nearest neighbours in a
  projection are intruders, weighted by how far they are in the original space (1 = none).

Oracles in ``tests/test_clustering_metrics.py``: ``sklearn.metrics.adjusted_rand_score``,
``normalized_mutual_info_score``, ``silhouette_score`` / ``silhouette_samples`` and
``sklearn.manifold.trustworthiness``, on sklearn's digits, to 1e-9.

Taught in: chapter 09 (ARI/NMI used in chapter 03).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_matrix, check_bool, check_choice, check_int

__all__ = ["adjusted_rand_index", "normalized_mutual_info", "silhouette", "trustworthiness"]


def _labels(x: Any, name: str) -> np.ndarray:
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a 1-d sequence of cluster labels; got {x!r}.")
    try:
        arr = np.asarray(x)
    except ValueError:
        raise ValueError(f"{name} could not be read as a 1-d sequence of labels (ragged?).") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-d (one label per item); got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; pass one label per item.")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity; labels must be ids or names.")
    if arr.dtype.kind in "cV" or arr.dtype == object and any(isinstance(v, float) and v != v for v in arr):
        raise TypeError(f"{name} has unusable labels (dtype {arr.dtype}).")
    try:
        return np.unique(arr, return_inverse=True)[1].reshape(-1)
    except TypeError:
        raise TypeError(f"{name} mixes label types that cannot be compared.") from None


def _contingency(labels_true: Any, labels_pred: Any) -> np.ndarray:
    t = _labels(labels_true, "labels_true")
    p = _labels(labels_pred, "labels_pred")
    if t.size != p.size:
        raise ValueError(f"labels_true has {t.size} items and labels_pred {p.size}; label the same items.")
    C = np.zeros((t.max() + 1, p.max() + 1), dtype=np.float64)
    np.add.at(C, (t, p), 1.0)
    return C


def adjusted_rand_index(labels_true: npt.ArrayLike, labels_pred: npt.ArrayLike) -> float:
    """Adjusted Rand index of two partitions of the same items.

    From the pair counts of the contingency table (pairs together in both, in one only, in
    neither): ARI = 2 (tp tn - fn fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)). Identical
    partitions (including the degenerate all-in-one and all-apart cases) score 1.

    Parameters
    ----------
    labels_true, labels_pred : array-like, shape (n,)
        Cluster labels (ints or strings); only which items share a label matters.

    Returns
    -------
    float in [-0.5, 1]

    Examples
    --------
    >>> adjusted_rand_index([0, 0, 1, 1], [5, 5, 2, 2])
    1.0

    Taught in: chapter 09.
    """
    C = _contingency(labels_true, labels_pred)
    n = C.sum()
    sum_sq = (C * C).sum()
    a, b = C.sum(axis=1), C.sum(axis=0)
    tp = sum_sq - n
    fp = (a * a).sum() - sum_sq   # together in labels_true only (sklearn's off-diagonal counts)
    fn = (b * b).sum() - sum_sq   # together in labels_pred only
    tn = n * n - fp - fn - sum_sq
    if fn == 0 and fp == 0:
        return 1.0
    return float(2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)))


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def normalized_mutual_info(labels_true: npt.ArrayLike, labels_pred: npt.ArrayLike, *,
                           average_method: str = "arithmetic") -> float:
    """Mutual information of two labelings normalised by a mean of their entropies.

    NMI = I(T; P) / mean(H(T), H(P)), natural logarithms. Two single-cluster labelings score 1;
    otherwise independent labelings score 0.

    Parameters
    ----------
    labels_true, labels_pred : array-like, shape (n,)
    average_method : {"arithmetic", "geometric", "min", "max"}
        The mean in the denominator; ``"arithmetic"`` is scikit-learn's default.

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> round(normalized_mutual_info([0, 0, 1, 1], [1, 1, 0, 0]), 12)
    1.0

    Taught in: chapter 09.
    """
    check_choice("average_method", average_method, ("arithmetic", "geometric", "min", "max"))
    C = _contingency(labels_true, labels_pred)
    if C.shape[0] == C.shape[1] == 1:
        return 1.0
    n = C.sum()
    a, b = C.sum(axis=1), C.sum(axis=0)
    i, j = np.nonzero(C)
    c = C[i, j]
    mi = float((c / n * (np.log(c * n) - np.log(a[i] * b[j]))).sum())
    if mi <= 0.0:
        return 0.0
    ht, hp = _entropy(a), _entropy(b)
    norm = {"arithmetic": (ht + hp) / 2, "geometric": np.sqrt(ht * hp), "min": min(ht, hp),
            "max": max(ht, hp)}[average_method]
    return float(mi / max(norm, np.finfo(np.float64).eps))


def _distances(X: np.ndarray, Y: np.ndarray, metric: str) -> np.ndarray:
    if metric == "cosine":
        nx, ny = np.linalg.norm(X, axis=1), np.linalg.norm(Y, axis=1)
        return np.clip(1.0 - (X @ Y.T) / np.outer(nx, ny), 0.0, 2.0)
    sq = (X * X).sum(1)[:, None] + (Y * Y).sum(1)[None, :] - 2.0 * (X @ Y.T)
    return np.sqrt(np.maximum(sq, 0.0))


def _points(X: Any, name: str, metric: str) -> np.ndarray:
    A = as_matrix(X, name, dtype=np.float64)
    scale = np.abs(A).max()
    if scale > 1e150:
        raise ValueError(f"{name} has values up to {scale:.3g}; their squares overflow. Rescale {name}.")
    if metric == "cosine" and np.any(np.linalg.norm(A, axis=1) == 0):
        raise ValueError(f"{name} has an all-zero row; its cosine distance is undefined.")
    return A


def silhouette(X: npt.ArrayLike, labels: npt.ArrayLike, *, metric: str = "euclidean",
               per_item: bool = False) -> Any:
    """Mean silhouette coefficient of a clustering (or each item's, with ``per_item=True``).

    s_i = (b_i - a_i) / max(a_i, b_i): a_i the mean distance from item i to the other members of
    its cluster, b_i the smallest mean distance to the members of another cluster. An item alone
    in its cluster scores 0 (scikit-learn's convention).

    Parameters
    ----------
    X : array-like, shape (n, d)
        The points (embeddings).
    labels : array-like, shape (n,)
        Cluster labels; between 2 and n - 1 distinct labels.
    metric : {"euclidean", "cosine"}
        Distance; cosine distance is 1 - cosine similarity.
    per_item : bool
        Return the coefficient of every item (``sklearn.metrics.silhouette_samples``).

    Returns
    -------
    float in [-1, 1], or numpy.ndarray of shape (n,), float64, with ``per_item=True``

    Taught in: chapter 09.
    """
    check_choice("metric", metric, ("euclidean", "cosine"))
    per_item = check_bool("per_item", per_item)
    A = _points(X, "X", metric)
    lab = _labels(labels, "labels")
    n = A.shape[0]
    if lab.size != n:
        raise ValueError(f"labels has {lab.size} entries but X has {n} rows; label every point.")
    n_labels = int(lab.max()) + 1
    if not 2 <= n_labels <= n - 1:
        raise ValueError(f"labels has {n_labels} distinct value(s) for {n} points; the silhouette "
                         f"needs between 2 and n - 1 clusters.")
    onehot = np.zeros((n, n_labels))
    onehot[np.arange(n), lab] = 1.0
    sizes = onehot.sum(0)
    s = np.empty(n)
    for start in range(0, n, 1024):
        rows = slice(start, min(start + 1024, n))
        D = _distances(A[rows], A, metric)
        D[np.arange(D.shape[0]), np.arange(rows.start, rows.stop)] = 0.0
        sums = D @ onehot                       # summed distance to each cluster
        own = lab[rows]
        idx = np.arange(D.shape[0])
        own_size = sizes[own] - 1.0
        a = sums[idx, own] / np.maximum(own_size, 1.0)
        other = sums / sizes
        other[idx, own] = np.inf
        b = other.min(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            si = (b - a) / np.maximum(a, b)
        s[rows] = np.where((own_size > 0) & np.isfinite(si), si, 0.0)
    return s if per_item else float(s.mean())


def trustworthiness(X: npt.ArrayLike, X_embedded: npt.ArrayLike, *, n_neighbors: int = 5,
                    metric: str = "euclidean") -> float:
    """Trustworthiness of a projection (Venna & Kaski 2001): 1 means no false neighbours.

    T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in U_i} (r(i, j) - k), where U_i are the
    k nearest neighbours of i in the embedding that are not among its k nearest in ``X``, and
    r(i, j) is j's rank among i's neighbours in ``X`` (1 = nearest).

    Parameters
    ----------
    X : array-like, shape (n, d)
        The original points.
    X_embedded : array-like, shape (n, d')
        Their projection (neighbours found by euclidean distance).
    n_neighbors : int
        k, in ``[1, n / 2)``.
    metric : {"euclidean", "cosine"}
        Distance in ``X`` (as scikit-learn, the embedding is always euclidean).

    Returns
    -------
    float in [0, 1]

    Taught in: chapter 09.
    """
    check_choice("metric", metric, ("euclidean", "cosine"))
    A = _points(X, "X", metric)
    E = _points(X_embedded, "X_embedded", "euclidean")
    n = A.shape[0]
    if E.shape[0] != n:
        raise ValueError(f"X_embedded has {E.shape[0]} rows but X has {n}; embed every point.")
    k = check_int("n_neighbors", n_neighbors, 1)
    if k >= n / 2:
        raise ValueError(f"n_neighbors={k} must be below n / 2 = {n / 2} (n = {n} points).")
    rank_in_x = np.empty((n, n), dtype=np.int64)
    knn_e = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, 1024):
        rows = np.arange(start, min(start + 1024, n))
        dx = _distances(A[rows], A, metric)
        dx[np.arange(rows.size), rows] = np.inf
        order = np.argsort(dx, axis=1)
        rank_in_x[rows[:, None], order] = np.arange(1, n + 1)[None, :]
        de = _distances(E[rows], E, "euclidean")
        de[np.arange(rows.size), rows] = np.inf
        knn_e[rows] = np.argsort(de, axis=1, kind="stable")[:, :k]
    excess = np.take_along_axis(rank_in_x, knn_e, axis=1) - k
    t = float(excess[excess > 0].sum())
    return 1.0 - t * 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0))
