"""Input checks shared by every module: clear errors that say what was wrong and what to do.

Every public function in :mod:`embedcourse` that takes arrays runs them through these helpers,
so a reader who passes a list of lists, a 1-d vector, a matrix with NaN or ``k`` larger than the
data gets one readable sentence instead of a broadcasting error three frames deep.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

__all__ = [
    "as_matrix",
    "as_vector",
    "check_k",
    "check_random_state",
    "require",
    "MissingDependencyError",
]


class MissingDependencyError(ImportError):
    """An optional package is not installed; the message holds the exact install command."""


def require(module: str, pip_name: str | None = None, *, extra: str = "") -> Any:
    """Import ``module`` or raise :class:`MissingDependencyError` with the command to install it.

    Parameters
    ----------
    module : str
        Importable module name, e.g. ``"faiss"``.
    pip_name : str, optional
        The name on PyPI when it differs from the module, with its pin, e.g. ``"faiss-cpu==1.15.1"``.
    extra : str
        Extra pip flags, e.g. ``"--no-deps"`` for data-only packages.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - exercised through the data loaders
        name = pip_name or module
        flags = f"{extra} " if extra else ""
        raise MissingDependencyError(
            f"This needs the package '{name}', which is not installed. "
            f"Install it with:  pip install {flags}{name}   "
            f"(or run `make install`, which installs everything the course uses)."
        ) from exc


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
    arr = np.asarray(x)
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


def check_k(k: int, n: int, *, name: str = "k", what: str = "items in the index") -> int:
    """Check that ``1 <= k <= n``; returns ``int(k)``."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number; got {k!r}.")
    if k < 1:
        raise ValueError(f"{name} must be at least 1; got {k}.")
    if k > n:
        raise ValueError(
            f"{name}={k} is larger than the {n} {what}; ask for at most {n}."
        )
    return int(k)


def check_random_state(random_state: int | np.random.Generator | None) -> np.random.Generator:
    """Turn ``random_state`` into a :class:`numpy.random.Generator` without touching global state.

    ``None`` gives a fresh unseeded generator (non-deterministic); course code always passes an int.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return np.random.default_rng(random_state)
    raise TypeError(f"random_state must be an int, a numpy Generator or None; got {random_state!r}.")
