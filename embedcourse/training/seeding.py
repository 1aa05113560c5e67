"""Seeds for training: seeded model construction, and the generators of each epoch.

:func:`~embedcourse.training.fit` derives everything random in epoch ``e`` from
``(random_state, e)`` through a :class:`numpy.random.SeedSequence`: the numpy generator that
shuffles the batches (:func:`epoch_rng`) and the seed of torch's generator (dropout and other
torch draws). So epoch ``e`` is the same whether the run started at epoch 1 or was resumed from
a checkpoint, and no global seed is ever left set.

Taught in: chapter 08.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import torch

from embedcourse._validation import check_int

__all__ = ["seeded", "epoch_rng"]

M = TypeVar("M")


def check_seed_int(random_state: Any) -> int:
    """``random_state`` as an int seed in [0, 2**63 - 1] (None and Generators are refused: runs must be resumable)."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        raise TypeError(f"random_state must be an int seed; got {random_state!r} (training must be reproducible "
                        f"and resumable, so a fixed int is required).")
    return check_int("random_state", random_state, 0, 2**63 - 1)


def epoch_rng(random_state: int, epoch: int) -> np.random.Generator:
    """The numpy generator :func:`~embedcourse.training.fit` passes to ``batches`` in epoch ``epoch``.

    Parameters
    ----------
    random_state : int
        The run's seed.
    epoch : int >= 1
        1-based epoch.

    Returns
    -------
    numpy.random.Generator
        ``default_rng(SeedSequence(random_state, spawn_key=(epoch,)))``: independent streams for
        different epochs, the same stream for the same (random_state, epoch).

    Examples
    --------
    >>> int(epoch_rng(0, 3).integers(100)) == int(epoch_rng(0, 3).integers(100))
    True

    Taught in: chapter 08.
    """
    seed = check_seed_int(random_state)
    epoch = check_int("epoch", epoch, 1)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(epoch,)))


def torch_seed(random_state: int, epoch: int) -> int:
    """The seed of torch's generator in epoch ``epoch`` (a different stream from :func:`epoch_rng`)."""
    state = np.random.SeedSequence(random_state, spawn_key=(epoch, 0)).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


def seeded(factory: Callable[[], M], random_state: int = 0) -> M:
    """Call ``factory()`` with torch's generator seeded by ``random_state``, then restore the generator.

    Parameters
    ----------
    factory : callable
        Builds the model (its layers draw their initial weights from torch's default generator).
    random_state : int
        The seed of those draws.

    Returns
    -------
    Whatever ``factory()`` returns; the same seed gives the same weights, and torch's global
    generator is left as it was (``torch.random.fork_rng``).

    Examples
    --------
    >>> layer = seeded(lambda: torch.nn.Linear(4, 2), random_state=0)
    >>> bool((layer.weight == seeded(lambda: torch.nn.Linear(4, 2), random_state=0).weight).all())
    True

    Taught in: chapter 08.
    """
    if not callable(factory):
        raise TypeError(f"factory must be a callable that builds the model; got {type(factory).__name__}.")
    seed = check_seed_int(random_state)
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(seed)
        return factory()
