"""fastText's subword side: character n-grams, FNV-1a bucket ids, and vectors for unseen words.

fastText (Bojanowski et al., 2017) represents a word by its own vector plus the vectors of its
character n-grams. The word is wrapped in boundary markers ``<`` and ``>`` (so the 3-gram
``<ma`` is "ma at the start of a word", different from ``ma`` inside it), n-grams of length
``minn..maxn`` (3..6) are hashed with 32-bit FNV-1a into ``bucket`` rows (2,000,000 by
default) of an n-gram matrix. A word never seen in training still has n-grams, hence a vector:
the mean of its n-gram rows.

Everything here reproduces gensim 4 exactly (``gensim.models.fasttext_inner.compute_ngrams``,
``compute_ngrams_bytes``, ``ft_hash_bytes`` and ``FastTextKeyedVectors.get_vector``),
including the reference implementation's quirk of sign-extending bytes >= 0x80 before the XOR.

Taught in: chapter 02.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_int, check_real_array

__all__ = [
    "char_ngrams",
    "char_ngrams_bytes",
    "ft_hash",
    "ngram_buckets",
    "oov_vector",
    "word_vector",
]

_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619
_MASK32 = 0xFFFFFFFF
_MAX_N = 100  # longest n-gram accepted (fastText's default maxn is 6)
_MAX_BUCKET = 2**32  # the hash has 32 bits: more buckets than this would never be used


def _check_word(word: Any, minn: int, maxn: int) -> None:
    if not isinstance(word, str):
        raise TypeError(f"word must be a str; got {type(word).__name__}.")
    check_int("minn", minn, 1, _MAX_N)
    check_int("maxn", maxn, 1, _MAX_N)
    if not (1 <= minn <= maxn):
        raise ValueError(f"need 1 <= minn <= maxn; got minn={minn}, maxn={maxn}.")


def _check_ngram_matrix(ngram_vectors: Any) -> np.ndarray:
    M = ngram_vectors
    if isinstance(M, np.ndarray) and M.ndim != 2:
        raise ValueError(f"ngram_vectors must have shape (bucket, d) with bucket >= 1; got {M.shape}.")
    if not (isinstance(M, np.ndarray) and M.dtype.kind == "f"):
        M = check_real_array(M, "ngram_vectors", 2, allow_empty=True)
    if M.shape[0] < 1 or M.shape[1] < 1:
        raise ValueError(f"ngram_vectors must have shape (bucket, d) with bucket >= 1; got {M.shape}.")
    if not np.isfinite(M).all():  # no copy: a float32 table of 2M rows stays as it is
        raise ValueError("ngram_vectors contains NaN or infinity.")
    return M


def char_ngrams(word: str, minn: int = 3, maxn: int = 6) -> list[str]:
    """Character n-grams of ``<word>`` with lengths ``minn..maxn``, in fastText's order.

    Parameters
    ----------
    word : str
    minn, maxn : int, 1 <= minn <= maxn <= 100
        Shortest and longest n-gram (characters, boundary markers included).

    Returns
    -------
    list of str
        For ``"where"`` with 3..3: ``['<wh', 'whe', 'her', 'ere', 're>']``.

    Taught in: chapter 02.
    """
    _check_word(word, minn, maxn)
    w = f"<{word}>"
    out = []
    for n in range(minn, maxn + 1):
        for i in range(len(w) - n + 1):
            out.append(w[i : i + n])
    return out


def char_ngrams_bytes(word: str, minn: int = 3, maxn: int = 6) -> list[bytes]:
    """UTF-8 encoded n-grams in the order fastText hashes them (start position, then length).

    Same n-grams as :func:`char_ngrams` (lengths count characters, never splitting a multi-byte
    character), except that the single-character n-grams ``<`` and ``>`` are never produced.

    Taught in: chapter 02.
    """
    _check_word(word, minn, maxn)
    w = f"<{word}>"
    out = []
    for i in range(len(w)):
        for n in range(1, maxn + 1):
            if i + n > len(w):
                break
            if n >= minn and not (n == 1 and (i == 0 or i + n == len(w))):
                out.append(w[i : i + n].encode("utf-8"))
    return out


def ft_hash(data: bytes | str) -> int:
    """32-bit FNV-1a hash as in fastText's ``Dictionary::hash`` (bytes sign-extended).

    ``h = 2166136261; for each byte: h = (h XOR int8(byte)) * 16777619 mod 2**32``

    Taught in: chapter 02.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"data must be bytes or str (ft_hash hashes one n-gram); got {type(data).__name__}.")
    h = _FNV_OFFSET
    for byte in data:
        signed = byte - 256 if byte >= 128 else byte  # int8, then widened to uint32
        h = ((h ^ (signed & _MASK32)) * _FNV_PRIME) & _MASK32
    return h


