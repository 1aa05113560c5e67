"""Tests for the margin losses: embedcourse.losses.triplet and embedcourse.losses.contrastive.

Oracles (float64, same value AND same gradients with respect to the embeddings):
``torch.nn.TripletMarginLoss``; sentence-transformers' ``TripletLoss``, ``BatchHardTripletLoss``,
``BatchSemiHardTripletLoss``, ``BatchAllTripletLoss``, ``ContrastiveLoss`` and
``OnlineContrastiveLoss`` (their own distance functions, margins passed explicitly); and a
brute-force loop over every triplet written from the definitions (FaceNet, Hermans et al.).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from conftest import oracle

import embedcourse.losses as L

LABELS = torch.tensor([0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3])


def _embs(*shapes, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(*s, generator=g, dtype=torch.float64, requires_grad=True) for s in shapes]


def _same(ours, ref, inputs, *, rtol=1e-10, atol=1e-12):
    assert torch.allclose(ours, ref, rtol=rtol, atol=atol), (float(ours), float(ref))
    for g1, g2 in zip(torch.autograd.grad(ours, inputs, retain_graph=True),
                      torch.autograd.grad(ref, inputs), strict=True):
        assert torch.allclose(g1, g2, rtol=rtol, atol=atol), float((g1 - g2).abs().max())


def _st():
    return oracle("sentence_transformers.sentence_transformer.losses")


def _st_distance(distance):
    DF = _st().BatchHardTripletLossDistanceFunction
    return {"euclidean": DF.euclidean_distance, "cosine": DF.cosine_distance,
            "squared_euclidean": lambda e: DF.euclidean_distance(e, squared=True)}[distance]


# ---- triplet_loss -----------------------------------------------------------------------------
@pytest.mark.parametrize("margin", [0.1, 1.0, 3.0])
def test_triplet_equals_torch_triplet_margin_loss(margin):
    a, p, n = _embs((7, 5), (7, 5), (7, 5), seed=int(margin * 10))
    _same(L.triplet_loss(a, p, n, margin=margin), torch.nn.TripletMarginLoss(margin=margin)(a, p, n), [a, p, n])


@pytest.mark.parametrize(("distance", "metric"), [("euclidean", "EUCLIDEAN"), ("cosine", "COSINE")])
def test_triplet_oracle_sentence_transformers(distance, metric):
    st = _st()
    a, p, n = _embs((6, 8), (6, 8), (6, 8), seed=3)
    ref = st.TripletLoss(None, distance_metric=getattr(st.TripletDistanceMetric, metric),
                         triplet_margin=0.7).compute_loss_from_embeddings([a, p, n], None)
    # sentence-transformers' euclidean has no 1e-6 inside the norm (torch's has): agree to ~1e-6
    tol = {"rtol": 1e-5, "atol": 1e-5} if distance == "euclidean" else {}
    _same(L.triplet_loss(a, p, n, margin=0.7, distance=distance), ref, [a, p, n], **tol)


def test_triplet_squared_euclidean_and_limits():
    a, p, n = _embs((4, 3), (4, 3), (4, 3))
    dp, dn = ((a - p) ** 2).sum(1), ((a - n) ** 2).sum(1)
    _same(L.triplet_loss(a, p, n, margin=2.0, distance="squared_euclidean"), torch.relu(dp - dn + 2.0).mean(), [a, p, n])
    x = torch.zeros(3, 2, dtype=torch.float64)
    far = torch.full((3, 2), 10.0, dtype=torch.float64)
    assert float(L.triplet_loss(x, x, far, margin=1.0)) == 0.0            # negative far away: satisfied
    assert math.isclose(float(L.triplet_loss(x, far, x, margin=1.0)), math.sqrt(200) + 1.0, rel_tol=1e-5)


# ---- online mining: sentence-transformers -------------------------------------------------------
ONLINE = [(L.batch_hard_triplet_loss, "BatchHardTripletLoss"),
          (L.batch_semi_hard_triplet_loss, "BatchSemiHardTripletLoss"),
          (L.batch_all_triplet_loss, "BatchAllTripletLoss")]


@pytest.mark.parametrize(("ours", "theirs"), ONLINE, ids=[t for _, t in ONLINE])
@pytest.mark.parametrize("distance", ["euclidean", "squared_euclidean", "cosine"])
@pytest.mark.parametrize("margin", [0.2, 5.0])
def test_online_oracle_sentence_transformers(ours, theirs, distance, margin):
    (X,) = _embs((12, 6), seed=7)
    ref = getattr(_st(), theirs)(None, distance_metric=_st_distance(distance), margin=margin)
    _same(ours(X, LABELS, margin=margin, distance=distance), ref.compute_loss_from_embeddings([X], LABELS), [X])


@pytest.mark.parametrize(("ours", "theirs"), ONLINE, ids=[t for _, t in ONLINE])
def test_online_modules_match_functions_and_oracle(ours, theirs):
    (X,) = _embs((12, 4), seed=11)
    module = {"BatchHardTripletLoss": L.BatchHardTripletLoss, "BatchSemiHardTripletLoss": L.BatchSemiHardTripletLoss,
              "BatchAllTripletLoss": L.BatchAllTripletLoss}[theirs](margin=1.5, distance="cosine")
    assert torch.equal(module(X, LABELS.numpy()), ours(X, LABELS, margin=1.5, distance="cosine"))
    assert "margin=1.5" in repr(module)


# ---- online mining: brute force from the definitions ------------------------------------------
def _brute(X, labels, margin, kind):
    D = torch.cdist(X, X).detach().numpy()
    y = list(labels)
    B = len(y)
    terms = []
    for a in range(B):
        pos = [p for p in range(B) if p != a and y[p] == y[a]]
        neg = [n for n in range(B) if y[n] != y[a]]
        if not pos or not neg:
            continue
        if kind == "hard":
            terms.append(max(0.0, max(D[a, pos]) - min(D[a, neg]) + margin))
        elif kind == "semi":
            for p in pos:
                farther = [D[a, n] for n in neg if D[a, n] > D[a, p]]
                dn = min(farther) if farther else max(D[a, neg])
                terms.append(max(0.0, D[a, p] - dn + margin))
        else:
            terms += [max(0.0, D[a, p] - D[a, n] + margin) for p, n in itertools.product(pos, neg)]
    if kind == "all":
        active = sum(t > 1e-16 for t in terms)
        return sum(terms) / active if active else 0.0
    return float(np.mean(terms)) if terms else 0.0


@pytest.mark.parametrize("kind", ["hard", "semi", "all"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_online_brute_force(kind, seed):
    rng = np.random.default_rng(seed)
    X = torch.as_tensor(rng.normal(size=(10, 3)))
    labels = rng.integers(0, 3, size=10)
    labels[:2] = [0, 0]                                           # at least one valid pair
    if len(set(labels)) == 1:
        labels[-1] = 1
    fn = {"hard": L.batch_hard_triplet_loss, "semi": L.batch_semi_hard_triplet_loss, "all": L.batch_all_triplet_loss}[kind]
    assert math.isclose(float(fn(X, labels, margin=0.8)), _brute(X, labels, 0.8, kind), rel_tol=1e-9, abs_tol=1e-12)


def test_anchors_without_positive_or_negative_are_left_out():
    # label 9 occurs once: that row is no anchor (but it is a negative for the others)
    (X,) = _embs((7, 3), seed=5)
    labels = [0, 0, 1, 1, 2, 2, 9]
    for kind, fn in (("hard", L.batch_hard_triplet_loss), ("semi", L.batch_semi_hard_triplet_loss),
                     ("all", L.batch_all_triplet_loss)):
        assert math.isclose(float(fn(X, labels, margin=1.0).detach()), _brute(X.detach(), labels, 1.0, kind), rel_tol=1e-9)


@pytest.mark.parametrize("fn", [L.batch_hard_triplet_loss, L.batch_semi_hard_triplet_loss, L.batch_all_triplet_loss])
@pytest.mark.parametrize("labels", [[0, 1, 2, 3], [5, 5, 5, 5]], ids=["all_distinct", "one_label"])
def test_no_valid_triplet_gives_a_zero_loss_that_backpropagates(fn, labels):
    (X,) = _embs((4, 3))
    loss = fn(X, labels, margin=1.0)
    assert loss.ndim == 0 and float(loss.detach()) == 0.0
    (g,) = torch.autograd.grad(loss, [X])
    assert torch.equal(g, torch.zeros_like(X))


def test_semi_hard_ties_are_not_semi_hard():
    # anchor 0 at the origin; positive at distance 1; negatives at exactly 1 (tie) and at 3
    X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [3.0, 0.0]], dtype=torch.float64)
    labels = [0, 0, 1, 1]
    # pair (0, 1): the tied negative (d = 1) is not farther, so the semi-hard one is d = 3
    # pair (1, 0): d(1, 2) = sqrt 2 > 1 is semi-hard; pairs (2, 3), (3, 2) likewise by hand
    d12 = math.sqrt(2)
    d_23 = math.sqrt(10)
    terms = [max(0, 1 - 3 + 2.5), max(0, 1 - d12 + 2.5)]
    # anchor 2 (label 1), positive 3 at sqrt(10): negatives 0 (1) and 1 (sqrt 2): none farther -> farthest sqrt 2
    terms.append(max(0, d_23 - d12 + 2.5))
    # anchor 3, positive 2 at sqrt(10): negatives 1 (2) and 0 (3): none farther -> farthest 3
    terms.append(max(0, d_23 - 3 + 2.5))
    assert math.isclose(float(L.batch_semi_hard_triplet_loss(X, labels, margin=2.5)), float(np.mean(terms)),
                        rel_tol=1e-12)


def test_labels_accept_lists_numpy_tensors_and_whole_floats():
    (X,) = _embs((6, 3))
    ref = L.batch_hard_triplet_loss(X, torch.tensor([0, 0, 1, 1, 2, 2]))
    for labels in ([0, 0, 1, 1, 2, 2], np.array([0, 0, 1, 1, 2, 2]), np.array([0.0, 0, 1, 1, 2, 2]),
                   [True, True, False, False, False, True]):
        out = L.batch_hard_triplet_loss(X, labels)
        if isinstance(labels, list) and isinstance(labels[0], bool):
            assert out.ndim == 0
        else:
            assert torch.equal(out, ref)


# ---- contrastive ------------------------------------------------------------------------------
@pytest.mark.parametrize(("distance", "metric"), [("euclidean", "EUCLIDEAN"), ("manhattan", "MANHATTAN"),
                                                  ("cosine", "COSINE_DISTANCE")])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_contrastive_oracle_sentence_transformers(distance, metric, reduction):
    st = _st()
    a, b = _embs((10, 5), (10, 5), seed=4)
    labels = torch.tensor([1, 0, 1, 1, 0, 0, 1, 0, 1, 0])
    margin = 0.5 if distance == "cosine" else 3.0
    ref = st.ContrastiveLoss(None, distance_metric=getattr(st.SiameseDistanceMetric, metric), margin=margin,
                             size_average=reduction == "mean").compute_loss_from_embeddings([a, b], labels)
    _same(L.contrastive_loss(a, b, labels, margin=margin, distance=distance, reduction=reduction), ref, [a, b])
    module = L.ContrastiveLoss(margin=margin, distance=distance, reduction=reduction)
    assert torch.equal(module(a, b, labels), L.contrastive_loss(a, b, labels, margin=margin, distance=distance,
                                                                reduction=reduction))


def test_contrastive_by_hand():
    a = torch.zeros(2, 2, dtype=torch.float64)
    b = torch.tensor([[3.0, 4.0], [0.3, 0.4]], dtype=torch.float64)       # distances 5 and 0.5
    # similar pair at 5: 0.5 * 25; dissimilar pair at 0.5 with margin 2: 0.5 * 1.5^2
    out = L.contrastive_loss(a, b, [1, 0], margin=2.0, reduction="sum")
    assert math.isclose(float(out), 0.5 * 25 + 0.5 * 1.5 ** 2, rel_tol=1e-5)


@pytest.mark.parametrize(("distance", "metric"), [("euclidean", "EUCLIDEAN"), ("cosine", "COSINE_DISTANCE")])
@pytest.mark.parametrize("labels", [[1, 0, 1, 1, 0, 0, 1, 0], [1] * 8, [0] * 8], ids=["mixed", "all_pos", "all_neg"])
def test_online_contrastive_oracle_sentence_transformers(distance, metric, labels):
    st = _st()
    a, b = _embs((8, 4), (8, 4), seed=9)
    y = torch.tensor(labels)
    margin = 0.5 if distance == "cosine" else 3.0
    ref = st.OnlineContrastiveLoss(None, distance_metric=getattr(st.SiameseDistanceMetric, metric),
                                   margin=margin).compute_loss_from_embeddings([a, b], y)
    _same(L.online_contrastive_loss(a, b, y, margin=margin, distance=distance), ref, [a, b])
    assert torch.equal(L.OnlineContrastiveLoss(margin=margin, distance=distance)(a, b, y),
                       L.online_contrastive_loss(a, b, y, margin=margin, distance=distance))


def test_online_contrastive_no_hard_pair_is_zero():
    a = torch.zeros(4, 2, dtype=torch.float64, requires_grad=True)
    b = torch.tensor([[0.1, 0], [0.1, 0], [9, 0], [9, 0]], dtype=torch.float64)
    loss = L.online_contrastive_loss(a, b, [1, 1, 0, 0], margin=1.0)       # positives close, negatives far
    assert float(loss) == 0.0
    loss.backward()
    assert a.grad is not None and float(a.grad.abs().sum()) == 0.0


# ---- bad input --------------------------------------------------------------------------------
def test_bad_input_triplet():
    a, p, n = _embs((3, 4), (3, 4), (3, 4))
    with pytest.raises(ValueError, match="positives has shape"):
        L.triplet_loss(a, p[:2], n)
    with pytest.raises(ValueError, match="negatives has shape"):
        L.triplet_loss(a, p, n[:, :3])
    with pytest.raises(ValueError, match="margin must be a finite float"):
        L.triplet_loss(a, p, n, margin=0.0)
    with pytest.raises(ValueError, match="margin must be a finite float"):
        L.TripletLoss(margin=-1.0)
    with pytest.raises(ValueError, match="distance must be one of"):
        L.triplet_loss(a, p, n, distance="manhattan")
    with pytest.raises(ValueError, match="anchors contains NaN"):
        L.triplet_loss(a.detach() * float("nan"), p, n)
    with pytest.raises(TypeError, match="negatives must be a floating-point tensor"):
        L.triplet_loss(a, p, torch.ones(3, 4, dtype=torch.long))


@pytest.mark.parametrize("fn", [L.batch_hard_triplet_loss, L.batch_semi_hard_triplet_loss, L.batch_all_triplet_loss])
def test_bad_input_online(fn):
    (X,) = _embs((4, 3))
    with pytest.raises(ValueError, match="labels has 3 entries but embeddings has 4 rows"):
        fn(X, [0, 0, 1])
    with pytest.raises(ValueError, match="embeddings holds 1 row"):
        fn(X[:1], [0])
    with pytest.raises(TypeError, match="labels must hold integers"):
        fn(X, ["a", "a", "b", "b"])
    with pytest.raises(ValueError, match="labels must hold whole numbers"):
        fn(X, [0.5, 0, 1, 1])
    with pytest.raises(TypeError, match="labels is None"):
        fn(X, None)
    with pytest.raises(ValueError, match="labels must be 1-D"):
        fn(X, [[0, 0], [1, 1]])
    with pytest.raises(ValueError, match="margin must be"):
        fn(X, [0, 0, 1, 1], margin=float("nan"))
    with pytest.raises(ValueError, match="embeddings contains NaN"):
        fn(X.detach() * float("nan"), [0, 0, 1, 1])


def test_bad_input_contrastive():
    a, b = _embs((3, 4), (3, 4))
    with pytest.raises(ValueError, match="labels must be 0"):
        L.contrastive_loss(a, b, [0, 1, 2])
    with pytest.raises(ValueError, match="labels has 2 entries but a has 3 rows"):
        L.contrastive_loss(a, b, [0, 1])
    with pytest.raises(ValueError, match="b has shape"):
        L.contrastive_loss(a, b[:, :2], [0, 1, 1])
    with pytest.raises(ValueError, match="reduction must be one of"):
        L.contrastive_loss(a, b, [0, 1, 1], reduction="max")
    with pytest.raises(ValueError, match="margin must be"):
        L.ContrastiveLoss(margin=0)
    with pytest.raises(ValueError, match="distance must be one of"):
        L.OnlineContrastiveLoss(distance="squared_euclidean")


def test_deterministic_and_float32():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 4)).astype(np.float32)
    y = [0, 0, 1, 1, 2, 2, 3, 3]
    one, two = L.batch_semi_hard_triplet_loss(X, y), L.batch_semi_hard_triplet_loss(X, y)
    assert one.dtype == torch.float32 and float(one) == float(two)
    ref = L.batch_semi_hard_triplet_loss(X.astype(np.float64), y)
    assert abs(float(one) - float(ref)) < 1e-5, (float(one), float(ref))
