"""Confidence intervals for the figures a chapter compares: the bootstrap, single and paired.

A table that says "MiniLM 0.81, TF-IDF 0.78" invites the reader to call one better. Whether the
data can tell them apart depends on how much the figure would move on another sample of the same
kind of queries. The bootstrap answers that by resampling the evaluation items (queries, word
pairs, documents) with replacement and recomputing the figure each time.

- :func:`bootstrap_ci`: a percentile interval for one figure (the mean of per-item scores, or a
  correlation with human judgements);
- :func:`paired_bootstrap`: the difference between two methods scored on the **same** items,
  resampled jointly (the items are shared, so their difficulty cancels). Its interval excludes
  zero or it does not: :attr:`PairedComparison.verdict` says "significantly better", "significantly
  worse" or "indistinguishable on this data", which is what a chapter may assert.

Everything is float64 and seeded by ``random_state``; the resampled indices are drawn once and
shared by both methods. Oracle in ``tests/test_stats.py``: ``scipy.stats.bootstrap`` (percentile
method, ``paired=True``) gives the same interval within Monte-Carlo error.

Taught in: chapter 03 (and every chapter that compares two methods; the evaluation harness of
chapter 09 is built on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_choice, check_float, check_int, check_random_state

__all__ = ["Interval", "PairedComparison", "bootstrap_ci", "paired_bootstrap"]

_STATISTICS = ("mean", "spearman", "pearson")


@dataclass(frozen=True)
class Interval:
    """A figure and its bootstrap percentile interval.

    Attributes
    ----------
    estimate : float
        The figure on the full sample.
    low, high : float
        The interval's ends.
    confidence : float
        Its nominal coverage (0.95 for a 95% interval).
    n : int
        Number of items resampled.
    """

    estimate: float
    low: float
    high: float
    confidence: float
    n: int

    def __str__(self) -> str:
        pct = round(100 * self.confidence)
        return f"{self.estimate:.3f} [{pct}% CI {self.low:.3f}, {self.high:.3f}]"


@dataclass(frozen=True)
class PairedComparison:
    """Method A against method B on the same items: the difference A - B with its interval.

    Attributes
    ----------
    estimate_a, estimate_b : float
        Each method's figure on the full sample.
    diff : float
        ``estimate_a - estimate_b``.
    low, high : float
        Percentile interval of the difference over paired resamples.
    confidence : float
        Nominal coverage of the interval.
    n : int
        Number of shared items.
    p_value : float
        Two-sided bootstrap p-value of "no difference": twice the smaller share of resampled
        differences on either side of zero (capped at 1; at least ``1 / n_resamples``).
    """

    estimate_a: float
    estimate_b: float
    diff: float
    low: float
    high: float
    confidence: float
    n: int
    p_value: float

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero."""
        return bool(self.low > 0.0 or self.high < 0.0)

    @property
    def verdict(self) -> str:
        """``"significantly better"`` (A over B), ``"significantly worse"`` or
        ``"indistinguishable on this data"``."""
        if self.low > 0.0:
            return "significantly better"
        if self.high < 0.0:
            return "significantly worse"
        return "indistinguishable on this data"

    def __str__(self) -> str:
        pct = round(100 * self.confidence)
        return (f"A - B = {self.diff:+.3f} [{pct}% CI {self.low:+.3f}, {self.high:+.3f}], "
                f"p = {self.p_value:.3g}: {self.verdict}")


def _scores(x: Any, name: str) -> np.ndarray:
    if x is None:
        raise ValueError(f"{name} is None; pass one score per evaluation item (a 1-d array).")
    if isinstance(x, str):
        raise TypeError(f"{name} must be a 1-d array of numbers; got the string {x[:20]!r}.")
    if np.iscomplexobj(x):
        raise TypeError(f"{name} must hold real numbers; got complex values.")
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-d array of numbers; {exc}") from None
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-d (one score per item); got shape {a.shape}.")
    if a.size < 2:
        raise ValueError(f"{name} has {a.size} item(s); a bootstrap needs at least 2.")
    if not np.all(np.isfinite(a)):
        bad = int(np.flatnonzero(~np.isfinite(a))[0])
        raise ValueError(f"{name} contains NaN or inf (first at index {bad}); score every item.")
    return a


