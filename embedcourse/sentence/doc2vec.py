"""Doc2Vec inference that gives the same vectors in every process.

gensim's :meth:`gensim.models.doc2vec.Doc2Vec.infer_vector` trains a fresh paragraph vector
for an unseen document, starting from random numbers. Two things make that start, and hence
the inferred vector, change between runs of the same notebook:

1. the start vector comes from ``pseudorandom_weak_vector(size, seed_string=" ".join(words))``,
   which seeds its generator with Python's built-in ``hash()`` of the text; string hashes are
   salted per process (``PYTHONHASHSEED``), so every new kernel starts elsewhere;
2. negative sampling and window shrinking draw from ``model.random``, one generator shared by
   every call, so a document's vector also depends on how many documents were inferred before.

:func:`infer_vectors` fixes both for the duration of the call and restores gensim afterwards:
the start vector is seeded with a stable hash (``zlib.crc32`` of the UTF-8 text, started from
``random_state``), and ``model.random`` is replaced, for each document, by a generator seeded
with the same number. A document's vector then depends only on the model, its words, ``epochs``
and ``random_state``: not on the process, nor on the order of the documents.

Taught in: chapter 03 (Doc2Vec against the other document-vector baselines).
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_int, check_sentences

__all__ = ["infer_vectors"]


def _stable_seed(words: Sequence[str], random_state: int) -> int:
    """``zlib.crc32`` of gensim's seed string, started from ``random_state``: the same in every process."""
    return zlib.crc32(" ".join(words).encode("utf-8"), random_state)


@contextlib.contextmanager
def _stable_start(model: Any, seed: int) -> Iterator[None]:
    """Within the block, gensim's inference starts from ``seed`` instead of ``hash(text)``; restored after."""
    from gensim.models import doc2vec as gensim_doc2vec
    from gensim.models.keyedvectors import pseudorandom_weak_vector

    def start(size: int, seed_string: str | None = None) -> npt.NDArray[np.float32]:
        # the same numbers gensim would draw, with the stable seed in place of hash(seed_string)
        return pseudorandom_weak_vector(size, seed_string=seed_string or " ", hashfxn=lambda _: seed)

    saved_start, saved_random = gensim_doc2vec.pseudorandom_weak_vector, model.random
    gensim_doc2vec.pseudorandom_weak_vector = start
    model.random = np.random.RandomState(seed)
    try:
        yield
    finally:
        gensim_doc2vec.pseudorandom_weak_vector = saved_start
        model.random = saved_random


def infer_vectors(
    model: Any,
    token_lists: Sequence[Sequence[str]],
    *,
    epochs: int | None = None,
    random_state: int = 0,
) -> npt.NDArray[np.float32]:
    """Infer a Doc2Vec vector for each token list, repeatably across processes.

    Calls ``model.infer_vector(tokens, epochs=epochs)`` for each document, with the start vector
    and the training random numbers seeded by a stable hash of the document mixed with
    ``random_state`` (see the module docstring for why gensim alone is not repeatable). gensim
    is restored when the call returns. Not thread-safe: it patches a gensim module attribute
    for the duration of the call.

    Parameters
    ----------
    model : gensim.models.doc2vec.Doc2Vec
        A trained model.
    token_lists : sequence of list of str, length n
        The documents, tokenised (e.g. with :func:`embedcourse.text.tokenize`).
    epochs : int in [1, 10000], optional
        Inference epochs; ``None`` uses the model's ``epochs`` (gensim's default).
    random_state : int in [0, 2**32 - 1]
        Mixed into every document's seed: another value gives another (equally valid) start.

    Returns
    -------
    numpy.ndarray, shape (n, vector_size), float32

    Examples
    --------
    >>> vecs = infer_vectors(model, [tokenize(t) for t in texts], epochs=40)  # doctest: +SKIP

    Taught in: chapter 03.
    """
    if not (hasattr(model, "infer_vector") and hasattr(model, "dv") and hasattr(model, "random")):
        raise TypeError(f"model must be a trained gensim Doc2Vec; got {type(model).__name__}.")
    docs = check_sentences(token_lists, "token_lists")
    if epochs is not None:
        epochs = check_int("epochs", epochs, 1, 10_000)
    random_state = check_int("random_state", random_state, 0, 2**32 - 1)
    out = np.zeros((len(docs), int(model.dv.vector_size)), dtype=np.float32)
    for i, words in enumerate(docs):
        words = list(words)
        with _stable_start(model, _stable_seed(words, random_state)):
            out[i] = model.infer_vector(words, epochs=epochs)
    return out
