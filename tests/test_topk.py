"""embedcourse.topk.top_k: the one top-k of the package, checked against a full lexsort."""

from __future__ import annotations

import numpy as np
import pytest

import embedcourse as ec
from embedcourse.topk import top_k


def _reference(S: np.ndarray, k: int, largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """A full sort of every row by (score, then column index): the definition top_k must meet."""
    S = np.atleast_2d(S)
    cols = np.arange(S.shape[1])
    idx = np.stack([np.lexsort((cols, -row if largest else row))[:k] for row in S])
    return np.take_along_axis(S, idx, axis=1), idx


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("levels", [2, 3, 7, 1000])
def test_matches_full_lexsort_with_many_exact_ties(levels, largest):
    # few distinct values -> many exact ties, most rows tied at the k-th place
    rng = np.random.default_rng(levels)
    for n in (1, 2, 5, 31, 200, 5000):
        S = rng.integers(0, levels, size=(9, n)).astype(np.float32)
        for k in sorted({1, min(2, n), n // 2 or 1, max(1, n - 1), n}):
            values, indices = top_k(S, k, largest=largest)
            ref_values, ref_indices = _reference(S, k, largest)
            np.testing.assert_array_equal(indices, ref_indices, err_msg=f"n={n} k={k}")
            np.testing.assert_array_equal(values, ref_values)
            assert indices.dtype == np.int64 and values.shape == (9, k)


@pytest.mark.parametrize("largest", [True, False])
def test_tiebreak_labels_match_full_lexsort(largest):
    rng = np.random.default_rng(7)
    for n in (3, 50, 2000):
        S = rng.integers(0, 3, size=(6, n)).astype(np.float32)
        labels = rng.permutation(n) * 10  # e.g. the ids of vectors stored in a shuffled order
        rowwise = np.stack([rng.permutation(n) for _ in range(6)])  # per-row labels (IVF lists)
        for T in (labels, rowwise):
            T2 = np.broadcast_to(T, S.shape)
            for k in sorted({1, min(5, n), n - 1, n}):
                values, indices = top_k(S, k, largest=largest, tiebreak=T)
                ref = np.stack([np.lexsort((np.arange(n), T2[i], -S[i] if largest else S[i]))[:k]
                                for i in range(6)])
                np.testing.assert_array_equal(indices, ref, err_msg=f"n={n} k={k}")
                np.testing.assert_array_equal(values, np.take_along_axis(S, ref, axis=1))


def test_tiebreak_example_and_errors():
    scores = np.array([0.5, 0.9, 0.5, 0.5])
    assert top_k(scores, 2, tiebreak=[30, 0, 20, 10])[1].tolist() == [1, 3]  # label 10 wins
    assert top_k(scores, 2)[1].tolist() == [1, 0]  # without labels, column 0 wins
    with pytest.raises(ValueError, match=r"tiebreak must have shape \(4,\)"):
        top_k(scores, 2, tiebreak=[1, 2, 3])
    with pytest.raises(TypeError, match="tiebreak must hold integers"):
        top_k(scores, 2, tiebreak=[0.0, 1.0, 2.0, 3.0])


def test_tie_at_the_boundary_prefers_smaller_indices():
    scores = np.array([0.5, 0.9, 0.5, 0.5, 0.5, 0.1, 0.5, 0.5], dtype=np.float32)
    # one clear winner, then six 0.5s competing for two places: indices 0 and 2 win
    values, indices = top_k(scores, 3)
    assert indices.tolist() == [1, 0, 2]
    assert values.tolist() == [pytest.approx(0.9), 0.5, 0.5]
    # reversed order of the tied positions does not matter, only their indices do
    assert top_k(scores[::-1].copy(), 3)[1].tolist() == [6, 0, 1]
    # all equal: the first k columns, in order
    assert top_k(np.zeros((2, 100)), 4)[1].tolist() == [[0, 1, 2, 3]] * 2


def test_infinities_and_signed_zero():
    scores = np.array([[0.0, -np.inf, np.inf, -0.0, 1.0, np.inf, -np.inf]])
    assert top_k(scores, 4)[1].tolist() == [[2, 5, 4, 0]]  # 0.0 and -0.0 tie: index 0 first
    assert top_k(scores, 3, largest=False)[1].tolist() == [[1, 6, 0]]
    np.testing.assert_array_equal(_reference(scores, 7, True)[1], top_k(scores, 7)[1])


def test_random_real_valued_rows_match_sort():
    rng = np.random.default_rng(0)
    S = rng.standard_normal((50, 3000)).astype(np.float32)
    values, indices = top_k(S, 10)
    np.testing.assert_array_equal(values, -np.sort(-S, axis=1)[:, :10])
    np.testing.assert_array_equal(indices, np.argsort(-S, axis=1, kind="stable")[:, :10])
    small_values, _ = top_k(S, 10, largest=False)
    np.testing.assert_array_equal(small_values, np.sort(S, axis=1)[:, :10])


def test_shapes_and_dtypes():
    values, indices = top_k([3, 1, 2], 2)  # 1-d in, 1-d out; ints are ranked as float64
    assert values.shape == indices.shape == (2,)
    assert values.dtype == np.float64 and indices.tolist() == [0, 2]
    values, indices = top_k(np.ones((4, 6), dtype=np.float32), 6)
    assert values.dtype == np.float32 and indices.shape == (4, 6)
    values, indices = top_k(np.empty((0, 5)), 2)  # no rows: empty results, not an error
    assert values.shape == indices.shape == (0, 2)


def test_rows_are_independent_and_calls_deterministic():
    rng = np.random.default_rng(1)
    S = rng.integers(0, 3, size=(20, 400)).astype(np.float64)
    whole = top_k(S, 25)
    for i in range(S.shape[0]):
        np.testing.assert_array_equal(top_k(S[i], 25)[1], whole[1][i])
    again = top_k(S.copy(), 25)
    np.testing.assert_array_equal(whole[0], again[0])
    np.testing.assert_array_equal(whole[1], again[1])


def test_input_is_not_modified():
    S = np.array([[0.3, 0.1, 0.2]], dtype=np.float32)
    before = S.copy()
    top_k(S, 2)
    np.testing.assert_array_equal(S, before)


def test_bad_k():
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 5\].*got 0"):
        top_k(np.zeros(5), 0)
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 5\].*got 6"):
        top_k(np.zeros((2, 5)), 6)
    with pytest.raises(TypeError, match=r"k must be an int in \[1, 5\].*got 2.0"):
        top_k(np.zeros(5), 2.0)
    with pytest.raises(TypeError, match="k must be an int"):
        top_k(np.zeros(5), True)


def test_bad_largest_and_ragged_scores():
    with pytest.raises(TypeError, match="largest must be True or False"):
        top_k(np.arange(5.0), 2, largest="yes")
    with pytest.raises(ValueError, match="scores could not be read"):
        top_k([[1.0, 2.0], [3.0]], 1)


def test_bad_scores():
    with pytest.raises(ValueError, match=r"scores contains NaN \(first at row 1, column 2\)"):
        top_k(np.array([[0.0, 1.0, 2.0], [0.0, 1.0, np.nan]]), 1)
    with pytest.raises(ValueError, match=r"NaN \(first at position 1\)"):
        top_k(np.array([0.0, np.nan]), 1)
    with pytest.raises(ValueError, match=r"scores must be 1-d \(n,\) or 2-d"):
        top_k(np.zeros((2, 2, 2)), 1)
    with pytest.raises(ValueError, match="zero columns"):
        top_k(np.zeros((3, 0)), 1)
    with pytest.raises(TypeError, match="numbers"):
        top_k(np.array(["a", "b"]), 1)


def test_reachable_from_the_package():
    assert ec.topk.top_k is top_k
