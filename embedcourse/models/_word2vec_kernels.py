"""Numba kernels of :mod:`embedcourse.models.word2vec` (imported only when training starts).

Kept apart so that ``import embedcourse.models`` does not import numba (a second of start-up);
read :mod:`embedcourse.models.word2vec` first, this file holds its inner loops.

Memory safety. Numba does not check indices (unless ``NUMBA_BOUNDSCHECK=1``), so a bad index
here would silently read or write outside an array. :meth:`Word2Vec.fit` validates every
hyperparameter and :func:`check_train_inputs` every array before a kernel runs; the kernels
also guard themselves, so that nothing that slips past those checks can reach outside an array:
ids outside ``[0, V)`` are skipped, sentence bounds are clipped to ``ids``, at most
``len(buf)`` words of a sentence are kept, a drawn noise word is clipped to ``[0, V)``, the
sigmoid-table index is clipped to ``[0, TABLE_SIZE)`` (a NaN or infinite dot product, e.g.
after a NaN learning rate, lands at an end of the table instead of at a random address), and a
block whose arrays do not fit together (or whose noise table ends at 0) returns ``-1`` words
seen without touching anything. None of these guards fires on valid input, so the vectors are
bit-identical to the unguarded loop.

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
def _bisect_right(table: np.ndarray, value: np.int64) -> int:
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
def _negative_sampling_step(h, word, syn1, work, cum_table, cum_last, n_rows, negative, alpha,
                            sig_table, logsig_table, scale, state):
    """One skip-gram/CBOW update with negative sampling for the input vector ``h``.

    ``word`` is the positive target; ``negative`` noise words are drawn from the unigram^0.75
    table. Each output row ``syn1[target]`` is updated in place; the gradient for ``h`` is
    accumulated in ``work`` (the caller applies it). Returns (loss, rng state).

    The caller guarantees ``0 <= word < n_rows <= min(len(syn1), len(cum_table))``,
    ``cum_last >= 1`` and ``len(h) == syn1.shape[1] <= len(work)``; a noise word and the table
    index are clipped here, so even a garbage ``cum_table`` or a NaN ``dot`` stays in bounds.
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
            if target >= n_rows:  # only if cum_table is not non-decreasing
                target = n_rows - 1
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
        # in [0, TABLE_SIZE) whenever -MAX_EXP < dot < MAX_EXP; a NaN dot passes the test above
        # (and fastmath may drop an isnan test), so clip the integer itself
        if idx < 0:
            idx = 0
        elif idx > _TABLE_SIZE - 1:
            idx = _TABLE_SIZE - 1
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
    """Train on sentences ``s_begin..s_end``; returns (words seen, loss sum, positive pairs).

    Returns ``(-1, 0.0, 0)`` and changes nothing if the arrays do not fit together (see
    :func:`check_train_inputs`, which the model runs first and which says what is wrong).
    """
    dim = syn0.shape[1]
    # rows every id may index: syn0, syn1, keep_int and cum_table all have V rows
    n_rows = min(syn0.shape[0], syn1.shape[0], keep_int.shape[0], cum_table.shape[0])
    cap = min(buf.shape[0], reduced.shape[0])  # longest sentence the buffers hold
    if (n_rows < 1 or syn1.shape[1] != dim or work.shape[0] < dim or neu1.shape[0] != dim
            or sig_table.shape[0] < _TABLE_SIZE or logsig_table.shape[0] < _TABLE_SIZE
            or state_arr.shape[0] < 1 or offsets.shape[0] < 1 or window < 1 or negative < 0
            or total_words <= 0.0):
        return -1, 0.0, 0
    cum_last = np.int64(cum_table[cum_table.shape[0] - 1])
    if cum_last <= 0:
        return -1, 0.0, 0
    if s_begin < 0:
        s_begin = 0
    if s_end > offsets.shape[0] - 1:
        s_end = offsets.shape[0] - 1
    n_ids = ids.shape[0]
    state = state_arr[0]
    scale = _TABLE_SIZE / _MAX_EXP / 2.0
    loss = 0.0
    n_pairs = 0
    seen = 0
    for s in range(s_begin, s_end):
        start = offsets[s]
        end = offsets[s + 1]
        if start < 0:
            start = 0
        if end > n_ids:
            end = n_ids
        if end < start:
            end = start
        alpha = alpha0 - (alpha0 - min_alpha) * (words_done + seen) / total_words
        if alpha < min_alpha:
            alpha = min_alpha
        # 1. subsample the sentence (gensim: keep if sample_int >= a fresh 32-bit random)
        n = 0
        for p in range(start, end):
            w = ids[p]
            if w < 0 or w >= n_rows or n >= cap:  # never on valid input
                continue
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
                        syn0[w2], word, syn1, work, cum_table, cum_last, n_rows, negative, alpha,
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
                    neu1, word, syn1, work, cum_table, cum_last, n_rows, negative, alpha,
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


