"""A small on-disk cache for expensive arrays (encoded corpora, projections, trained vectors).

Results are keyed by a content hash of everything that determines them (the input texts or
array, the model name, the parameters), so a changed input can never return a stale result.
The cache lives in ``$EMBEDCOURSE_CACHE`` if set, else ``~/.cache/embedcourse``; delete the
folder at any time. Set ``EMBEDCOURSE_CACHE=off`` to disable it (everything is recomputed).

This module is part of the base layer: it imports only numpy and the standard library, so
any subpackage can cache its results (:func:`embedcourse.sentence.cached_encode` for encoded
corpora, :func:`embedcourse.reduction.project` for projections).

Taught in: chapter 01 (projections), chapter 03 (encoded corpora).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["cache_dir", "content_hash", "cache_array"]


def cache_dir() -> Path | None:
    """The cache folder (created on first use), or ``None`` when caching is switched off.

    Returns
    -------
    pathlib.Path or None
        ``$EMBEDCOURSE_CACHE`` if set, else ``~/.cache/embedcourse``; ``None`` when
        ``EMBEDCOURSE_CACHE`` is ``off`` (or ``0``, ``false``, ``none``).

    Taught in: chapter 03.
    """
    env = os.environ.get("EMBEDCOURSE_CACHE")
    if env and env.lower() in {"off", "0", "false", "none"}:
        return None
    path = Path(env) if env else Path.home() / ".cache" / "embedcourse"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _feed(h: hashlib._Hash, part: object) -> None:
    if isinstance(part, np.ndarray):
        arr = np.ascontiguousarray(part)
        h.update(f"ndarray{arr.dtype.str}{arr.shape}".encode())
        h.update(arr.tobytes())
    elif isinstance(part, (bytes, bytearray)):
        h.update(b"bytes")
        h.update(part)
    elif isinstance(part, str):
        h.update(b"str")
        h.update(len(part).to_bytes(8, "little"))
        h.update(part.encode("utf-8"))
    elif isinstance(part, (list, tuple)):
        h.update(f"seq{len(part)}".encode())
        for p in part:
            _feed(h, p)
    elif part is None or isinstance(part, (bool, int, float, np.integer, np.floating, dict)):
        h.update(json.dumps(part, sort_keys=True, default=_json_default).encode())
    else:
        raise TypeError(
            f"content_hash cannot hash a {type(part).__name__} part (its repr is not stable across "
            f"runs); pass arrays, str, bytes, numbers, None, or lists/tuples/dicts of them."
        )


def _json_default(x: object) -> Any:
    if isinstance(x, (np.integer, np.floating)):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"content_hash cannot hash a {type(x).__name__} part inside a dict.")


def content_hash(*parts: object) -> str:
    """A sha256 hex digest of ``parts`` (arrays, strings, lists of strings, JSON-able values).

    Arrays are hashed by dtype, shape and bytes, strings with their length, so
    ``["ab", "c"]`` and ``["a", "bc"]`` differ, as do equal values of different dtypes.

    Raises
    ------
    TypeError
        A part has no stable representation (an arbitrary object, a function).

    Taught in: chapter 03.
    """
    h = hashlib.sha256()
    for part in parts:
        _feed(h, part)
    return h.hexdigest()


def cache_array(
    key: str, compute: Callable[[], npt.ArrayLike], *, namespace: str = "arrays"
) -> npt.NDArray[Any]:
    """Return the array stored under ``key``, computing and storing it on a miss.

    Parameters
    ----------
    key : str
        A content hash (see :func:`content_hash`) of everything the result depends on.
    compute : callable
        Called with no arguments on a miss; must return a numpy array.
    namespace : str
        Sub-folder, to keep kinds of results apart.

    Returns
    -------
    numpy.ndarray
        The stored array (same dtype and shape as ``compute()`` returned).

    Taught in: chapter 03.
    """
    if not isinstance(key, str) or not key:
        raise TypeError(f"key must be a non-empty str (a content_hash); got {key!r}.")
    if not callable(compute):
        raise TypeError(f"compute must be a function of no arguments returning an array; got {type(compute).__name__}.")
    if not isinstance(namespace, str):
        raise TypeError(f"namespace must be a folder name (a str); got {type(namespace).__name__}.")
    if not namespace or "/" in namespace or os.sep in namespace or namespace in {".", ".."}:
        raise ValueError(f"namespace must be a folder name (a non-empty str without '/'); got {namespace!r}.")
    root = cache_dir()
    if root is None:
        return np.asarray(compute())
    folder = root / namespace
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.npy"
    if path.exists():
        try:
            stored: npt.NDArray[Any] = np.load(path, allow_pickle=False)
            return stored
        except (OSError, ValueError):  # a truncated file from an interrupted run: recompute
            path.unlink(missing_ok=True)
    value = np.asarray(compute())
    # write atomically so two parallel test workers never read a half-written file
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".npy.tmp")
    with os.fdopen(fd, "wb") as fh:
        np.save(fh, value, allow_pickle=False)
    os.replace(tmp, path)
    return value
