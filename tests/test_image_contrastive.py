"""Tests for embedcourse.losses.infonce: NT-Xent (SimCLR) and the symmetric InfoNCE of CLIP.

Oracles: ``torch.nn.functional.cross_entropy`` on the similarity matrix (value and gradients), a
direct loop over the rows of the NT-Xent definition, and sentence-transformers'
``MultipleNegativesRankingLoss`` with both directions (its symmetric form) for the symmetric loss.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conftest import oracle

from embedcourse.losses import NTXentLoss, SymmetricInfoNCELoss, nt_xent_loss, symmetric_infonce_loss


def _embs(*shapes, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(*s, generator=g, dtype=torch.float64, requires_grad=True) for s in shapes]


@pytest.mark.parametrize("scale", [1.0, 10.0, 1 / 0.07])
def test_clip_loss_is_cross_entropy_on_the_similarity_matrix(scale):
    a, b = _embs((7, 12), (7, 12), seed=1)
    S = scale * F.normalize(a, dim=1) @ F.normalize(b, dim=1).T
    t = torch.arange(7)
    ref = (F.cross_entropy(S, t) + F.cross_entropy(S.T, t)) / 2
    ours = symmetric_infonce_loss(a, b, scale=scale)
    assert torch.allclose(ours, ref, rtol=1e-12, atol=1e-12)
    for g1, g2 in zip(torch.autograd.grad(ours, [a, b]), torch.autograd.grad(ref, [a, b]), strict=True):
        assert torch.allclose(g1, g2, rtol=1e-10, atol=1e-12)


def test_clip_loss_oracle_sentence_transformers():
    losses = oracle("sentence_transformers.sentence_transformer.losses")
    a, b = _embs((6, 16), (6, 16), seed=2)
    symmetric = losses.MultipleNegativesRankingLoss(model=None, scale=12.5, directions=("query_to_doc", "doc_to_query"),
                                                    partition_mode="per_direction")
    ref = symmetric.compute_loss_from_embeddings([a, b], None)
    ours = symmetric_infonce_loss(a, b, scale=12.5)
    assert torch.allclose(ours, ref, rtol=1e-10, atol=1e-12), (float(ours), float(ref))
    for g1, g2 in zip(torch.autograd.grad(ours, [a, b]), torch.autograd.grad(ref, [a, b]), strict=True):
        assert torch.allclose(g1, g2, rtol=1e-8, atol=1e-12)


def test_nt_xent_matches_a_direct_loop_and_cross_entropy():
    z1, z2 = _embs((5, 8), (5, 8), seed=3)
    scale = 1 / 0.5
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    S = scale * z @ z.T
    terms = []
    for a in range(10):
        pos = (a + 5) % 10
        denom = sum(torch.exp(S[a, b]) for b in range(10) if b != a)
        terms.append(-torch.log(torch.exp(S[a, pos]) / denom))
    direct = torch.stack(terms).mean()
    ours = nt_xent_loss(z1, z2, scale=scale)
    assert torch.allclose(ours, direct, rtol=1e-12, atol=1e-12)
    masked = S.masked_fill(torch.eye(10, dtype=torch.bool), float("-inf"))
    ce = F.cross_entropy(masked, torch.tensor([5, 6, 7, 8, 9, 0, 1, 2, 3, 4]))
    for g1, g2 in zip(torch.autograd.grad(ours, [z1, z2]), torch.autograd.grad(ce, [z1, z2]), strict=True):
        assert torch.allclose(g1, g2, rtol=1e-10, atol=1e-12)


def test_limits_and_modules():
    e = torch.eye(4, dtype=torch.float64)
    # orthogonal items, identical views: each row sees its twin (cos 1) and 6 orthogonal rows (cos 0)
    expected = math.log1p(6 * math.exp(-10.0))
    assert math.isclose(float(nt_xent_loss(e, e, scale=10.0)), expected, rel_tol=1e-12)
    same = torch.ones(4, 3, dtype=torch.float64)
    assert math.isclose(float(symmetric_infonce_loss(same, same)), math.log(4), rel_tol=1e-12)
    a, b = _embs((4, 6), (4, 6))
    assert NTXentLoss(scale=5.0).temperature == pytest.approx(0.2)
    assert torch.equal(NTXentLoss(scale=5.0, similarity="dot")(a, b), nt_xent_loss(a, b, scale=5.0, similarity="dot"))
    assert torch.equal(SymmetricInfoNCELoss(scale=5.0)(a, b), symmetric_infonce_loss(a, b, scale=5.0))
    assert SymmetricInfoNCELoss(scale=4.0).temperature == pytest.approx(0.25)


def test_accepts_numpy_and_is_deterministic():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    assert float(nt_xent_loss(a, b)) == float(nt_xent_loss(a, b))
    assert float(symmetric_infonce_loss(a, b)) == float(symmetric_infonce_loss(a, b))


def test_bad_input():
    a = torch.randn(4, 8)
    with pytest.raises(ValueError, match="z2 has shape"):
        nt_xent_loss(a, torch.randn(3, 8))
    with pytest.raises(ValueError, match="at least 2"):
        nt_xent_loss(a[:1], a[:1])
    with pytest.raises(ValueError, match="scale"):
        symmetric_infonce_loss(a, a, scale=0.0)
    with pytest.raises(ValueError, match="similarity"):
        nt_xent_loss(a, a, similarity="l2")
    with pytest.raises(TypeError, match="a must"):
        symmetric_infonce_loss("images", a)
    with pytest.raises(ValueError, match="NaN"):
        symmetric_infonce_loss(a * float("nan"), a)
