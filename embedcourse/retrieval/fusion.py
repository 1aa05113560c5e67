"""Combining rankers: put their scores on one scale, or fuse their rankings.

Two ways to build a hybrid of, say, a sparse (TF-IDF, BM25) and a dense (MiniLM) retriever:

- :func:`zscore_rows` standardises each query's scores (mean 0, standard deviation 1 over its
  documents), so scores of different scales can be added: ``zscore_rows(S_dense) +
  zscore_rows(S_sparse)``;
- :func:`reciprocal_rank_fusion` ignores the scores and adds ``1 / (k + rank)`` over the
  rankers (Cormack, Clarke and Buettcher, 2009), the fusion used by Elasticsearch, OpenSearch
  and most vector databases for hybrid search.

Taught in: chapter 03 (standardised scores), chapter 06 (reciprocal rank fusion).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_matrix, check_float

__all__ = ["zscore_rows", "reciprocal_rank_fusion"]


def zscore_rows(S: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Standardise every row of a score matrix: subtract its mean, divide by its standard deviation.

    Parameters
    ----------
    S : array-like, shape (n_queries, n_docs) (or (n_docs,) for one query)
        Scores of every document for each query (a dense array or a scipy sparse matrix).

    Returns
    -------
    numpy.ndarray, shape (n_queries, n_docs), float64
        Each row with mean 0 and (population, ``ddof=0``) standard deviation 1. A row whose
        scores are all equal has no spread to divide by: it becomes all zeros.

    Examples
    --------
    >>> zscore_rows([[1.0, 2.0, 3.0]]).round(3)
    array([[-1.225,  0.   ,  1.225]])

    Taught in: chapter 03.
    """
    if hasattr(S, "toarray"):  # scipy sparse (e.g. TF-IDF scores)
        S = S.toarray()
    M = as_matrix(S, "S", dtype=np.float64, allow_1d=True)
    centred = M - M.mean(axis=1, keepdims=True)
    std = centred.std(axis=1, keepdims=True)
    return centred / np.where(std > 0, std, 1.0)


def reciprocal_rank_fusion(rankings: Sequence[Any], k: float = 60) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Fuse several rankings of the same documents: each document scores ``sum 1 / (k + rank)``.

    Parameters
    ----------
    rankings : sequence of array-like of int, each shape (n_queries, n_ranked_r)
        One ranking per retriever (the ids ``I`` of its ``search``), best first, for the same
        queries in the same order; the lists may have different lengths (a document missing
        from a list adds nothing for that list). Ids must be non-negative; ``-1`` (faiss's "no
        result") is skipped.
    k : float, default 60
        Smoothing constant: larger ``k`` flattens the difference between ranks 1 and 2. 60 is
        the value of the original paper and of most search engines.

    Returns
    -------
    scores : numpy.ndarray, shape (n_queries, n_fused), float64
        The fused scores, decreasing along each row.
    ids : numpy.ndarray, shape (n_queries, n_fused), int64
        The ids of every document that appears in some ranking, best first (equal scores: the
        smaller id first); ``n_fused`` is the largest number of distinct ids of any query,
        shorter rows are padded with score 0 and id -1, as faiss pads.

    Examples
    --------
    >>> scores, ids = reciprocal_rank_fusion([[[3, 1, 2]], [[1, 2, 3]]], k=60)
    >>> ids
    array([[1, 3, 2]])

    Taught in: chapter 06.
    """
    k = check_float("k", k, 0, None, low_open=False)
    if isinstance(rankings, (str, bytes, np.ndarray)) or not isinstance(rankings, Sequence):
        raise TypeError("rankings must be a list of rankings (one (n_queries, n_ranked) array of ids per retriever).")
    if not rankings:
        raise ValueError("rankings is empty; pass at least one ranking.")
    arrays: list[npt.NDArray[np.int64]] = []
    for r, ranking in enumerate(rankings):
        arr = np.asarray(ranking)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2 or (arr.size and (arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer))):
            raise TypeError(
                f"rankings[{r}] must be a 2-d array of integer ids (n_queries, n_ranked), best first; "
                f"got shape {arr.shape} and dtype {arr.dtype}."
            )
        if arr.size and arr.min() < -1:
            raise ValueError(f"rankings[{r}] holds a negative id {int(arr.min())}; ids are >= 0 (-1 = no result).")
        if arrays and arr.shape[0] != arrays[0].shape[0]:
            raise ValueError(
                f"rankings[{r}] has {arr.shape[0]} queries but rankings[0] has {arrays[0].shape[0]}; "
                f"every ranking must cover the same queries in the same order."
            )
        arrays.append(arr.astype(np.int64))
    n_queries = arrays[0].shape[0]
    fused: list[dict[int, float]] = [{} for _ in range(n_queries)]
    for arr in arrays:
        for q in range(n_queries):
            row = fused[q]
            seen: set[int] = set()
            for rank, doc in enumerate(arr[q].tolist(), start=1):
                if doc < 0 or doc in seen:  # padding, or a repeat within one list
                    continue
                seen.add(doc)
                row[doc] = row.get(doc, 0.0) + 1.0 / (k + rank)
    width = max((len(row) for row in fused), default=0)
    scores = np.zeros((n_queries, width), dtype=np.float64)
    ids = np.full((n_queries, width), -1, dtype=np.int64)
    for q, row in enumerate(fused):
        ranked = sorted(row.items(), key=lambda item: (-item[1], item[0]))
        ids[q, : len(ranked)] = [doc for doc, _ in ranked]
        scores[q, : len(ranked)] = [s for _, s in ranked]
    return scores, ids
