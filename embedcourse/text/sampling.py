"""Sampling for word2vec's training stream: subsampling, negative sampling, context windows.

The steps mirror gensim's ``Word2Vec`` and the original ``word2vec.c``:

1. :func:`subsample_probs` gives each word the probability of being *kept* during training
   (frequent words such as "the" are dropped most of the time).
2. :func:`negative_table` is the cumulative unigram^0.75 table negatives are drawn from
   (:func:`negative_distribution` is the same distribution as probabilities,
   :func:`draw_negatives` draws from the table).
3. :func:`context_pairs` lists the (centre, context) pairs of dynamic ("reduced") windows.

Taught in: chapter 02.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_array, check_counts, check_float, check_int, check_random_state

__all__ = ["subsample_probs", "negative_distribution", "negative_table", "draw_negatives", "context_pairs"]


def _as_counts(counts: npt.ArrayLike) -> npt.NDArray[np.float64]:
    return check_counts(counts, "counts")


def _powered(counts: npt.ArrayLike, power: float) -> npt.NDArray[np.float64]:
    """``counts ** power`` for finite ``power`` (negative powers favour rare words, as in gensim)."""
    power = check_float("power", power)
    p = _as_counts(counts) ** power
    if not np.isfinite(p).all() or not np.isfinite(p.sum()) or p.sum() == 0:
        raise ValueError(f"counts ** power overflows for power={power:g}; use a smaller |power|.")
    return p


def subsample_probs(counts: npt.ArrayLike, t: float = 1e-3) -> npt.NDArray[np.float64]:
    """Probability of *keeping* each occurrence of a word (frequent-word subsampling).

    gensim's formula (``Word2Vec.prepare_vocab``, the same as ``word2vec.c``): with
    ``f = count / total`` the word's relative frequency,

    ``p_keep = (sqrt(f / t) + 1) * t / f``, clipped to at most 1.

    Words with ``f`` below about ``2.6 t`` are always kept. (The 2013 paper states the
    discard probability ``1 - sqrt(t / f)``; the code uses this smoother variant.)

    Parameters
    ----------
    counts : array-like, shape (V,)
    t : float
        The ``sample`` threshold (gensim's default 1e-3). ``t = 0`` switches subsampling off.

    Returns
    -------
    numpy.ndarray of float64, shape (V,)

    Taught in: chapter 02.
    """
    c = _as_counts(counts)
    t = check_float("t", t, 0, None, hint=" (0 switches subsampling off)")
    if t == 0:
        return np.ones_like(c)
    threshold = t * c.sum()
    return np.minimum((np.sqrt(c / threshold) + 1.0) * threshold / c, 1.0)


def negative_distribution(counts: npt.ArrayLike, power: float = 0.75) -> npt.NDArray[np.float64]:
    """The noise distribution for negative sampling: ``count**power``, normalised.

    Returns
    -------
    numpy.ndarray of float64, shape (V,), sums to 1

    Taught in: chapter 02.
    """
    p = _powered(counts, power)
    return p / p.sum()


def negative_table(counts: npt.ArrayLike, power: float = 0.75, domain: int = 2**31 - 1) -> npt.NDArray[np.int64]:
    """Cumulative table of ``count**power`` scaled to ``[0, domain]`` (gensim's ``cum_table``).

    A negative is drawn by taking a uniform integer ``r`` in ``[0, table[-1])`` and returning
    ``searchsorted(table, r, side="right")``: word ``i`` owns the integers
    ``[table[i-1], table[i])``, a share proportional to ``count_i**power``.

    Returns
    -------
    numpy.ndarray of int64, shape (V,), non-decreasing, ``table[-1] == domain``

    Taught in: chapter 02.
    """
    p = _powered(counts, power)
    domain = check_int("domain", domain, 1, 2**62)
    return np.round(np.cumsum(p) / p.sum() * domain).astype(np.int64)


def draw_negatives(
    table: npt.ArrayLike, size: int | tuple[int, ...], random_state: int | np.random.Generator | None = 0
) -> npt.NDArray[np.int64]:
    """Draw word ids from a :func:`negative_table`.

    Returns
    -------
    numpy.ndarray of int64 with shape ``size``

    Taught in: chapter 02.
    """
    table = as_array(table, "table")
    if table.ndim != 1 or table.size == 0 or not np.issubdtype(table.dtype, np.integer) or table.dtype == bool:
        raise ValueError(
            f"table must be a non-empty 1-d integer array from negative_table; got dtype {table.dtype}, "
            f"shape {table.shape}."
        )
    if table[0] < 0 or table[-1] <= 0 or (np.diff(table) < 0).any():
        raise ValueError("table must be non-decreasing, start >= 0 and end > 0 (the output of negative_table).")
    sizes = size if isinstance(size, tuple) else (size,)
    for s_ in sizes:
        check_int("size", s_, 0, None, hint=" (or a tuple of them)")
    rng = check_random_state(random_state)
    r = rng.integers(0, table[-1], size=size)
    return np.searchsorted(table, r, side="right")


def context_pairs(
    ids: npt.ArrayLike,
    offsets: npt.ArrayLike,
    window: int = 5,
    *,
    dynamic: bool = True,
    random_state: int | np.random.Generator | None = 0,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """All (centre, context) position pairs of word2vec's windows, vectorised.

    With ``dynamic=True`` each position ``i`` gets an effective window ``b_i`` drawn uniformly
    from ``1..window`` (gensim draws ``reduced = randint(0, window)`` and uses
    ``window - reduced``), so a neighbour at distance ``d`` is used with probability
    ``(window - d + 1) / window``: near words count more. Windows stop at sentence ends.

    Parameters
    ----------
    ids : array-like of int, shape (n,)
    offsets : array-like of int, shape (S + 1,)
        Sentence boundaries as returned by :meth:`Vocabulary.encode`.
    window : int
    dynamic : bool
    random_state : int or Generator

    Returns
    -------
    centre, context : numpy.ndarray of int64, shape (P,)
        Token *positions* (index into ``ids``); ``ids[centre]`` are the centre words.

    Taught in: chapter 02.
    """
    ids = as_array(ids, "ids")
    if ids.ndim != 1:
        raise ValueError(f"ids must be a 1-d array of token ids; got shape {ids.shape}.")
    offsets = as_array(offsets, "offsets")
    if offsets.ndim != 1 or offsets.size == 0 or not (np.issubdtype(offsets.dtype, np.integer) or offsets.size == 0):
        raise ValueError(
            f"offsets must be a non-empty 1-d integer array (sentence boundaries from Vocabulary.encode); "
            f"got dtype {offsets.dtype}, shape {offsets.shape}."
        )
    offsets = offsets.astype(np.int64)
    window = check_int("window", window, 1, None)
    n = ids.shape[0]
    if offsets[0] != 0 or offsets[-1] != n or (np.diff(offsets) < 0).any():
        raise ValueError("offsets must start at 0, end at len(ids) and be non-decreasing.")
    sent = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    rng = check_random_state(random_state)
    eff = cast(npt.NDArray[np.int64], window - rng.integers(0, window, size=n) if dynamic else np.full(n, window))
    centres, contexts = [], []
    for d in range(1, window + 1):
        i = np.arange(n - d)
        same = sent[i] == sent[i + d]
        fwd = same & (eff[i] >= d)  # centre i sees i + d
        bwd = same & (eff[i + d] >= d)  # centre i + d sees i
        centres += [i[fwd], i[bwd] + d]
        contexts += [i[fwd] + d, i[bwd]]
    c = np.concatenate(centres) if centres else np.zeros(0, np.int64)
    x = np.concatenate(contexts) if contexts else np.zeros(0, np.int64)
    order = np.lexsort((x, c))
    return c[order], x[order]
