"""Array operations every layer shares: unit-length rows.

One ``normalize_rows`` for the whole package, with one explicit policy for zero rows (a zero
vector has no direction): ``zero_rows="raise"`` (the default) refuses it with a clear error,
``zero_rows="keep"`` returns it as zeros, as scikit-learn's ``normalize`` does. The one top-k
lives beside it in :mod:`embedcourse.topk`.

Taught in: chapter 01.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_array, as_matrix, check_choice, check_float, row_norms

__all__ = ["ZERO_ROW_POLICIES", "normalize_rows"]

#: what :func:`normalize_rows` may do with an all-zero row
ZERO_ROW_POLICIES = ("raise", "keep")


def normalize_rows(
    X: npt.ArrayLike, *, zero_rows: str = "raise", eps: float = 1e-12, name: str = "X"
) -> npt.NDArray[np.floating]:
    """Scale every row of ``X`` to unit Euclidean length (L2 norm 1).

    Each row is divided by its own norm, never by a norm of the whole matrix. After this, the
    dot product of two rows is their cosine similarity.

    Parameters
    ----------
    X : array-like, shape (n, d) or (d,)
        Vectors, one per row. A single vector gives back a single vector.
    zero_rows : {"raise", "keep"}
        What to do with a row whose norm is at most ``eps`` (it has no direction): ``"raise"``
        a ``ValueError`` naming the first such row (default), or ``"keep"`` it as zeros (as
        scikit-learn's ``normalize`` does; its cosine with anything is then 0).
    eps : float
        Rows with norm ``<= eps`` count as zero vectors.
    name : str
        What to call ``X`` in error messages (a caller passes its own argument's name).

    Returns
    -------
    numpy.ndarray, shape (n, d) or (d,)
        float32 if ``X`` is float32, else float64. Norms are computed without overflow, so
        float32 rows with values near 1e20 still come out with length 1.

    Raises
    ------
    ValueError
        On NaN/inf, on input that is not 1-d or 2-d, or on a zero row with ``zero_rows="raise"``.

    Examples
    --------
    >>> normalize_rows([[3.0, 4.0], [0.0, 2.0]])
    array([[0.6, 0.8],
           [0. , 1. ]])

    Taught in: chapter 01.
    """
    zero_rows = check_choice("zero_rows", zero_rows, ZERO_ROW_POLICIES)
    eps = check_float("eps", eps, 0.0)
    arr = as_array(X, name)
    single = arr.ndim == 1
    dtype = np.float32 if arr.dtype == np.float32 else np.float64
    M = as_matrix(arr, name, dtype=dtype, allow_1d=True)
    norms = row_norms(M)
    zero = norms <= eps
    if zero.any():
        if zero_rows == "raise":
            first = int(np.flatnonzero(zero)[0])
            raise ValueError(
                f"{name} has {int(zero.sum())} zero row(s) (first at row {first}): a zero vector has no "
                f"direction; drop it, or pass zero_rows='keep' to keep such rows as zeros."
            )
        norms = np.where(zero, 1.0, norms).astype(M.dtype)
    out = M / norms[:, None]
    return out[0] if single else out
