"""Multiple negatives ranking loss (in-batch negatives): how Sentence-BERT models are trained.

A batch holds B pairs (anchor a_i, positive p_i), e.g. a question and its answer. Every other
positive in the batch serves as a negative for a_i, for free. With s(a, p) the cosine and
``scale`` = 1 / tau, the loss is the cross-entropy of a softmax over the columns of the
(B, B) score matrix S_ij = s(a_i, p_j) / tau, whose right answers are on the diagonal:

    L = -(1/B) sum_i log( exp(S_ii) / sum_j exp(S_ij) ).

Optional *hard negatives* n_ik (K per anchor, each close to a_i but wrong) are appended as
extra columns, so a_i must also beat every hard negative in the batch (its own and the other
anchors'). This is sentence-transformers' ``MultipleNegativesRankingLoss`` with its default
settings (also called InfoNCE with in-batch negatives): same value and same gradients
(``tests/test_losses.py``).

Taught in: chapter 03 (derived and written by hand); chapter 08 trains with it.
"""

from __future__ import annotations

from typing import Any

import torch


from embedcourse.losses._base import (ScaledLoss, as_embeddings, check_finite_loss, check_scale, check_similarity,
                                      similarity_matrix)

__all__ = ["multiple_negatives_ranking_loss", "MultipleNegativesRankingLoss",
           "multiple_negatives_symmetric_ranking_loss", "MultipleNegativesSymmetricRankingLoss"]


def multiple_negatives_ranking_loss(anchors: Any, positives: Any, negatives: Any = None, *,
                                    scale: float = 20.0, similarity: str = "cosine") -> torch.Tensor:
    """In-batch-negatives cross-entropy over scaled similarities, with optional hard negatives.

    Parameters
    ----------
    anchors : torch.Tensor, shape (B, d)
        Anchor (query) embeddings a_i.
    positives : torch.Tensor, shape (B, d)
        p_i is the positive of a_i; every p_j (j != i) is a negative of a_i.
    negatives : torch.Tensor, shape (B, d) or (B, K, d), optional
        K hard negatives per anchor, appended as extra candidate columns for every anchor.
    scale : float
        Inverse temperature 1 / tau (20 = sentence-transformers' default, tau = 0.05).
    similarity : {"cosine", "dot"}

    Returns
    -------
    torch.Tensor, scalar
        The mean over anchors of -log softmax(scale * s(a_i, candidates))[i]. Gradients flow
        to the inputs. Between 0 and, at the start of training, about log(B (1 + K)).

    Examples
    --------
    >>> a, p = torch.randn(4, 8), torch.randn(4, 8)
    >>> multiple_negatives_ranking_loss(a, p).shape
    torch.Size([])

    Taught in: chapter 03 (and chapter 08).
    """
    scale = check_scale(scale)
    similarity = check_similarity(similarity)
    a, _, docs = _candidates(anchors, positives, negatives)
    scores = scale * similarity_matrix(a, docs, similarity)             # (B, B (1 + K))
    labels = torch.arange(a.shape[0], device=scores.device)             # a_i's positive is column i
    return check_finite_loss(torch.nn.functional.cross_entropy(scores, labels), "anchors, positives, negatives")


