"""Fuzz entries of the chapter-08 losses (triplet, online triplet mining, contrastive, symmetric MNRL).

Valid inputs are small random float64 embeddings with labels that give every anchor a positive
and a negative; the oracles are ``torch.nn.TripletMarginLoss``, brute-force loops over the
triplets and pairs written from the definitions, and ``F.cross_entropy`` on the similarity
matrix. See tests/test_fuzz.py for the machinery.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

import embedcourse as ec
from test_fuzz import Mut, _close, choice, entry, matrix, positive_float

LABELS = np.array([0, 0, 1, 1, 2, 2, 0, 1])


def _emb_muts() -> list[Mut]:
    return [m for m in matrix(ncols=True) if m.label != "zero_row"] + [Mut("none", lambda v, d: None)]


def _label_muts() -> list[Mut]:
    return [
        Mut("float", lambda v, d: np.asarray(v, np.float64) + 0.5),
        Mut("wrong_length", lambda v, d: np.asarray(v)[:-1]),
        Mut("ndim2", lambda v, d: np.asarray(v)[None]),
        Mut("string", lambda v, d: "0 0 1 1"),
        Mut("list_of_str", lambda v, d: [str(x) for x in v]),
        Mut("none", lambda v, d: None),
        Mut("nan", lambda v, d: np.where(np.arange(len(v)) == 1, np.nan, np.asarray(v, np.float64))),
        Mut("negative_ok", lambda v, d: np.asarray(v) - 5, "either"),
    ]


_MARGIN = positive_float()


# ---- triplet_loss ------------------------------------------------------------------------------
def _triplets() -> dict:
    g = np.random.default_rng(3)
    return {"anchors": g.normal(size=(5, 4)), "positives": g.normal(size=(5, 4)), "negatives": g.normal(size=(5, 4)),
            "margin": 1.0}


def _triplet_ref(a: dict, r: Any) -> None:
    t = [torch.as_tensor(np.asarray(a[k], np.float64)) for k in ("anchors", "positives", "negatives")]
    _close(float(r), float(torch.nn.TripletMarginLoss(margin=a["margin"])(*t)), rtol=1e-6)


for _name, _call, _cov in (
        ("losses.triplet_loss", lambda anchors, positives, negatives, margin:
         ec.losses.triplet_loss(anchors, positives, negatives, margin=margin), ()),
        ("losses.TripletLoss", lambda anchors, positives, negatives, margin:
         ec.losses.TripletLoss(margin=margin)(anchors, positives, negatives), ("losses.TripletLoss.forward",))):
    entry(_name, _call, _triplets, muts={"anchors": _emb_muts(), "positives": _emb_muts(), "negatives": _emb_muts(),
                                         "margin": _MARGIN},
          oracle=lambda a, r: _triplet_ref(a, r) if np.ndim(a["anchors"]) == 2 else None, covers=_cov)


# ---- online mining -----------------------------------------------------------------------------
def _labelled() -> dict:
    return {"embeddings": np.random.default_rng(5).normal(size=(8, 3)), "labels": LABELS.copy(), "margin": 1.0,
            "distance": "euclidean"}


def _brute(X: np.ndarray, y: np.ndarray, margin: float, kind: str) -> float:
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    terms = []
    for a in range(len(y)):
        pos = [p for p in range(len(y)) if p != a and y[p] == y[a]]
        neg = [n for n in range(len(y)) if y[n] != y[a]]
        if not pos or not neg:
            continue
        if kind == "hard":
            terms.append(max(0.0, D[a, pos].max() - D[a, neg].min() + margin))
        elif kind == "semi":
            for p in pos:
                farther = [D[a, n] for n in neg if D[a, n] > D[a, p]]
                terms.append(max(0.0, D[a, p] - (min(farther) if farther else D[a, neg].max()) + margin))
        else:
            terms += [max(0.0, D[a, p] - D[a, n] + margin) for p, n in itertools.product(pos, neg)]
    if kind == "all":
        active = sum(t > 1e-16 for t in terms)
        return sum(terms) / active if active else 0.0
    return float(np.mean(terms)) if terms else 0.0


def _online_ref(kind: str) -> Any:
    def check(a: dict, r: Any) -> None:
        if a["distance"] != "euclidean" or np.ndim(a["embeddings"]) != 2:
            return
        X = np.asarray(a["embeddings"], np.float64)
        _close(float(r), _brute(X, np.asarray(a["labels"]), a["margin"], kind), rtol=1e-6)
    return check


for _kind, _fn, _cls in (("hard", "batch_hard_triplet_loss", "BatchHardTripletLoss"),
                         ("semi", "batch_semi_hard_triplet_loss", "BatchSemiHardTripletLoss"),
                         ("all", "batch_all_triplet_loss", "BatchAllTripletLoss")):
    _muts = {"embeddings": [m for m in _emb_muts() if m.label != "wrong_ncols"]
             + [Mut("one_row", lambda v, d: np.asarray(v)[:1])], "labels": _label_muts(),
             "margin": _MARGIN, "distance": choice()}
    entry(f"losses.{_fn}", lambda embeddings, labels, margin, distance, _f=_fn:
          getattr(ec.losses, _f)(embeddings, labels, margin=margin, distance=distance),
          _labelled, muts=_muts, oracle=_online_ref(_kind))
    entry(f"losses.{_cls}", lambda embeddings, labels, margin, distance, _c=_cls:
          getattr(ec.losses, _c)(margin=margin, distance=distance)(embeddings, labels),
          _labelled, muts=_muts, oracle=_online_ref(_kind), covers=(f"losses.{_cls}.forward",))


# ---- contrastive -------------------------------------------------------------------------------
def _pairs() -> dict:
    g = np.random.default_rng(8)
    return {"a": g.normal(size=(6, 4)), "b": g.normal(size=(6, 4)), "labels": np.array([1, 0, 1, 0, 0, 1]),
            "margin": 3.0}


def _pair_label_muts() -> list[Mut]:
    return [m for m in _label_muts() if m.label != "negative_ok"] + [Mut("two", lambda v, d: np.asarray(v) * 2)]


def _contrastive_ref(a: dict, r: Any) -> None:
    x, z = (torch.as_tensor(np.asarray(a[k], np.float64)) for k in ("a", "b"))
    d = F.pairwise_distance(x, z).numpy()
    y = np.asarray(a["labels"], np.float64)
    _close(float(r), float(np.mean(0.5 * (y * d ** 2 + (1 - y) * np.maximum(a["margin"] - d, 0) ** 2))), rtol=1e-6)


def _online_contrastive_ref(a: dict, r: Any) -> None:
    x, z = (torch.as_tensor(np.asarray(a[k], np.float64)) for k in ("a", "b"))
    d = F.pairwise_distance(x, z).numpy()
    y = np.asarray(a["labels"])
    pos, neg = d[y == 1], d[y == 0]
    hp = pos[pos > (neg.min() if len(neg) else pos.mean())]
    hn = neg[neg < (pos.max() if len(pos) else neg.mean())]
    _close(float(r), float((hp ** 2).sum() + (np.maximum(a["margin"] - hn, 0) ** 2).sum()), rtol=1e-6)


_PAIR_MUTS = {"a": _emb_muts(), "b": _emb_muts(), "labels": _pair_label_muts(), "margin": _MARGIN}
for _name, _call, _ref, _cov in (
        ("losses.contrastive_loss", lambda a, b, labels, margin: ec.losses.contrastive_loss(a, b, labels, margin=margin),
         _contrastive_ref, ()),
        ("losses.ContrastiveLoss", lambda a, b, labels, margin: ec.losses.ContrastiveLoss(margin=margin)(a, b, labels),
         _contrastive_ref, ("losses.ContrastiveLoss.forward",)),
        ("losses.online_contrastive_loss", lambda a, b, labels, margin:
         ec.losses.online_contrastive_loss(a, b, labels, margin=margin), _online_contrastive_ref, ()),
        ("losses.OnlineContrastiveLoss", lambda a, b, labels, margin:
         ec.losses.OnlineContrastiveLoss(margin=margin)(a, b, labels), _online_contrastive_ref,
         ("losses.OnlineContrastiveLoss.forward",))):
    entry(_name, _call, _pairs, muts=_PAIR_MUTS,
          oracle=lambda a, r, _f=_ref: _f(a, r) if np.ndim(a["a"]) == 2 else None, covers=_cov)


# ---- symmetric multiple negatives ranking loss --------------------------------------------------
def _mnrl() -> dict:
    g = np.random.default_rng(4)
    return {"anchors": g.normal(size=(4, 6)), "positives": g.normal(size=(4, 6)),
            "negatives": g.normal(size=(4, 2, 6)), "scale": 20.0}


def _sym_ref(a: dict, r: Any) -> None:
    A = F.normalize(torch.as_tensor(np.asarray(a["anchors"], np.float64)), dim=1)
    P = F.normalize(torch.as_tensor(np.asarray(a["positives"], np.float64)), dim=1)
    N = F.normalize(torch.as_tensor(np.asarray(a["negatives"], np.float64)), dim=-1)
    docs = torch.cat([P, N[:, 0], N[:, 1]])
    t = torch.arange(A.shape[0])
    ref = (F.cross_entropy(a["scale"] * A @ docs.T, t) + F.cross_entropy(a["scale"] * P @ A.T, t)) / 2
    _close(float(r), float(ref), rtol=1e-6)


_SCALE = [Mut("zero", lambda v, d: 0.0), Mut("negative", lambda v, d: -1.0), Mut("nan", lambda v, d: float("nan")),
          Mut("string", lambda v, d: "20")]
for _name, _call, _cov in (
        ("losses.multiple_negatives_symmetric_ranking_loss", lambda anchors, positives, negatives, scale:
         ec.losses.multiple_negatives_symmetric_ranking_loss(anchors, positives, negatives, scale=scale), ()),
        ("losses.MultipleNegativesSymmetricRankingLoss", lambda anchors, positives, negatives, scale:
         ec.losses.MultipleNegativesSymmetricRankingLoss(scale=scale)(anchors, positives, negatives),
         ("losses.MultipleNegativesSymmetricRankingLoss.forward",))):
    entry(_name, _call, _mnrl,
          muts={"anchors": _emb_muts(), "positives": _emb_muts(),
                "negatives": [Mut("wrong_batch", lambda v, d: v[:2]), Mut("string", lambda v, d: "x"),
                              Mut("nan", lambda v, d: v * np.nan), Mut("none_ok", lambda v, d: None, "either")],
                "scale": _SCALE},
          oracle=lambda a, r: _sym_ref(a, r) if a["negatives"] is not None and np.ndim(a["anchors"]) == 2
          and np.ndim(a["positives"]) == 2 else None, covers=_cov)
