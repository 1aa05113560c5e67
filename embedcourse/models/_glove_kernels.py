"""Numba kernels of :mod:`embedcourse.models.glove` (imported only when training starts).

Kept apart so that ``import embedcourse.models`` does not import numba (a second of start-up);
read :mod:`embedcourse.models.glove` first, this file holds its inner loops.

Taught in: chapter 02.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, fastmath=True)
def _glove_epoch(rows, cols, logx, fx, W, Wt, b, bt, gW, gWt, gb, gbt, lr):
    dim = W.shape[1]
    loss = 0.0
    for t in range(rows.shape[0]):
        i = rows[t]
        j = cols[t]
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
