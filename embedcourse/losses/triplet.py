"""Triplet losses: an anchor must be closer to its positive than to its negative, by a margin.

For a triplet (a, p, n) with a distance d, the loss is ``relu(d(a, p) - d(a, n) + margin)``:
zero once the negative is at least ``margin`` farther away than the positive.

* :func:`triplet_loss` takes the triplets as three row-aligned tensors (offline triplets);
  with ``distance="euclidean"`` it equals ``torch.nn.TripletMarginLoss`` (value and gradients).
* The *online* versions take one batch of embeddings with class labels and build the triplets
  inside the batch (every pair of rows with the same label is an (anchor, positive) pair, every
  row with another label a negative):

  - :func:`batch_hard_triplet_loss` (Hermans, Beyer and Leibe 2017): per anchor, only its
    hardest positive (the farthest) and its hardest negative (the closest);
  - :func:`batch_semi_hard_triplet_loss` (FaceNet, Schroff et al. 2015): per (anchor, positive)
    pair, the closest negative that is still *farther* than the positive (strictly), so the
    triplet is violated by less than the margin; if no negative is farther, the farthest one;
  - :func:`batch_all_triplet_loss`: every valid triplet, averaged over those with a loss > 0.

  Their distance matrices are computed as sentence-transformers does (from the Gram matrix,
  clamped at 0, with a zero gradient where a distance is 0), so with the same margin they equal
  its ``BatchHardTripletLoss``, ``BatchSemiHardTripletLoss`` and ``BatchAllTripletLoss``.

**No valid triplet.** An anchor without a positive (its label occurs once in the batch) or
without a negative (every row has its label) forms no triplet and is left out of the mean. If
the batch has no valid triplet at all, the loss is 0, still connected to the graph (backward
works and gives zero gradients), and no error is raised: training simply learns nothing from
that batch. (sentence-transformers instead lets such anchors contribute a meaningless term.)

**Ties.** The value does not depend on which of several tied candidates is picked; the
gradient goes to one of them (the first in index order for the batch-hard maximum and minimum).

Taught in: chapter 08.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from embedcourse._validation import check_choice
from embedcourse.losses._base import as_embeddings, as_labels, check_finite_loss, check_margin, zero_loss

__all__ = ["DISTANCES", "triplet_loss", "batch_hard_triplet_loss", "batch_semi_hard_triplet_loss",
           "batch_all_triplet_loss", "TripletLoss", "BatchHardTripletLoss", "BatchSemiHardTripletLoss",
           "BatchAllTripletLoss"]

#: The distances the triplet losses accept ("cosine" means 1 - cosine similarity).
DISTANCES = ("euclidean", "squared_euclidean", "cosine")


def _check_distance(distance: Any) -> str:
    return check_choice("distance", distance, DISTANCES)


def _paired_distance(x: torch.Tensor, y: torch.Tensor, distance: str) -> torch.Tensor:
    """d(x_i, y_i) for each row i."""
    if distance == "euclidean":
        return F.pairwise_distance(x, y, p=2, eps=1e-6)   # as torch's TripletMarginLoss: ||x - y + eps||
    if distance == "squared_euclidean":
        return (x - y).pow(2).sum(dim=1)
    return 1 - (F.normalize(x, p=2, dim=1) * F.normalize(y, p=2, dim=1)).sum(dim=1)


def _distance_matrix(X: torch.Tensor, distance: str) -> torch.Tensor:
    """(B, B) distances between the rows of ``X``; the diagonal is 0 (up to rounding for cosine) and never used."""
    if distance == "cosine":
        Z = F.normalize(X, p=2, dim=1)
        return 1 - Z @ Z.T
    gram = X @ X.T
    sq_norms = torch.diag(gram)
    sq = sq_norms[None, :] - 2.0 * gram + sq_norms[:, None]
    sq = sq.clamp(min=0)                                  # rounding can make it slightly negative
    if distance == "squared_euclidean":
        return sq
    zero = sq.eq(0).to(sq.dtype)                          # sqrt has an infinite slope at 0:
    return (1.0 - zero) * torch.sqrt(sq + zero * 1e-16)   # give those entries a zero gradient


def _batch(embeddings: Any, labels: Any, margin: Any, distance: Any) -> tuple[torch.Tensor, torch.Tensor, float]:
    X = as_embeddings(embeddings, "embeddings")
    if X.shape[0] < 2:
        raise ValueError(f"embeddings holds {X.shape[0]} row; online triplet mining needs a batch of at least 2 "
                         f"(and at least two rows per label).")
    y = as_labels(labels, X.shape[0]).to(X.device)
    margin = check_margin(margin)
    D = check_finite_loss(_distance_matrix(X, _check_distance(distance)), "embeddings")
    return D, y, margin


def _masks(y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(is_positive, is_negative): same label and not itself; another label."""
    same = y[:, None] == y[None, :]
    eye = torch.eye(len(y), dtype=torch.bool, device=y.device)
    return same & ~eye, ~same


