"""Contrastive losses on two views: NT-Xent (SimCLR) and the symmetric InfoNCE of CLIP.

**NT-Xent** (normalised temperature-scaled cross-entropy, SimCLR). A batch holds B items, each
seen twice (two random augmentations), embedded as z_1..z_B and z'_1..z'_B. Stack the 2B rows;
each row's positive is its other view, and the 2B - 2 remaining rows are its negatives (a row is
never compared with itself). With S = scale * cos(z_a, z_b):

    L = -(1 / 2B) sum_a log( exp(S_a,pos(a)) / sum_{b != a} exp(S_ab) ).

**Symmetric InfoNCE** (CLIP). B matched pairs (image_i, text_i): the (B, B) score matrix
S_ij = scale * cos(image_i, text_j) has the right answers on its diagonal; the loss averages the
cross-entropy over rows (image -> text) and over columns (text -> image):

    L = (CE(S, diag) + CE(S^T, diag)) / 2.

Both are cross-entropies on a similarity matrix, which is how the tests check them
(``torch.nn.functional.cross_entropy``; for the symmetric one also sentence-transformers'
``MultipleNegativesRankingLoss`` with ``directions=("query_to_doc", "doc_to_query")`` and
``partition_mode="per_direction"``).

Taught in: chapter 04 (SimCLR and a reduced CLIP).
"""

from __future__ import annotations

from typing import Any

import torch


from embedcourse.losses._base import (ScaledLoss, as_embeddings, check_finite_loss, check_scale, check_similarity,
                                      similarity_matrix)

__all__ = ["nt_xent_loss", "NTXentLoss", "symmetric_infonce_loss", "SymmetricInfoNCELoss"]


def _pair(a: Any, b: Any, name_a: str, name_b: str) -> tuple[torch.Tensor, torch.Tensor]:
    x = as_embeddings(a, name_a)
    y = as_embeddings(b, name_b)
    if x.shape != y.shape:
        raise ValueError(f"{name_b} has shape {tuple(y.shape)} but {name_a} has {tuple(x.shape)}; "
                         f"they must be row-aligned pairs of the same dimension.")
    dtype = torch.promote_types(x.dtype, y.dtype)
    return x.to(dtype), y.to(dtype)


def nt_xent_loss(z1: Any, z2: Any, *, scale: float = 10.0, similarity: str = "cosine") -> torch.Tensor:
    """SimCLR's NT-Xent loss of two views of the same B items.

    Parameters
    ----------
    z1, z2 : torch.Tensor, shape (B, d)
        Embeddings of the first and second view; row i of both comes from item i. B >= 2.
    scale : float
        Inverse temperature 1 / tau (10 means tau = 0.1).
    similarity : {"cosine", "dot"}

    Returns
    -------
    torch.Tensor, scalar
        The mean over the 2B rows of -log softmax(scores without the diagonal)[other view].

    Examples
    --------
    >>> z1, z2 = torch.randn(8, 16), torch.randn(8, 16)
    >>> nt_xent_loss(z1, z2).shape
    torch.Size([])

    Taught in: chapter 04.
    """
    a, b = _pair(z1, z2, "z1", "z2")
    if a.shape[0] < 2:
        raise ValueError(f"z1 holds {a.shape[0]} item; NT-Xent needs a batch of at least 2 (the others are the negatives).")
    scale = check_scale(scale)
    similarity = check_similarity(similarity)
    n = a.shape[0]
    z = torch.cat([a, b])                                              # (2B, d)
    scores = scale * similarity_matrix(z, z, similarity)               # (2B, 2B)
    self_mask = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    scores = scores.masked_fill(self_mask, float("-inf"))              # never your own row
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return check_finite_loss(torch.nn.functional.cross_entropy(scores, target), "z1, z2")


def symmetric_infonce_loss(a: Any, b: Any, *, scale: float = 10.0, similarity: str = "cosine") -> torch.Tensor:
    """CLIP's symmetric InfoNCE: the mean of the a -> b and b -> a in-batch cross-entropies.

    Parameters
    ----------
    a, b : torch.Tensor, shape (B, d)
        Row-aligned pairs (e.g. image and caption embeddings): b_i is the match of a_i.
    scale : float
        Inverse temperature 1 / tau (CLIP learns it; it starts at 1 / 0.07).
    similarity : {"cosine", "dot"}

    Returns
    -------
    torch.Tensor, scalar
        (CE(S, diag) + CE(S^T, diag)) / 2 with S_ij = scale * s(a_i, b_j).

    Examples
    --------
    >>> symmetric_infonce_loss(torch.randn(4, 8), torch.randn(4, 8)).shape
    torch.Size([])

    Taught in: chapter 04.
    """
    x, y = _pair(a, b, "a", "b")
    scale = check_scale(scale)
    similarity = check_similarity(similarity)
    scores = scale * similarity_matrix(x, y, similarity)               # (B, B)
    target = torch.arange(x.shape[0], device=scores.device)
    ce = torch.nn.functional.cross_entropy
    return check_finite_loss((ce(scores, target) + ce(scores.T, target)) / 2, "a, b")


class NTXentLoss(ScaledLoss):
    """:func:`nt_xent_loss` as a ``torch.nn.Module``.

    Parameters
    ----------
    scale : float
        Inverse temperature 1 / tau.
    similarity : {"cosine", "dot"}

    Examples
    --------
    >>> loss = NTXentLoss(scale=10.0)(torch.randn(8, 16), torch.randn(8, 16))

    Taught in: chapter 04.
    """

    def __init__(self, scale: float = 10.0, similarity: str = "cosine") -> None:
        super().__init__(scale, similarity)

    def forward(self, z1: Any, z2: Any) -> torch.Tensor:
        """The loss of a batch of two views: see :func:`nt_xent_loss`.

        Parameters
        ----------
        z1, z2 : torch.Tensor, shape (B, d)

        Returns
        -------
        torch.Tensor, scalar
        """
        return nt_xent_loss(z1, z2, scale=self.scale, similarity=self.similarity)


class SymmetricInfoNCELoss(ScaledLoss):
    """:func:`symmetric_infonce_loss` as a ``torch.nn.Module``.

    Parameters
    ----------
    scale : float
        Inverse temperature 1 / tau.
    similarity : {"cosine", "dot"}

    Examples
    --------
    >>> loss = SymmetricInfoNCELoss(scale=10.0)(torch.randn(4, 8), torch.randn(4, 8))

    Taught in: chapter 04.
    """

    def __init__(self, scale: float = 10.0, similarity: str = "cosine") -> None:
        super().__init__(scale, similarity)

    def forward(self, a: Any, b: Any) -> torch.Tensor:
        """The loss of a batch of B pairs: see :func:`symmetric_infonce_loss`.

        Parameters
        ----------
        a, b : torch.Tensor, shape (B, d)

        Returns
        -------
        torch.Tensor, scalar
        """
        return symmetric_infonce_loss(a, b, scale=self.scale, similarity=self.similarity)
