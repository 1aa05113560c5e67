"""Numba kernel of :class:`embedcourse.ann.ivf.IVFIndex`'s search (imported only when searching).

Kept apart so that ``import embedcourse.ann`` does not import numba. Read
:meth:`IVFIndex._scan_lists` first: it computes the same answer with numpy (and is what the
chapter shows); this kernel is its fast version, one query at a time, as faiss does.

For each query, the vectors of its probed lists (stored one list after another, CSR style)
are scored one by one and kept in a sorted array of the ``k`` best so far, ordered by
(score, then tiebreak key): a vector enters only if it beats the current ``k``-th, so most are
rejected after one comparison.

Memory safety. Numba does not check indices (unless ``NUMBA_BOUNDSCHECK=1``).
:func:`scan_ivf` checks every array before the kernel runs (shapes, dtypes, list ids in range,
list starts increasing and ending at the number of rows; with "l2" each row carries its
``||x||^2`` in column ``d``); the kernel also guards itself: list
ids outside ``[0, nlist)`` are skipped, list bounds are clipped to the stored rows, and a result
slot that was never filled keeps position ``-1``. None of these guards fires on valid input.

Taught in: chapter 07.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, fastmath={"reassoc", "contract"})  # reassociation lets the dot product use SIMD
def _ivf_scan(q, probe, n_probe, starts, xs, positions, keys, k, largest, l2, D, P):  # pragma: no cover - compiled
    nq, d = q.shape
    if xs.shape[1] < d + (1 if l2 else 0):
        return
    nlist = starts.shape[0] - 1
    n_rows = xs.shape[0]
    kk = min(k, D.shape[1])
    if kk < 1:
        return
    best_key = np.empty(kk, dtype=np.int64)
    for i in range(min(nq, probe.shape[0], D.shape[0], n_probe.shape[0])):
        filled = 0
        qn = np.float32(0.0)
        if l2:
            for c in range(d):
                qn += q[i, c] * q[i, c]
        for t in range(min(n_probe[i], probe.shape[1])):
            lst = probe[i, t]
            if lst < 0 or lst >= nlist:
                continue
            lo = max(starts[lst], 0)
            hi = min(starts[lst + 1], n_rows, positions.shape[0], keys.shape[0])
            for j in range(lo, hi):
                s = np.float32(0.0)
                for c in range(d):
                    s += q[i, c] * xs[j, c]
                if l2:  # ||q - x||^2 = ||x||^2 (stored in column d) - 2 q.x + ||q||^2
                    s = xs[j, d] - np.float32(2.0) * s + qn
                    if s < 0.0:
                        s = np.float32(0.0)
                # better = larger (ip) or smaller (l2) score; equal scores: the smaller key
                key = keys[j]
                if filled == kk:
                    w = D[i, kk - 1]
                    if largest:
                        worse = s < w or (s == w and key >= best_key[kk - 1])
                    else:
                        worse = s > w or (s == w and key >= best_key[kk - 1])
                    if worse:
                        continue
                    slot = kk - 1
                else:
                    slot = filled
                    filled += 1
                # insertion into the sorted slots 0 .. slot
                while slot > 0:
                    v = D[i, slot - 1]
                    if largest:
                        before = s > v or (s == v and key < best_key[slot - 1])
                    else:
                        before = s < v or (s == v and key < best_key[slot - 1])
                    if not before:
                        break
                    D[i, slot] = D[i, slot - 1]
                    P[i, slot] = P[i, slot - 1]
                    best_key[slot] = best_key[slot - 1]
                    slot -= 1
                D[i, slot] = s
                P[i, slot] = positions[j]
                best_key[slot] = key


def scan_ivf(q: np.ndarray, probe: np.ndarray, n_probe: np.ndarray, starts: np.ndarray, xs: np.ndarray,
             positions: np.ndarray, keys: np.ndarray, k: int, largest: bool,
             l2: bool) -> tuple[np.ndarray, np.ndarray]:
    """Check every array, then run :func:`_ivf_scan`; returns ``(D, positions)`` (n_queries, k)."""
    nq, d = q.shape
    nlist = starts.shape[0] - 1
    n = xs.shape[0]
    ok = (q.dtype == np.float32 and xs.dtype == np.float32 and xs.ndim == 2 and xs.shape[1] == d + l2
          and probe.dtype == np.int64 and probe.ndim == 2 and probe.shape[0] == nq
          and n_probe.dtype == np.int64 and n_probe.shape == (nq,) and (n_probe <= probe.shape[1]).all()
          and starts.dtype == np.int64 and nlist >= 1 and starts[0] == 0 and starts[-1] == n
          and bool(np.all(np.diff(starts) >= 0))
          and positions.dtype == np.int64 and positions.shape == (n,) and keys.dtype == np.int64 and keys.shape == (n,)
          and 1 <= k <= max(n, 1) and (probe.size == 0 or (probe.min() >= 0 and probe.max() < nlist)))
    if not ok:
        raise ValueError("scan_ivf: inconsistent index arrays (a bug, or a corrupt index).")
    D = np.full((nq, k), -np.inf if largest else np.inf, dtype=np.float32)
    P = np.full((nq, k), -1, dtype=np.int64)
    _ivf_scan(q, probe, n_probe, starts, xs, positions, keys, k, largest, l2, D, P)
    return D, P
