"""Per-query scores of an image embedding: kNN classification and same-class retrieval.

Both return one score per query, so two embeddings can be compared with
:func:`embedcourse.metrics.paired_bootstrap` on the same queries.

- :func:`knn_correct`: each held-out image gets the majority label of its k nearest training
  images (ties between classes go to the smaller class id, as in scikit-learn's
  ``KNeighborsClassifier``); 1.0 where that label is right;
- :func:`same_class_recall`: the images of one set query each other (a query never retrieves
  itself); Recall@K is 1.0 where at least one of the K nearest images has the query's class,
  the usual definition in metric learning (Song et al., 2016).

Neighbours are ranked with :func:`embedcourse.topk.top_k` (equal distances: the smaller index).

Taught in: chapter 04.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_matrix, check_choice, check_k
from embedcourse.image._checks import check_labels
from embedcourse.metrics.similarity import pairwise_distances
from embedcourse.topk import top_k

__all__ = ["knn_correct", "same_class_recall", "METRICS"]

#: distances the two scores accept
METRICS = ("cosine", "euclidean")


def _checked(X: Any, name: str, metric: str) -> np.ndarray:
    M = as_matrix(X, name, dtype=np.float64)
    if metric == "cosine" and (np.abs(M).sum(axis=1) == 0).any():
        raise ValueError(f"{name} has a zero row, whose cosine distance is undefined; use metric='euclidean'.")
    return M


def knn_correct(train: npt.ArrayLike, train_labels: Any, queries: npt.ArrayLike, query_labels: Any, *,
                k: int = 5, metric: str = "cosine") -> npt.NDArray[np.float64]:
    """1.0 for each query whose k-nearest-neighbour vote gives its right label, else 0.0.

    Parameters
    ----------
    train : array-like, shape (n, d)
        Embeddings of the labelled reference images.
    train_labels : array-like of int, shape (n,)
    queries : array-like, shape (m, d)
        Embeddings of the held-out images.
    query_labels : array-like of int, shape (m,)
    k : int
        Neighbours that vote, 1 <= k <= n.
    metric : {"cosine", "euclidean"}

    Returns
    -------
    numpy.ndarray, shape (m,), float64 of 0.0 and 1.0
        Its mean is the kNN accuracy.

    Examples
    --------
    >>> knn_correct(Z_train, y_train, Z_test, y_test, k=5).mean()  # doctest: +SKIP

    Taught in: chapter 04.
    """
    metric = check_choice("metric", metric, METRICS)
    A = _checked(train, "train", metric)
    Q = _checked(queries, "queries", metric)
    if Q.shape[1] != A.shape[1]:
        raise ValueError(f"queries has {Q.shape[1]} columns but train has {A.shape[1]}.")
    ya = check_labels(train_labels, A.shape[0], "train_labels")
    yq = check_labels(query_labels, Q.shape[0], "query_labels")
    k = check_k(k, A.shape[0], what="training images")
    if ya.min() < 0 or yq.min() < 0:
        raise ValueError("train_labels and query_labels must be class ids >= 0.")
    _, nearest = top_k(pairwise_distances(Q, A, metric=metric), k, largest=False)
    n_classes = int(max(ya.max(), yq.max())) + 1
    votes = np.zeros((Q.shape[0], n_classes), dtype=np.int64)
    np.add.at(votes, (np.repeat(np.arange(Q.shape[0]), k), ya[nearest].ravel()), 1)
    return (votes.argmax(axis=1) == yq).astype(np.float64)


def same_class_recall(X: npt.ArrayLike, labels: Any, *, k: int = 1, metric: str = "cosine") -> npt.NDArray[np.float64]:
    """Recall@k of same-class retrieval: 1.0 for each image with a same-class image among its k nearest others.

    Parameters
    ----------
    X : array-like, shape (n, d)
        Embeddings of one set of images (each one queries all the others).
    labels : array-like of int, shape (n,)
    k : int
        1 <= k <= n - 1.
    metric : {"cosine", "euclidean"}

    Returns
    -------
    numpy.ndarray, shape (n,), float64 of 0.0 and 1.0

    Examples
    --------
    >>> same_class_recall(Z_test, y_test, k=1).mean()  # doctest: +SKIP

    Taught in: chapter 04.
    """
    metric = check_choice("metric", metric, METRICS)
    M = _checked(X, "X", metric)
    y = check_labels(labels, M.shape[0])
    if M.shape[0] < 2:
        raise ValueError("X needs at least 2 rows: each image queries the others.")
    k = check_k(k, M.shape[0] - 1, what="other images")
    D = pairwise_distances(M, M, metric=metric)
    np.fill_diagonal(D, np.inf)                                   # a query never retrieves itself
    _, nearest = top_k(D, k, largest=False)
    return (y[nearest] == y[:, None]).any(axis=1).astype(np.float64)