def _constant_check(stat: str, **arrays: np.ndarray) -> None:
    if stat == "mean":
        return
    for name, a in arrays.items():
        if np.ptp(a) == 0.0:
            raise ValueError(f"{name} is constant; its {stat} correlation with truth is undefined.")


def _statistic(stat: str, truth: np.ndarray | None) -> Any:
    """Vectorised statistic over rows of resampled scores: (B, n) -> (B,).

    A resample in which the scores (or the truth) are all equal has an undefined correlation;
    it counts as 0 (it can only happen for a handful of items)."""
    if stat == "mean":
        return lambda S, T=None: S.mean(axis=-1)

    def corr(S: np.ndarray, T: np.ndarray) -> np.ndarray:
        if stat == "spearman":
            S, T = _rank_rows(S), _rank_rows(T)
        S = S - S.mean(axis=-1, keepdims=True)
        T = T - T.mean(axis=-1, keepdims=True)
        num = (S * T).sum(axis=-1)
        den = np.sqrt((S * S).sum(axis=-1) * (T * T).sum(axis=-1))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)

    return corr


def _rank_rows(S: np.ndarray) -> np.ndarray:
    """Average ranks along the last axis (ties share their mean rank, as scipy's rankdata)."""
    S = np.atleast_2d(S)
    order = np.argsort(S, axis=-1, kind="stable")
    sorted_ = np.take_along_axis(S, order, axis=-1)
    n = S.shape[-1]
    ranks = np.empty_like(S)
    pos = np.broadcast_to(np.arange(1, n + 1, dtype=np.float64), S.shape)
    # start and end of each run of equal values, row by row
    new = np.ones_like(sorted_, dtype=bool)
    new[:, 1:] = sorted_[:, 1:] != sorted_[:, :-1]
    run_id = np.cumsum(new, axis=-1) - 1
    avg = np.empty_like(sorted_)
    for r in range(S.shape[0]):
        ids = run_id[r]
        sums = np.bincount(ids, weights=pos[r])
        cnts = np.bincount(ids)
        avg[r] = (sums / cnts)[ids]
    np.put_along_axis(ranks, order, avg, axis=-1)
    return ranks


def _index_chunks(n: int, n_resamples: int, random_state: Any, size: int = 256) -> Any:
    """Resampled index rows, ``size`` resamples at a time (memory stays ~size * n, not B * n)."""
    rng = check_random_state(random_state)
    for start in range(0, n_resamples, size):
        yield rng.integers(0, n, size=(min(size, n_resamples - start), n), dtype=np.int32 if n < 2**31 else np.int64)


def _check_common(statistic: str, n_resamples: Any, confidence: Any, truth: Any, n: int) -> tuple:
    check_choice("statistic", statistic, _STATISTICS)
    n_resamples = check_int("n_resamples", n_resamples, 100)
    confidence = check_float("confidence", confidence, 0.5, 0.999)
    if statistic == "mean":
        if truth is not None:
            raise ValueError("truth is only used with statistic='spearman' or 'pearson'; "
                             "drop it for statistic='mean'.")
        t = None
    else:
        if truth is None:
            raise ValueError(f"statistic={statistic!r} correlates scores with truth; pass truth= "
                             f"(the human judgements, one per item).")
        t = _scores(truth, "truth")
        if t.size != n:
            raise ValueError(f"truth has {t.size} items but the scores have {n}; they must align.")
        if np.ptp(t) == 0.0:
            raise ValueError("truth is constant; a correlation with it is undefined.")
    return n_resamples, confidence, t


