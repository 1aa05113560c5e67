"""Input checks shared by the graph modules: adjacency matrices and triples."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

from embedcourse._validation import check_random_state, check_seed

__all__: list[str] = []

MAX_DENSE_NODES = 20_000


def check_adjacency(A: Any, name: str = "A", *, allow_weights: bool = True) -> np.ndarray:
    """Return ``A`` as a dense, symmetric, non-negative float64 (n, n) array, or raise naming ``name``.

    Accepts a numpy array, a nested list or a scipy sparse matrix. The graph must be undirected
    (symmetric) with finite non-negative weights and no self-loops, and every node must have at
    least one edge (a walk or a degree normalisation cannot leave an isolated node).
    """
    if isinstance(A, (str, bytes)) or A is None:
        raise TypeError(f"{name} must be an (n, n) adjacency matrix; got {type(A).__name__}.")
    if hasattr(A, "toarray") and type(A).__module__.startswith("scipy.sparse"):
        A = A.toarray()
    try:
        arr = np.asarray(A)
    except (ValueError, TypeError):
        raise TypeError(f"{name} must be an (n, n) adjacency matrix of numbers (ragged input?).") from None
    if arr.dtype == object or np.iscomplexobj(arr) or not (
        arr.dtype == bool or np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be an (n, n) adjacency matrix of real numbers; got dtype {arr.dtype}.")
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square (n, n) adjacency matrix; got shape {arr.shape}.")
    n = arr.shape[0]
    if n < 2:
        raise ValueError(f"{name} must have at least 2 nodes; got shape {arr.shape}.")
    if n > MAX_DENSE_NODES:
        raise ValueError(f"{name} has {n} nodes; these teaching implementations are dense (at most {MAX_DENSE_NODES}).")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    if (arr < 0).any():
        raise ValueError(f"{name} has negative weights; edge weights must be >= 0.")
    if not allow_weights and not np.isin(arr, (0.0, 1.0)).all():
        raise ValueError(f"{name} must be a 0/1 adjacency matrix.")
    if np.abs(np.diag(arr)).max() > 0:
        raise ValueError(f"{name} has self-loops (non-zero diagonal); remove them (np.fill_diagonal(A, 0)).")
    if not np.allclose(arr, arr.T, rtol=1e-10, atol=1e-12):
        raise ValueError(f"{name} must be symmetric (an undirected graph); pass A + A.T or nx.to_numpy_array of a Graph.")
    deg = arr.sum(axis=1)
    if (deg <= 0).any():
        raise ValueError(f"{name} has isolated nodes (no edges): {np.flatnonzero(deg <= 0)[:5].tolist()}; drop them first.")
    if (deg > np.finfo(np.float64).max / 4).any():
        raise ValueError(f"{name} has weights too large to sum (degrees overflow); rescale them.")
    return arr


def check_triples(x: Any, name: str, n_entities: int, n_relations: int, *, allow_empty: bool = False) -> np.ndarray:
    """Return ``x`` as an (m, 3) int64 array of (head, relation, tail) ids in range, or raise naming ``name``."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an (m, 3) array of int (head, relation, tail) ids; got {type(x).__name__}.")
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError):
        raise TypeError(f"{name} must be an (m, 3) array of int ids (ragged input?).") from None
    if arr.size == 0 and arr.ndim == 2:
        arr = arr.astype(np.int64)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be an (m, 3) array of int (head, relation, tail) ids; got dtype {arr.dtype}.")
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ValueError(f"{name} must have shape (m, 3): one (head, relation, tail) row per triple; got {arr.shape}.")
    if arr.shape[0] == 0 and not allow_empty:
        raise ValueError(f"{name} is empty; pass at least one triple.")
    if arr.size:
        for col, (what, n) in enumerate((("head", n_entities), ("relation", n_relations), ("tail", n_entities))):
            c = arr[:, col]
            if c.min() < 0 or c.max() >= n:
                raise ValueError(f"{name}: {what} ids must lie in [0, {n}); got values from {c.min()} to {c.max()}.")
    return arr.astype(np.int64)


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread inside the block, then restore the previous setting.

    The graph models train on tiny tensors: a second thread costs more in synchronisation than
    it saves, and multithreaded gradient sums (scatter-adds into embedding rows) are not
    bit-for-bit reproducible from run to run, while one thread is.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def torch_generator(random_state: Any) -> torch.Generator:
    """A ``torch.Generator`` seeded from ``random_state`` (None, an int or a numpy Generator)."""
    check_seed("random_state", random_state)
    seed = int(check_random_state(random_state).integers(0, 2**62))
    return torch.Generator().manual_seed(seed)


def glorot(n_in: int, n_out: int, gen: torch.Generator) -> torch.nn.Parameter:
    """A float64 (n_in, n_out) parameter drawn Glorot-uniform from ``gen`` (torch_geometric's init)."""
    bound = float(np.sqrt(6.0 / (n_in + n_out)))
    return torch.nn.Parameter((torch.rand(n_in, n_out, generator=gen, dtype=torch.float64) * 2 - 1) * bound)


def check_features(X: Any, n_in: int) -> None:
    """Check a graph layer's node features: ``X`` a finite (n, n_in) floating-point tensor."""
    if not isinstance(X, torch.Tensor) or X.ndim != 2 or not X.is_floating_point():
        raise TypeError(f"X must be a 2-d floating-point torch tensor of shape (n, {n_in}); got "
                        f"{type(X).__name__} {tuple(getattr(X, 'shape', ()))}.")
    if X.shape[1] != n_in:
        raise ValueError(f"X must have {n_in} columns (in_features); got shape {tuple(X.shape)}.")
    if not torch.isfinite(X).all():
        raise ValueError("X contains NaN or infinity.")


def check_forward(X: Any, P: Any, n_in: int) -> None:
    """Check a layer's input: ``X`` a finite (n, n_in) float tensor, ``P`` an (n, n) tensor of its dtype."""
    check_features(X, n_in)
    if not isinstance(P, torch.Tensor) or P.ndim != 2 or P.shape[0] != P.shape[1] or P.shape[1] != X.shape[0]:
        raise ValueError(f"A_hat must be an (n, n) torch tensor with n = X.shape[0] = {X.shape[0]}; "
                         f"got {type(P).__name__} {tuple(getattr(P, 'shape', ()))}.")
    if P.dtype != X.dtype:
        raise TypeError(f"A_hat and X must have the same dtype; got {P.dtype} and {X.dtype}.")


def train(model: torch.nn.Module, loss_fn: Any, batches: Any, *, epochs: int, lr: float,
          weight_decay: float = 0.0) -> None:
    """Train with the course's one loop, :func:`embedcourse.training.fit` (Adam, silent).

    ``loss_fn(model, batch)`` gives the loss of a step and ``batches(rng)`` the steps of an epoch.
    The graph models draw their batches, corruptions and dropout masks from their own seeded
    torch generators, so the same ``random_state`` gives the same numbers bit for bit; they
    print their own progress (five lines per run, not one per epoch).
    """
    from embedcourse.training import fit  # the shared loop (imported when a model is trained)

    fit(model, loss_fn, batches, epochs=epochs, lr=lr, optimizer="adam", weight_decay=weight_decay,
        random_state=0, progress=False)