def check_train_inputs(ids, offsets, syn0, syn1, cum_table, keep_int, window, negative, state_arr,
                       sig_table, logsig_table, buf, reduced, work, neu1) -> None:
    """Raise ``ValueError`` unless the arrays passed to :func:`_train_block` fit together.

    ``syn0, syn1`` float32 of shape (V, d); ``keep_int`` uint32 and ``cum_table`` int64 of
    shape (V,), ``cum_table`` non-decreasing with a positive last entry; ``ids`` integer ids in
    ``[0, V)``; ``offsets`` from 0 to ``len(ids)``, non-decreasing; ``buf`` and ``reduced``
    at least as long as the longest sentence; ``work, neu1`` float32 of shape (d,); the two
    sigmoid tables of length ``_TABLE_SIZE``; ``state_arr`` one uint64; ``window >= 1``,
    ``negative >= 0``. Costs one pass over ``ids`` (milliseconds for millions of words).
    """
    if syn0.ndim != 2 or syn0.shape[0] < 1 or syn0.shape[1] < 1 or syn0.dtype != np.float32:
        raise ValueError(f"syn0 must be float32 of shape (V, d) with V, d >= 1; got {syn0.dtype} {syn0.shape}.")
    V, d = syn0.shape
    if syn1.shape != (V, d) or syn1.dtype != np.float32:
        raise ValueError(f"syn1 must be float32 of shape {syn0.shape}; got {syn1.dtype} {syn1.shape}.")
    if keep_int.shape != (V,) or keep_int.dtype != np.uint32:
        raise ValueError(f"keep_int must be uint32 of shape ({V},); got {keep_int.dtype} {keep_int.shape}.")
    if cum_table.shape != (V,) or cum_table.dtype != np.int64:
        raise ValueError(f"cum_table must be int64 of shape ({V},); got {cum_table.dtype} {cum_table.shape}.")
    if cum_table[-1] <= 0 or (cum_table[0] < 0) or (V > 1 and (np.diff(cum_table) < 0).any()):
        raise ValueError("cum_table must be non-negative, non-decreasing and end above 0 (is ns_exponent finite?).")
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 1-d integer array; got {ids.dtype} {ids.shape}.")
    if ids.size and (ids.min() < 0 or ids.max() >= V):
        raise ValueError(f"ids must lie in [0, {V}); got values from {ids.min()} to {ids.max()}.")
    if offsets.ndim != 1 or offsets.shape[0] < 1 or offsets[0] != 0 or offsets[-1] != ids.shape[0]:
        raise ValueError(f"offsets must run from 0 to len(ids) = {ids.shape[0]}.")
    lengths = np.diff(offsets)
    if (lengths < 0).any():
        raise ValueError("offsets must be non-decreasing.")
    longest = int(lengths.max()) if lengths.size else 0
    for name, a in (("buf", buf), ("reduced", reduced)):
        if a.ndim != 1 or a.shape[0] < longest:
            raise ValueError(f"{name} must hold the longest sentence ({longest} words); got shape {a.shape}.")
    for name, a in (("work", work), ("neu1", neu1)):
        if a.shape != (d,) or a.dtype != np.float32:
            raise ValueError(f"{name} must be float32 of shape ({d},); got {a.dtype} {a.shape}.")
    for name, a in (("sig_table", sig_table), ("logsig_table", logsig_table)):
        if a.shape != (_TABLE_SIZE,) or not np.isfinite(a).all():
            raise ValueError(f"{name} must be a finite table of shape ({_TABLE_SIZE},); got {a.shape}.")
    if state_arr.shape != (1,) or state_arr.dtype != np.uint64:
        raise ValueError(f"state_arr must be one uint64; got {state_arr.dtype} {state_arr.shape}.")
    if window < 1 or negative < 0:
        raise ValueError(f"need window >= 1 and negative >= 0; got window={window}, negative={negative}.")
    if ids.shape[0] == 0:
        raise ValueError("no in-vocabulary words to train on.")


