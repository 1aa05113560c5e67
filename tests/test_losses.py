"""Tests for embedcourse.losses (multiple negatives ranking loss, in-batch negatives).

Oracles: ``torch.nn.functional.cross_entropy`` on the scaled cosine matrix written out, and
sentence-transformers' ``MultipleNegativesRankingLoss`` (default settings): the same value and
the same gradients on the same embeddings, with and without hard negatives, and the same
parameter gradients when the embeddings come from the real MiniLM model.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from conftest import oracle

from embedcourse.losses import MultipleNegativesRankingLoss, multiple_negatives_ranking_loss


def _embs(*shapes, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(*s, generator=g, dtype=dtype, requires_grad=True) for s in shapes]


def _st_loss(scale=20.0, **kw):
    st = oracle("sentence_transformers.sentence_transformer.losses")
    return st.MultipleNegativesRankingLoss(model=None, scale=scale, **kw)


def test_value_written_out():
    a, p = _embs((5, 8), (5, 8))
    A = a / a.norm(dim=1, keepdim=True)
    P = p / p.norm(dim=1, keepdim=True)
    S = 20.0 * A @ P.T
    expected = -(S.diagonal() - torch.logsumexp(S, dim=1)).mean()
    assert torch.allclose(multiple_negatives_ranking_loss(a, p), expected, atol=1e-12)


def test_limits():
    a = torch.eye(4, dtype=torch.float64)
    # perfect pairs, orthogonal negatives: the loss is log(1 + (B-1) e^{-scale})
    assert math.isclose(float(multiple_negatives_ranking_loss(a, a)), math.log1p(3 * math.exp(-20.0)), abs_tol=1e-13)
    # identical candidates: every column ties, the loss is log(B)
    same = torch.ones(4, 3, dtype=torch.float64)
    assert math.isclose(float(multiple_negatives_ranking_loss(same, same)), math.log(4), rel_tol=1e-12)


def test_module_matches_function_and_temperature():
    a, p, n = _embs((4, 6), (4, 6), (4, 2, 6))
    m = MultipleNegativesRankingLoss(scale=10.0, similarity="dot")
    assert m.temperature == pytest.approx(0.1)
    assert torch.equal(m(a, p, n), multiple_negatives_ranking_loss(a, p, n, scale=10.0, similarity="dot"))


def test_accepts_numpy_and_is_deterministic():
    rng = np.random.default_rng(0)
    a, p = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    assert float(multiple_negatives_ranking_loss(a, p)) == float(multiple_negatives_ranking_loss(a, p))


@pytest.mark.parametrize("n_neg", [0, 1, 3])
@pytest.mark.parametrize("scale", [20.0, 1.0])
def test_oracle_sentence_transformers_value_and_gradients(n_neg, scale):
    a, p, *negs = _embs((6, 16), (6, 16), *[(6, 16)] * n_neg, seed=n_neg)
    ref = _st_loss(scale).compute_loss_from_embeddings([a, p, *negs], None)
    ours = multiple_negatives_ranking_loss(a, p, torch.stack(negs, 1) if negs else None, scale=scale)
    assert torch.allclose(ours, ref, rtol=1e-12, atol=1e-12), (float(ours), float(ref))
    for g_ours, g_ref in zip(torch.autograd.grad(ours, [a, p, *negs]), torch.autograd.grad(ref, [a, p, *negs]), strict=True):
        assert torch.allclose(g_ours, g_ref, rtol=1e-10, atol=1e-12)


def test_oracle_dot_similarity():
    st = oracle("sentence_transformers")
    a, p = _embs((5, 8), (5, 8))
    ref = _st_loss(1.0, similarity_fct=st.util.dot_score).compute_loss_from_embeddings([a, p], None)
    assert torch.allclose(multiple_negatives_ranking_loss(a, p, scale=1.0, similarity="dot"), ref, atol=1e-12)


def test_oracle_cross_entropy_with_hard_negatives_as_columns():
    a, p, n = _embs((4, 8), (4, 8), (4, 8))
    F = torch.nn.functional
    docs = F.normalize(torch.cat([p, n]), dim=1)
    ref = F.cross_entropy(20 * F.normalize(a, dim=1) @ docs.T, torch.arange(4))
    assert torch.allclose(multiple_negatives_ranking_loss(a, p, n), ref, atol=1e-12)


@pytest.mark.slow
def test_oracle_parameter_gradients_through_minilm():
    import copy

    from embedcourse.data import load_minilm

    model = copy.deepcopy(load_minilm())
    model.eval()  # no dropout: both passes see the same network
    anchors = ["Rain is expected in Sydney", "Stocks fell sharply", "Shares rose in Tokyo"]
    positives = ["Forecasters say showers will hit the city.", "Markets closed lower after a sell-off.",
                 "Investors bought Japanese stocks."]
    feats = [model.preprocess(anchors), model.preprocess(positives)]
    ref = _st_loss()
    ref.model = model
    loss_ref = ref(feats, None)
    loss_ref.backward()
    g_ref = {k: v.grad.clone() for k, v in model.named_parameters() if v.grad is not None}
    model.zero_grad()
    ours = multiple_negatives_ranking_loss(*(model(f)["sentence_embedding"] for f in feats))
    ours.backward()
    assert abs(float(ours.detach()) - float(loss_ref.detach())) < 1e-5
    # relative to the largest gradient: some gradients are exactly zero in theory (key biases
    # cancel in the softmax) and only rounding noise in practice
    scale = max(float(g.abs().max()) for g in g_ref.values())
    worst = max(float((v.grad - g_ref[k]).abs().max()) for k, v in model.named_parameters() if k in g_ref) / scale
    assert worst < 1e-3, worst


def test_bad_input():
    a, p = _embs((3, 4), (3, 4))
    with pytest.raises(ValueError, match="positives has shape"):
        multiple_negatives_ranking_loss(a, p[:2])
    with pytest.raises(ValueError, match="negatives has shape"):
        multiple_negatives_ranking_loss(a, p, torch.zeros(2, 4))
    with pytest.raises(ValueError, match="anchors must have shape"):
        multiple_negatives_ranking_loss(a[0], p)
    with pytest.raises(ValueError, match="anchors contains NaN"):
        multiple_negatives_ranking_loss(a.detach() * float("nan"), p)
    with pytest.raises(TypeError, match="anchors must be a floating-point tensor"):
        multiple_negatives_ranking_loss(torch.ones(3, 4, dtype=torch.long), p)
    with pytest.raises(TypeError, match="anchors must be a tensor of embeddings"):
        multiple_negatives_ranking_loss("some text", p)
    with pytest.raises(ValueError, match="anchors is empty"):
        multiple_negatives_ranking_loss(torch.zeros(0, 4), torch.zeros(0, 4))
    with pytest.raises(ValueError, match="scale must be a finite float"):
        multiple_negatives_ranking_loss(a, p, scale=0.0)
    with pytest.raises(ValueError, match="similarity must be one of"):
        MultipleNegativesRankingLoss(similarity="euclidean")


# ---- symmetric variant and hard-negative shapes (chapter 08) ------------------------------------
from embedcourse.losses import (MultipleNegativesSymmetricRankingLoss,  # noqa: E402
                                multiple_negatives_symmetric_ranking_loss)


def test_hard_negatives_2d_equals_3d_with_one_column():
    a, p, n = _embs((5, 8), (5, 8), (5, 8), seed=4)
    assert torch.equal(multiple_negatives_ranking_loss(a, p, n), multiple_negatives_ranking_loss(a, p, n[:, None]))


@pytest.mark.parametrize("n_neg", [0, 1, 2])
def test_symmetric_oracle_sentence_transformers_value_and_gradients(n_neg):
    a, p, *negs = _embs((6, 16), (6, 16), *[(6, 16)] * n_neg, seed=10 + n_neg)
    ref = _st_loss(20.0, directions=("query_to_doc", "doc_to_query"), partition_mode="per_direction")
    ref_loss = ref.compute_loss_from_embeddings([a, p, *negs], None)
    ours = multiple_negatives_symmetric_ranking_loss(a, p, torch.stack(negs, 1) if negs else None)
    assert torch.allclose(ours, ref_loss, rtol=1e-12, atol=1e-12), (float(ours), float(ref_loss))
    for g1, g2 in zip(torch.autograd.grad(ours, [a, p, *negs]), torch.autograd.grad(ref_loss, [a, p, *negs]),
                      strict=True):
        assert torch.allclose(g1, g2, rtol=1e-10, atol=1e-12)


def test_symmetric_is_the_mean_of_two_cross_entropies_and_module():
    F = torch.nn.functional
    a, p = _embs((4, 6), (4, 6), seed=2)
    S = 5.0 * F.normalize(a, dim=1) @ F.normalize(p, dim=1).T
    t = torch.arange(4)
    ref = (F.cross_entropy(S, t) + F.cross_entropy(S.T, t)) / 2
    ours = multiple_negatives_symmetric_ranking_loss(a, p, scale=5.0)
    assert torch.allclose(ours, ref, atol=1e-12)
    assert torch.equal(MultipleNegativesSymmetricRankingLoss(scale=5.0)(a, p), ours)
    with pytest.raises(ValueError, match="negatives has shape"):
        multiple_negatives_symmetric_ranking_loss(a, p, torch.zeros(3, 6))
    with pytest.raises(ValueError, match="scale must be"):
        MultipleNegativesSymmetricRankingLoss(scale=-1.0)


def test_symmetric_without_hard_negatives_is_clips_symmetric_infonce():
    # the two modules of the package must agree where their definitions coincide
    from embedcourse.losses import symmetric_infonce_loss

    a, p = _embs((7, 5), (7, 5), seed=21)
    for similarity in ("cosine", "dot"):
        ours = multiple_negatives_symmetric_ranking_loss(a, p, scale=3.0, similarity=similarity)
        assert torch.allclose(ours, symmetric_infonce_loss(a, p, scale=3.0, similarity=similarity), rtol=0,
                              atol=1e-12)


def test_overflow_is_an_error_not_a_silent_nan():
    # regression: dot similarity of huge float32 vectors overflowed to a NaN loss without a word
    a = torch.full((3, 4), 1e20)
    p = torch.full((3, 4), -1e20)
    for fn in (multiple_negatives_ranking_loss, multiple_negatives_symmetric_ranking_loss):
        with pytest.raises(ValueError, match="overflowed to inf/NaN"):
            fn(a, p, similarity="dot")
    assert torch.isfinite(multiple_negatives_ranking_loss(a, p))           # cosine is bounded: fine
