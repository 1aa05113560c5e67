"""Similarity and distance between embedding vectors, one vector pair at a time or whole matrices.

This module mirrors :mod:`scipy.spatial.distance` (``cosine``, ``euclidean``, ``cityblock``,
``hamming``, ``cdist``) and :mod:`sklearn.metrics.pairwise` (``cosine_similarity``,
``euclidean_distances``, ``manhattan_distances``); ``tests/test_metrics.py`` checks that the
numbers agree.

Two families, two signs:

* **similarities** (bigger = closer): cosine, dot product;
* **distances** (smaller = closer): Euclidean, squared Euclidean, Manhattan, cosine distance
  (``1 - cosine``) and Hamming (for binary codes).

The pairwise functions never loop over pairs in Python: cosine, dot and Euclidean distances come
from one matrix product (``||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b``), Manhattan and general
Hamming from broadcasting over blocks of rows.

Taught in: chapter 01.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_array, as_matrix, check_finite_result, row_norms

__all__ = [
    "cosine_similarity",
    "dot_similarity",
    "euclidean_distance",
    "manhattan_distance",
    "hamming_distance",
    "pairwise_similarity",
    "pairwise_distances",
    "SIMILARITY_METRICS",
    "DISTANCE_METRICS",
]

SIMILARITY_METRICS: tuple[str, ...] = ("cosine", "dot")
DISTANCE_METRICS: tuple[str, ...] = ("euclidean", "sqeuclidean", "manhattan", "cosine", "hamming")

_ZERO_VECTOR_HINT = "a zero vector has no direction; drop it or use dot/euclidean"

# Broadcasting blocks (Manhattan, Hamming on non-binary codes) hold at most this many numbers.
_BLOCK_ELEMENTS = 2**22


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------
def _float_dtype(x: Any) -> Any:
    """float32 stays float32 (big embedding matrices); everything else is computed in float64."""
    dtype = getattr(x, "dtype", None)
    return np.float32 if dtype == np.float32 else np.float64


def _vector(x: Any, name: str, *, dtype: Any = None) -> np.ndarray:
    """A finite 1-d vector, with a hint towards the pairwise functions for matrices."""
    arr = as_array(x, name)
    if arr.ndim != 1:
        hint = (
            "; for matrices of vectors use pairwise_similarity / pairwise_distances"
            if arr.ndim == 2
            else ""
        )
        raise ValueError(f"{name} must be a 1-d vector; got shape {arr.shape}{hint}.")
    return as_matrix(arr, name, dtype=dtype or _float_dtype(arr), allow_1d=True)[0]


def _pair(a: Any, b: Any, *, dtype: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Two vectors of the same length."""
    if dtype is None:
        dtype = np.float32 if _float_dtype(a) == _float_dtype(b) == np.float32 else np.float64
    u, v = _vector(a, "a", dtype=dtype), _vector(b, "b", dtype=dtype)
    if u.shape[0] != v.shape[0]:
        raise ValueError(
            f"a has {u.shape[0]} dimensions but b has {v.shape[0]}; both vectors must come "
            f"from the same embedding space (same length)."
        )
    return u, v


def _matrices(X: Any, Y: Any, *, dtype: Any = None) -> tuple[np.ndarray, np.ndarray, bool]:
    """(X, Y, same): 2-d finite matrices with the same number of columns; Y defaults to X."""
    if dtype is None:
        same_f32 = _float_dtype(X) == np.float32 and (Y is None or _float_dtype(Y) == np.float32)
        dtype = np.float32 if same_f32 else np.float64
    X = as_matrix(X, "X", dtype=dtype, allow_1d=True)
    if Y is None:
        return X, X, True
    Y = as_matrix(Y, "Y", dtype=dtype, allow_1d=True)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} columns but Y has {Y.shape[1]}; rows of both must be vectors "
            f"from the same embedding space (same dimension d)."
        )
    return X, Y, False


def _finite(value: float, what: str) -> float:
    if not np.isfinite(value):
        raise ValueError(
            f"the {what} of a and b overflowed float64 (their values are too large); rescale them."
        )
    return value


def _check_metric(metric: str, valid: tuple[str, ...], func: str) -> str:
    if not isinstance(metric, str) or metric not in valid:
        choices = ", ".join(repr(m) for m in valid)
        raise ValueError(f"{func}: unknown metric {metric!r}; choose one of {choices}.")
    return metric


