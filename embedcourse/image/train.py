"""A small seeded training loop, seeded model construction and batch embedding.

- :func:`seeded` builds a module with its weights drawn from a given seed, inside
  ``torch.random.fork_rng`` so the global generator is left as it was;
- :func:`train_loop` runs Adam over shuffled mini-batches for a few epochs; the caller gives
  the loss of a batch as a function of its item indices (and of the loop's generator, for
  augmentations), so one loop trains a classifier, a triplet model, SimCLR and CLIP. It prints
  plain text every few epochs (it shows in the built book) and returns the loss curve;
- :func:`embed` runs a model over many images in evaluation mode, without gradients.

Taught in: chapter 04.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import torch

from embedcourse._validation import check_bool, check_float, check_int, check_seed
from embedcourse.image._checks import as_images

__all__ = ["seeded", "train_loop", "embed"]

M = TypeVar("M")


def _seed(random_state: Any) -> int:
    if random_state is None:
        raise TypeError("random_state must be an int seed; None would make the weights irreproducible.")
    check_seed("random_state", random_state)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**63 - 1))
    return int(random_state)


@contextmanager
def _threads(n: int) -> Iterator[None]:
    """torch's intra-op thread count set to ``n`` for the block, then restored."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def seeded(factory: Callable[[], M], random_state: int = 0) -> M:
    """Call ``factory()`` with torch's default generator seeded by ``random_state``, then restore it.

    Parameters
    ----------
    factory : callable
        Builds the module (its layers draw their initial weights from torch's default generator).
    random_state : int
        The seed of those draws.

    Returns
    -------
    The module ``factory()`` returned; the same seed gives the same weights.

    Examples
    --------
    >>> layer = seeded(lambda: torch.nn.Linear(4, 2), random_state=0)

    Taught in: chapter 04.
    """
    if not callable(factory):
        raise TypeError(f"factory must be a callable that builds the module; got {type(factory).__name__}.")
    seed = _seed(random_state)
    with torch.random.fork_rng(devices=[]):
        torch.random.manual_seed(seed)
        return factory()


