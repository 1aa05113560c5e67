"""The Word Embedding Association Test (WEAT) of Caliskan, Bryson and Narayanan (2017).

Two sets of target words ``X`` and ``Y`` (male and female first names, say) are compared with
two sets of attribute words ``A`` and ``B`` (career and family words). Each target word gets
the association score

    s(w) = mean_{a in A} cos(w, a) - mean_{b in B} cos(w, b),

the test statistic is ``S = sum_{x in X} s(x) - sum_{y in Y} s(y)``, the effect size is
``(mean_X s - mean_Y s) / std_{X u Y} s`` (sample standard deviation, ``ddof=1``), and the
one-sided p-value is the share of all equal-size re-partitions of ``X u Y`` whose statistic is
at least the observed one.

Portability: the scores and every statistic are computed in float64, and the observed
partition is counted *by identity* (it is always one of the partitions), while every other
partition counts when its statistic reaches the observed one up to a stated tolerance. A
recomputed sum of the same numbers in another order may land a few ulps below itself; counting
the observed split by recomputation then gives an impossible p = 0 on some CPUs.

Taught in: chapter 01.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_matrix, check_int, check_random_state
from embedcourse.ops import normalize_rows

__all__ = ["WEATResult", "weat_scores", "weat"]

#: relative tolerance under which another partition's statistic counts as equal to the observed
WEAT_RTOL = 1e-9


@dataclass(frozen=True)
class WEATResult:
    """Outcome of :func:`weat`.

    Attributes
    ----------
    effect_size : float
        Difference of the mean association of X and Y, in units of the pooled sample standard
        deviation of all target scores.
    statistic : float
        ``sum s(X) - sum s(Y)``.
    p_value : float
        One-sided permutation p-value (share of partitions at least as extreme, the observed
        one included), so never below ``1 / n_partitions``.
    n_partitions : int
        Partitions evaluated: all of them when ``exact``, else the observed one plus the samples.
    exact : bool
        Whether every partition was enumerated.
    scores_x, scores_y : numpy.ndarray, float64
        ``s(w)`` of each word of X and of Y.
    """

    effect_size: float
    statistic: float
    p_value: float
    n_partitions: int
    exact: bool
    scores_x: np.ndarray
    scores_y: np.ndarray


def weat_scores(T: npt.ArrayLike, A: npt.ArrayLike, B: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Association score ``s(w)`` of each target vector with attribute sets A and B, in float64.

    Parameters
    ----------
    T : array-like, shape (n, d)
        Target word vectors (one row per word).
    A, B : array-like, shapes (n_a, d) and (n_b, d)
        Attribute word vectors.

    Returns
    -------
    numpy.ndarray, shape (n,), float64
        ``mean_a cos(t, a) - mean_b cos(t, b)`` for each row ``t`` of ``T``.

    Taught in: chapter 01.
    """
    return _scores(T, A, B, "T")


def _scores(T: Any, A: Any, B: Any, t_name: str) -> npt.NDArray[np.float64]:
    Tu = normalize_rows(as_matrix(T, t_name, dtype=np.float64), name=t_name)
    Au = normalize_rows(as_matrix(A, "A", dtype=np.float64), name="A")
    Bu = normalize_rows(as_matrix(B, "B", dtype=np.float64), name="B")
    d = Tu.shape[1]
    for name, M in (("A", Au), ("B", Bu)):
        if M.shape[1] != d:
            raise ValueError(f"{name} has {M.shape[1]} columns but {t_name} has {d}; all vectors must share one dimension.")
    result: npt.NDArray[np.float64] = (Tu @ Au.T).mean(axis=1) - (Tu @ Bu.T).mean(axis=1)
    return result


def weat(
    X: npt.ArrayLike,
    Y: npt.ArrayLike,
    A: npt.ArrayLike,
    B: npt.ArrayLike,
    *,
    max_exact: int = 1_000_000,
    n_resamples: int = 100_000,
    random_state: int | np.random.Generator | None = 0,
) -> WEATResult:
    """WEAT effect size and one-sided permutation p-value.

    Parameters
    ----------
    X, Y : array-like, shapes (n_x, d) and (n_y, d)
        Vectors of the two target sets; ``n_x == n_y`` as in the original test.
    A, B : array-like, shapes (n_a, d) and (n_b, d)
        Vectors of the two attribute sets.
    max_exact : int
        Enumerate every partition when there are at most this many; otherwise sample.
    n_resamples : int
        Random partitions drawn when the test is not exact (the observed one is added).
    random_state : int, numpy Generator or None
        Seeds the sampled partitions (unused when exact).

    Returns
    -------
    WEATResult

    Notes
    -----
    The p-value is ``(1 + #{other partitions with S_i >= S_obs - tol}) / n_partitions`` with
    ``tol = WEAT_RTOL * sum |s|``: the observed partition counts by identity, never by a
    recomputed sum. Checked against ``scipy.stats.permutation_test`` in ``tests/test_bias.py``.

    Taught in: chapter 01.
    """
    X = as_matrix(X, "X", dtype=np.float64)
    Y = as_matrix(Y, "Y", dtype=np.float64)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must hold the same number of words; got {X.shape[0]} and {Y.shape[0]}.")
    if X.shape[0] < 2:
        raise ValueError(f"X and Y need at least 2 words each; got {X.shape[0]}.")
    max_exact = check_int("max_exact", max_exact, 1)
    n_resamples = check_int("n_resamples", n_resamples, 1, 10_000_000)
    s_x = _scores(X, A, B, "X")
    s_y = _scores(Y, A, B, "Y")
    s_all = np.concatenate([s_x, s_y])
    n, m = s_all.size, s_x.size
    spread = s_all.std(ddof=1)
    if not spread > 0:
        raise ValueError("every target word has the same association score; the effect size is undefined.")
    effect = float((s_x.mean() - s_y.mean()) / spread)
    observed = float(s_x.sum() - s_y.sum())
    total = float(s_all.sum())
    tol = WEAT_RTOL * float(np.abs(s_all).sum())
    n_splits = math.comb(n, m)
    exact = n_splits <= max_exact
    if exact:
        splits = np.array(list(combinations(range(n), m)), dtype=np.int64)
        is_observed = (splits == np.arange(m)).all(axis=1)  # X is the first m entries of s_all
        others = splits[~is_observed]
    else:
        rng = check_random_state(random_state)
        others = np.argsort(rng.random((n_resamples, n)), axis=1)[:, :m]
    stats = 2.0 * s_all[others].sum(axis=1) - total
    at_least = 1 + int(np.count_nonzero(stats >= observed - tol))
    n_partitions = others.shape[0] + 1
    return WEATResult(effect, observed, at_least / n_partitions, n_partitions, exact, s_x, s_y)