def bootstrap_ci(scores: npt.ArrayLike, *, truth: npt.ArrayLike | None = None, statistic: str = "mean",
                 n_resamples: int = 2000, confidence: float = 0.95, random_state: Any = 0) -> Interval:
    """Percentile bootstrap interval of one figure.

    Parameters
    ----------
    scores : array_like, shape (n,)
        One score per evaluation item: a reciprocal rank or a hit (0/1) per query for
        ``statistic="mean"``, or a model's similarity per word pair for a correlation.
    truth : array_like, shape (n,), optional
        Human judgements, required for ``statistic="spearman"`` or ``"pearson"``.
    statistic : {"mean", "spearman", "pearson"}
        The figure computed on each resample.
    n_resamples : int
        Number of bootstrap resamples (at least 100).
    confidence : float
        Nominal coverage, in [0.5, 0.999].
    random_state : int or numpy.random.Generator
        Seed of the resampling.

    Returns
    -------
    Interval
    """
    s = _scores(scores, "scores")
    n_resamples, confidence, t = _check_common(statistic, n_resamples, confidence, truth, s.size)
    _constant_check(statistic, scores=s)
    f = _statistic(statistic, t)
    est = float(f(s[None, :], None if t is None else t[None, :])[0])
    boot = np.concatenate([f(s[i], None if t is None else t[i])
                           for i in _index_chunks(s.size, n_resamples, random_state)])
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(boot, [alpha, 1.0 - alpha])
    return Interval(est, float(low), float(high), confidence, int(s.size))


def paired_bootstrap(scores_a: npt.ArrayLike, scores_b: npt.ArrayLike, *, truth: npt.ArrayLike | None = None,
                     statistic: str = "mean", n_resamples: int = 2000, confidence: float = 0.95,
                     random_state: Any = 0) -> PairedComparison:
    """Paired bootstrap of the difference between two methods scored on the same items.

    Parameters
    ----------
    scores_a, scores_b : array_like, shape (n,)
        Per-item scores of method A and method B, item ``i`` the same in both (the same query,
        the same word pair).
    truth : array_like, shape (n,), optional
        Human judgements, required for ``statistic="spearman"`` or ``"pearson"``: the figure is
        then each method's correlation with ``truth``, and the difference of the correlations
        is resampled.
    statistic : {"mean", "spearman", "pearson"}
        The figure computed on each resample.
    n_resamples : int
        Number of bootstrap resamples (at least 100).
    confidence : float
        Nominal coverage, in [0.5, 0.999].
    random_state : int or numpy.random.Generator
        Seed of the resampling.

    Returns
    -------
    PairedComparison
        ``verdict`` is "significantly better" when the interval of A - B lies above zero.
    """
    a = _scores(scores_a, "scores_a")
    b = _scores(scores_b, "scores_b")
    if a.size != b.size:
        raise ValueError(f"scores_a has {a.size} items and scores_b {b.size}; a paired comparison "
                         f"scores both methods on the same items.")
    n_resamples, confidence, t = _check_common(statistic, n_resamples, confidence, truth, a.size)
    _constant_check(statistic, scores_a=a, scores_b=b)
    f = _statistic(statistic, t)
    full_t = None if t is None else t[None, :]
    est_a = float(f(a[None, :], full_t)[0])
    est_b = float(f(b[None, :], full_t)[0])
    diffs = np.concatenate([f(a[i], None if t is None else t[i]) - f(b[i], None if t is None else t[i])
                            for i in _index_chunks(a.size, n_resamples, random_state)])
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(diffs, [alpha, 1.0 - alpha])
    below = float(np.mean(diffs <= 0.0))
    above = float(np.mean(diffs >= 0.0))
    p = min(1.0, max(2.0 * min(below, above), 1.0 / n_resamples))
    return PairedComparison(est_a, est_b, est_a - est_b, float(low), float(high), confidence,
                            int(a.size), p)
