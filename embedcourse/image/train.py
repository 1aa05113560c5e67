"""Chapter 04's training front door and batch embedding, on top of :func:`embedcourse.training.fit`.

- :func:`train_loop` trains image models with the course's one loop,
  :func:`embedcourse.training.fit` (Adam(W), seeded batches, no global seed). The caller gives
  the loss of a batch as a function of its item indices and of a seeded ``torch.Generator``
  (for augmentations), so one call trains a classifier, a triplet model, SimCLR and CLIP. It
  prints fit's plain line per epoch (it shows in the built book, and holds no timing, so two
  runs print the same text) and returns the loss curve;
- :func:`embed` runs a model over many images in evaluation mode, without gradients.

Models are built with seeded weights by :func:`embedcourse.training.seeded`.

Taught in: chapter 04.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from embedcourse._validation import check_bool, check_float, check_int
from embedcourse.image._checks import as_images

__all__ = ["train_loop", "embed"]


@contextmanager
def _threads(n: int) -> Iterator[None]:
    """torch's intra-op thread count set to ``n`` for the block, then restored."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def train_loop(params: Iterable[torch.nn.Parameter] | torch.nn.Module,
               batch_loss: Callable[[torch.Tensor, torch.Generator], torch.Tensor], n_items: int, *,
               epochs: int = 10, batch_size: int = 64, lr: float = 1e-3, weight_decay: float = 0.0,
               random_state: int = 0, verbose: bool = True, num_threads: int = 1) -> list[float]:
    """Train with AdamW over shuffled mini-batches of item indices; return the mean loss of each epoch.

    A thin adapter over :func:`embedcourse.training.fit`: each epoch, a ``torch.Generator``
    seeded from fit's epoch generator shuffles ``range(n_items)`` into batches, and the same
    generator is handed to ``batch_loss`` for the augmentations.

    Parameters
    ----------
    params : torch.nn.Module or iterable of parameters
        What the optimiser updates (a module is in training mode during the loop and in
        evaluation mode afterwards).
    batch_loss : callable
        ``batch_loss(idx, generator)`` returns the scalar loss of the items ``idx`` (a LongTensor);
        ``generator`` is the epoch's seeded ``torch.Generator`` (use it for augmentations).
    n_items : int
        Number of training items; each epoch visits a permutation of ``range(n_items)``.
    epochs, batch_size : int
    lr, weight_decay : float
        AdamW's learning rate and decoupled weight decay.
    random_state : int
        Seed of the shuffles and of every draw made with the generator.
    verbose : bool
        Print fit's ``epoch e/E  loss L`` line after every epoch (nothing when False).
    num_threads : int
        torch's intra-op threads during the loop (restored afterwards). One is the fastest for
        models this small: each operation is tiny, and a second thread mostly waits to
        synchronise (many times slower on a busy 2-core machine).

    Returns
    -------
    list of float
        The mean training loss of each epoch (the mean over its steps).

    Examples
    --------
    >>> curve = train_loop(model, lambda idx, g: loss_of(idx), n_items=1000, epochs=5)  # doctest: +SKIP

    Taught in: chapter 04.
    """
    from embedcourse.training import fit

    model: torch.nn.Module | None = None
    if isinstance(params, torch.nn.Module):
        model, plist = params, list(params.parameters())
    else:
        plist = list(params) if isinstance(params, Iterable) and not isinstance(params, (str, bytes)) else []
        if plist and all(isinstance(p, torch.nn.Parameter) for p in plist):
            model = torch.nn.ParameterList(plist)
    if not plist or model is None or not all(isinstance(p, torch.nn.Parameter) for p in plist):
        raise TypeError("params must be a torch.nn.Module or a non-empty iterable of torch.nn.Parameter.")
    if not callable(batch_loss):
        raise TypeError(f"batch_loss must be a callable (idx, generator) -> loss; got {type(batch_loss).__name__}.")
    n_items = check_int("n_items", n_items, 1)
    epochs = check_int("epochs", epochs, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    lr = check_float("lr", lr, 0, None, low_open=True)
    weight_decay = check_float("weight_decay", weight_decay, 0, None)
    verbose = check_bool("verbose", verbose)
    num_threads = check_int("num_threads", num_threads, 1, 256)

    def batches(rng: np.random.Generator) -> list[tuple[torch.Tensor, torch.Generator]]:
        g = torch.Generator().manual_seed(int(rng.integers(2**63 - 1)))
        order = torch.randperm(n_items, generator=g)
        return [(order[start:start + batch_size], g) for start in range(0, n_items, batch_size)]

    def loss_fn(_: torch.nn.Module, batch: tuple[torch.Tensor, torch.Generator]) -> torch.Tensor:
        loss = batch_loss(*batch)
        if not isinstance(loss, torch.Tensor) or loss.ndim != 0:
            raise TypeError("batch_loss must return a scalar torch.Tensor.")
        return loss

    result = fit(model, loss_fn, batches, epochs=epochs, lr=lr, optimizer="adamw", weight_decay=weight_decay,
                 params=plist, random_state=int(check_int("random_state", random_state, 0, 2**63 - 1)),
                 progress=verbose, threads=num_threads)
    return [float(v) for v in result.epoch_losses]


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
