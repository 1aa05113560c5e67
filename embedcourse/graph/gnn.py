"""Graph neural networks in plain torch: GCN and GraphSAGE layers as sparse matrix products.

One layer of a graph convolutional network (Kipf and Welling, 2017) mixes each node's
features with its neighbours' and applies a shared linear map::

    H' = A_hat H W + b,     A_hat = D~^(-1/2) (A + I) D~^(-1/2),   D~ = diag((A + I) 1)

(the "renormalisation trick": a self-loop keeps the node's own features, the symmetric scaling
keeps the product's size independent of the degrees). A GraphSAGE layer with the mean
aggregator (Hamilton et al., 2017) keeps the node's own features apart instead::

    H' = (D^(-1) A) H W_neigh + b + H W_root.

Both are what torch_geometric's ``GCNConv`` and ``SAGEConv(aggr="mean")`` compute; the tests
check ours against them with the same weights. :class:`GNNClassifier` stacks two layers and
trains them on a few labelled nodes (semi-supervised node classification).

Taught in: chapter 05.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from embedcourse._validation import (
    check_bool,
    check_choice,
    check_float,
    check_ids,
    check_int,
    check_random_state,
    check_seed,
)
from embedcourse.graph._checks import check_adjacency, check_forward, glorot, one_thread, torch_generator, train

__all__ = ["normalized_adjacency", "mean_adjacency", "GCNLayer", "SAGELayer", "GNNClassifier"]

_DTYPES = ("float32", "float64")


def _sparse(M: np.ndarray, dtype: str) -> torch.Tensor:
    rows, cols = np.nonzero(M)
    idx = torch.as_tensor(np.vstack([rows, cols]), dtype=torch.int64)
    vals = torch.as_tensor(M[rows, cols], dtype=getattr(torch, dtype))
    return torch.sparse_coo_tensor(idx, vals, M.shape, check_invariants=True).coalesce()


def normalized_adjacency(A: npt.ArrayLike, dtype: str = "float32") -> torch.Tensor:
    """``D~^(-1/2) (A + I) D~^(-1/2)``, the GCN propagation matrix, as a sparse torch tensor.

    Parameters
    ----------
    A : array-like or scipy sparse matrix, shape (n, n)
        Symmetric adjacency matrix (weights >= 0, no self-loops, no isolated node).
    dtype : {"float32", "float64"}

    Returns
    -------
    torch.Tensor, sparse COO, shape (n, n)

    Taught in: chapter 05.
    """
    Wm = check_adjacency(A, "A")
    check_choice("dtype", dtype, _DTYPES)
    At = Wm + np.eye(Wm.shape[0])
    s = 1.0 / np.sqrt(At.sum(axis=1))
    return _sparse(s[:, None] * At * s[None, :], dtype)


def mean_adjacency(A: npt.ArrayLike, dtype: str = "float32") -> torch.Tensor:
    """``D^(-1) A`` on the 0/1 pattern of ``A``: row ``i`` averages the neighbours of node ``i``.

    Edge weights are ignored (as in torch_geometric's ``SAGEConv``); no self-loops are added.

    Returns
    -------
    torch.Tensor, sparse COO, shape (n, n)

    Taught in: chapter 05.
    """
    Wm = (check_adjacency(A, "A") > 0).astype(np.float64)
    check_choice("dtype", dtype, _DTYPES)
    return _sparse(Wm / Wm.sum(axis=1, keepdims=True), dtype)


class GCNLayer(torch.nn.Module):
    """One graph-convolution layer, ``A_hat @ X @ W + b`` (torch_geometric's ``GCNConv``).

    Parameters
    ----------
    in_features, out_features : int in [1, 100000]
        Sizes of the input and output node features.
    bias : bool
    random_state : None, int or numpy.random.Generator
        Seeds the Glorot-uniform initial weights (the bias starts at 0).

    Attributes
    ----------
    weight : torch.nn.Parameter, shape (in_features, out_features), float64
        ``W`` (torch_geometric stores its transpose, ``lin.weight``).
    bias : torch.nn.Parameter or None, shape (out_features,)

    Taught in: chapter 05.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, random_state: Any = 0) -> None:
        super().__init__()
        self.in_features = check_int("in_features", in_features, 1, 100_000)
        self.out_features = check_int("out_features", out_features, 1, 100_000)
        check_bool("bias", bias)
        self.weight = glorot(self.in_features, self.out_features, torch_generator(random_state))
        self.bias = torch.nn.Parameter(torch.zeros(self.out_features, dtype=torch.float64)) if bias else None

    def forward(self, X: torch.Tensor, A_hat: torch.Tensor) -> torch.Tensor:
        """Propagate: ``A_hat @ (X @ W) + b``, with ``A_hat`` from :func:`normalized_adjacency`.

        Parameters
        ----------
        X : torch.Tensor, shape (n, in_features)
        A_hat : torch.Tensor (sparse or dense), shape (n, n), same dtype as ``X``

        Returns
        -------
        torch.Tensor, shape (n, out_features)
        """
        check_forward(X, A_hat, self.in_features)
        out = A_hat @ (X @ self.weight.to(X.dtype))
        return out + self.bias.to(X.dtype) if self.bias is not None else out


class SAGELayer(torch.nn.Module):
    """One GraphSAGE layer, mean aggregator: ``(D^-1 A) X W_neigh + b + X W_root`` (``SAGEConv``).

    Parameters
    ----------
    in_features, out_features : int in [1, 100000]
    random_state : None, int or numpy.random.Generator
        Seeds the Glorot-uniform initial weights (the bias starts at 0).

    Attributes
    ----------
    weight_neigh, weight_root : torch.nn.Parameter, shape (in_features, out_features), float64
        torch_geometric's ``lin_l.weight.T`` and ``lin_r.weight.T``.
    bias : torch.nn.Parameter, shape (out_features,)
        torch_geometric's ``lin_l.bias``.

    Taught in: chapter 05.
    """

    def __init__(self, in_features: int, out_features: int, random_state: Any = 0) -> None:
        super().__init__()
        self.in_features = check_int("in_features", in_features, 1, 100_000)
        self.out_features = check_int("out_features", out_features, 1, 100_000)
        gen = torch_generator(random_state)
        self.weight_neigh = glorot(self.in_features, self.out_features, gen)
        self.weight_root = glorot(self.in_features, self.out_features, gen)
        self.bias = torch.nn.Parameter(torch.zeros(self.out_features, dtype=torch.float64))

    def forward(self, X: torch.Tensor, A_mean: torch.Tensor) -> torch.Tensor:
        """``A_mean @ X @ W_neigh + b + X @ W_root``, with ``A_mean`` from :func:`mean_adjacency`.

        Returns
        -------
        torch.Tensor, shape (n, out_features)
        """
        check_forward(X, A_mean, self.in_features)
        dt = X.dtype
        return (A_mean @ X) @ self.weight_neigh.to(dt) + self.bias.to(dt) + X @ self.weight_root.to(dt)


def _two_layers(kind: str, n_in: int, hidden: int, n_classes: int, heads: int, seeds: Any) -> list:
    if kind == "gat":
        from embedcourse.graph.gat import GATLayer  # same layer of the package, imported when used

        return [GATLayer(n_in, hidden, heads=heads, random_state=int(seeds[0])),
                GATLayer(hidden * heads, n_classes, heads=1, concat=False, random_state=int(seeds[1]))]
    layer = GCNLayer if kind == "gcn" else SAGELayer
    return [layer(n_in, hidden, random_state=int(seeds[0])), layer(hidden, n_classes, random_state=int(seeds[1]))]


class GNNClassifier:
    """Two-layer GCN, GraphSAGE or GAT trained on a few labelled nodes (semi-supervised), sklearn style.

    ``logits = layer2(dropout(relu(layer1(X))))``; cross-entropy on the labelled nodes only,
    Adam with weight decay, full-batch (every node is in every step), one step per epoch of
    :func:`embedcourse.training.fit`. Dropout masks come from a seeded ``torch.Generator``:
    training is deterministic and seeds no global state. Every kind uses ReLU between its two
    layers (the GAT paper uses ELU); a GAT's first layer has ``heads`` heads, concatenated, its
    output layer one.

    Parameters
    ----------
    kind : {"gcn", "sage", "gat"}
    hidden : int in [1, 10000]
        Size of the hidden layer (per attention head for ``"gat"``); its output is the node
        embedding :attr:`embeddings_`.
    epochs : int in [1, 100000]
    lr : float in (0, 10]
    weight_decay : float >= 0
    dropout : float in [0, 1)
    random_state : None or int in [0, 2**63 - 1]
    progress : bool
        Print the loss and training accuracy as plain text five times during training.
    heads : int in [1, 64]
        Attention heads of a ``"gat"`` network's first layer (concatenated; the output layer
        has one head); ignored by ``"gcn"`` and ``"sage"``.

    Attributes
    ----------
    layers_ : list of GCNLayer, SAGELayer or GATLayer
    embeddings_ : numpy.ndarray, shape (n, hidden), or (n, hidden * heads) for ``"gat"``
        Hidden-layer output (after ReLU) of every node, after training.
    loss_history_ : numpy.ndarray, shape (epochs,)
    classes_ : numpy.ndarray
        The labels seen on the training nodes, sorted.

    Taught in: chapter 05.
    """

    def __init__(self, kind: str = "gcn", hidden: int = 16, epochs: int = 200, lr: float = 0.01,
                 weight_decay: float = 5e-4, dropout: float = 0.5, random_state: int = 0,
                 progress: bool = False, heads: int = 4) -> None:
        self.kind = kind
        self.heads = heads
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.random_state = random_state
        self.progress = progress

    def _check_params(self) -> None:
        check_choice("kind", self.kind, ("gcn", "sage", "gat"))
        check_int("heads", self.heads, 1, 64)
        check_int("hidden", self.hidden, 1, 10_000)
        check_int("epochs", self.epochs, 1, 100_000)
        check_float("lr", self.lr, 0.0, 10.0, low_open=True)
        check_float("weight_decay", self.weight_decay, 0.0, None)
        check_float("dropout", self.dropout, 0.0, 1.0, high_open=True)
        check_seed("random_state", self.random_state)
        check_bool("progress", self.progress)

    def _forward(self, X: torch.Tensor, P: torch.Tensor, gen: torch.Generator | None) -> tuple:
        H = torch.relu(self.layers_[0](X, P))
        if gen is not None and self.dropout > 0:
            keep = (torch.rand(H.shape, generator=gen) >= self.dropout).to(H.dtype)
            H_in = H * keep / (1.0 - self.dropout)
        else:
            H_in = H
        return self.layers_[1](H_in, P), H

    def fit(self, A: npt.ArrayLike, y: npt.ArrayLike, train_idx: npt.ArrayLike,
            X: npt.ArrayLike | None = None) -> GNNClassifier:
        """Train on the labels ``y[train_idx]``; the other entries of ``y`` are never read.

        Parameters
        ----------
        A : array-like, shape (n, n)
            Symmetric adjacency matrix.
        y : array-like of int, shape (n,)
            Class ids (only the training nodes' entries are used).
        train_idx : array-like of int, shape (m,)
            The labelled nodes, at least one.
        X : array-like, shape (n, f), optional
            Node features; ``None`` uses the identity (one-hot node ids, as Kipf and Welling
            do for the karate club).

        Returns
        -------
        self
        """
        self._check_params()
        Wm = check_adjacency(A, "A")
        n = Wm.shape[0]
        labels = np.asarray(y)
        if labels.ndim != 1 or labels.shape[0] != n or not np.issubdtype(labels.dtype, np.integer) \
                or labels.dtype == bool:
            raise ValueError(f"y must be a 1-d array of int class ids with one entry per node ({n}); "
                             f"got {labels.dtype} {labels.shape}.")
        idx = check_ids(train_idx, "train_idx", n, allow_empty=False)
        feats = np.eye(n) if X is None else np.asarray(X, dtype=np.float64)
        if feats.ndim != 2 or feats.shape[0] != n or feats.shape[1] == 0:
            raise ValueError(f"X must have shape (n, f) with n = {n} nodes; got {feats.shape}.")
        if not np.isfinite(feats).all():
            raise ValueError("X contains NaN or infinity.")
        self.classes_ = np.unique(labels[idx])
        target = torch.as_tensor(np.searchsorted(self.classes_, labels[idx]))
        rng = check_random_state(self.random_state)
        seeds = rng.integers(0, 2**62, size=3)
        self.layers_ = _two_layers(self.kind, feats.shape[1], self.hidden, len(self.classes_), self.heads, seeds)
        if self.kind == "gat":  # attention reads only the pattern of edges
            self._P = torch.as_tensor((Wm > 0).astype(np.float64))
        else:
            self._P = (normalized_adjacency if self.kind == "gcn" else mean_adjacency)(Wm, "float64")
        self._X = torch.as_tensor(feats, dtype=torch.float64)
        gen = torch.Generator().manual_seed(int(seeds[2]))  # the dropout masks
        tidx, losses = torch.as_tensor(idx), []
        every = max(1, self.epochs // 5)

        def loss_fn(net: torch.nn.Module, batch: torch.Tensor) -> torch.Tensor:
            logits, _ = self._forward(self._X, self._P, gen)
            loss = torch.nn.functional.cross_entropy(logits[batch], target)  # the labelled nodes only
            losses.append(loss.item())
            if self.progress and len(losses) % every == 0:
                acc = float((logits[batch].argmax(1) == target).double().mean())
                print(f"{self.kind} epoch {len(losses)}/{self.epochs}: loss {losses[-1]:.4f}, "
                      f"training accuracy {acc:.2f}", flush=True)
            return loss

        with one_thread():  # bit-for-bit reproducible (see embedcourse.graph._checks.one_thread)
            train(torch.nn.ModuleList(self.layers_), loss_fn, lambda _: [tidx], epochs=self.epochs,
                  lr=self.lr, weight_decay=self.weight_decay)  # full batch: one step per epoch
        self.loss_history_ = np.asarray(losses)
        with torch.no_grad():
            logits, H = self._forward(self._X, self._P, None)
        self._logits = logits.numpy()
        self.embeddings_ = H.numpy()
        return self

    def predict(self) -> np.ndarray:
        """Predicted class of every node of the graph given to :meth:`fit` (transductive).

        Returns
        -------
        numpy.ndarray, shape (n,)
        """
        if not hasattr(self, "_logits"):
            raise ValueError("this GNNClassifier is not fitted yet; call fit(A, y, train_idx) first.")
        return np.asarray(self.classes_[self._logits.argmax(axis=1)])