def triplet_loss(anchors: Any, positives: Any, negatives: Any, *, margin: float = 1.0,
                 distance: str = "euclidean") -> torch.Tensor:
    """The mean triplet loss of B given triplets (a_i, p_i, n_i).

    Parameters
    ----------
    anchors, positives, negatives : torch.Tensor, shape (B, d)
        Row i of the three is one triplet.
    margin : float > 0
        Required gap between d(a, n) and d(a, p).
    distance : {"euclidean", "squared_euclidean", "cosine"}
        "euclidean" is ``||x - y + 1e-6||`` as in ``torch.nn.TripletMarginLoss``; "cosine" is
        1 - cosine similarity.

    Returns
    -------
    torch.Tensor, scalar
        mean_i relu(d(a_i, p_i) - d(a_i, n_i) + margin).

    Examples
    --------
    >>> a, p, n = torch.randn(4, 8), torch.randn(4, 8), torch.randn(4, 8)
    >>> triplet_loss(a, p, n, margin=1.0).shape
    torch.Size([])

    Taught in: chapter 08.
    """
    a = as_embeddings(anchors, "anchors")
    p = as_embeddings(positives, "positives")
    n = as_embeddings(negatives, "negatives")
    for name, t in (("positives", p), ("negatives", n)):
        if t.shape != a.shape:
            raise ValueError(f"{name} has shape {tuple(t.shape)} but anchors has {tuple(a.shape)}; "
                             f"pass row-aligned triplets.")
    margin = check_margin(margin)
    distance = _check_distance(distance)
    dtype = torch.promote_types(torch.promote_types(a.dtype, p.dtype), n.dtype)
    a, p, n = a.to(dtype), p.to(dtype), n.to(dtype)
    # margin + d_ap - d_an, in torch's order of operations (it matters only for huge distances)
    loss = torch.relu(margin + _paired_distance(a, p, distance) - _paired_distance(a, n, distance)).mean()
    return check_finite_loss(loss, "anchors, positives, negatives")


def batch_hard_triplet_loss(embeddings: Any, labels: Any, *, margin: float = 1.0,
                            distance: str = "euclidean") -> torch.Tensor:
    """Batch-hard triplet loss: each anchor with its farthest positive and its closest negative.

    Parameters
    ----------
    embeddings : torch.Tensor, shape (B, d)
        One batch, B >= 2; ideally several rows per label (P labels x K rows each).
    labels : array-like of int, shape (B,)
        Class of each row.
    margin : float > 0
    distance : {"euclidean", "squared_euclidean", "cosine"}

    Returns
    -------
    torch.Tensor, scalar
        Mean over the anchors that have a positive and a negative of
        relu(max_p d(a, p) - min_n d(a, n) + margin); 0 if no anchor has both.

    Examples
    --------
    >>> X = torch.randn(6, 4)
    >>> batch_hard_triplet_loss(X, [0, 0, 1, 1, 2, 2], margin=1.0).shape
    torch.Size([])

    Taught in: chapter 08.
    """
    D, y, margin = _batch(embeddings, labels, margin, distance)
    is_pos, is_neg = _masks(y)
    hardest_pos = (D * is_pos).max(dim=1).values                             # D >= 0, so non-positives never win
    hardest_neg = D.masked_fill(~is_neg, float("inf")).min(dim=1).values
    valid = is_pos.any(dim=1) & is_neg.any(dim=1)
    if not bool(valid.any()):
        return zero_loss(D)
    return torch.relu(hardest_pos[valid] - hardest_neg[valid] + margin).mean()


def batch_semi_hard_triplet_loss(embeddings: Any, labels: Any, *, margin: float = 1.0,
                                 distance: str = "euclidean") -> torch.Tensor:
    """Semi-hard triplet loss (FaceNet): each (anchor, positive) pair with a semi-hard negative.

    For the pair (a, p), the negative is the closest n with d(a, n) > d(a, p) (strictly: an equal
    distance is not semi-hard); when no negative is farther than p, the farthest negative.

    Parameters
    ----------
    embeddings : torch.Tensor, shape (B, d)
    labels : array-like of int, shape (B,)
    margin : float > 0
    distance : {"euclidean", "squared_euclidean", "cosine"}

    Returns
    -------
    torch.Tensor, scalar
        Mean over the (anchor, positive) pairs whose anchor has a negative of
        relu(d(a, p) - d(a, n_semi) + margin); 0 if there is no such pair.

    Examples
    --------
    >>> X = torch.randn(6, 4)
    >>> batch_semi_hard_triplet_loss(X, [0, 0, 1, 1, 2, 2]).shape
    torch.Size([])

    Taught in: chapter 08.
    """
    D, y, margin = _batch(embeddings, labels, margin, distance)
    is_pos, is_neg = _masks(y)
    B = D.shape[0]
    # each row's negative distances in increasing order, padded with +inf
    neg_sorted = D.masked_fill(~is_neg, float("inf")).sort(dim=1, stable=True).values
    # for each (a, p): the position of the first negative strictly farther than d(a, p)
    first_farther = torch.searchsorted(neg_sorted.detach().contiguous(), D.detach().contiguous(), right=True)
    semi_hard = neg_sorted.gather(1, first_farther.clamp(max=B - 1))           # +inf if there is none
    farthest = D.masked_fill(~is_neg, float("-inf")).max(dim=1, keepdim=True).values
    chosen = torch.where(torch.isfinite(semi_hard), semi_hard, farthest)
    pairs = is_pos & is_neg.any(dim=1, keepdim=True)
    if not bool(pairs.any()):
        return zero_loss(D)
    return torch.relu(D[pairs] - chosen[pairs] + margin).mean()


