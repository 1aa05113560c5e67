"""Tests for embedcourse.metrics.stats: bootstrap intervals, single and paired.

Oracle: ``scipy.stats.bootstrap`` (percentile method; ``paired=True`` for two methods). The two
draw different resamples, so the intervals agree within Monte-Carlo error, not bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as ss

from embedcourse.metrics import Interval, PairedComparison, bootstrap_ci, paired_bootstrap
from embedcourse.metrics.stats import _rank_rows


@pytest.fixture
def paired_scores() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    a = rng.random(400)
    b = np.clip(a - 0.04 + rng.normal(0, 0.15, 400), 0, 1)
    return a, b


def test_mean_interval_matches_scipy(paired_scores):
    a, _ = paired_scores
    ours = bootstrap_ci(a, n_resamples=5000, random_state=1)
    ref = ss.bootstrap((a,), np.mean, method="percentile", n_resamples=5000, random_state=1).confidence_interval
    assert isinstance(ours, Interval)
    assert ours.estimate == pytest.approx(a.mean(), rel=1e-12)
    # Monte-Carlo error of a 95% percentile end with 5000 resamples is ~1e-3 here
    assert ours.low == pytest.approx(ref.low, abs=4e-3)
    assert ours.high == pytest.approx(ref.high, abs=4e-3)
    assert ours.low < ours.estimate < ours.high


def test_paired_mean_matches_scipy(paired_scores):
    a, b = paired_scores
    ours = paired_bootstrap(a, b, n_resamples=5000, random_state=2)
    ref = ss.bootstrap((a, b), lambda x, y, axis=-1: x.mean(axis) - y.mean(axis), paired=True,
                       method="percentile", n_resamples=5000, random_state=2).confidence_interval
    assert ours.diff == pytest.approx(a.mean() - b.mean(), rel=1e-12)
    assert ours.low == pytest.approx(ref.low, abs=3e-3)
    assert ours.high == pytest.approx(ref.high, abs=3e-3)
    assert ours.significant and ours.verdict == "significantly better"
    flipped = paired_bootstrap(b, a, n_resamples=5000, random_state=2)
    assert flipped.verdict == "significantly worse"
    assert flipped.low == pytest.approx(-ours.high, abs=1e-12)


def test_pairing_narrows_the_interval(paired_scores):
    """Shared item difficulty cancels: the paired interval is much narrower than two separate ones."""
    a, b = paired_scores
    paired = paired_bootstrap(a, b)
    ia, ib = bootstrap_ci(a), bootstrap_ci(b)
    assert (paired.high - paired.low) < 0.6 * ((ia.high - ia.low) + (ib.high - ib.low)) / 2


def test_identical_methods_are_indistinguishable(paired_scores):
    a, _ = paired_scores
    r = paired_bootstrap(a, a.copy())
    assert r.diff == 0.0 and r.low == 0.0 and r.high == 0.0
    assert not r.significant and r.verdict == "indistinguishable on this data"
    assert r.p_value == 1.0


def test_spearman_difference_matches_scipy():
    rng = np.random.default_rng(3)
    y = rng.random(150)
    p1 = y + rng.normal(0, 0.4, 150)
    p2 = y + rng.normal(0, 0.8, 150)
    ours = paired_bootstrap(p1, p2, truth=y, statistic="spearman", n_resamples=3000, random_state=4)
    full = ss.spearmanr(p1, y)[0] - ss.spearmanr(p2, y)[0]
    assert ours.diff == pytest.approx(full, rel=1e-9)
    ref = ss.bootstrap((p1, p2, y), lambda a, b, t: ss.spearmanr(a, t)[0] - ss.spearmanr(b, t)[0],
                       paired=True, vectorized=False, method="percentile", n_resamples=3000,
                       random_state=4).confidence_interval
    assert ours.low == pytest.approx(ref.low, abs=0.015)
    assert ours.high == pytest.approx(ref.high, abs=0.015)


def test_pearson_estimate_matches_scipy():
    rng = np.random.default_rng(5)
    y = rng.random(80)
    p = y + rng.normal(0, 0.3, 80)
    r = bootstrap_ci(p, truth=y, statistic="pearson")
    assert r.estimate == pytest.approx(ss.pearsonr(p, y)[0], rel=1e-9)


def test_rank_rows_matches_rankdata_with_ties():
    rng = np.random.default_rng(0)
    S = rng.integers(0, 5, size=(20, 30)).astype(np.float64)
    np.testing.assert_allclose(_rank_rows(S), ss.rankdata(S, axis=1))


def test_deterministic_and_seeded(paired_scores):
    a, b = paired_scores
    assert paired_bootstrap(a, b, random_state=9) == paired_bootstrap(a, b, random_state=9)
    assert paired_bootstrap(a, b, random_state=9) != paired_bootstrap(a, b, random_state=10)
    assert isinstance(paired_bootstrap(a, b, random_state=np.random.default_rng(1)), PairedComparison)


def test_str_reports_the_verdict(paired_scores):
    a, b = paired_scores
    text = str(paired_bootstrap(a, b))
    assert "95% CI" in text and "significantly better" in text
    assert "95% CI" in str(bootstrap_ci(a))


@pytest.mark.parametrize("kwargs, match", [
    ({"scores_a": [1.0, np.nan, 2.0]}, "scores_a contains NaN"),
    ({"scores_b": [1.0, 2.0]}, "scores_a has 3 items and scores_b 2"),
    ({"scores_a": [[1.0, 2.0, 3.0]]}, "scores_a must be 1-d"),
    ({"scores_a": [1.0]}, "at least 2"),
    ({"scores_a": "abc"}, "scores_a must be a 1-d array of numbers"),
    ({"statistic": "median"}, "statistic"),
    ({"statistic": "spearman"}, "pass truth="),
    ({"truth": [1.0, 2.0, 3.0]}, "truth is only used"),
    ({"statistic": "spearman", "truth": [1.0, 2.0]}, "truth has 2 items"),
    ({"statistic": "spearman", "truth": [1.0, 1.0, 1.0]}, "truth is constant"),
    ({"statistic": "spearman", "truth": [1.0, 2.0, 3.0], "scores_b": [5.0, 5.0, 5.0]}, "scores_b is constant"),
    ({"n_resamples": 10}, "n_resamples"),
    ({"confidence": 1.0}, "confidence"),
    ({"random_state": -1}, "random_state"),
    ({"scores_a": None}, "scores_a is None"),
    ({"scores_a": np.array([1 + 1j, 2, 3])}, "complex"),
])
def test_bad_input_is_named(kwargs, match):
    args = {"scores_a": [1.0, 2.0, 3.0], "scores_b": [1.0, 3.0, 2.0]}
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=match):
        paired_bootstrap(args.pop("scores_a"), args.pop("scores_b"), **args)
