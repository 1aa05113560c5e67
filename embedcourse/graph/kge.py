"""Knowledge-graph embeddings from scratch: TransE and DistMult, trained with negative sampling.

A knowledge graph is a set of facts ``(head, relation, tail)``. Each entity gets a vector
``e`` and each relation a vector ``r`` in R^d, and a score function says how plausible a fact is:

* TransE (Bordes et al., 2013): a relation is a translation, ``h + r ~ t``, so
  ``f(h, r, t) = -||h + r - t||_p``;
* DistMult (Yang et al., 2015): a diagonal bilinear form, ``f(h, r, t) = sum_k h_k r_k t_k``,
  symmetric in ``h`` and ``t`` (it cannot tell "a attacks b" from "b attacks a");
* RotatE (Sun et al., 2019): vectors are complex and a relation is a rotation, ``h o r ~ t``
  with ``|r_k| = 1``, so ``f(h, r, t) = -||h o r - t||_p``; a rotation by 0 or pi in every
  coordinate is its own inverse (a symmetric relation), any other angle is not.

Training pushes the score of every true triple above the scores of corrupted ones (the head
or the tail replaced by a random entity) by a margin: ``max(0, margin - f(pos) + f(neg))``.
The settings mirror pykeen's defaults for these models (unit-length entity vectors after every
step, margin 1, Adam, corruption of head or tail), so the chapter can train both in one run and
compare. The scores equal pykeen's ``TransEInteraction``, ``DistMultInteraction`` and
``RotatEInteraction``.

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
from embedcourse.graph._checks import check_triples, one_thread, train

__all__ = ["transe_score", "distmult_score", "rotate_score", "KGEModel"]


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


def _complex_tensors(h: Any, r: Any, t: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    out = []
    for name, x in (("h", h), ("r", r), ("t", t)):
        if isinstance(x, (str, bytes)) or x is None:
            raise TypeError(f"{name} must be a tensor or array of complex numbers (..., d); got {type(x).__name__}.")
        if not isinstance(x, torch.Tensor):
            arr = np.asarray(x)
            if arr.dtype == object or arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
                raise TypeError(f"{name} must hold complex (or real) numbers; got dtype {arr.dtype}.")
            x = torch.as_tensor(arr.astype(np.complex128))
        if x.dtype == torch.bool:
            raise TypeError(f"{name} must hold complex (or real) numbers; got dtype {x.dtype}.")
        if not x.is_complex():
            x = x.to(torch.complex64 if x.dtype in (torch.float32, torch.float16, torch.bfloat16) else torch.complex128)
        if x.ndim == 0 or x.shape[-1] == 0:
            raise ValueError(f"{name} must have a last dimension d >= 1; got shape {tuple(x.shape)}.")
        if not torch.isfinite(x).all():
            raise ValueError(f"{name} contains NaN or infinity.")
        out.append(x.resolve_conj())
    if len({x.shape[-1] for x in out}) != 1:
        raise ValueError(f"h, r and t must share the last dimension d; got {[tuple(x.shape) for x in out]}.")
    try:
        torch.broadcast_shapes(*(x.shape for x in out))
    except RuntimeError:
        raise ValueError(f"h, r and t must broadcast together; got {[tuple(x.shape) for x in out]}.") from None
    mod = out[1].abs()
    if (mod - 1).abs().max() > 1e-5:  # float32 rotations are unit-modulus to about 1e-7
        raise ValueError(f"r must be a rotation, |r_k| = 1 in every coordinate; got moduli from {float(mod.min()):.3g} "
                         f"to {float(mod.max()):.3g} (build it from angles: torch.polar(torch.ones_like(theta), theta)).")
    dtype = torch.promote_types(torch.promote_types(out[0].dtype, out[1].dtype), out[2].dtype)
    return out[0].to(dtype), out[1].to(dtype), out[2].to(dtype)


def rotate_score(h: Any, r: Any, t: Any, p: int = 2) -> torch.Tensor:
    """RotatE's score ``-||h o r - t||_p``: rotate ``h`` by ``r``, measure how far from ``t``.

    With ``p=2`` this is pykeen's ``RotatEInteraction`` (which uses the 2-norm whatever its
    ``p``, in pykeen 1.11); Sun et al. use ``p=1``, the sum of the moduli.

    Parameters
    ----------
    h, t : torch.Tensor or array-like of complex (real is taken as complex), shape (..., d)
    r : torch.Tensor or array-like of complex, shape (..., d), broadcastable
        A rotation: ``|r_k| = 1`` in every coordinate (``exp(i theta_k)``).
    p : {1, 2}
        The norm over the d complex coordinates (of their moduli).

    Returns
    -------
    torch.Tensor, real, shape (...,): higher is more plausible.

    Taught in: chapter 05.
    """
    p = check_int("p", p, 1, 2)
    h, r, t = _complex_tensors(h, r, t)
    return -torch.linalg.vector_norm(h * r - t, ord=p, dim=-1)


def _interaction(model: str, h: torch.Tensor, r: torch.Tensor, t: torch.Tensor, p: int) -> torch.Tensor:
    """The score of ``model`` on representations ready to use (complex ones for RotatE)."""
    if model == "distmult":
        return (h * r * t).sum(dim=-1)
    return -torch.linalg.vector_norm(h * r - t if model == "rotate" else h + r - t, ord=p, dim=-1)


class _Embeddings(torch.nn.Module):
    """The trainable tables: entity vectors ``E`` and relation vectors (RotatE: angles) ``R``."""

    def __init__(self, E: torch.Tensor, R: torch.Tensor) -> None:
        super().__init__()
        self.E = torch.nn.Parameter(E)
        self.R = torch.nn.Parameter(R)


class KGEModel:
    """TransE, DistMult or RotatE trained with margin loss and uniform negative sampling, sklearn style.

    Parameters
    ----------
    model : {"transe", "distmult", "rotate"}
    dim : int in [1, 10000]
        Embedding dimension d of entities and relations (RotatE: d complex coordinates, stored
        as 2d real numbers per entity and d angles per relation).
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
        The norm of TransE and RotatE (ignored by DistMult).
    random_state : None or int in [0, 2**63 - 1]
    progress : bool
        Print the mean loss as plain text five times during training.

    Notes
    -----
    Training runs on one torch thread (restored afterwards): the same seed then gives the same
    vectors bit for bit, which multithreaded gradient sums do not guarantee. The steps run
    through :func:`embedcourse.training.fit`; the batches and corruptions come from the model's
    own seeded torch generator. RotatE's relation parameters are angles, so its relations stay
    rotations (pykeen instead projects complex numbers back to modulus one after each step).

    Attributes
    ----------
    entity_embeddings_ : numpy.ndarray, shape (n_entities, dim), float32 (complex64 for RotatE)
        Unit-length rows (renormalised after every step, as pykeen does for TransE).
    relation_embeddings_ : numpy.ndarray, shape (n_relations, dim), float32 (complex64 for RotatE)
        RotatE's are rotations, ``exp(i theta)``: every coordinate has modulus 1.
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
        check_choice("model", self.model, ("transe", "distmult", "rotate"))
        check_int("dim", self.dim, 1, 10_000)
        check_int("epochs", self.epochs, 1, 100_000)
        check_int("batch_size", self.batch_size, 1, 10**7)
        check_float("lr", self.lr, 0.0, 10.0, low_open=True)
        check_int("num_negatives", self.num_negatives, 1, 1000)
        check_float("margin", self.margin, 0.0, None, low_open=True)
        check_int("p", self.p, 1, 2)
        check_seed("random_state", self.random_state)
        check_bool("progress", self.progress)

    def _lookup(self, E: torch.Tensor, R: torch.Tensor, T: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(h, r, t) for the triples ``T``; RotatE reads complex entities and turns angles into rotations."""
        h, r, t = E[T[..., 0]], R[T[..., 1]], E[T[..., 2]]
        if self.model == "rotate" and not E.is_complex():
            h, t = (torch.view_as_complex(x.reshape(*x.shape[:-1], -1, 2)) for x in (h, t))
            r = torch.polar(torch.ones_like(r), r)
        return h, r, t

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

    def _init(self, n_e: int, n_r: int, gen: torch.Generator) -> _Embeddings:
        bound = 6.0 / np.sqrt(self.dim)  # Bordes et al.'s initialisation
        width = 2 * self.dim if self.model == "rotate" else self.dim
        E = (torch.rand(n_e, width, generator=gen, dtype=torch.float32) * 2 - 1) * bound
        R = (torch.rand(n_r, self.dim, generator=gen, dtype=torch.float32) * 2 - 1) * bound
        # entities are rescaled to unit length before every step (the first one included)
        R = R / bound * np.pi if self.model == "rotate" else torch.nn.functional.normalize(R, dim=1)
        return _Embeddings(E, R)

    def _corrupt(self, pos: torch.Tensor, n_e: int, gen: torch.Generator) -> torch.Tensor:
        """``num_negatives`` copies of each triple, each with its head or its tail replaced."""
        neg = pos.repeat_interleave(self.num_negatives, dim=0)
        side = torch.where(torch.rand(neg.shape[0], generator=gen) < 0.5, 0, 2)
        rows = torch.arange(neg.shape[0])
        new = torch.randint(0, n_e - 1, (neg.shape[0],), generator=gen)
        neg[rows, side] = new + (new >= neg[rows, side]).long()  # never the entity it replaces
        return neg

    def _train(self, X: torch.Tensor, n_e: int, n_r: int) -> None:
        rng = check_random_state(self.random_state)
        gen = torch.Generator().manual_seed(int(rng.integers(0, 2**62)))
        emb = self._init(n_e, n_r, gen)
        m, K = X.shape[0], int(self.num_negatives)

        def batches(_: Any) -> list:
            order = torch.randperm(m, generator=gen)
            out = []
            for lo in range(0, m, self.batch_size):  # corruptions drawn batch by batch, in step order
                pos = X[order[lo:lo + self.batch_size]]
                out.append((pos, self._corrupt(pos, n_e, gen)))
            return out

        sizes = np.diff(np.r_[np.arange(0, m, self.batch_size), m])  # positives per step of an epoch
        step_losses: list[float] = []
        every = max(1, self.epochs // 5)

        def loss_fn(model: _Embeddings, batch: tuple) -> torch.Tensor:
            with torch.no_grad():  # unit-length entities (pykeen's constraint, applied before each step)
                model.E.data = torch.nn.functional.normalize(model.E.data, dim=1)
            pos, neg = batch
            s_pos = _interaction(self.model, *self._lookup(model.E, model.R, pos), self.p).repeat_interleave(K)
            s_neg = _interaction(self.model, *self._lookup(model.E, model.R, neg), self.p)
            loss = torch.relu(self.margin - s_pos + s_neg).mean()
            step_losses.append(loss.item())
            epoch, last = divmod(len(step_losses), len(sizes))
            if self.progress and last == 0 and epoch % every == 0:  # the last step of a reported epoch
                mean = float(np.dot(step_losses[-len(sizes):], sizes) / m)
                print(f"{self.model} epoch {epoch}/{self.epochs}: mean margin loss {mean:.4f}", flush=True)
            return loss

        train(emb, loss_fn, batches, epochs=self.epochs, lr=self.lr)
        per_epoch = np.asarray(step_losses).reshape(self.epochs, -1) @ sizes / m  # mean over the epoch's triples
        with torch.no_grad():
            E = torch.nn.functional.normalize(emb.E.data, dim=1)
        self.loss_history_ = np.asarray(per_epoch)
        if self.model == "rotate":
            self.entity_embeddings_ = torch.view_as_complex(E.reshape(n_e, -1, 2).contiguous()).numpy().copy()
            self.relation_embeddings_ = torch.polar(torch.ones_like(emb.R.data), emb.R.data).numpy().copy()
        else:
            self.entity_embeddings_ = E.numpy().copy()
            self.relation_embeddings_ = emb.R.detach().numpy().copy()
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
        dtype = torch.complex128 if self.model == "rotate" else torch.float64
        E = torch.as_tensor(self.entity_embeddings_).to(dtype)
        R = torch.as_tensor(self.relation_embeddings_).to(dtype)
        return np.asarray(_interaction(self.model, *self._lookup(E, R, T), self.p).numpy(), dtype=np.float64)