def batch_all_triplet_loss(embeddings: Any, labels: Any, *, margin: float = 1.0,
                           distance: str = "euclidean") -> torch.Tensor:
    """Batch-all triplet loss: every valid triplet of the batch, averaged over the active ones.

    Parameters
    ----------
    embeddings : torch.Tensor, shape (B, d)
    labels : array-like of int, shape (B,)
    margin : float > 0
    distance : {"euclidean", "squared_euclidean", "cosine"}

    Returns
    -------
    torch.Tensor, scalar
        Sum of relu(d(a, p) - d(a, n) + margin) over all valid (a, p, n), divided by the number
        of them with a loss above 1e-16 (the easy triplets would only dilute the mean); 0 if none.

    Examples
    --------
    >>> X = torch.randn(6, 4)
    >>> batch_all_triplet_loss(X, [0, 0, 1, 1, 2, 2]).shape
    torch.Size([])

    Taught in: chapter 08.
    """
    D, y, margin = _batch(embeddings, labels, margin, distance)
    is_pos, is_neg = _masks(y)
    a_idx, p_idx = is_pos.nonzero(as_tuple=True)                        # (anchor, positive) pairs
    losses = torch.relu(D[a_idx, p_idx][:, None] - D[a_idx] + margin)   # (pairs, B): one column per n
    losses = losses * is_neg[a_idx]                                     # keep the real negatives only
    active = int((losses > 1e-16).sum())
    if active == 0:
        return zero_loss(D)
    return losses.sum() / active


class _MarginLoss(nn.Module):
    def __init__(self, margin: float = 1.0, distance: str = "euclidean") -> None:
        super().__init__()
        self.margin = check_margin(margin)
        self.distance = _check_distance(distance)

    def extra_repr(self) -> str:
        return f"margin={self.margin}, distance={self.distance!r}"


class TripletLoss(_MarginLoss):
    """:func:`triplet_loss` as a ``torch.nn.Module`` (``margin`` and ``distance`` stored).

    Examples
    --------
    >>> loss = TripletLoss(margin=0.5)(torch.randn(4, 8), torch.randn(4, 8), torch.randn(4, 8))

    Taught in: chapter 08.
    """

    def forward(self, anchors: Any, positives: Any, negatives: Any) -> torch.Tensor:
        """The loss of B triplets: see :func:`triplet_loss`.

        Parameters
        ----------
        anchors, positives, negatives : torch.Tensor, shape (B, d)

        Returns
        -------
        torch.Tensor, scalar
        """
        return triplet_loss(anchors, positives, negatives, margin=self.margin, distance=self.distance)


class _LabelledBatchLoss(_MarginLoss):
    """A loss over a labelled batch that mines its own triplets; subclasses name the function."""

    @staticmethod
    def _loss(embeddings: Any, labels: Any, *, margin: float, distance: str) -> torch.Tensor:
        raise NotImplementedError  # pragma: no cover - every subclass sets it

    def forward(self, embeddings: Any, labels: Any) -> torch.Tensor:
        """The loss of a labelled batch (see the function named in the class docstring).

        Parameters
        ----------
        embeddings : torch.Tensor, shape (B, d)
        labels : array-like of int, shape (B,)

        Returns
        -------
        torch.Tensor, scalar
        """
        return self._loss(embeddings, labels, margin=self.margin, distance=self.distance)


class BatchHardTripletLoss(_LabelledBatchLoss):
    """:func:`batch_hard_triplet_loss` as a ``torch.nn.Module``.

    Examples
    --------
    >>> loss = BatchHardTripletLoss(margin=1.0)(torch.randn(6, 4), [0, 0, 1, 1, 2, 2])

    Taught in: chapter 08.
    """

    _loss = staticmethod(batch_hard_triplet_loss)


class BatchSemiHardTripletLoss(_LabelledBatchLoss):
    """:func:`batch_semi_hard_triplet_loss` as a ``torch.nn.Module``.

    Examples
    --------
    >>> loss = BatchSemiHardTripletLoss(margin=1.0)(torch.randn(6, 4), [0, 0, 1, 1, 2, 2])

    Taught in: chapter 08.
    """

    _loss = staticmethod(batch_semi_hard_triplet_loss)


class BatchAllTripletLoss(_LabelledBatchLoss):
    """:func:`batch_all_triplet_loss` as a ``torch.nn.Module``.

    Examples
    --------
    >>> loss = BatchAllTripletLoss(margin=1.0)(torch.randn(6, 4), [0, 0, 1, 1, 2, 2])

    Taught in: chapter 08.
    """

    _loss = staticmethod(batch_all_triplet_loss)
