"""The classic contrastive (margin) loss on pairs (Hadsell, Chopra and LeCun 2006).

A batch holds B pairs (a_i, b_i) with a label y_i: 1 if the two should be close (a similar
pair), 0 if they should be apart. With d the distance between the two embeddings:

    L_i = 1/2 * ( y_i d_i^2 + (1 - y_i) relu(margin - d_i)^2 ),

so similar pairs are pulled together, and dissimilar pairs are pushed apart until they are
``margin`` away, and then left alone. :func:`contrastive_loss` averages L_i (or sums it);
it equals sentence-transformers' ``ContrastiveLoss`` (value and gradients).

:func:`online_contrastive_loss` keeps only the *hard* pairs of the batch: the similar pairs
farther apart than the closest dissimilar pair, and the dissimilar pairs closer than the
farthest similar pair (when the batch has no pair of the other kind, the mean distance of the
pairs of its own kind is the threshold). It returns the SUM of d^2 over the hard similar pairs
and of relu(margin - d)^2 over the hard dissimilar pairs (no 1/2, no mean), exactly as
sentence-transformers' ``OnlineContrastiveLoss``; it is 0 (still connected to the graph) when
no pair is hard.

Distances: "euclidean" is ``torch.nn.functional.pairwise_distance`` (||a - b + 1e-6||),
"manhattan" the same with p = 1, "cosine" is 1 - cosine similarity (sentence-transformers'
default, with margin 0.5; ours are "euclidean" and 1.0, as in the paper).

Taught in: chapter 08.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from embedcourse._validation import check_choice
from embedcourse.losses._base import as_embeddings, as_labels, check_finite_loss, check_margin, zero_loss

__all__ = ["PAIR_DISTANCES", "contrastive_loss", "online_contrastive_loss", "ContrastiveLoss",
           "OnlineContrastiveLoss"]

#: The distances the contrastive losses accept.
PAIR_DISTANCES = ("euclidean", "manhattan", "cosine")


def _pairs(a: Any, b: Any, labels: Any, margin: Any, distance: Any) -> tuple[torch.Tensor, torch.Tensor, float]:
    x = as_embeddings(a, "a")
    z = as_embeddings(b, "b")
    if z.shape != x.shape:
        raise ValueError(f"b has shape {tuple(z.shape)} but a has {tuple(x.shape)}; pass row-aligned pairs.")
    y = as_labels(labels, x.shape[0], rows_of="a", binary=True).to(x.device)
    margin = check_margin(margin)
    distance = check_choice("distance", distance, PAIR_DISTANCES)
    dtype = torch.promote_types(x.dtype, z.dtype)
    x, z = x.to(dtype), z.to(dtype)
    if distance == "cosine":
        d = 1 - F.cosine_similarity(x, z)
    else:
        d = F.pairwise_distance(x, z, p=2 if distance == "euclidean" else 1)
    d = check_finite_loss(d, "a, b")
    return d, y.to(dtype), margin


def contrastive_loss(a: Any, b: Any, labels: Any, *, margin: float = 1.0, distance: str = "euclidean",
                     reduction: str = "mean") -> torch.Tensor:
    """The margin contrastive loss of B labelled pairs.

    Parameters
    ----------
    a, b : torch.Tensor, shape (B, d)
        Row i of both is one pair.
    labels : array-like of {0, 1}, shape (B,)
        1 = similar pair (pull together), 0 = dissimilar pair (push beyond ``margin``).
    margin : float > 0
    distance : {"euclidean", "manhattan", "cosine"}
    reduction : {"mean", "sum"}

    Returns
    -------
    torch.Tensor, scalar
        The mean (or sum) over pairs of 1/2 (y d^2 + (1 - y) relu(margin - d)^2).

    Examples
    --------
    >>> a, b = torch.randn(4, 8), torch.randn(4, 8)
    >>> contrastive_loss(a, b, [1, 0, 1, 0]).shape
    torch.Size([])

    Taught in: chapter 08.
    """
    d, y, margin = _pairs(a, b, labels, margin, distance)
    reduction = check_choice("reduction", reduction, ("mean", "sum"))
    losses = 0.5 * (y * d.pow(2) + (1 - y) * F.relu(margin - d).pow(2))
    return check_finite_loss(losses.mean() if reduction == "mean" else losses.sum(), "a, b")


def online_contrastive_loss(a: Any, b: Any, labels: Any, *, margin: float = 1.0,
                            distance: str = "euclidean") -> torch.Tensor:
    """The contrastive loss of the hard pairs of the batch only (summed).

    Parameters
    ----------
    a, b : torch.Tensor, shape (B, d)
    labels : array-like of {0, 1}, shape (B,)
    margin : float > 0
    distance : {"euclidean", "manhattan", "cosine"}

    Returns
    -------
    torch.Tensor, scalar
        sum of d^2 over similar pairs with d > min d(dissimilar) plus sum of relu(margin - d)^2
        over dissimilar pairs with d < max d(similar); 0 when no pair is hard.

    Examples
    --------
    >>> online_contrastive_loss(torch.randn(4, 8), torch.randn(4, 8), [1, 0, 1, 0]).shape
    torch.Size([])

    Taught in: chapter 08.
    """
    d, y, margin = _pairs(a, b, labels, margin, distance)
    pos, neg = d[y == 1], d[y == 0]
    hard_neg = neg[neg < (pos.max() if len(pos) else neg.mean())]
    hard_pos = pos[pos > (neg.min() if len(neg) else pos.mean())]
    if len(hard_pos) == 0 and len(hard_neg) == 0:
        return zero_loss(d)
    return check_finite_loss(hard_pos.pow(2).sum() + F.relu(margin - hard_neg).pow(2).sum(), "a, b")


class ContrastiveLoss(nn.Module):
    """:func:`contrastive_loss` as a ``torch.nn.Module``.

    Parameters
    ----------
    margin : float > 0
    distance : {"euclidean", "manhattan", "cosine"}
    reduction : {"mean", "sum"}

    Examples
    --------
    >>> loss = ContrastiveLoss(margin=1.0)(torch.randn(4, 8), torch.randn(4, 8), [1, 0, 1, 0])

    Taught in: chapter 08.
    """

    def __init__(self, margin: float = 1.0, distance: str = "euclidean", reduction: str = "mean") -> None:
        super().__init__()
        self.margin = check_margin(margin)
        self.distance = check_choice("distance", distance, PAIR_DISTANCES)
        self.reduction = check_choice("reduction", reduction, ("mean", "sum"))

    def forward(self, a: Any, b: Any, labels: Any) -> torch.Tensor:
        """The loss of B labelled pairs: see :func:`contrastive_loss`.

        Parameters
        ----------
        a, b : torch.Tensor, shape (B, d)
        labels : array-like of {0, 1}, shape (B,)

        Returns
        -------
        torch.Tensor, scalar
        """
        return contrastive_loss(a, b, labels, margin=self.margin, distance=self.distance, reduction=self.reduction)


class OnlineContrastiveLoss(nn.Module):
    """:func:`online_contrastive_loss` as a ``torch.nn.Module``.

    Parameters
    ----------
    margin : float > 0
    distance : {"euclidean", "manhattan", "cosine"}

    Examples
    --------
    >>> loss = OnlineContrastiveLoss(margin=1.0)(torch.randn(4, 8), torch.randn(4, 8), [1, 0, 1, 0])

    Taught in: chapter 08.
    """

    def __init__(self, margin: float = 1.0, distance: str = "euclidean") -> None:
        super().__init__()
        self.margin = check_margin(margin)
        self.distance = check_choice("distance", distance, PAIR_DISTANCES)

    def forward(self, a: Any, b: Any, labels: Any) -> torch.Tensor:
        """The loss of the hard pairs of a batch: see :func:`online_contrastive_loss`.

        Parameters
        ----------
        a, b : torch.Tensor, shape (B, d)
        labels : array-like of {0, 1}, shape (B,)

        Returns
        -------
        torch.Tensor, scalar
        """
        return online_contrastive_loss(a, b, labels, margin=self.margin, distance=self.distance)