def train_loop(params: Iterable[torch.nn.Parameter] | torch.nn.Module,
               batch_loss: Callable[[torch.Tensor, torch.Generator], torch.Tensor], n_items: int, *,
               epochs: int = 10, batch_size: int = 64, lr: float = 1e-3, weight_decay: float = 0.0,
               random_state: int = 0, log_every: int = 5, verbose: bool = True,
               num_threads: int = 1) -> list[float]:
    """Train with Adam over shuffled mini-batches of item indices; return the mean loss of each epoch.

    Parameters
    ----------
    params : torch.nn.Module or iterable of parameters
        What the optimiser updates (a module is put in training mode).
    batch_loss : callable
        ``batch_loss(idx, generator)`` returns the scalar loss of the items ``idx`` (a LongTensor);
        ``generator`` is the loop's seeded ``torch.Generator`` (use it for augmentations).
    n_items : int
        Number of training items; each epoch visits a permutation of ``range(n_items)``.
    epochs, batch_size : int
    lr, weight_decay : float
        Adam's learning rate and (decoupled, AdamW) weight decay.
    random_state : int
        Seed of the shuffles and of every draw made with the generator.
    log_every : int
        Print the epoch's mean loss every ``log_every`` epochs (and after the last).
    verbose : bool
        Print nothing when False.
    num_threads : int
        torch's intra-op threads during the loop (restored afterwards). One is the fastest for
        models this small: each operation is tiny, and a second thread mostly waits to
        synchronise (15 times slower on a busy 2-core machine).

    Returns
    -------
    list of float
        The mean training loss of each epoch.

    Examples
    --------
    >>> curve = train_loop(model, lambda idx, g: loss_of(idx), n_items=1000, epochs=5)  # doctest: +SKIP

    Taught in: chapter 04.
    """
    module = params if isinstance(params, torch.nn.Module) else None
    plist = list(params.parameters() if isinstance(params, torch.nn.Module) else params)
    if not plist or not all(isinstance(p, torch.nn.Parameter) for p in plist):
        raise TypeError("params must be a torch.nn.Module or a non-empty iterable of torch.nn.Parameter.")
    if not callable(batch_loss):
        raise TypeError(f"batch_loss must be a callable (idx, generator) -> loss; got {type(batch_loss).__name__}.")
    n_items = check_int("n_items", n_items, 1)
    epochs = check_int("epochs", epochs, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    lr = check_float("lr", lr, 0, None, low_open=True)
    weight_decay = check_float("weight_decay", weight_decay, 0, None)
    log_every = check_int("log_every", log_every, 1)
    verbose = check_bool("verbose", verbose)
    num_threads = check_int("num_threads", num_threads, 1, 256)
    with _threads(num_threads):
        return _loop(module, plist, batch_loss, n_items, epochs, batch_size, lr, weight_decay, _seed(random_state),
                     log_every, verbose)


def _loop(module: torch.nn.Module | None, plist: list[torch.nn.Parameter],
          batch_loss: Callable[[torch.Tensor, torch.Generator], torch.Tensor], n_items: int, epochs: int,
          batch_size: int, lr: float, weight_decay: float, seed: int, log_every: int, verbose: bool) -> list[float]:
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(plist, lr=lr, weight_decay=weight_decay)
    if module is not None:
        module.train()
    curve = []
    for epoch in range(1, epochs + 1):
        order = torch.randperm(n_items, generator=g)
        total, count = 0.0, 0
        for start in range(0, n_items, batch_size):
            idx = order[start:start + batch_size]
            loss = batch_loss(idx, g)
            if not isinstance(loss, torch.Tensor) or loss.ndim != 0:
                raise TypeError("batch_loss must return a scalar torch.Tensor.")
            if not bool(torch.isfinite(loss)):
                raise ValueError(f"batch_loss returned {float(loss)} at epoch {epoch}; lower lr.")
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
            count += len(idx)
        curve.append(total / count)
        if verbose and (epoch % log_every == 0 or epoch == epochs):
            print(f"epoch {epoch:3d}/{epochs}  loss {curve[-1]:.4f}", flush=True)
    if module is not None:
        module.eval()
    return curve


def embed(model: Callable[[torch.Tensor], torch.Tensor], images: Any, *, batch_size: int = 512,
          num_threads: int = 1) -> npt.NDArray[np.float32]:
    """The model's output for every image, in evaluation mode and without gradients.

    Parameters
    ----------
    model : torch.nn.Module or callable
        Maps a batch (b, C, H, W) to embeddings (b, d).
    images : torch.Tensor or array, shape (n, C, H, W)
    batch_size : int
    num_threads : int
        torch's intra-op threads meanwhile (restored afterwards).

    Returns
    -------
    numpy.ndarray, shape (n, d), float32

    Examples
    --------
    >>> Z = embed(cnn, digits.images)  # doctest: +SKIP

    Taught in: chapter 04.
    """
    if not callable(model):
        raise TypeError(f"model must be a module or callable mapping images to embeddings; got {type(model).__name__}.")
    x = as_images(images)
    batch_size = check_int("batch_size", batch_size, 1)
    num_threads = check_int("num_threads", num_threads, 1, 256)
    was_training = bool(getattr(model, "training", False))
    if isinstance(model, torch.nn.Module):
        model.eval()
    try:
        with torch.no_grad(), _threads(num_threads):
            out = torch.cat([model(x[i:i + batch_size]) for i in range(0, x.shape[0], batch_size)])
    finally:
        if isinstance(model, torch.nn.Module) and was_training:
            model.train()
    if out.ndim != 2:
        raise ValueError(f"model must return (b, d) embeddings; it returned shape {tuple(out.shape)}.")
    return out.detach().cpu().numpy().astype(np.float32)
