"""Numba kernels of :mod:`embedcourse.models.glove` (imported only when training starts).

Kept apart so that ``import embedcourse.models`` does not import numba (a second of start-up);
read :mod:`embedcourse.models.glove` first, this file holds its inner loops.

Memory safety. Numba does not check indices (unless ``NUMBA_BOUNDSCHECK=1``), so
:meth:`GloVe.fit` validates every hyperparameter and :func:`check_epoch_inputs` every array
before the kernel runs. The kernel also guards itself: it only visits entries that every
index array holds, skips a pair ``(i, j)`` outside the rows of ``W``/``W~`` (and of their
biases and AdaGrad sums), and returns ``-1.0`` without touching anything if the matrices do
not have the same number of columns. A NaN or infinite learning rate or weight cannot move
an index (indices come only from ``rows`` and ``cols``), it only spoils the values. None of
these guards fires on valid input, so the vectors are bit-identical to the unguarded loop.

Taught in: chapter 02.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["check_epoch_inputs", "warm_up"]


@njit(cache=True, fastmath=True)
def _glove_epoch(rows, cols, logx, fx, W, Wt, b, bt, gW, gWt, gb, gbt, lr):
    """One AdaGrad pass over the non-zeros; returns the summed loss (``-1.0`` if shapes disagree)."""
    dim = W.shape[1]
    if Wt.shape[1] != dim or gW.shape[1] != dim or gWt.shape[1] != dim:
        return -1.0
    n_rows = min(W.shape[0], gW.shape[0], b.shape[0], gb.shape[0])
    n_cols = min(Wt.shape[0], gWt.shape[0], bt.shape[0], gbt.shape[0])
    n = min(rows.shape[0], cols.shape[0], logx.shape[0], fx.shape[0])
    loss = 0.0
    for t in range(n):
        i = rows[t]
        j = cols[t]
        if i < 0 or i >= n_rows or j < 0 or j >= n_cols:  # never on valid input
            continue
        diff = b[i] + bt[j] - logx[t]
        for k in range(dim):
            diff += W[i, k] * Wt[j, k]
        fd = fx[t] * diff
        loss += 0.5 * fd * diff
        for k in range(dim):
            g1 = fd * Wt[j, k]
            g2 = fd * W[i, k]
            W[i, k] -= lr * g1 / np.sqrt(gW[i, k])
            Wt[j, k] -= lr * g2 / np.sqrt(gWt[j, k])
            gW[i, k] += g1 * g1
            gWt[j, k] += g2 * g2
        b[i] -= lr * fd / np.sqrt(gb[i])
        bt[j] -= lr * fd / np.sqrt(gbt[j])
        gb[i] += fd * fd
        gbt[j] += fd * fd
    return loss


def check_epoch_inputs(rows, cols, logx, fx, W, Wt, b, bt, gW, gWt, gb, gbt, lr) -> None:
    """Raise ``ValueError`` unless the arguments of :func:`_glove_epoch` fit together.

    ``W, Wt, gW, gWt`` float32 of shape (V, d); ``b, bt, gb, gbt`` float32 of shape (V,);
    ``rows, cols`` integer ids in ``[0, V)`` and ``logx, fx`` finite float32, all of shape
    (nnz,); ``fx`` in ``[0, 1]``; ``lr`` a finite positive float32.
    """
    V, d = W.shape if W.ndim == 2 else (-1, -1)
    for name, a in (("W", W), ("Wt", Wt), ("gW", gW), ("gWt", gWt)):
        if a.shape != (V, d) or a.dtype != np.float32 or V < 1 or d < 1:
            raise ValueError(f"{name} must be float32 of shape (V, d) = {W.shape}; got {a.dtype} {a.shape}.")
    for name, a in (("b", b), ("bt", bt), ("gb", gb), ("gbt", gbt)):
        if a.shape != (V,) or a.dtype != np.float32:
            raise ValueError(f"{name} must be float32 of shape (V,) = ({V},); got {a.dtype} {a.shape}.")
    n = rows.shape[0] if rows.ndim == 1 else -1
    for name, a in (("rows", rows), ("cols", cols), ("logx", logx), ("fx", fx)):
        if a.ndim != 1 or a.shape[0] != n:
            raise ValueError(f"{name} must be 1-d with one entry per non-zero ({n}); got shape {a.shape}.")
    for name, a in (("rows", rows), ("cols", cols)):
        if not np.issubdtype(a.dtype, np.integer):
            raise ValueError(f"{name} must hold integer ids; got dtype {a.dtype}.")
        if n and (a.min() < 0 or a.max() >= V):
            raise ValueError(f"{name} must lie in [0, {V}); got values from {a.min()} to {a.max()}.")
    for name, a in (("logx", logx), ("fx", fx)):
        if a.dtype != np.float32 or not np.isfinite(a).all():
            raise ValueError(f"{name} must be finite float32.")
    if n and (fx.min() < 0 or fx.max() > 1):
        raise ValueError(f"fx (the weights f(X_ij)) must lie in [0, 1]; got {fx.min()} to {fx.max()}.")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite positive float; got {lr}.")


def warm_up(rows, cols, logx, fx, W, lr) -> None:
    """Compile (or load from numba's cache) :func:`_glove_epoch` for these argument types.

    Runs the kernel once on a one-entry problem of the same dtypes, so that a timing started
    afterwards measures training only, not JIT compilation.
    """
    r = np.zeros(1, dtype=rows.dtype)
    c = np.zeros(1, dtype=cols.dtype)
    lx = np.zeros(1, dtype=logx.dtype)
    f = np.zeros(1, dtype=fx.dtype)
    m = [np.zeros((1, 1), dtype=W.dtype) for _ in range(4)]
    v = [np.ones(1, dtype=W.dtype) for _ in range(4)]
    m[2][:] = 1.0
    m[3][:] = 1.0
    _glove_epoch(r, c, lx, f, m[0], m[1], v[0], v[1], m[2], m[3], v[2], v[3], lr)
