"""Neighbourhoods as numbers: kNN label accuracy and how much of a neighbourhood a map keeps.

:func:`knn_label_accuracy` asks "does a space group what belongs together?";
:func:`neighbourhood_preservation` asks "does a 2-d map keep each point's neighbours?". Both
rank neighbours with :func:`embedcourse.topk.top_k` (ties go to the smaller row index).

**kNN label accuracy.**
A quick, assumption-light figure for "the categories form groups in this embedding": predict each
point's label by the majority label of its k nearest neighbours (a kNN classifier), scored by
stratified k-fold cross-validation. Compare it with the same figure on shuffled labels (what a
space with no structure gets, about 1 / number of classes) rather than reading it alone.

Mirrors ``cross_val_score(KNeighborsClassifier(n_neighbors=k, metric=metric), X, y,
cv=StratifiedKFold(n_splits, shuffle=True, random_state))`` in scikit-learn (the oracle in
``tests/test_metrics.py``); the classifier is written out here, the fold split is sklearn's.

Taught in: chapter 01 (maps of words), chapter 02 (learned versus pretrained spaces).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_matrix, check_choice, check_int, check_k, check_seed, row_norms
from embedcourse.metrics.similarity import DISTANCE_METRICS, _check_metric, pairwise_distances
from embedcourse.ops import normalize_rows
from embedcourse.topk import top_k

__all__ = ["knn_label_accuracy", "neighbourhood_preservation"]

#: geometries :func:`neighbourhood_preservation` can measure ``X`` in
PRESERVATION_METRICS = ("cosine", "euclidean")


def _knn_predict(train: np.ndarray, train_y: np.ndarray, test: np.ndarray, k: int, metric: str,
                 n_classes: int) -> np.ndarray:
    D = pairwise_distances(test, train, metric=metric)
    # the k smallest distances per row, ordered (equal distances: the smaller index first)
    _, nearest = top_k(D, k, largest=False)
    votes = np.zeros((test.shape[0], n_classes), dtype=np.int64)
    np.add.at(votes, (np.repeat(np.arange(test.shape[0]), k), train_y[nearest].ravel()), 1)
    return votes.argmax(axis=1)  # ties go to the smallest class index, as in scikit-learn


def knn_label_accuracy(
    X: npt.ArrayLike,
    labels: Sequence[Any],
    *,
    k: int = 5,
    metric: str = "cosine",
    n_splits: int = 5,
    random_state: int | np.random.Generator | None = 0,
) -> float:
    """Cross-validated accuracy of a k-nearest-neighbour vote at predicting ``labels``.

    Parameters
    ----------
    X : array-like, shape (n, d)
        The embeddings (or a 2-d map of them).
    labels : sequence, length n
        One category per row (strings or numbers).
    k : int
        Neighbours that vote.
    metric : str
        Any metric of :func:`embedcourse.metrics.pairwise_distances` ("cosine" for embeddings,
        "euclidean" for 2-d maps).
    n_splits : int
        Folds of the stratified cross-validation; every class needs at least this many members.
    random_state : int, numpy Generator or None
        Seed of the fold shuffle (an int is passed to scikit-learn's ``StratifiedKFold`` as it
        is, so the folds are scikit-learn's; a Generator draws that int).

    Returns
    -------
    float
        Mean accuracy over the folds, in [0, 1].

    Examples
    --------
    >>> acc = knn_label_accuracy(vectors, categories)                        # doctest: +SKIP
    >>> base = knn_label_accuracy(vectors, rng.permutation(categories))      # doctest: +SKIP
    """
    from sklearn.model_selection import StratifiedKFold

    X = as_matrix(X, "X", dtype=np.float64)
    _check_metric(metric, DISTANCE_METRICS, "knn_label_accuracy")
    n_splits = check_int("n_splits", n_splits, 2, None, hint=" (folds of the cross-validation)")
    if metric == "cosine" and (row_norms(X) == 0).any():
        first = int(np.flatnonzero(row_norms(X) == 0)[0])
        raise ValueError(
            f"X has a zero row (row {first}), so its cosine distance is undefined; drop it or use "
            f"metric='euclidean'."
        )
    if isinstance(labels, (str, bytes)):
        raise TypeError("labels must be a sequence of one label per row of X, not one string.")
    y_raw = np.asarray(labels)
    if y_raw.ndim != 1 or y_raw.shape[0] != X.shape[0]:
        raise ValueError(
            f"labels must be one label per row of X: X has {X.shape[0]} rows, labels has shape "
            f"{y_raw.shape}."
        )
    classes, y = np.unique(y_raw, return_inverse=True)
    if len(classes) < 2:
        raise ValueError("labels has a single class; accuracy needs at least two categories.")
    counts = np.bincount(y)
    if counts.min() < n_splits:
        small = classes[counts.argmin()]
        raise ValueError(
            f"class {small!r} has only {counts.min()} members, fewer than n_splits={n_splits}; "
            f"lower n_splits or drop that class."
        )
    k = check_int("k", k, 1, None, hint=" (neighbours that vote)")
    smallest_train = X.shape[0] - int(np.ceil(X.shape[0] / n_splits))
    if k > smallest_train:
        raise ValueError(f"k={k} is larger than the {smallest_train} training points of a fold.")
    check_seed("random_state", random_state)
    if isinstance(random_state, np.random.Generator):
        random_state = int(random_state.integers(2**32))
    elif random_state is not None:  # scikit-learn seeds a RandomState: 32 bits
        random_state = check_int("random_state", random_state, 0, 2**32 - 1)
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    scores = []
    for train_idx, test_idx in folds.split(X, y):
        pred = _knn_predict(X[train_idx], y[train_idx], X[test_idx], k, metric, len(classes))
        scores.append(float(np.mean(pred == y[test_idx])))
    return float(np.mean(scores))


def _knn(Z: np.ndarray, k: int, *, cosine: bool, chunk: int = 1024) -> npt.NDArray[np.int64]:
    """Indices (n, k) of each row's k nearest other rows; self excluded, nearest first."""
    n = Z.shape[0]
    if cosine:
        Z = normalize_rows(Z)
    sq = np.einsum("ij,ij->i", Z, Z)
    out = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        if cosine:
            dist = -(Z[start:stop] @ Z.T)
        else:
            dist = sq[start:stop, None] - 2.0 * (Z[start:stop] @ Z.T) + sq[None, :]
        dist[np.arange(stop - start), np.arange(start, stop)] = np.inf  # a point is not its own neighbour
        out[start:stop] = top_k(dist, k, largest=False)[1]
    return out


def neighbourhood_preservation(X: npt.ArrayLike, Y: npt.ArrayLike, k: int = 10, *, metric: str = "cosine") -> float:
    """Mean fraction of each point's ``k`` nearest neighbours in ``X`` that stay among its ``k`` nearest in ``Y``.

    1.0 means the projection kept every neighbourhood; a random layout scores about
    ``k / (n - 1)``. Neighbours in ``X`` use ``metric`` (cosine by default, as for word
    vectors); neighbours in the projection ``Y`` use Euclidean distance, which is what the eye
    sees on a scatter plot. Related to :func:`sklearn.manifold.trustworthiness`, which also
    looks at ``k``-neighbourhoods but penalises intruders by how far their rank is.

    Parameters
    ----------
    X : array-like, shape (n, d)
        The original embeddings.
    Y : array-like, shape (n, p)
        Their projection (same row order).
    k : int
        Neighbourhood size, ``1 <= k <= n - 1``.
    metric : {"cosine", "euclidean"}
        Geometry of ``X``.

    Returns
    -------
    float in [0, 1]

    Taught in: chapter 01.
    """
    metric = check_choice("metric", metric, PRESERVATION_METRICS)
    X = as_matrix(X, "X", dtype=np.float64)
    Y = as_matrix(Y, "Y", dtype=np.float64)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} rows but Y has {Y.shape[0]}; Y must be the projection of X, row for row."
        )
    n = X.shape[0]
    if n < 2:
        raise ValueError("neighbourhood_preservation needs at least 2 points.")
    k = check_k(k, n - 1, what="other points (n - 1)")
    nx = _knn(X, k, cosine=metric == "cosine")
    ny = _knn(Y, k, cosine=False)
    # count, row by row, how many of X's neighbours appear in Y's list
    kept = (np.sort(nx, axis=1)[:, :, None] == ny[:, None, :]).any(axis=2).sum(axis=1)
    return float(kept.mean() / k)