def _candidates(anchors: Any, positives: Any, negatives: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Checked anchors (B, d), positives (B, d) and the candidate columns [positives, negatives] (B (1 + K), d)."""
    a = as_embeddings(anchors, "anchors")
    p = as_embeddings(positives, "positives")
    if p.shape != a.shape:
        raise ValueError(f"positives has shape {tuple(p.shape)} but anchors has {tuple(a.shape)}; one positive per anchor.")
    candidates = [p]
    if negatives is not None:
        n = as_embeddings(negatives, "negatives", ndim=(2, 3))
        if n.ndim == 2:
            n = n[:, None, :]
        if n.shape[0] != a.shape[0] or n.shape[2] != a.shape[1]:
            raise ValueError(f"negatives has shape {tuple(n.shape)}; expected ({a.shape[0]}, K, {a.shape[1]}) "
                             f"(K hard negatives per anchor).")
        candidates += [n[:, k] for k in range(n.shape[1])]
    dtype = candidates[0].dtype
    for c in [a, *candidates]:
        dtype = torch.promote_types(dtype, c.dtype)
    return a.to(dtype), p.to(dtype), torch.cat([c.to(dtype) for c in candidates])


def multiple_negatives_symmetric_ranking_loss(anchors: Any, positives: Any, negatives: Any = None, *,
                                              scale: float = 20.0, similarity: str = "cosine") -> torch.Tensor:
    """Symmetric in-batch-negatives loss: anchor -> candidates and positive -> anchors, averaged.

    The first term is :func:`multiple_negatives_ranking_loss` (hard negatives included); the
    second asks each positive p_i to pick its anchor a_i among all B anchors. This is
    sentence-transformers' ``MultipleNegativesSymmetricRankingLoss`` (value and gradients).

    Parameters
    ----------
    anchors, positives : torch.Tensor, shape (B, d)
    negatives : torch.Tensor, shape (B, d) or (B, K, d), optional
        Hard negatives: extra columns of the anchor -> candidates term only.
    scale : float
        Inverse temperature 1 / tau.
    similarity : {"cosine", "dot"}

    Returns
    -------
    torch.Tensor, scalar
        (CE(anchors -> [positives, negatives]) + CE(positives -> anchors)) / 2.

    Examples
    --------
    >>> multiple_negatives_symmetric_ranking_loss(torch.randn(4, 8), torch.randn(4, 8)).shape
    torch.Size([])

    Taught in: chapter 08.
    """
    scale = check_scale(scale)
    similarity = check_similarity(similarity)
    a, p, docs = _candidates(anchors, positives, negatives)
    target = torch.arange(a.shape[0], device=a.device)
    ce = torch.nn.functional.cross_entropy
    forward = ce(scale * similarity_matrix(a, docs, similarity), target)
    backward = ce(scale * similarity_matrix(p, a, similarity), target)
    return check_finite_loss((forward + backward) / 2, "anchors, positives, negatives")


class MultipleNegativesRankingLoss(ScaledLoss):
    """The loss of :func:`multiple_negatives_ranking_loss` as a ``torch.nn.Module``.

    Parameters
    ----------
    scale : float
        Inverse temperature 1 / tau.
    similarity : {"cosine", "dot"}

    Examples
    --------
    >>> loss_fn = MultipleNegativesRankingLoss(scale=20.0)
    >>> loss = loss_fn(torch.randn(4, 8), torch.randn(4, 8))

    Taught in: chapter 03 (and chapter 08).
    """

    def __init__(self, scale: float = 20.0, similarity: str = "cosine") -> None:
        super().__init__(scale, similarity)

    def forward(self, anchors: Any, positives: Any, negatives: Any = None) -> torch.Tensor:
        """The loss of a batch: see :func:`multiple_negatives_ranking_loss`.

        Parameters
        ----------
        anchors, positives : torch.Tensor, shape (B, d)
        negatives : torch.Tensor, shape (B, d) or (B, K, d), optional

        Returns
        -------
        torch.Tensor, scalar
        """
        return multiple_negatives_ranking_loss(anchors, positives, negatives, scale=self.scale,
                                               similarity=self.similarity)


class MultipleNegativesSymmetricRankingLoss(ScaledLoss):
    """:func:`multiple_negatives_symmetric_ranking_loss` as a ``torch.nn.Module``.

    Parameters
    ----------
    scale : float
        Inverse temperature 1 / tau.
    similarity : {"cosine", "dot"}

    Examples
    --------
    >>> loss = MultipleNegativesSymmetricRankingLoss()(torch.randn(4, 8), torch.randn(4, 8))

    Taught in: chapter 08.
    """

    def __init__(self, scale: float = 20.0, similarity: str = "cosine") -> None:
        super().__init__(scale, similarity)

    def forward(self, anchors: Any, positives: Any, negatives: Any = None) -> torch.Tensor:
        """The loss of a batch: see :func:`multiple_negatives_symmetric_ranking_loss`.

        Parameters
        ----------
        anchors, positives : torch.Tensor, shape (B, d)
        negatives : torch.Tensor, shape (B, d) or (B, K, d), optional

        Returns
        -------
        torch.Tensor, scalar
        """
        return multiple_negatives_symmetric_ranking_loss(anchors, positives, negatives, scale=self.scale,
                                                         similarity=self.similarity)