def warm_up(ids, offsets, syn0, cum_table, keep_int, state_arr, sig_table, buf, reduced, sg) -> None:
    """Compile (or load from numba's cache) :func:`_train_block` for these argument types.

    Trains one epoch on a two-word dummy corpus with arrays of the same dtypes as the real
    ones (its own arrays and random state: the real model is untouched), so that a timing
    started afterwards measures training only, not JIT compilation.
    """
    V, d = 2, 1
    t_ids = np.array([0, 1], dtype=ids.dtype)
    t_off = np.array([0, 2], dtype=offsets.dtype)
    t_syn0 = np.zeros((V, d), dtype=syn0.dtype)
    t_syn1 = np.zeros((V, d), dtype=syn0.dtype)
    t_cum = np.array([1, 2], dtype=cum_table.dtype)
    t_keep = np.full(V, np.iinfo(np.uint32).max, dtype=keep_int.dtype)
    t_state = np.ones(1, dtype=state_arr.dtype)
    t_sig = np.zeros(_TABLE_SIZE, dtype=sig_table.dtype)
    t_buf = np.zeros(2, dtype=buf.dtype)
    t_red = np.zeros(2, dtype=reduced.dtype)
    t_work = np.zeros(d, dtype=syn0.dtype)
    t_neu1 = np.zeros(d, dtype=syn0.dtype)
    _train_block(t_ids, t_off, 0, 1, t_syn0, t_syn1, t_cum, t_keep, int(sg), 1, 1, 0.025, 0.0001,
                 0.0, 2.0, t_state, t_sig, t_sig.copy(), t_buf, t_red, t_work, t_neu1)


@njit(cache=True)
def _sgns_pairs(W, U, centres, contexts, negatives, alpha, losses):
    """Exact-sigmoid SGNS SGD over an explicit pair stream (float64; see ``word2vec.sgns_epoch``).

    Returns the number of pairs trained, or ``-1`` without touching anything if the arrays do not
    fit together. Like the other kernels it guards itself: a pair whose centre, context or noise
    word lies outside the rows of ``W`` and ``U`` is skipped (``sgns_epoch`` rejects such ids first,
    so this never fires on its input).
    """
    n_rows = min(W.shape[0], U.shape[0])
    dim = W.shape[1]
    n_neg = negatives.shape[1]
    n = min(centres.shape[0], contexts.shape[0], negatives.shape[0], losses.shape[0])
    if U.shape[1] != dim or n_rows < 1:
        return -1
    scores = np.empty(n_neg + 1)
    grad_w = np.empty(dim)
    targets = np.empty(n_neg + 1, dtype=np.int64)
    done = 0
    for t in range(n):
        w = centres[t]
        ok = 0 <= w < n_rows and 0 <= contexts[t] < n_rows
        for k in range(n_neg):
            if not (0 <= negatives[t, k] < n_rows):
                ok = False
        if not ok:  # never on valid input
            continue
        targets[0] = contexts[t]
        for k in range(n_neg):
            targets[k + 1] = negatives[t, k]
        # all scores use the vectors as they were before this pair's update
        for k in range(n_neg + 1):
            s = 0.0
            for j in range(dim):
                s += U[targets[k], j] * W[w, j]
            scores[k] = s
        loss = np.logaddexp(0.0, -scores[0])
        for k in range(1, n_neg + 1):
            loss += np.logaddexp(0.0, scores[k])
        losses[t] = loss
        for j in range(dim):
            grad_w[j] = 0.0
        for k in range(n_neg + 1):
            label = 1.0 if k == 0 else 0.0
            g = alpha * (label - 1.0 / (1.0 + np.exp(-scores[k])))
            for j in range(dim):
                grad_w[j] += g * U[targets[k], j]
        for k in range(n_neg + 1):
            label = 1.0 if k == 0 else 0.0
            g = alpha * (label - 1.0 / (1.0 + np.exp(-scores[k])))
            for j in range(dim):
                U[targets[k], j] += g * W[w, j]
        for j in range(dim):
            W[w, j] += grad_w[j]
        done += 1
    return done
