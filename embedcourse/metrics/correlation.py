"""Pearson and Spearman correlation of two paired samples (model scores against human judgements).

- :func:`pearson`: the covariance of the two samples divided by the product of their standard
  deviations (linear agreement);
- :func:`spearman`: Pearson's correlation of their *ranks* (monotone agreement, the usual score
  of word-similarity benchmarks). Tied values share their average rank, as
  ``scipy.stats.rankdata(method="average")`` and ``scipy.stats.spearmanr`` do.

Both are computed in float64; a constant sample has no correlation and raises ``ValueError``.
Oracles in ``tests/test_clustering_metrics.py``: ``scipy.stats.pearsonr`` and ``spearmanr``
(with and without ties), to 1e-12.

Taught in: chapter 09 (used from chapter 01 on through the word benchmarks).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_real_array
from embedcourse.metrics.stats import _rank_rows

__all__ = ["pearson", "spearman"]


def _pair(a: npt.ArrayLike, b: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x = check_real_array(a, "a", 1)
    y = check_real_array(b, "b", 1)
    if x.size != y.size:
        raise ValueError(f"a has {x.size} values and b has {y.size}; they must be paired (same length).")
    if x.size < 2:
        raise ValueError(f"a and b have {x.size} value(s); a correlation needs at least 2 pairs.")
    for name, v in (("a", x), ("b", y)):
        if np.ptp(v) == 0.0:
            raise ValueError(f"{name} is constant; its correlation with anything is undefined.")
    return x, y


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    # scale first so that huge values cannot overflow the sums of squares
    x = (x - x.mean()) / np.abs(x).max()
    y = (y - y.mean()) / np.abs(y).max()
    r = float((x @ y) / np.sqrt((x @ x) * (y @ y)))
    return float(np.clip(r, -1.0, 1.0))


def pearson(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Pearson's correlation coefficient of two paired samples.

    Parameters
    ----------
    a, b : array-like of float, shape (n,)
        Paired values, ``n >= 2``, neither constant.

    Returns
    -------
    float in [-1, 1]

    Examples
    --------
    >>> pearson([1, 2, 3, 4], [2, 4, 6, 9])  # doctest: +ELLIPSIS
    0.99...

    Taught in: chapter 09.
    """
    return _pearson(*_pair(a, b))


def spearman(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Spearman's rank correlation: Pearson's correlation of the average ranks.

    Parameters
    ----------
    a, b : array-like of float, shape (n,)
        Paired values, ``n >= 2``, neither constant. Ties get the mean of the ranks they span.

    Returns
    -------
    float in [-1, 1]

    Examples
    --------
    >>> spearman([1, 2, 3, 4], [1, 4, 9, 100])
    1.0

    Taught in: chapter 09.
    """
    x, y = _pair(a, b)
    return _pearson(_rank_rows(x)[0], _rank_rows(y)[0])
