"""Encode a corpus with a sentence-transformers model once, and read it from disk afterwards.

Encoding a few thousand documents with MiniLM takes a minute on a laptop CPU; a chapter
re-run should not pay it again. :func:`cached_encode` calls ``model.encode`` exactly as a
reader would (``normalize_embeddings``, ``batch_size``, no progress bar) and stores the
matrix in the on-disk cache of :mod:`embedcourse.cache`, keyed by a hash of the texts, the
model and the options, so a changed corpus or model can never return a stale matrix.

Taught in: chapter 03.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_bool, check_int, check_texts
from embedcourse.cache import cache_array, content_hash

if TYPE_CHECKING:  # pragma: no cover - imports for type hints only
    from sentence_transformers import SentenceTransformer

__all__ = ["cached_encode"]


def _model_name(model: SentenceTransformer) -> str:
    """A cache label for a model: its class, output dimension and maximum sequence length."""
    # sentence-transformers >= 6 renamed get_sentence_embedding_dimension
    getter = getattr(model, "get_embedding_dimension", None) or getattr(
        model, "get_sentence_embedding_dimension", None
    )
    dim = getter() if callable(getter) else None
    return f"{type(model).__name__}-{dim}-{getattr(model, 'max_seq_length', '')}"


def cached_encode(
    model: SentenceTransformer,
    texts: Iterable[str],
    *,
    model_name: str | None = None,
    batch_size: int = 64,
    normalize: bool = True,
    cache: bool = True,
) -> npt.NDArray[np.float32]:
    """Encode ``texts`` with a sentence-transformers ``model``, cached on disk by content hash.

    Parameters
    ----------
    model : sentence_transformers.SentenceTransformer
        Anything with its ``encode(texts, batch_size=, normalize_embeddings=,
        convert_to_numpy=, show_progress_bar=)`` method, e.g. ``ec.data.load_minilm()``.
    texts : iterable of str, length n
    model_name : str, optional
        Identifies the model in the cache key (defaults to the model's class and dimension).
    batch_size : int
        Texts per forward pass (at least 1).
    normalize : bool
        Return unit-length rows (cosine similarity is then a dot product).
    cache : bool
        Read and write the on-disk cache (``False``: always encode).

    Returns
    -------
    numpy.ndarray, shape (n, d), float32

    Taught in: chapter 03.

    Examples
    --------
    >>> model = ec.data.load_minilm()  # doctest: +SKIP
    >>> ec.sentence.cached_encode(model, ["a cat", "a dog"]).shape  # doctest: +SKIP
    (2, 384)
    """
    texts = check_texts(texts, "texts")
    batch_size = check_int("batch_size", batch_size, 1)
    normalize = check_bool("normalize", normalize)
    cache = check_bool("cache", cache)
    if model_name is None:
        model_name = _model_name(model)
    elif not isinstance(model_name, str) or not model_name:
        raise TypeError(f"model_name must be a non-empty str or None; got {model_name!r}.")

    def compute() -> npt.NDArray[np.float32]:
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
    key = content_hash("encode-v1", model_name, normalize, texts)
    return cache_array(key, compute, namespace="encoded")
