"""Exact cosine search in one call: ``search(Q, X, k)`` with faiss's ``(D, I)`` output.

A thin convenience over :class:`embedcourse.ann.FlatIndex`, used as ``metric="cosine"`` is
(faiss's ``normalize_L2`` + ``IndexFlatIP``): the documents ``X``, scaled to unit length, go
into a fresh exact inner-product index, the unit-length queries ``Q`` are searched, and the
index is dropped. Unlike ``FlatIndex(d, "cosine")``, an all-zero row is accepted and scores 0. Build the index yourself when the same
documents are searched again and again.

Taught in: chapter 03.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_matrix, check_k
from embedcourse.ops import normalize_rows

__all__ = ["search"]


def search(Q: npt.ArrayLike, X: npt.ArrayLike, k: int = 10) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Exact (brute-force) cosine top-``k`` search, like ``faiss.IndexFlatIP`` on unit vectors.

    Both sides are scaled to unit length row by row (an all-zero row, e.g. a text with no known
    word, keeps score 0 with everything), every query is scored against every document, and
    the ``k`` best are kept, best first; equal scores go to the smaller document id, so the
    result is deterministic.

    Parameters
    ----------
    Q : array-like, shape (n_queries, d) (or (d,) for one query)
        Query embeddings.
    X : array-like, shape (n_docs, d)
        Document embeddings.
    k : int
        How many documents to return per query, ``1 <= k <= n_docs``.

    Returns
    -------
    D : numpy.ndarray, shape (n_queries, k), float32
        Cosine similarities, decreasing along each row.
    I : numpy.ndarray, shape (n_queries, k), int64
        Row indices into ``X``; ``I[i, 0]`` is the best match for query ``i``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> search(np.array([1.0, 0.1]), X, k=2)[1]
    array([[0, 2]])

    Taught in: chapter 03.
    """
    from embedcourse.ann import FlatIndex

    Xm = as_matrix(X, "X", dtype=np.float32)
    Qm = as_matrix(Q, "Q", dtype=np.float32, allow_1d=True)
    if Qm.shape[1] != Xm.shape[1]:
        raise ValueError(
            f"Q has {Qm.shape[1]} columns but X has {Xm.shape[1]}; queries and documents "
            f"must be embedded in the same space (same dimension d)."
        )
    k = check_k(k, Xm.shape[0], what="documents in X")
    # FlatIndex(d, "cosine") would refuse an all-zero row (it has no direction); here it keeps
    # score 0 with everything, so both sides are scaled to unit length first, zero rows kept
    index = FlatIndex(Xm.shape[1], metric="ip")
    index.add(normalize_rows(Xm, zero_rows="keep"))
    return index.search(normalize_rows(Qm, zero_rows="keep"), k)
