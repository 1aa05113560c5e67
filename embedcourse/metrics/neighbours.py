"""Does a space group what belongs together? k-nearest-neighbour label accuracy.

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

from typing import Any, Sequence

import numpy as np

from embedcourse._validation import as_matrix, check_int, row_norms
from embedcourse.metrics.similarity import DISTANCE_METRICS, _check_metric, pairwise_distances

__all__ = ["knn_label_accuracy"]


def _knn_predict(train: np.ndarray, train_y: np.ndarray, test: np.ndarray, k: int, metric: str,
                 n_classes: int) -> np.ndarray:
    D = pairwise_distances(test, train, metric=metric)
    # the k smallest distances per row, ordered (stable, so equal distances keep index order)
    nearest = np.argsort(D, axis=1, kind="stable")[:, :k]
    votes = np.zeros((test.shape[0], n_classes), dtype=np.int64)
    np.add.at(votes, (np.repeat(np.arange(test.shape[0]), k), train_y[nearest].ravel()), 1)
    return votes.argmax(axis=1)  # ties go to the smallest class index, as in scikit-learn


def knn_label_accuracy(
    X: Any,
    labels: Sequence[Any],
    *,
    k: int = 5,
    metric: str = "cosine",
    n_splits: int = 5,
    random_state: int = 0,
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
    random_state : int
        Seed of the fold shuffle.

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
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a whole number >= 1; got {k!r}.")
    smallest_train = X.shape[0] - int(np.ceil(X.shape[0] / n_splits))
    if k > smallest_train:
        raise ValueError(f"k={k} is larger than the {smallest_train} training points of a fold.")
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    scores = []
    for train_idx, test_idx in folds.split(X, y):
        pred = _knn_predict(X[train_idx], y[train_idx], X[test_idx], k, metric, len(classes))
        scores.append(float(np.mean(pred == y[test_idx])))
    return float(np.mean(scores))
