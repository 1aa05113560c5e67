"""Ready-made ``batches`` for :func:`~embedcourse.training.fit`: shuffled index mini-batches.

``fit`` calls ``batches(rng)`` once per epoch with that epoch's numpy generator; a batch can be
anything ``loss_fn`` understands. The common case, a fresh permutation of the training items cut
into mini-batches of indices, is :func:`index_batches`.

Taught in: chapter 08.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_bool, check_int

__all__ = ["index_batches"]


def index_batches(n_items: int, batch_size: int, *, shuffle: bool = True,
                  drop_last: bool = False) -> Callable[[np.random.Generator], list[npt.NDArray[np.int64]]]:
    """A ``batches`` callable: each epoch, ``range(n_items)`` (shuffled by that epoch's rng) in chunks.

    Parameters
    ----------
    n_items : int >= 1
        Number of training items.
    batch_size : int >= 1
        Items per batch (the last batch may be smaller unless ``drop_last``).
    shuffle : bool
        Permute the items with the epoch's generator (False: always 0, 1, 2, ...).
    drop_last : bool
        Drop a last, smaller batch (in-batch-negative losses prefer equal batch sizes).

    Returns
    -------
    callable
        ``batches(rng) -> list of int64 index arrays``.

    Examples
    --------
    >>> batches = index_batches(5, 2, shuffle=False)
    >>> [b.tolist() for b in batches(np.random.default_rng(0))]
    [[0, 1], [2, 3], [4]]

    Taught in: chapter 08.
    """
    n_items = check_int("n_items", n_items, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    shuffle = check_bool("shuffle", shuffle)
    drop_last = check_bool("drop_last", drop_last)
    if drop_last and batch_size > n_items:
        raise ValueError(f"batch_size ({batch_size}) is larger than n_items ({n_items}) with drop_last=True: "
                         f"every batch would be dropped.")

    def batches(rng: np.random.Generator) -> list[npt.NDArray[np.int64]]:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy Generator (fit passes one); got {type(rng).__name__}.")
        order = rng.permutation(n_items) if shuffle else np.arange(n_items)
        stop = n_items - n_items % batch_size if drop_last else n_items
        return [order[i:i + batch_size].astype(np.int64) for i in range(0, stop, batch_size)]

    return batches
