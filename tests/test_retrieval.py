"""Tests for embedcourse.retrieval: exact search vs numpy and faiss, score fusion by hand.

Seeded random embeddings are enough here: the point is the ranking arithmetic, not the data.
The ranking metrics (recall@k, MRR) are tested in ``tests/test_ranking.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import oracle
from scipy import stats

from embedcourse.ann import FlatIndex
from embedcourse.retrieval import reciprocal_rank_fusion, search, zscore_rows
from embedcourse.topk import top_k

from conftest import TIE_RTOL, near, unit


def _assert_same_ranking(ids, ref_ids, S, tie_rtol=TIE_RTOL):
    """Row by row, ids and ref_ids (k columns) rank the same documents by the float64 scores S,
    except that a run of near-tied scores is compared as a set, and a run that continues past the
    k-th position is not compared at all (which of the tied documents made the cut is rounding)."""
    ids, ref_ids = np.asarray(ids), np.asarray(ref_ids)
    k = ids.shape[1]
    for row, (mine, ref) in enumerate(zip(ids, ref_ids, strict=True)):
        full = np.sort(S[row])[::-1]
        start = 0
        for i in range(1, k + 1):
            if i < len(full) and near(full[i - 1], full[i], tie_rtol):
                continue
            if i == k and k < len(full) and near(full[k - 1], full[k], tie_rtol):
                break  # ties across the cut-off
            assert set(mine[start:i]) == set(ref[start:i]), (row, mine, ref)
            start = i


# --------------------------------------------------------------------------------------------
# search
# --------------------------------------------------------------------------------------------
def test_search_matches_numpy_argsort(emb):
    Q, D = emb
    scores, ids = search(Q, D, k=7)
    S = unit(Q.astype(np.float64)) @ unit(D.astype(np.float64)).T  # the reference, in float64
    ref = np.argsort(-S, axis=1, kind="stable")[:, :7]
    assert ids.shape == scores.shape == (25, 7)
    assert ids.dtype == np.int64 and scores.dtype == np.float32
    _assert_same_ranking(ids, ref, S)
    np.testing.assert_allclose(scores, np.take_along_axis(S, ids, 1), atol=1e-6)
    assert np.all(np.diff(scores, axis=1) <= 0)


def test_search_matches_faiss_flat_ip(emb):
    faiss = oracle("faiss")
    Q, D = emb
    index = faiss.IndexFlatIP(D.shape[1])
    index.add(unit(D))
    ref_scores, ref_ids = index.search(unit(Q), 10)
    scores, ids = search(Q, D, 10)
    _assert_same_ranking(ids, ref_ids, unit(Q.astype(np.float64)) @ unit(D.astype(np.float64)).T)
    np.testing.assert_allclose(scores, ref_scores, atol=1e-5)


def test_search_ignores_lengths_and_accepts_one_query(emb):
    Q, D = emb
    scaled = D * np.arange(1, 61, dtype=np.float32)[:, None]
    S = unit(Q.astype(np.float64)) @ unit(D.astype(np.float64)).T
    # rescaling a row changes its normalised values by rounding only: near-ties may swap
    _assert_same_ranking(search(Q, scaled, 5)[1], search(Q, D, 5)[1], S)
    s1, i1 = search(Q[3], D, 4)
    assert i1.shape == (1, 4)
    np.testing.assert_array_equal(i1[0], search(Q, D, 4)[1][3])  # the same arithmetic on the same row


def test_search_ties_broken_by_lower_id_and_zero_rows_score_zero():
    D = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    scores, ids = search(np.array([[1.0, 0.0]]), D, 4)
    np.testing.assert_array_equal(ids[0], [0, 2, 1, 3])
    np.testing.assert_allclose(scores[0], [1, 1, 0, 0])


def test_search_bad_input(emb):
    Q, D = emb
    with pytest.raises(ValueError, match="Q has 8 columns but X has 16"):
        search(Q[:, :8], D, 3)
    with pytest.raises(ValueError, match="larger than the 60 documents"):
        search(Q, D, 61)
    with pytest.raises(ValueError, match=r"k must be an int >= 1"):
        search(Q, D, 0)
    with pytest.raises(ValueError, match="X is empty"):
        search(Q, np.zeros((0, 16)), 1)
    with pytest.raises(TypeError, match="expected numbers"):
        search(np.array([["a", "b"]]), D, 1)


def test_search_is_flat_index_on_unit_vectors(emb):
    """search is FlatIndex("cosine") (normalize_L2 + IndexFlatIP), bit for bit."""
    Q, D = emb
    index = FlatIndex(D.shape[1], metric="cosine")
    index.add(D)
    for got, ref in zip(search(Q, D, 9), index.search(Q, 9), strict=True):
        np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-7)


def test_top_k_of_standardised_scores_still_ranks():
    # chapter 03's hybrid: top_k(zscore_rows(dense) + zscore_rows(sparse), k=...) on float64 scores
    rng = np.random.default_rng(5)
    dense, sparse = rng.normal(size=(4, 30)).astype(np.float32), rng.random((4, 30))
    scores, ids = top_k(zscore_rows(dense) + zscore_rows(sparse), k=30)
    assert ids.shape == (4, 30) and scores.dtype == np.float64
    assert np.all(np.diff(scores, axis=1) <= 0)


# --------------------------------------------------------------------------------------------
# fusion
# --------------------------------------------------------------------------------------------
def test_zscore_rows_matches_scipy_and_chapter_03():
    rng = np.random.default_rng(4)
    S = rng.normal(3, 2, size=(5, 40))
    Z = zscore_rows(S)
    np.testing.assert_allclose(Z, stats.zscore(S, axis=1), atol=1e-12)
    np.testing.assert_allclose(Z, (S - S.mean(axis=1, keepdims=True)) / S.std(axis=1, keepdims=True), atol=1e-12)
    np.testing.assert_allclose(Z.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=1), 1, atol=1e-12)
    np.testing.assert_array_equal(zscore_rows([[2.0, 2.0, 2.0]]), [[0.0, 0.0, 0.0]])  # no spread: zeros, not NaN
    sparse = oracle("scipy.sparse")
    np.testing.assert_allclose(zscore_rows(sparse.csr_matrix(S)), Z)
    with pytest.raises(ValueError, match="S contains NaN"):
        zscore_rows([[1.0, np.nan]])


def test_reciprocal_rank_fusion_by_hand():
    # query 0: ranker A says 3, 1, 2; ranker B says 1, 2, 3 (k = 60)
    scores, ids = reciprocal_rank_fusion([np.array([[3, 1, 2]]), np.array([[1, 2, 3]])], k=60)
    by_hand = {1: 1 / 62 + 1 / 61, 2: 1 / 63 + 1 / 62, 3: 1 / 61 + 1 / 63}
    assert ids.tolist() == [[1, 3, 2]]  # 1/61 + 1/62 > 1/61 + 1/63 > 1/62 + 1/63
    np.testing.assert_allclose(scores[0], [by_hand[1], by_hand[3], by_hand[2]], rtol=1e-15)


def test_reciprocal_rank_fusion_ties_missing_docs_and_padding():
    A = np.array([[0, 1], [5, 6]])
    B = np.array([[1, 0, 7], [6, 5, -1]])  # -1: faiss's "no result"
    scores, ids = reciprocal_rank_fusion([A, B], k=1)
    # query 0: docs 0 and 1 tie (1/2 + 1/3 each): the smaller id first; 7 only in B
    assert ids[0].tolist() == [0, 1, 7]
    np.testing.assert_allclose(scores[0], [1 / 2 + 1 / 3, 1 / 2 + 1 / 3, 1 / 4])
    # query 1: only two distinct docs, padded with id -1 and score 0
    assert ids[1].tolist() == [5, 6, -1] and scores[1, 2] == 0.0
    # one ranking alone keeps its order
    assert reciprocal_rank_fusion([A])[1].tolist() == A.tolist()


def test_reciprocal_rank_fusion_bad_input():
    A = np.array([[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="rankings is empty"):
        reciprocal_rank_fusion([])
    with pytest.raises(TypeError, match="rankings must be a list"):
        reciprocal_rank_fusion(A)
    with pytest.raises(ValueError, match=r"rankings\[1\] has 1 queries but rankings\[0\] has 2"):
        reciprocal_rank_fusion([A, A[:1]])
    with pytest.raises(TypeError, match="integer ids"):
        reciprocal_rank_fusion([A + 0.5])
    with pytest.raises(ValueError, match="k must be a finite float >= 0"):
        reciprocal_rank_fusion([A], k=-1)
