"""Tests for embedcourse.models.ppmi (PPMI + truncated SVD).

Oracles: the PPMI matrix against a dense numpy formula on real text (the first Lee documents),
the factorisation against scikit-learn's TruncatedSVD and numpy's full SVD (up to signs).
"""

import numpy as np
import pytest
from conftest import oracle

from embedcourse.models import PPMISVD, cooccurrence_matrix, ppmi_matrix, svd_embedding
from embedcourse.text import Vocabulary


def _counts(lee_sentences, n=40):
    vocab = Vocabulary.build(lee_sentences[:n], min_count=2)
    ids, offsets = vocab.encode(lee_sentences[:n])
    return cooccurrence_matrix(ids, offsets, len(vocab), window=3)


@pytest.mark.parametrize("alpha, shift", [(1.0, 1.0), (0.75, 1.0), (0.75, 5.0)])
def test_ppmi_equals_dense_formula(lee_sentences, alpha, shift):
    C = _counts(lee_sentences)
    X = C.toarray()
    total_alpha = (X.sum(0) ** alpha).sum()
    with np.errstate(divide="ignore"):
        pmi = np.log(X * total_alpha / np.outer(X.sum(1), X.sum(0) ** alpha)) - np.log(shift)
    dense = np.where(X > 0, np.maximum(pmi, 0), 0.0)
    P = ppmi_matrix(C, alpha=alpha, shift=shift)
    np.testing.assert_allclose(P.toarray(), dense, rtol=1e-10, atol=1e-12)
    assert P.nnz == np.count_nonzero(dense)
    np.testing.assert_allclose(ppmi_matrix(X, alpha, shift).toarray(), dense, rtol=1e-10, atol=1e-12)


def test_svd_matches_sklearn_and_numpy(lee_sentences):
    sk = oracle("sklearn.decomposition")
    P = ppmi_matrix(_counts(lee_sentences))
    vecs, S = svd_embedding(P, n_components=10, eig_power=1.0, algorithm="arpack", random_state=0)
    U_full, S_full, _ = np.linalg.svd(P.toarray())
    np.testing.assert_allclose(S, S_full[:10], rtol=1e-6)
    ref = sk.TruncatedSVD(10, algorithm="arpack", random_state=0).fit_transform(P)  # = U S
    for j in range(10):  # equal up to the sign of each column
        sign = np.sign(ref[:, j] @ vecs[:, j])
        np.testing.assert_allclose(vecs[:, j], sign * ref[:, j], rtol=1e-5, atol=1e-7)
    half, _ = svd_embedding(P, n_components=10, eig_power=0.5, algorithm="arpack", random_state=0)
    np.testing.assert_allclose(half * np.sqrt(S), vecs, rtol=1e-8, atol=1e-10)
    # the default randomized solver: the leading components to within a few per cent on this
    # small matrix with a flat spectrum (it is approximate by design)
    _, S_rand = svd_embedding(P, n_components=10, random_state=0)
    np.testing.assert_allclose(S_rand, S_full[:10], rtol=0.02)
    assert abs(S_rand[0] - S_full[0]) < 1e-6 * S_full[0]


def test_model_shapes_and_determinism(lee_sentences):
    m = PPMISVD(vector_size=20, window=3, min_count=3).fit(lee_sentences)
    V = len(m.vocabulary_)
    assert m.wv_.vectors.shape == (V, 20) and m.wv_.vectors.dtype == np.float32
    assert m.cooccurrence_.shape == m.ppmi_.shape == (V, V)
    assert np.all(np.diff(m.singular_values_) <= 0)
    again = PPMISVD(vector_size=20, window=3, min_count=3).fit(lee_sentences)
    np.testing.assert_array_equal(m.wv_.vectors, again.wv_.vectors)
    assert "PPMISVD(vector_size=20" in repr(m)


def test_bad_input(lee_sentences):
    with pytest.raises(ValueError, match="counts must be non-negative"):
        ppmi_matrix(np.array([[1.0, -1.0], [0.0, 2.0]]))
    with pytest.raises(ValueError, match="alpha"):
        ppmi_matrix(np.eye(3), alpha=0.0)
    with pytest.raises(ValueError, match="shift"):
        ppmi_matrix(np.eye(3), shift=0.5)
    with pytest.raises(ValueError, match="at least one positive"):
        ppmi_matrix(np.zeros((3, 3)))
    with pytest.raises(TypeError, match="counts must be a real-valued 2-d matrix"):
        ppmi_matrix(np.array([["a"]]))
    with pytest.raises(ValueError, match="n_components"):
        svd_embedding(np.eye(4), n_components=4)
    with pytest.raises(ValueError, match="eig_power"):
        svd_embedding(np.eye(4), n_components=2, eig_power=2.0)
    with pytest.raises(ValueError, match="vector_size"):
        PPMISVD(vector_size=0).fit(lee_sentences[:5])
    with pytest.raises(ValueError, match="must be below the vocabulary size"):
        PPMISVD(vector_size=5000).fit(lee_sentences[:5])
    with pytest.raises(TypeError, match="X"):
        PPMISVD().fit("not tokenised")
