"""The hashing trick for categorical features: stable seeded buckets and collision rates.

A recommender or ads model embeds ids (users, items, zip codes, search terms) by looking rows
up in a table. When the id space is huge or open-ended, the *hashing trick* (Weinberger et al.,
2009) maps each key to one of ``n_buckets`` rows with a hash function; distinct keys then share
rows (collide). This module gives a stable seeded hash, the measured and analytic collision
rates, and a helper to feed variable-length multi-hot features to ``torch.nn.EmbeddingBag``;
the memory arithmetic of large tables is in :mod:`embedcourse.features.memory`.

Python's built-in ``hash`` is salted per process for strings (``PYTHONHASHSEED``), so it would
give different buckets in every run: never use it for a feature table.

Taught in: chapter 02.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_int

__all__ = [
    "hash_bucket",
    "collision_rate",
    "expected_collision_rate",
    "expected_occupied_fraction",
    "bag_inputs",
]

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_MAX_BUCKETS = 2**63 - 1  # bucket ids are returned as int64
_MAX_SEED = 2**64 - 1  # random_state is used as a uint64 (ints) and as 8 key bytes (strings)
_MAX_SIMULATED = 10**8  # collision_rate allocates int64 arrays of n_keys and n_buckets entries


def _splitmix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    # SplitMix64 finaliser (Steele et al.), vectorised; uint64 arithmetic wraps mod 2**64.
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def hash_bucket(
    keys: str | int | npt.ArrayLike, n_buckets: int, random_state: int = 0
) -> npt.NDArray[np.int64]:
    """Map keys to buckets ``0..n_buckets-1`` with a stable, seeded hash.

    Integer keys go through the SplitMix64 mixer (vectorised); strings through 64-bit BLAKE2b
    keyed with ``random_state``. The result is the same on every machine and in every process.

    Parameters
    ----------
    keys : str, int, or array-like of str or of int, shape (n,)
    n_buckets : int in [1, 2**63 - 1]
    random_state : int in [0, 2**64 - 1]
        The hash seed: different values give independent hash functions.

    Returns
    -------
    numpy.ndarray of int64, shape (n,) (a scalar key gives shape ())

    Taught in: chapter 02.
    """
    n_buckets = check_int("n_buckets", n_buckets, 1, _MAX_BUCKETS)
    seed = check_int("random_state", random_state, 0, _MAX_SEED)
    scalar = isinstance(keys, (str, int, np.integer))
    arr = np.asarray([keys] if scalar else keys)
    if arr.ndim != 1:
        raise ValueError(f"keys must be one key or a 1-d sequence of keys; got shape {arr.shape}.")
    if arr.size == 0:
        out = np.zeros(0, dtype=np.int64)
    elif np.issubdtype(arr.dtype, np.integer):
        x = arr.astype(np.int64).view(np.uint64) ^ _splitmix64(np.array([seed], dtype=np.uint64))[0]
        out = (_splitmix64(x) % np.uint64(n_buckets)).astype(np.int64)
    elif arr.dtype.kind in "US" or arr.dtype == object:
        salt = int(seed).to_bytes(8, "little")
        vals = []
        for i, k in enumerate(arr.tolist()):
            if not isinstance(k, str):
                raise TypeError(f"keys must be all str or all int; key {i} is {type(k).__name__}.")
            digest = hashlib.blake2b(k.encode("utf-8"), digest_size=8, key=salt).digest()
            vals.append(int.from_bytes(digest, "little") % n_buckets)
        out = np.asarray(vals, dtype=np.int64)
    else:
        raise TypeError(f"keys must be str or int; got dtype {arr.dtype}.")
    return out[0] if scalar else out


def collision_rate(n_keys: int, n_buckets: int, random_state: int = 0) -> float:
    """Measured fraction of ``n_keys`` distinct keys that share their bucket with another key.

    Keys ``0..n_keys-1`` are hashed with :func:`hash_bucket`. Compare with
    :func:`expected_collision_rate`. ``n_keys`` and ``n_buckets`` are ints in ``[1, 10**8]``
    (both become int64 arrays); ``random_state`` as in :func:`hash_bucket`.

    Taught in: chapter 02.
    """
    n_keys = check_int("n_keys", n_keys, 1, _MAX_SIMULATED)
    n_buckets = check_int("n_buckets", n_buckets, 1, _MAX_SIMULATED)
    b = hash_bucket(np.arange(n_keys, dtype=np.int64), n_buckets, random_state)
    load = np.bincount(b, minlength=n_buckets)
    return float((load[b] > 1).mean())


def expected_collision_rate(n_keys: int, n_buckets: int) -> float:
    """Probability that a key shares its bucket, for a uniform random hash.

    A given key is alone when each of the other ``n - 1`` keys misses its bucket:
    ``1 - (1 - 1/B) ** (n - 1)``, about ``1 - exp(-n / B)``. Both are ints >= 1.

    Taught in: chapter 02.
    """
    n_keys = check_int("n_keys", n_keys, 1, None)
    n_buckets = check_int("n_buckets", n_buckets, 1, None)
    return float(1.0 - np.exp((n_keys - 1) * np.log1p(-1.0 / n_buckets))) if n_buckets > 1 else float(n_keys > 1)


def expected_occupied_fraction(n_keys: int, n_buckets: int) -> float:
    """Expected fraction of buckets holding at least one of ``n_keys`` keys: ``1 - (1 - 1/B)**n``.

    ``n_keys`` is an int >= 0, ``n_buckets`` an int >= 1.

    Taught in: chapter 02.
    """
    n_keys = check_int("n_keys", n_keys, 0, None)
    n_buckets = check_int("n_buckets", n_buckets, 1, None)
    return float(1.0 - np.exp(n_keys * np.log1p(-1.0 / n_buckets))) if n_buckets > 1 else float(n_keys > 0)


def bag_inputs(bags: Iterable[Sequence[int]]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Flatten variable-length id lists into ``(input, offsets)`` for ``torch.nn.EmbeddingBag``.

    Parameters
    ----------
    bags : iterable of sequences of int, length B
        E.g. the genres of each film.

    Returns
    -------
    flat : numpy.ndarray of int64, shape (sum of lengths,)
    offsets : numpy.ndarray of int64, shape (B,)
        Start of each bag in ``flat`` (EmbeddingBag's convention, without the final end).

    Taught in: chapter 02.
    """
    if isinstance(bags, (str, bytes)):
        raise TypeError("bags must be a list of lists of int ids, not a string.")
    bags = list(bags)
    for i, b in enumerate(bags):
        if isinstance(b, (str, bytes)) or not hasattr(b, "__iter__"):
            raise TypeError(f"bags must be a list of lists of int ids; bag {i} is {type(b).__name__}.")
    bags = [list(b) for b in bags]
    if not bags:
        raise ValueError("bags is empty; pass at least one list of ids.")
    lengths = np.array([len(b) for b in bags], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    flat = np.fromiter((int(i) for b in bags for i in b), dtype=np.int64, count=int(lengths.sum()))
    return flat, offsets
