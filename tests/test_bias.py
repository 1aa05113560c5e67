"""WEAT (embedcourse.metrics.bias) against scipy's exact permutation test, on real GloVe vectors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from embedcourse.metrics.bias import weat, weat_scores


@pytest.fixture(scope="module")
def career_family():
    import embedcourse as ec

    glove = ec.data.load_glove()
    sets = ec.data.load_weat()
    return {k: glove[[w.lower() for w in sets[k]]] for k in ("male_names", "female_names", "career", "family")}


@pytest.mark.slow
def test_weat_matches_scipy_exact_permutation_test(career_family):
    v = career_family
    res = weat(v["male_names"], v["female_names"], v["career"], v["family"])
    assert res.exact and res.n_partitions == 12870
    # the same test by scipy: difference of means, all 12,870 partitions, one-sided
    ref = stats.permutation_test(
        (res.scores_x, res.scores_y), lambda x, y: np.mean(x) - np.mean(y),
        permutation_type="independent", alternative="greater", n_resamples=np.inf,
    )
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    assert res.p_value == pytest.approx(1 / 12870, rel=1e-12)  # the observed split is the most extreme
    assert res.effect_size == pytest.approx(1.71, abs=0.02)
    assert res.statistic == pytest.approx(res.scores_x.sum() - res.scores_y.sum(), rel=1e-12)


@pytest.mark.slow
def test_weat_p_value_never_below_one_over_partitions_even_when_recomputation_drifts(career_family):
    """float32 inputs in another summation order cannot push the observed split out of the count."""
    v = {k: np.asarray(x, dtype=np.float32)[::-1].copy() for k, x in career_family.items()}
    res = weat(v["male_names"], v["female_names"], v["career"], v["family"])
    assert res.p_value >= 1 / res.n_partitions


def test_weat_scores_float64_and_definition():
    rng = np.random.default_rng(0)
    T, A, B = rng.normal(size=(4, 5)), rng.normal(size=(3, 5)), rng.normal(size=(6, 5))
    s = weat_scores(T.astype(np.float32), A, B)
    assert s.dtype == np.float64
    unit = lambda M: M / np.linalg.norm(M, axis=1, keepdims=True)  # noqa: E731
    want = (unit(T.astype(np.float32).astype(np.float64)) @ unit(A).T).mean(1) - (unit(T.astype(np.float32).astype(np.float64)) @ unit(B).T).mean(1)
    np.testing.assert_allclose(s, want, rtol=1e-12)


def test_weat_sampled_is_seeded_and_close_to_exact():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(0.3, 1, size=(9, 8)), rng.normal(0, 1, size=(9, 8))
    A, B = rng.normal(size=(5, 8)), rng.normal(size=(5, 8))
    exact = weat(X, Y, A, B)
    s1 = weat(X, Y, A, B, max_exact=10, n_resamples=20000, random_state=3)
    s2 = weat(X, Y, A, B, max_exact=10, n_resamples=20000, random_state=3)
    assert exact.exact and not s1.exact
    assert s1.p_value == s2.p_value
    assert abs(s1.p_value - exact.p_value) < 4 * np.sqrt(exact.p_value * (1 - exact.p_value) / 20000) + 1e-4


def test_weat_ties_count_as_at_least_as_extreme():
    # X's two words have the same score, Y's two another: of the 6 partitions of the four words,
    # exactly one (the observed) reaches the observed statistic; a partition that ties with it
    # (here none but itself) would count too
    A, B = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
    X = np.array([[1.0, 0.0], [1.0, 0.0]])
    Y = np.array([[0.0, 1.0], [0.0, 1.0]])
    res = weat(X, Y, A, B)
    assert res.n_partitions == 6
    assert res.p_value == pytest.approx(1 / 6)
    # swapping the two X words is the same partition: nothing changes
    assert weat(X[::-1], Y, A, B).p_value == pytest.approx(1 / 6)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(X=np.ones((3, 2)), Y=np.ones((2, 2))), "same number of words"),
        (dict(X=np.ones((1, 2)), Y=np.ones((1, 2))), "at least 2 words"),
        (dict(X=[[np.nan, 1.0], [1.0, 1.0]]), "NaN"),
        (dict(A=np.zeros((2, 2))), "A has 2 zero row"),
        (dict(A=np.ones((2, 3))), "columns"),
        (dict(max_exact=0), "max_exact"),
    ],
)
def test_weat_bad_input(kwargs, match):
    rng = np.random.default_rng(0)
    args = dict(X=rng.normal(size=(3, 2)), Y=rng.normal(size=(3, 2)), A=rng.normal(size=(2, 2)), B=rng.normal(size=(2, 2)))
    args.update(kwargs)
    X, Y, A, B = args.pop("X"), args.pop("Y"), args.pop("A"), args.pop("B")
    with pytest.raises((ValueError, TypeError), match=match):
        weat(X, Y, A, B, **args)
