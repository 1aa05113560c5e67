"""Knowledge-graph embeddings from scratch: TransE and DistMult, trained with negative sampling.

A knowledge graph is a set of facts ``(head, relation, tail)``. Each entity gets a vector
``e`` and each relation a vector ``r`` in R^d, and a score function says how plausible a fact is:

* TransE (Bordes et al., 2013): a relation is a translation, ``h + r ~ t``, so
  ``f(h, r, t) = -||h + r - t||_p``;
* DistMult (Yang et al., 2015): a diagonal bilinear form, ``f(h, r, t) = sum_k h_k r_k t_k``,
  symmetric in ``h`` and ``t`` (it cannot tell "a attacks b" from "b attacks a").

Training pushes the score of every true triple above the scores of corrupted ones (the head
or the tail replaced by a random entity) by a margin: ``max(0, margin - f(pos) + f(neg))``.
The settings mirror pykeen's defaults for these models (unit-length entity vectors after every
step, margin 1, Adam, corruption of head or tail), so the chapter can train both in one run and
compare. The scores equal pykeen's ``TransEInteraction`` and ``DistMultInteraction``.

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
    check_int,
    check_random_state,
    check_seed,
)
from embedcourse.graph._checks import check_triples, one_thread

__all__ = ["transe_score", "distmult_score", "KGEModel"]


def _tensors(h: Any, r: Any, t: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    out = []
    for name, x in (("h", h), ("r", r), ("t", t)):
        if isinstance(x, (str, bytes)) or x is None:
            raise TypeError(f"{name} must be a tensor or array of real numbers (..., d); got {type(x).__name__}.")
        if not isinstance(x, torch.Tensor):
            arr = np.asarray(x)
            if arr.dtype == object or arr.dtype == bool or not np.issubdtype(arr.dtype, np.number) \
                    or np.iscomplexobj(arr):
                raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}.")
            x = torch.as_tensor(arr.astype(np.float64))
        if not x.is_floating_point():
            x = x.double()
        if x.ndim == 0 or x.shape[-1] == 0:
            raise ValueError(f"{name} must have a last dimension d >= 1; got shape {tuple(x.shape)}.")
        if not torch.isfinite(x).all():
            raise ValueError(f"{name} contains NaN or infinity.")
        out.append(x)
    d = {x.shape[-1] for x in out}
    if len(d) != 1:
        raise ValueError(f"h, r and t must share the last dimension d; got {[tuple(x.shape) for x in out]}.")
    try:
        torch.broadcast_shapes(*(x.shape for x in out))
    except RuntimeError:
        raise ValueError(f"h, r and t must broadcast together; got {[tuple(x.shape) for x in out]}.") from None
    return out[0], out[1], out[2]


def transe_score(h: Any, r: Any, t: Any, p: int = 1) -> torch.Tensor:
    """TransE's score ``-||h + r - t||_p`` over the last dimension (pykeen's ``TransEInteraction(p)``).

    Parameters
    ----------
    h, r, t : torch.Tensor or array-like, shape (..., d), broadcastable
    p : {1, 2}
        The norm.

    Returns
    -------
    torch.Tensor, shape (...,): higher is more plausible.

    Taught in: chapter 05.
    """
    p = check_int("p", p, 1, 2)
    h, r, t = _tensors(h, r, t)
    return -torch.linalg.vector_norm(h + r - t, ord=p, dim=-1)


def distmult_score(h: Any, r: Any, t: Any) -> torch.Tensor:
    """DistMult's score ``sum_k h_k r_k t_k`` (pykeen's ``DistMultInteraction``).

    Parameters
    ----------
    h, r, t : torch.Tensor or array-like, shape (..., d), broadcastable

    Returns
    -------
    torch.Tensor, shape (...,): higher is more plausible.

    Taught in: chapter 05.
    """
    h, r, t = _tensors(h, r, t)
    return (h * r * t).sum(dim=-1)


class KGEModel:
    """TransE or DistMult trained with margin loss and uniform negative sampling, sklearn style.

    Parameters
    ----------
    model : {"transe", "distmult"}
    dim : int in [1, 10000]
        Embedding dimension d of entities and relations.
    epochs : int in [1, 100000]
    batch_size : int in [1, 10**7]
        Positive triples per step.
    lr : float in (0, 10]
        Adam's learning rate.
    num_negatives : int in [1, 1000]
        Corrupted triples per positive: each replaces the head or the tail (with probability
        1/2) by a different entity drawn uniformly.
    margin : float > 0
    p : {1, 2}
        TransE's norm (ignored by DistMult).
    random_state : None or int in [0, 2**63 - 1]
    progress : bool
        Print the mean loss as plain text five times during training.

    Notes
    -----
    Training runs on one torch thread (restored afterwards): the same seed then gives the same
    vectors bit for bit, which multithreaded gradient sums do not guarantee.

    Attributes
    ----------
    entity_embeddings_ : numpy.ndarray, shape (n_entities, dim)
        Unit-length rows (renormalised after every step, as pykeen does).
    relation_embeddings_ : numpy.ndarray, shape (n_relations, dim)
    loss_history_ : numpy.ndarray, shape (epochs,)
        Mean margin loss per epoch.

    Taught in: chapter 05.
    """

    def __init__(self, model: str = "transe", dim: int = 32, epochs: int = 100, batch_size: int = 256,
                 lr: float = 0.01, num_negatives: int = 8, margin: float = 1.0, p: int = 1,
                 random_state: int = 0, progress: bool = False) -> None:
        self.model = model
        self.dim = dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.num_negatives = num_negatives
        self.margin = margin
        self.p = p
        self.random_state = random_state
        self.progress = progress

    def _check_params(self) -> None:
        check_choice("model", self.model, ("transe", "distmult"))
        check_int("dim", self.dim, 1, 10_000)
        check_int("epochs", self.epochs, 1, 100_000)
        check_int("batch_size", self.batch_size, 1, 10**7)
        check_float("lr", self.lr, 0.0, 10.0, low_open=True)
        check_int("num_negatives", self.num_negatives, 1, 1000)
        check_float("margin", self.margin, 0.0, None, low_open=True)
        check_int("p", self.p, 1, 2)
        check_seed("random_state", self.random_state)
        check_bool("progress", self.progress)

    def _score(self, E: torch.Tensor, R: torch.Tensor, T: torch.Tensor) -> torch.Tensor:
        h, r, t = E[T[..., 0]], R[T[..., 1]], E[T[..., 2]]
        if self.model == "transe":
            return -torch.linalg.vector_norm(h + r - t, ord=self.p, dim=-1)
        return (h * r * t).sum(dim=-1)

    def fit(self, triples: npt.ArrayLike, n_entities: int, n_relations: int) -> KGEModel:
        """Train on the (m, 3) array of (head, relation, tail) ids.

        Parameters
        ----------
        triples : array-like of int, shape (m, 3)
        n_entities : int >= 2
        n_relations : int >= 1

        Returns
        -------
        self
        """
        self._check_params()
        n_e = check_int("n_entities", n_entities, 2, 10**8)
        n_r = check_int("n_relations", n_relations, 1, 10**8)
        X = torch.as_tensor(check_triples(triples, "triples", n_e, n_r))
        with one_thread():  # bit-for-bit reproducible (see embedcourse.graph._checks.one_thread)
            self._train(X, n_e, n_r)
        return self

    def _train(self, X: torch.Tensor, n_e: int, n_r: int) -> None:
        rng = check_random_state(self.random_state)
        gen = torch.Generator().manual_seed(int(rng.integers(0, 2**62)))
        bound = 6.0 / np.sqrt(self.dim)  # Bordes et al.'s initialisation
        E = (torch.rand(n_e, self.dim, generator=gen, dtype=torch.float32) * 2 - 1) * bound
        R = (torch.rand(n_r, self.dim, generator=gen, dtype=torch.float32) * 2 - 1) * bound
        E = torch.nn.Parameter(torch.nn.functional.normalize(E, dim=1))
        R = torch.nn.Parameter(torch.nn.functional.normalize(R, dim=1))
        opt = torch.optim.Adam([E, R], lr=self.lr)
        m, K = X.shape[0], int(self.num_negatives)
        losses = []
        for epoch in range(self.epochs):
            order = torch.randperm(m, generator=gen)
            total = 0.0
            for lo in range(0, m, self.batch_size):
                pos = X[order[lo:lo + self.batch_size]]
                neg = pos.repeat_interleave(K, dim=0)
                side = torch.where(torch.rand(neg.shape[0], generator=gen) < 0.5, 0, 2)
                rows = torch.arange(neg.shape[0])
                new = torch.randint(0, n_e - 1, (neg.shape[0],), generator=gen)
                new = new + (new >= neg[rows, side]).long()  # never the entity it replaces
                neg[rows, side] = new
                s_pos = self._score(E, R, pos).repeat_interleave(K)
                loss = torch.relu(self.margin - s_pos + self._score(E, R, neg)).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                with torch.no_grad():
                    E.data = torch.nn.functional.normalize(E.data, dim=1)
                total += loss.item() * pos.shape[0]
            losses.append(total / m)
            if self.progress and (epoch + 1) % max(1, self.epochs // 5) == 0:
                print(f"{self.model} epoch {epoch + 1}/{self.epochs}: mean margin loss {losses[-1]:.4f}", flush=True)
        self.loss_history_ = np.asarray(losses)
        self.entity_embeddings_ = E.detach().numpy().copy()
        self.relation_embeddings_ = R.detach().numpy().copy()
        self.n_entities_, self.n_relations_ = n_e, n_r

    def score_hrt(self, triples: npt.ArrayLike) -> np.ndarray:
        """Scores of the (m, 3) triples (higher is more plausible), as float64.

        Returns
        -------
        numpy.ndarray, shape (m,)
        """
        if not hasattr(self, "entity_embeddings_"):
            raise ValueError("this KGEModel is not fitted yet; call fit(triples, n_entities, n_relations) first.")
        T = torch.as_tensor(check_triples(triples, "triples", self.n_entities_, self.n_relations_, allow_empty=True))
        E = torch.as_tensor(self.entity_embeddings_, dtype=torch.float64)
        R = torch.as_tensor(self.relation_embeddings_, dtype=torch.float64)
        return np.asarray(self._score(E, R, T).numpy(), dtype=np.float64)
