"""Array checks: shape, dtype, finiteness, ids in range; overflow-safe row norms.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["as_array", "as_matrix", "as_vector", "check_real_array", "check_ids", "check_finite_result", "row_norms"]


def as_array(x: Any, name: str) -> np.ndarray:
    """``np.asarray(x)``, but ragged nested lists and complex numbers raise errors naming ``name``."""
    try:
        arr = np.asarray(x)
    except ValueError:
        raise ValueError(
            f"{name} could not be read as a numeric array (rows of different lengths?)."
        ) from None
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} has complex dtype {arr.dtype}; expected real numbers.")
    return arr


def as_matrix(
    x: Any,
    name: str = "X",
    *,
    dtype: Any = np.float32,
    allow_1d: bool = False,
    allow_empty: bool = False,
    finite: bool = True,
    n_features: int | None = None,
) -> np.ndarray:
    """Return ``x`` as a C-contiguous 2-d array of ``dtype``, or raise a clear ``ValueError``.

    Parameters
    ----------
    x : array-like, shape (n, d) (or (d,) when ``allow_1d``)
    name : str
        What to call the argument in error messages.
    dtype : numpy dtype, optional
        Target dtype; ``None`` keeps the input's numeric dtype.
    allow_1d : bool
        Promote a single vector of shape (d,) to shape (1, d).
    allow_empty : bool
        Accept n == 0 rows.
    finite : bool
        Reject NaN and infinity.
    n_features : int, optional
        Required number of columns d.
    """
    if x is None:
        raise ValueError(f"{name} is None; pass an array of shape (n, d).")
    try:
        arr = np.asarray(x)
    except ValueError:  # ragged nested lists (numpy >= 1.24 refuses them)
        raise ValueError(
            f"{name} could not be read as a numeric array (rows of different lengths?); "
            f"pass an array of shape (n, d)."
        ) from None
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} has complex dtype {arr.dtype}; expected real numbers.")
    if arr.dtype == object:
        raise TypeError(
            f"{name} could not be read as a numeric array (rows of different lengths or "
            f"non-numbers?); pass an array of shape (n, d)."
        )
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} has dtype {arr.dtype}; expected numbers.")
    if arr.ndim == 1 and allow_1d:
        arr = arr[None, :]
    if arr.ndim != 2:
        hint = " (a single vector? pass x[None, :] or a list of vectors)" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-d with shape (n, d); got shape {arr.shape}{hint}.")
    if arr.shape[0] == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {arr.shape}); pass at least one row.")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has zero columns (shape {arr.shape}).")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(
            f"{name} has {arr.shape[1]} columns but {n_features} were expected "
            f"(the dimension of the vectors it is compared with)."
        )
    if dtype is not None:
        arr = np.ascontiguousarray(arr, dtype=dtype)
    if finite and arr.size and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} contains NaN or infinity (first at row {bad[0]}, column {bad[1]}); "
            f"clean or drop those rows first."
        )
    return arr


def as_vector(x: Any, name: str = "x", *, dtype: Any = np.float32, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a 1-d array, or raise a clear error naming its shape."""
    arr = np.asarray(x)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-d vector; got shape {arr.shape}.")
    return as_matrix(arr, name, dtype=dtype, allow_1d=True, finite=finite)[0]


def check_real_array(x: Any, name: str, ndim: int, *, allow_empty: bool = False, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a float64 array with ``ndim`` dimensions, or raise naming ``name``.

    Rejects strings, ragged or object input, bools, complex numbers (``TypeError``), the
    wrong number of dimensions, an empty array (unless ``allow_empty``) and NaN/infinity
    (unless ``finite=False``) (``ValueError``).
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a {ndim}-d array of real numbers; got {type(x).__name__}.")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError):
        raise TypeError(f"{name} must be a {ndim}-d array of real numbers (ragged input?).") from None
    if arr.dtype == object or arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must be a {ndim}-d array of real numbers; got dtype {arr.dtype}.")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-d; got shape {arr.shape}.")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {arr.shape}).")
    arr = arr.astype(np.float64)
    if finite and arr.size and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    return arr


def check_ids(x: Any, name: str, n: int, *, allow_empty: bool = True) -> np.ndarray:
    """Return ``x`` as a 1-d int64 array of ids in ``[0, n)``, or raise naming ``name``."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a 1-d array of int ids in [0, {n}); got {type(x).__name__}.")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError):
        raise TypeError(f"{name} must be a 1-d array of int ids (ragged input?).") from None
    if arr.size == 0 and arr.ndim == 1:
        arr = arr.astype(np.int64)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be a 1-d array of int ids in [0, {n}); got dtype {arr.dtype}.")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-d; got shape {arr.shape}.")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty.")
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise ValueError(f"{name} must lie in [0, {n}); got values from {arr.min()} to {arr.max()}.")
    return arr.astype(np.int64)


def check_finite_result(out: np.ndarray, names: str, *, what: str = "the result") -> np.ndarray:
    """Raise a clear ValueError if computing from finite inputs overflowed to inf/NaN."""
    if out.size and not np.isfinite(out).all():
        raise ValueError(
            f"{what} overflowed {out.dtype} (the values in {names} are too large: their squares "
            f"or products exceed {np.finfo(out.dtype).max:.3g}); rescale them or pass float64 arrays."
        )
    return out


def row_norms(M: np.ndarray) -> np.ndarray:
    """Euclidean length of every row of a finite 2-d array, in M's dtype, without overflow.

    Equal to ``np.linalg.norm(M, axis=1)`` (bit for bit) on ordinary rows; a row whose squares
    overflow or underflow in float32/float64 (e.g. values near 1e20 in float32, whose norm is
    representable) is rescaled by its largest entry first, so it gets its true length instead
    of ``inf`` or 0.
    """
    norms = np.linalg.norm(M, axis=1)
    bad = ~np.isfinite(norms) | ((norms == 0) & (M != 0).any(axis=1))
    if bad.any():
        R = M[bad].astype(np.float64)
        scale = np.abs(R).max(axis=1, keepdims=True)
        fixed = np.linalg.norm(R / scale, axis=1) * scale[:, 0]
        with np.errstate(over="ignore"):
            norms[bad] = fixed.astype(norms.dtype)
        if not np.isfinite(norms).all():
            raise ValueError(
                f"a row's length overflows {norms.dtype} (values up to {np.abs(M).max():.3g}); "
                f"rescale the vectors or pass float64."
            )
    return norms
