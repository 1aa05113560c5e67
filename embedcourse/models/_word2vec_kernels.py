"""Numba kernels of :mod:`embedcourse.models.word2vec` (imported only when training starts).

Kept apart so that ``import embedcourse.models`` does not import numba (a second of start-up);
read :mod:`embedcourse.models.word2vec` first, this file holds its inner loops.

Taught in: chapter 02.
"""

from __future__ import annotations

import numpy as np
from numba import njit


_MAX_EXP = 6.0
_TABLE_SIZE = 1000


def _sigmoid_tables() -> tuple[np.ndarray, np.ndarray]:
    x = (np.arange(_TABLE_SIZE) / _TABLE_SIZE * 2 - 1) * _MAX_EXP
    sig = 1.0 / (1.0 + np.exp(-x))
    return sig.astype(np.float32), np.log(sig).astype(np.float32)


@njit(cache=True, inline="always")
def _lcg(state: np.uint64) -> np.uint64:
    # word2vec.c / gensim: next = next * 25214903917 + 11 (mod 2**48)
    return (state * np.uint64(25214903917) + np.uint64(11)) & np.uint64(281474976710655)


@njit(cache=True, inline="always")
def _bisect_right(table: np.ndarray, value: np.int64) -> np.int64:
    lo = 0
    hi = table.shape[0]
    while lo < hi:
        mid = (lo + hi) >> 1
        if table[mid] <= value:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, inline="always", fastmath=True)
def _negative_sampling_step(h, word, syn1, work, cum_table, cum_last, negative, alpha,
                            sig_table, logsig_table, scale, state):
    """One skip-gram/CBOW update with negative sampling for the input vector ``h``.

    ``word`` is the positive target; ``negative`` noise words are drawn from the unigram^0.75
    table. Each output row ``syn1[target]`` is updated in place; the gradient for ``h`` is
    accumulated in ``work`` (the caller applies it). Returns (loss, rng state).
    """
    dim = h.shape[0]
    loss = 0.0
    for d in range(negative + 1):
        if d == 0:
            target = word
            label = 1.0
        else:
            state = _lcg(state)
            r = np.int64((state >> np.uint64(16)) % np.uint64(cum_last))
            target = _bisect_right(cum_table, r)
            if target == word:
                continue
            label = 0.0
        dot = np.float32(0.0)
        for k in range(dim):
            dot += h[k] * syn1[target, k]
        if dot >= _MAX_EXP or dot <= -_MAX_EXP:
            # gensim skips the update here; the loss is about max(0, -+dot)
            if (label == 1.0) == (dot <= -_MAX_EXP):
                loss += abs(dot)
            continue
        idx = int((dot + _MAX_EXP) * scale)
        f = sig_table[idx]
        if label == 1.0:
            loss -= logsig_table[idx]
        else:
            loss -= logsig_table[_TABLE_SIZE - 1 - idx]
        g = np.float32((label - f) * alpha)
        for k in range(dim):
            work[k] += g * syn1[target, k]
            syn1[target, k] += g * h[k]
    return loss, state


@njit(cache=True, fastmath=True)
def _train_block(
    ids, offsets, s_begin, s_end, syn0, syn1, cum_table, keep_int, sg, window, negative,
    alpha0, min_alpha, words_done, total_words, state_arr, sig_table, logsig_table,
    buf, reduced, work, neu1,
):
    """Train on sentences ``s_begin..s_end``; returns (words seen, loss sum, positive pairs)."""
    dim = syn0.shape[1]
    state = state_arr[0]
    cum_last = np.int64(cum_table[cum_table.shape[0] - 1])
    scale = _TABLE_SIZE / _MAX_EXP / 2.0
    loss = 0.0
    n_pairs = 0
    seen = 0
    for s in range(s_begin, s_end):
        start = offsets[s]
        end = offsets[s + 1]
        alpha = alpha0 - (alpha0 - min_alpha) * (words_done + seen) / total_words
        if alpha < min_alpha:
            alpha = min_alpha
        # 1. subsample the sentence (gensim: keep if sample_int >= a fresh 32-bit random)
        n = 0
        for p in range(start, end):
            w = ids[p]
            state = _lcg(state)
            r32 = (state >> np.uint64(16)) & np.uint64(0xFFFFFFFF)
            if np.uint64(keep_int[w]) >= r32:
                buf[n] = w
                n += 1
        seen += end - start
        # 2. reduced windows
        for p in range(n):
            state = _lcg(state)
            reduced[p] = np.int64((state >> np.uint64(16)) % np.uint64(window))
        # 3. train every (centre, context) pair
        for i in range(n):
            b = window - reduced[i]
            j0 = i - b
            if j0 < 0:
                j0 = 0
            j1 = i + b + 1
            if j1 > n:
                j1 = n
            word = buf[i]
            if sg:
                for j in range(j0, j1):
                    if j == i:
                        continue
                    w2 = buf[j]
                    for k in range(dim):
                        work[k] = 0.0
                    n_pairs += 1
                    step_loss, state = _negative_sampling_step(
                        syn0[w2], word, syn1, work, cum_table, cum_last, negative, alpha,
                        sig_table, logsig_table, scale, state)
                    loss += step_loss
                    for k in range(dim):
                        syn0[w2, k] += work[k]
            else:
                count = 0
                for k in range(dim):
                    neu1[k] = 0.0
                    work[k] = 0.0
                for j in range(j0, j1):
                    if j == i:
                        continue
                    count += 1
                    w2 = buf[j]
                    for k in range(dim):
                        neu1[k] += syn0[w2, k]
                if count == 0:
                    continue
                inv = 1.0 / count
                for k in range(dim):
                    neu1[k] *= inv
                n_pairs += 1
                step_loss, state = _negative_sampling_step(
                    neu1, word, syn1, work, cum_table, cum_last, negative, alpha,
                    sig_table, logsig_table, scale, state)
                loss += step_loss
                for j in range(j0, j1):
                    if j == i:
                        continue
                    w2 = buf[j]
                    for k in range(dim):
                        syn0[w2, k] += work[k]
    state_arr[0] = state
    return seen, loss, n_pairs
