"""Input checks shared by every index in :mod:`embedcourse.ann` (called from ``Index``'s verbs).

Each raises one readable sentence naming the argument (``x``, ``q``, ``k``, ``ids``) and what
was expected, before anything reaches a matrix product.

Taught in: chapter 07.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_array, as_matrix

__all__ = ["prepare_vectors", "check_new_ids", "check_search_k", "check_path"]

ZERO_NORM = 1e-12  # rows with a smaller norm count as zero vectors (as normalize_rows)
MAX_NORM = 1e18  # larger norms could overflow float32 scores (q.x, ||q - x||^2) to inf


def prepare_vectors(x: Any, name: str, d: int, metric: str) -> npt.NDArray[np.float32]:
    """``x`` as a finite, non-empty float32 C-contiguous (n, d) matrix; unit rows for "cosine".

    The norms are computed in float64, so a row with huge or tiny entries is neither
    overflowed to infinity nor mistaken for a zero vector.
    """
    arr = as_array(x, name)  # ragged lists and complex numbers raise naming the argument
    if arr.ndim != 2 or arr.shape[1] != d:
        hint = f" (one vector? pass {name}[None, :])" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be a 2-d array of shape (n, {d}); got shape {arr.shape}{hint}.")
    arr = as_matrix(arr, name, dtype=np.float32)
    norms = np.sqrt(np.einsum("ij,ij->i", arr, arr, dtype=np.float64))
    if metric == "cosine":
        zero = ~(norms > ZERO_NORM)
        if zero.any():
            raise ValueError(
                f"{name} has {int(zero.sum())} zero row(s) (first at row {int(np.flatnonzero(zero)[0])}): "
                f"a zero vector has no direction, so metric='cosine' cannot score it; "
                f"drop it or use metric='ip' or 'l2'.")
        return (arr / norms[:, None]).astype(np.float32)
    if norms.max() > MAX_NORM:
        row = int(np.argmax(norms))
        raise ValueError(f"{name} row {row} has norm {norms[row]:.3g}, too large for float32 "
                         f"scores (at most {MAX_NORM:g}); rescale the vectors.")
    return arr


def check_new_ids(
    ids: Any, n: int, existing: npt.NDArray[np.int64], *, sorted_: bool = False
) -> npt.NDArray[np.int64]:
    """Ids for ``n`` new rows: ``len(existing), ...`` if ``ids`` is None, else ``ids`` checked.

    Given ids must be a 1-d integer array of length ``n``, non-negative, unique, and not in
    ``existing`` (faiss's ``add_with_ids`` contract); the sequential default is checked against
    ``existing`` too, since earlier custom ids may have taken those numbers. ``sorted_`` says
    ``existing`` is increasing, so the clash check is a binary search, not a set intersection.
    """
    if ids is None:
        new = np.arange(existing.size, existing.size + n, dtype=np.int64)
    else:
        arr = np.asarray(ids)
        if arr.ndim != 1 or arr.shape[0] != n:
            raise ValueError(f"ids must be a 1-d array of shape ({n},), one id per row of x; "
                             f"got shape {arr.shape}.")
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"ids must be integers (int64); got dtype {arr.dtype}.")
        if arr.size and (arr.min() < 0 or (arr.dtype == np.uint64 and arr.max() > np.iinfo(np.int64).max)):
            raise ValueError("ids must be non-negative int64 values (faiss uses -1 for 'no result').")
        new = arr.astype(np.int64)
        uniq, counts = np.unique(new, return_counts=True)
        if (counts > 1).any():
            raise ValueError(f"ids must be unique; {int(uniq[counts > 1][0])} appears "
                             f"{int(counts[counts > 1][0])} times.")
    if sorted_:
        pos = np.minimum(np.searchsorted(existing, new), max(existing.size - 1, 0))
        taken = new[existing[pos] == new] if existing.size else new[:0]
    else:
        taken = new[np.isin(new, existing)]
    if taken.size:
        raise ValueError(f"ids must not repeat ids already in the index; {int(taken[0])} is "
                         f"already there ({taken.size} clash(es)).")
    return new


def check_search_k(k: Any, ntotal: int) -> int:
    """``k`` as an int in ``[1, ntotal]``; an empty index is its own error."""
    if ntotal == 0:
        raise ValueError("the index is empty (ntotal=0): add(x) vectors before searching.")
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be an int in [1, ntotal={ntotal}]; got {k!r}.")
    if k < 1:
        raise ValueError(f"k must be at least 1; got k={k}.")
    if k > ntotal:
        raise ValueError(f"k={k} is larger than the index (ntotal={ntotal}); "
                         f"ask for at most {ntotal} neighbours.")
    return int(k)


def check_path(path: Any) -> Path:
    """``path`` (a str or ``os.PathLike``) as a :class:`pathlib.Path`; anything else is a TypeError."""
    if not isinstance(path, (str, PathLike)) or (isinstance(path, str) and not path):
        raise TypeError(f"path must be a file path (a non-empty str or os.PathLike); got {path!r}.")
    return Path(path)
