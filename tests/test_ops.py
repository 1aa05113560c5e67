"""Tests for embedcourse.ops: one normalize_rows, checked against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest

from embedcourse.ops import normalize_rows


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


# --------------------------------------------------------------------------------------------
# normalize_rows
# --------------------------------------------------------------------------------------------
def test_normalize_rows_is_per_row(rng):
    X = rng.normal(size=(6, 4)) * np.arange(1, 7)[:, None]  # rows of very different lengths
    N = normalize_rows(X)
    assert N.shape == X.shape and N.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(N, axis=1), 1.0, rtol=1e-12)
    # same direction as the input rows
    np.testing.assert_allclose(N * np.linalg.norm(X, axis=1)[:, None], X, rtol=1e-12)
    # a whole-matrix normalisation would not give unit rows: this test can tell them apart
    assert not np.allclose(np.linalg.norm(X / np.linalg.norm(X), axis=1), 1.0)


def test_normalize_rows_keeps_float32_and_single_vector():
    X = np.array([[3.0, 4.0]], dtype=np.float32)
    assert normalize_rows(X).dtype == np.float32
    np.testing.assert_allclose(normalize_rows([3.0, 4.0]), [0.6, 0.8])
    assert normalize_rows([3.0, 4.0]).shape == (2,)


def test_normalize_rows_zero_rows():
    X = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 2.0]])
    with pytest.raises(ValueError, match=r"1 zero row.*row 1.*no direction.*zero_rows='keep'"):
        normalize_rows(X)
    N = normalize_rows(X, zero_rows="keep")
    np.testing.assert_array_equal(N, [[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    # eps decides what counts as zero
    with pytest.raises(ValueError, match="zero row"):
        normalize_rows([[1e-3, 0.0]], eps=1e-2)


def test_normalize_rows_bad_input():
    with pytest.raises(ValueError, match="NaN or infinity"):
        normalize_rows([[1.0, np.nan]])
    with pytest.raises(ValueError, match="2-d"):
        normalize_rows(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="2-d"):
        normalize_rows(np.float64(3.0))


def test_normalize_rows_matches_sklearn(rng):
    from sklearn.preprocessing import normalize

    X = rng.normal(size=(20, 8))
    np.testing.assert_allclose(normalize_rows(X), normalize(X), rtol=1e-12)




def test_normalize_rows_policy_is_checked():
    with pytest.raises(ValueError, match="zero_rows must be one of 'raise', 'keep'"):
        normalize_rows([[1.0, 0.0]], zero_rows="drop")
