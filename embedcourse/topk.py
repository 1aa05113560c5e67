"""The ``k`` best scores of each row, best first, with a deterministic tie-break.

This is the one top-``k`` of :mod:`embedcourse`: every nearest-neighbour computation in the
package (exact search, the candidate lists of IVF and HNSW, re-ranking) ends here, so they all
order results the same way. It mirrors ``torch.topk(scores, k, largest=...)`` and the heaps that
close every faiss search, with a documented tie rule (torch makes no promise about ties):
**ties are broken by the smaller column index** (or by the smaller of given ``tiebreak`` labels,
such as vector ids), including ties that straddle the ``k``-th place.

How it works, for ``n`` scores per row (``O(n)`` per row instead of a full ``O(n log n)`` sort):

1. ``np.argpartition`` moves ``k`` candidates with the ``k`` best scores to one end of the row
   (unordered, and if several columns share the ``k``-th best score, an arbitrary few of them);
2. a row whose ``k``-th best score also occurs *outside* the candidates has a tie at the
   boundary: its candidates are re-chosen as every column strictly better than that score plus
   the tied columns with the smallest indices;
3. the ``k`` candidates are sorted by (score, then index) with ``np.lexsort``.

Taught in: chapter 07.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_array, as_matrix, check_bool

__all__ = ["top_k"]


def top_k(
    scores: npt.ArrayLike, k: int, *, largest: bool = True, tiebreak: npt.ArrayLike | None = None
) -> tuple[npt.NDArray[np.floating[Any]], npt.NDArray[np.int64]]:
    """The ``k`` largest (or smallest) scores of each row and their column indices, best first.

    Parameters
    ----------
    scores : array-like, shape (n_rows, n) or (n,)
        One row of scores per query (similarities, or distances with ``largest=False``).
        Infinities are allowed (e.g. ``-inf`` to mask a column out); NaN is not.
    k : int
        How many to return per row, ``1 <= k <= n``.
    largest : bool, default True
        True: the largest scores first (similarities). False: the smallest first (distances).
    tiebreak : array-like of int, shape (n,) or (n_rows, n), optional
        Break ties by the smaller ``tiebreak`` value of the tied columns instead of the smaller
        column index (an index passes the ids of its vectors, so ties go to the smaller id
        whatever order the vectors are stored in). Equal ``tiebreak`` values fall back to the
        column index.

    Returns
    -------
    values : numpy.ndarray, shape (n_rows, k) or (k,)
        The selected scores, best first. float32 for float32 input, else float64.
    indices : numpy.ndarray of int64, shape (n_rows, k) or (k,)
        Their column indices: ``values[i, j] == scores[i, indices[i, j]]``.

    Raises
    ------
    ValueError
        ``scores`` is not 1-d or 2-d, has no columns or contains NaN; ``k`` is out of range.
    TypeError
        ``k`` is not an integer, ``largest`` is not a bool, or ``scores`` is not numeric.

    Notes
    -----
    Equal scores are ordered by increasing column index, and when equal scores compete for the
    last places, the smaller indices win. The result is therefore a function of the scores alone
    (identical to a full stable sort, ``np.lexsort((arange(n), -scores))[:k]``), never of the
    partition algorithm, the platform or the number of threads. ``-0.0`` and ``0.0`` are equal.

    Examples
    --------
    >>> import numpy as np
    >>> top_k(np.array([0.1, 0.9, 0.5, 0.9]), 3)
    (array([0.9, 0.9, 0.5]), array([1, 3, 2]))
    >>> top_k(np.array([[3.0, 1.0, 2.0]]), 2, largest=False)[1]
    array([[1, 2]])

    Taught in: chapter 07.
    """
    S = as_array(scores, "scores")  # ragged lists and complex numbers raise naming the argument
    largest = check_bool("largest", largest)
    single = S.ndim == 1
    if S.ndim not in (1, 2):
        raise ValueError(f"scores must be 1-d (n,) or 2-d (n_rows, n); got shape {S.shape}.")
    dtype = np.float32 if S.dtype in (np.float16, np.float32) else np.float64
    S = as_matrix(S, "scores", dtype=dtype, allow_1d=True, allow_empty=True, finite=False)
    if np.isnan(S).any():
        row, col = np.argwhere(np.isnan(S))[0]
        where = f"position {col}" if single else f"row {row}, column {col}"
        raise ValueError(f"scores contains NaN (first at {where}); NaN cannot be ranked.")
    n = S.shape[1]
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be an int in [1, {n}] (the number of scores per row); got {k!r}.")
    if not 1 <= k <= n:
        raise ValueError(f"k must be an int in [1, {n}] (the number of scores per row); got {k}.")
    T = None
    if tiebreak is not None:
        T = as_array(tiebreak, "tiebreak")
        if T.dtype == bool or not np.issubdtype(T.dtype, np.integer):
            raise TypeError(f"tiebreak must hold integers; got dtype {T.dtype}.")
        if T.shape not in ((n,), S.shape):
            raise ValueError(f"tiebreak must have shape ({n},) or {S.shape} like scores; got {T.shape}.")
        T = np.broadcast_to(T.astype(np.int64, copy=False), S.shape)
    values, indices = _top_k(S, int(k), bool(largest), T)
    return (values[0], indices[0]) if single else (values, indices)


def _top_k(
    S: np.ndarray, k: int, largest: bool, T: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`top_k` on a checked 2-d array (no NaN, ``1 <= k <= n``, ``T`` None or int64 of
    ``S``'s shape); no input checks."""
    n_rows, n = S.shape
    if n_rows == 0:
        return np.empty((0, k), S.dtype), np.empty((0, k), np.int64)
    if k == n:
        cand = np.broadcast_to(np.arange(n, dtype=np.int64), S.shape)
    else:
        kth = n - k if largest else k - 1
        part = np.argpartition(S, kth, axis=1)
        cand = part[:, kth:] if largest else part[:, :k]
        # 2. ties at the boundary: is the k-th best score also found outside the candidates?
        vals = np.take_along_axis(S, cand, axis=1)
        bound = (vals.min(axis=1) if largest else vals.max(axis=1))[:, None]
        tied = np.count_nonzero(S == bound, axis=1) > np.count_nonzero(vals == bound, axis=1)
        if tied.any():
            cand = np.ascontiguousarray(cand)
            rows = np.flatnonzero(tied)
            sub, b = S[rows], bound[rows]
            better = sub > b if largest else sub < b
            equal = sub == b
            need = k - np.count_nonzero(better, axis=1)  # places left for the tied scores
            if T is None:  # the first `need` tied columns, for all tied rows at once
                keep = better | (equal & (np.cumsum(equal, axis=1) <= need[:, None]))
                cand[rows] = np.nonzero(keep)[1].reshape(rows.size, k)  # exactly k per row
            else:  # the `need` tied columns with the smallest tiebreak values, row by row
                for j, r in enumerate(rows):
                    tied_cols = np.flatnonzero(equal[j])
                    first = tied_cols[np.lexsort((tied_cols, T[r, tied_cols]))[: need[j]]]
                    cand[r] = np.concatenate([np.flatnonzero(better[j]), first])
    # 3. order the k candidates: by score (best first), then by tiebreak value, then by index
    vals = np.take_along_axis(S, cand, axis=1)
    keys = (cand,) if T is None else (cand, np.take_along_axis(T, cand, axis=1))
    order = np.lexsort((*keys, -vals if largest else vals), axis=1)
    return np.take_along_axis(vals, order, axis=1), np.take_along_axis(cand, order, axis=1).astype(np.int64)