def ngram_buckets(word: str, minn: int = 3, maxn: int = 6, bucket: int = 2_000_000) -> npt.NDArray[np.int64]:
    """Row ids of ``word``'s n-grams in an n-gram matrix of ``bucket`` rows.

    ``bucket`` must be an int in ``[1, 2**32]`` (the hash has 32 bits); ``minn``, ``maxn`` as in
    :func:`char_ngrams`.

    Returns
    -------
    numpy.ndarray of int64, shape (n_ngrams,)
        ``ft_hash(ngram) % bucket`` for each n-gram of :func:`char_ngrams_bytes`.

    Taught in: chapter 02.
    """
    bucket = check_int("bucket", bucket, 1, _MAX_BUCKET)
    return np.array([ft_hash(g) % bucket for g in char_ngrams_bytes(word, minn, maxn)], dtype=np.int64)


def oov_vector(word: str, ngram_vectors: npt.ArrayLike, minn: int = 3, maxn: int = 6) -> npt.NDArray[np.floating]:
    """Vector of a word from its n-grams only: the mean of its n-gram rows.

    This is what fastText (and gensim's ``FastTextKeyedVectors.get_vector``) return for a word
    outside the vocabulary, e.g. a misspelling.

    Parameters
    ----------
    word : str
    ngram_vectors : numpy.ndarray, shape (bucket, d)
        The n-gram matrix (gensim: ``model.wv.vectors_ngrams``).

    Returns
    -------
    numpy.ndarray, shape (d,)
        Zeros if the word has no n-gram (as fastText does).

    Taught in: chapter 02.
    """
    M = _check_ngram_matrix(ngram_vectors)
    rows = ngram_buckets(word, minn, maxn, M.shape[0])
    if rows.size == 0:
        return np.zeros(M.shape[1], dtype=M.dtype)
    return M[rows].sum(axis=0) / rows.size


def word_vector(
    word_vec: npt.ArrayLike, word: str, ngram_vectors: npt.ArrayLike, minn: int = 3, maxn: int = 6
) -> npt.NDArray[np.floating]:
    """Vector of an in-vocabulary word: its own vector and its n-gram rows, averaged.

    ``(v_word + sum_g z_g) / (1 + n_grams)`` - gensim's ``adjust_vectors``.

    Parameters
    ----------
    word_vec : numpy.ndarray, shape (d,)
        The word's own vector (gensim: ``model.wv.vectors_vocab[i]``).
    word : str
    ngram_vectors : numpy.ndarray, shape (bucket, d)

    Taught in: chapter 02.
    """
    M = _check_ngram_matrix(ngram_vectors)
    if isinstance(word_vec, np.ndarray) and word_vec.dtype.kind == "f":
        v = word_vec  # keep its dtype (float32 vectors stay float32)
        if not np.isfinite(v).all():
            raise ValueError("word_vec contains NaN or infinity.")
    else:
        v = check_real_array(word_vec, "word_vec", 1)
    if v.shape != (M.shape[1],):
        raise ValueError(f"word_vec must have shape (d,) = ({M.shape[1]},), like a row of ngram_vectors; got {v.shape}.")
    rows = ngram_buckets(word, minn, maxn, M.shape[0])
    return (v + M[rows].sum(axis=0)) / (1 + rows.size)
