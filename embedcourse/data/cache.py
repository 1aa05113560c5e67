"""A small on-disk cache for expensive arrays (encoded corpora, projections, trained vectors).

Results are keyed by a content hash of everything that determines them (the input texts or
array, the model name, the parameters), so a changed input can never return a stale result.
The cache lives in ``$EMBEDCOURSE_CACHE`` if set, else ``~/.cache/embedcourse``; delete the
folder at any time. Set ``EMBEDCOURSE_CACHE=off`` to disable it (everything is recomputed).

Taught in: chapter 01 (projections), chapter 03 (encoded corpora).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

__all__ = ["cache_dir", "content_hash", "cache_array", "cached_encode"]


def cache_dir() -> Path | None:
    """The cache folder (created on first use), or ``None`` when caching is switched off."""
    env = os.environ.get("EMBEDCOURSE_CACHE")
    if env and env.lower() in {"off", "0", "false", "none"}:
        return None
    path = Path(env) if env else Path.home() / ".cache" / "embedcourse"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _feed(h: "hashlib._Hash", part: Any) -> None:
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


def _json_default(x: Any) -> Any:
    if isinstance(x, (np.integer, np.floating)):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"content_hash cannot hash a {type(x).__name__} part inside a dict.")


def content_hash(*parts: Any) -> str:
    """A sha256 hex digest of ``parts`` (arrays, strings, lists of strings, JSON-able values)."""
    h = hashlib.sha256()
    for part in parts:
        _feed(h, part)
    return h.hexdigest()


def cache_array(key: str, compute: Callable[[], np.ndarray], *, namespace: str = "arrays") -> np.ndarray:
    """Return the array stored under ``key``, computing and storing it on a miss.

    Parameters
    ----------
    key : str
        A content hash (see :func:`content_hash`) of everything the result depends on.
    compute : callable
        Called with no arguments on a miss; must return a numpy array.
    namespace : str
        Sub-folder, to keep kinds of results apart.
    """
    if not isinstance(key, str) or not key:
        raise TypeError(f"key must be a non-empty str (a content_hash); got {key!r}.")
    if not callable(compute):
        raise TypeError(f"compute must be a function of no arguments returning an array; got {type(compute).__name__}.")
    root = cache_dir()
    if root is None:
        return np.asarray(compute())
    folder = root / namespace
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.npy"
    if path.exists():
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):  # a truncated file from an interrupted run: recompute
            path.unlink(missing_ok=True)
    value = np.asarray(compute())
    # write atomically so two parallel test workers never read a half-written file
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".npy.tmp")
    with os.fdopen(fd, "wb") as fh:
        np.save(fh, value, allow_pickle=False)
    os.replace(tmp, path)
    return value


def cached_encode(
    model: Any,
    texts: Iterable[str],
    *,
    model_name: str | None = None,
    batch_size: int = 64,
    normalize: bool = True,
    cache: bool = True,
) -> np.ndarray:
    """Encode ``texts`` with a sentence-transformers ``model``, cached on disk by content hash.

    Parameters
    ----------
    model : sentence_transformers.SentenceTransformer
    texts : iterable of str, length n
    model_name : str, optional
        Identifies the model in the cache key (defaults to the model's class and dimension).
    normalize : bool
        Return unit-length rows (cosine similarity is then a dot product).

    Returns
    -------
    numpy.ndarray, shape (n, d), float32
    """
    if isinstance(texts, (str, bytes)) or texts is None:
        raise TypeError(f"texts must be a list of strings, not one {type(texts).__name__}; wrap it: [text].")
    texts = list(texts)
    if not texts:
        raise ValueError("texts is empty; pass at least one string to encode.")
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise TypeError(f"texts must be strings; item {bad[0]} is {type(texts[bad[0]]).__name__}.")
    if model_name is None:
        # sentence-transformers >= 6 renamed get_sentence_embedding_dimension
        getter = getattr(model, "get_embedding_dimension", None) or getattr(
            model, "get_sentence_embedding_dimension", lambda: None
        )
        dim = getter()
        model_name = f"{type(model).__name__}-{dim}-{getattr(model, 'max_seq_length', '')}"

    def compute() -> np.ndarray:
        out = model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=normalize,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(out, dtype=np.float32)

    if not cache:
        return compute()
    key = content_hash("encode-v1", model_name, bool(normalize), texts)
    return cache_array(key, compute, namespace="encoded")
