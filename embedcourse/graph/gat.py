"""Graph attention in plain torch: a GAT layer whose neighbour weights are learned, not fixed.

A GCN layer averages the neighbours with weights fixed by the degrees. A graph attention layer
(Velickovic et al., 2018) learns them: with ``z_i = W^T h_i`` and two attention vectors ``a_src``
and ``a_dst`` per head, node ``i`` weighs its neighbour ``j`` (itself included) by::

    e_ij = LeakyReLU(a_dst . z_i + a_src . z_j)          (slope 0.2)
    alpha_ij = softmax over j in N(i) of e_ij
    h'_i = sum_j alpha_ij z_j

``heads`` independent copies run side by side; their outputs are concatenated (hidden layers)
or averaged (an output layer), then a bias is added. This is torch_geometric's ``GATConv``
(``dropout=0``, no edge features); the tests check ours against it with the same weights.

The teaching implementation is dense: the scores of all (i, j) pairs form an (heads, n, n)
tensor, masked to the edges before the softmax. It is simple to read and fine for graphs of a
few thousand nodes; ``GATConv`` computes the same numbers edge by edge.

Taught in: chapter 05.
"""

from __future__ import annotations

from typing import Any

import torch

from embedcourse._validation import check_bool, check_float, check_int
from embedcourse.graph._checks import check_features, glorot, torch_generator

__all__ = ["GATLayer"]


def _check_input(X: Any, A: Any, n_in: int) -> torch.Tensor:
    """Validate ``X`` and the adjacency ``A``; return the boolean (n, n) edge mask."""
    check_features(X, n_in)
    n = X.shape[0]
    if not isinstance(A, torch.Tensor) or A.ndim != 2 or tuple(A.shape) != (n, n):
        raise ValueError(f"A must be an (n, n) torch tensor with n = X.shape[0] = {n}; "
                         f"got {type(A).__name__} {tuple(getattr(A, 'shape', ()))}.")
    dense = A.to_dense() if A.is_sparse else A
    if dense.is_complex() or (dense.is_floating_point() and not torch.isfinite(dense).all()):
        raise ValueError("A must hold finite real numbers (non-zero = edge).")
    return dense != 0


class GATLayer(torch.nn.Module):
    """One graph attention layer with ``heads`` heads (torch_geometric's ``GATConv``).

    Parameters
    ----------
    in_features, out_features : int in [1, 100000]
        Input size, and output size *per head*.
    heads : int in [1, 64]
    concat : bool
        Concatenate the heads (output ``heads * out_features`` columns) or average them
        (``out_features`` columns, for an output layer).
    negative_slope : float in [0, 1)
        Slope of the LeakyReLU applied to the attention scores.
    add_self_loops : bool
        Let every node attend to itself (any self-loop already in ``A`` is kept once).
    bias : bool
    random_state : None, int or numpy.random.Generator
        Seeds the Glorot-uniform initial weights and attention vectors (the bias starts at 0).

    Attributes
    ----------
    weight : torch.nn.Parameter, shape (in_features, heads * out_features), float64
        ``W`` for all heads side by side (torch_geometric's ``lin.weight.T``).
    att_src, att_dst : torch.nn.Parameter, shape (heads, out_features), float64
        The attention vectors (``att_src[0]`` and ``att_dst[0]`` in torch_geometric).
    bias : torch.nn.Parameter or None, shape (heads * out_features,) or (out_features,)

    Notes
    -----
    Edge weights are ignored: only the pattern of non-zeros of ``A`` matters. Dropout on the
    attention coefficients (``GATConv(dropout=...)``) is left out, so the layer is deterministic.

    Taught in: chapter 05.
    """

    def __init__(self, in_features: int, out_features: int, heads: int = 1, concat: bool = True,
                 negative_slope: float = 0.2, add_self_loops: bool = True, bias: bool = True,
                 random_state: Any = 0) -> None:
        super().__init__()
        self.in_features = check_int("in_features", in_features, 1, 100_000)
        self.out_features = check_int("out_features", out_features, 1, 100_000)
        self.heads = check_int("heads", heads, 1, 64)
        self.concat = check_bool("concat", concat)
        self.negative_slope = check_float("negative_slope", negative_slope, 0.0, 1.0, high_open=True)
        self.add_self_loops = check_bool("add_self_loops", add_self_loops)
        check_bool("bias", bias)
        gen = torch_generator(random_state)
        H, C = self.heads, self.out_features
        self.weight = glorot(self.in_features, H * C, gen)
        # torch_geometric draws each (1, H, C) attention tensor Glorot-uniform with fan sizes H and C
        self.att_src = glorot(H, C, gen)
        self.att_dst = glorot(H, C, gen)
        n_out = H * C if self.concat else C
        self.bias = torch.nn.Parameter(torch.zeros(n_out, dtype=torch.float64)) if bias else None

    def attention(self, X: torch.Tensor, A: torch.Tensor) -> torch.Tensor:
        """The attention weights ``alpha[head, i, j]``: how much node ``i`` takes from node ``j``.

        Parameters
        ----------
        X : torch.Tensor, shape (n, in_features)
        A : torch.Tensor (dense or sparse), shape (n, n)
            ``A[i, j] != 0`` when ``j`` sends to ``i`` (symmetric for an undirected graph).

        Returns
        -------
        torch.Tensor, shape (heads, n, n)
            Each row sums to 1 over the neighbours of ``i`` (0 for a node with none).
        """
        return self._attend(X, A)[1]

    def _attend(self, X: torch.Tensor, A: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mask = _check_input(X, A, self.in_features)
        n, H, C = X.shape[0], self.heads, self.out_features
        if self.add_self_loops:
            mask = mask | torch.eye(n, dtype=torch.bool)
        Z = (X @ self.weight.to(X.dtype)).view(n, H, C)  # z_i for every head
        s_src = (Z * self.att_src.to(X.dtype)).sum(-1).T  # (H, n): a_src . z_j
        s_dst = (Z * self.att_dst.to(X.dtype)).sum(-1).T  # (H, n): a_dst . z_i
        e = torch.nn.functional.leaky_relu(s_dst[:, :, None] + s_src[:, None, :], self.negative_slope)
        has = mask.any(dim=1, keepdim=True)  # a node with no neighbour gets all-zero weights
        e = torch.where(mask & has, e, torch.where(has, float("-inf"), 0.0))
        alpha = torch.softmax(e, dim=-1) * has
        return Z, alpha

    def forward(self, X: torch.Tensor, A: torch.Tensor) -> torch.Tensor:
        """Attend and aggregate: ``h'_i = sum_j alpha_ij z_j`` per head, heads joined, plus the bias.

        Parameters
        ----------
        X : torch.Tensor, shape (n, in_features)
        A : torch.Tensor (dense or sparse), shape (n, n)
            Its non-zeros are the edges (see :meth:`attention`).

        Returns
        -------
        torch.Tensor, shape (n, heads * out_features) if ``concat`` else (n, out_features)
        """
        Z, alpha = self._attend(X, A)
        out = alpha @ Z.transpose(0, 1)  # (H, n, C)
        out = out.transpose(0, 1).reshape(X.shape[0], -1) if self.concat else out.mean(dim=0)
        return out + self.bias.to(X.dtype) if self.bias is not None else out
