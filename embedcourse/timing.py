"""Throughput of a function over a batch of items, measured warm.

A first call pays costs that later calls do not: numba and torch compile kernels, a model
loads its weights into the cache, the operating system pages memory in. A throughput that
includes them describes the first call, not the method. :func:`throughput` therefore calls
the function once on the items before it starts the clock (the warm-up), then times
``repeat`` further calls and reports items per second of the fastest one (the least
disturbed by other processes, as :mod:`timeit` recommends).

Timings vary from run to run and machine to machine: a chapter may print or compare them,
but must not ``assert`` exact values.

Taught in: chapter 03 (encoders compared by speed), used wherever speed is compared.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from embedcourse._validation import check_bool, check_int

__all__ = ["throughput"]


def throughput(fn: Callable[[Any], Any], items: Sequence[Any], *, repeat: int = 1, warmup: bool = True) -> float:
    """Items per second of ``fn(items)``, with first-call costs excluded by a warm-up call.

    Parameters
    ----------
    fn : callable
        Called as ``fn(items)``: one call processes the whole batch (e.g. ``model.encode``).
    items : sequence, length n >= 1
        The batch (texts, vectors, queries...). Its ``len`` is the number of items.
    repeat : int in [1, 1000]
        Timed calls; the fastest is reported.
    warmup : bool
        Call ``fn(items)`` once, untimed, before the timed calls (default), so JIT
        compilation, lazy loading and cold caches are not counted. ``False`` times the
        first call too.

    Returns
    -------
    float
        ``n / seconds`` of the fastest timed call (``inf`` if the clock measured 0 s).

    Examples
    --------
    >>> rate = throughput(sorted, list(range(1000)), repeat=3)
    >>> rate > 0
    True

    Taught in: chapter 03.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a callable taking the items; got {type(fn).__name__}.")
    if isinstance(items, (str, bytes)):
        raise TypeError("items must be a sequence of items (e.g. a list of texts), not one string.")
    try:
        n = len(items)
    except TypeError:
        raise TypeError(f"items must be a sequence with a length; got {type(items).__name__}.") from None
    if n == 0:
        raise ValueError("items is empty; pass at least one item to time.")
    repeat = check_int("repeat", repeat, 1, 1000)
    warmup = check_bool("warmup", warmup)
    if warmup:
        fn(items)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(items)
        best = min(best, time.perf_counter() - t0)
    return n / best if best > 0 else float("inf")