# --------------------------------------------------------------------------------------------
# one pair of vectors
# --------------------------------------------------------------------------------------------
def dot_similarity(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Dot product ``a . b``: cosine similarity times both lengths.

    Parameters
    ----------
    a, b : array-like, shape (d,)

    Returns
    -------
    float

    Taught in: chapter 01.
    """
    u, v = _pair(a, b, dtype=np.float64)
    return _finite(float(u @ v), "dot product")


def cosine_similarity(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Cosine of the angle between ``a`` and ``b``, in [-1, 1]; ignores the vectors' lengths.

    Equals ``1 - scipy.spatial.distance.cosine(a, b)``.

    Parameters
    ----------
    a, b : array-like, shape (d,)

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If either vector is zero ("a zero vector has no direction").

    Taught in: chapter 01.
    """
    u, v = _pair(a, b, dtype=np.float64)
    nu, nv = row_norms(np.stack([u, v]))
    for name, n in (("a", nu), ("b", nv)):
        if n == 0:
            raise ValueError(f"{name} is the zero vector, so cosine is undefined: {_ZERO_VECTOR_HINT}.")
    dot = u @ v
    if not (np.isfinite(dot) and np.isfinite(nu * nv)):  # huge values: normalise first
        dot, nu, nv = (u / nu) @ (v / nv), 1.0, 1.0
    return float(np.clip(dot / (nu * nv), -1.0, 1.0))


def euclidean_distance(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Straight-line (L2) distance ``||a - b||``; like ``scipy.spatial.distance.euclidean``.

    Parameters
    ----------
    a, b : array-like, shape (d,)

    Returns
    -------
    float

    Taught in: chapter 01.
    """
    u, v = _pair(a, b, dtype=np.float64)
    return _finite(float(np.linalg.norm(u - v)), "euclidean distance")


def manhattan_distance(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """City-block (L1) distance ``sum |a_i - b_i|``; like ``scipy.spatial.distance.cityblock``.

    Parameters
    ----------
    a, b : array-like, shape (d,)

    Returns
    -------
    float

    Taught in: chapter 01.
    """
    u, v = _pair(a, b, dtype=np.float64)
    return _finite(float(np.abs(u - v).sum()), "manhattan distance")


def hamming_distance(a: npt.ArrayLike, b: npt.ArrayLike, *, normalized: bool = True) -> float:
    """Number (or fraction) of positions where two codes differ.

    Meant for binary codes (bool arrays or 0/1 bits, as produced by sign-hashing or binary
    quantisation), but any values are compared for equality, as in scipy.

    Parameters
    ----------
    a, b : array-like, shape (d,)
        Codes of the same length.
    normalized : bool
        True (default): the fraction of differing positions, in [0, 1], exactly
        ``scipy.spatial.distance.hamming``. False: the count of differing positions (an int
        value returned as float).

    Returns
    -------
    float

    Taught in: chapter 01.
    """
    u, v = _pair(a, b, dtype=np.float64)
    count = float(np.count_nonzero(u != v))
    return count / u.shape[0] if normalized else count


# --------------------------------------------------------------------------------------------
# whole matrices
# --------------------------------------------------------------------------------------------
def _check_no_zero_rows(M: np.ndarray, norms: np.ndarray, name: str) -> None:
    zero = norms == 0
    if zero.any():
        first = int(np.flatnonzero(zero)[0])
        raise ValueError(
            f"{name} has {int(zero.sum())} zero row(s) (first at row {first}), so cosine is "
            f"undefined there: {_ZERO_VECTOR_HINT}."
        )


def _cosine_matrix(X: np.ndarray, Y: np.ndarray, same: bool) -> np.ndarray:
    na = row_norms(X)
    _check_no_zero_rows(X, na, "X")
    Xn = X / na[:, None]
    if same:
        Yn = Xn
    else:
        nb = row_norms(Y)
        _check_no_zero_rows(Y, nb, "Y")
        Yn = Y / nb[:, None]
    S = Xn @ Yn.T
    np.clip(S, -1.0, 1.0, out=S)
    if same:
        np.fill_diagonal(S, 1.0)
    return S


def pairwise_similarity(
    X: npt.ArrayLike, Y: npt.ArrayLike | None = None, metric: str = "cosine"
) -> npt.NDArray[np.floating[Any]]:
    """All similarities between the rows of ``X`` and the rows of ``Y``, from one matrix product.

    Parameters
    ----------
    X : array-like, shape (n, d) (or (d,), read as one row)
    Y : array-like, shape (m, d), optional
        Defaults to ``X`` (similarities of every row with every row).
    metric : {"cosine", "dot"}
        "cosine" normalises each row first (like ``sklearn.metrics.pairwise.cosine_similarity``);
        "dot" is the raw inner product ``X @ Y.T``.

    Returns
    -------
    numpy.ndarray, shape (n, m)
        Entry (i, j) compares ``X[i]`` with ``Y[j]``. float32 if both inputs are float32,
        else float64.

    Raises
    ------
    ValueError
        Unknown metric, different dimensions, NaN/inf, or zero rows with "cosine".

    Taught in: chapter 01.
    """
    _check_metric(metric, SIMILARITY_METRICS, "pairwise_similarity")
    X, Y, same = _matrices(X, Y)
    if metric == "dot":
        return check_finite_result(X @ Y.T, "X and Y", what="the dot products")
    return _cosine_matrix(X, Y, same)


def _sq_euclidean_matrix(X: np.ndarray, Y: np.ndarray, same: bool) -> np.ndarray:
    """||a||^2 + ||b||^2 - 2 a.b, clipped at 0 (rounding can make it slightly negative)."""
    aa = np.einsum("ij,ij->i", X, X)
    bb = aa if same else np.einsum("ij,ij->i", Y, Y)
    D = X @ Y.T
    D *= -2
    D += aa[:, None]
    D += bb[None, :]
    np.maximum(D, 0, out=D)
    if same:
        np.fill_diagonal(D, 0)
    return D


def _blockwise(X: np.ndarray, Y: np.ndarray, reduce: Any, dtype: Any) -> np.ndarray:
    """Apply ``reduce(X_block[:, None, :], Y[None, :, :])`` over blocks of rows of X."""
    out = np.empty((X.shape[0], Y.shape[0]), dtype=dtype)
    rows = max(1, _BLOCK_ELEMENTS // max(1, Y.shape[0] * Y.shape[1]))
    for start in range(0, X.shape[0], rows):
        block = X[start : start + rows]
        out[start : start + rows] = reduce(block[:, None, :], Y[None, :, :])
    return out


def _is_binary(M: np.ndarray) -> bool:
    return bool(np.all((M == 0) | (M == 1)))


def pairwise_distances(
    X: npt.ArrayLike, Y: npt.ArrayLike | None = None, metric: str = "euclidean"
) -> npt.NDArray[np.floating[Any]]:
    """All distances between the rows of ``X`` and the rows of ``Y``, like ``scipy``'s ``cdist``.

    Parameters
    ----------
    X : array-like, shape (n, d) (or (d,), read as one row)
    Y : array-like, shape (m, d), optional
        Defaults to ``X``; the diagonal is then exactly 0.
    metric : {"euclidean", "sqeuclidean", "manhattan", "cosine", "hamming"}
        - "euclidean", "sqeuclidean": from the matrix product ``X @ Y.T`` via
          ``||a-b||^2 = ||a||^2 + ||b||^2 - 2 a.b``, with tiny negative values from rounding
          clipped to 0.
        - "manhattan": sum of absolute differences (scipy's "cityblock"), over blocks of rows.
        - "cosine": ``1 - cosine similarity``, in [0, 2].
        - "hamming": fraction of differing positions (scipy's "hamming"). For 0/1 or bool
          codes it is counted with two matrix products: ``X @ (1-Y).T + (1-X) @ Y.T``.

    Returns
    -------
    numpy.ndarray, shape (n, m)
        float32 if both inputs are float32, else float64 (hamming: always float64).

    Raises
    ------
    ValueError
        Unknown metric (the message lists the valid ones), different dimensions, NaN/inf,
        inputs that are not 1-d or 2-d, or zero rows with "cosine".

    Notes
    -----
    The expansion trick loses precision for points much closer to each other than to the
    origin, especially in float32; pass float64 when exact tiny distances matter
    (scikit-learn's ``euclidean_distances`` up-casts float32 for the same reason).

    Taught in: chapter 01.
    """
    _check_metric(metric, DISTANCE_METRICS, "pairwise_distances")
    if metric == "hamming":
        X, Y, same = _matrices(X, Y, dtype=np.float64)
        if _is_binary(X) and (same or _is_binary(Y)):
            diff = X @ (1.0 - Y).T + (1.0 - X) @ Y.T
        else:
            diff = _blockwise(X, Y, lambda x, y: np.count_nonzero(x != y, axis=2), np.float64)
        return diff / X.shape[1]
    X, Y, same = _matrices(X, Y)
    if metric == "cosine":
        D = 1.0 - _cosine_matrix(X, Y, same)
        if same:
            np.fill_diagonal(D, 0.0)
        return D
    if metric == "manhattan":
        D = _blockwise(X, Y, lambda x, y: np.abs(x - y).sum(axis=2), X.dtype)
        return check_finite_result(D, "X and Y", what="the manhattan distances")
    with np.errstate(over="ignore", invalid="ignore"):
        D = _sq_euclidean_matrix(X, Y, same)
    if not np.isfinite(D).all() and D.dtype == np.float32:
        # squares of float32 values beyond ~1e19 overflow: redo in float64, keep float32 out
        with np.errstate(over="ignore", invalid="ignore"):
            D64 = _sq_euclidean_matrix(X.astype(np.float64), Y.astype(np.float64), same)
            if metric == "euclidean":
                np.sqrt(D64, out=D64)
            D = D64.astype(np.float32)
        return check_finite_result(D, "X and Y", what=f"the {metric} distances")
    check_finite_result(D, "X and Y", what=f"the {metric} distances")
    if metric == "euclidean":
        np.sqrt(D, out=D)
    return D
