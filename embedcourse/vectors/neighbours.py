"""Nearest words and similarities between words: the neighbour verbs of :class:`WordVectors`.

Each function here is a method of :class:`embedcourse.vectors.WordVectors` (assigned in its
class body, so ``wv.most_similar(...)`` is ``most_similar(wv, ...)``), computed as gensim's
``KeyedVectors`` computes it: ``most_similar`` and ``most_similar_cosmul`` (3CosAdd and
3CosMul), ``similarity``, ``distances``, ``doesnt_match``, ``closer_than``, ``rank``.
The ``topn`` best of a score vector are taken by :func:`embedcourse.topk.top_k`
(``WordVectors._top``), so equal scores go to the more frequent word (the smaller row).

Taught in: chapters 01, 02.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import row_norms

if TYPE_CHECKING:  # pragma: no cover
    from embedcourse.vectors.keyed import WordVectors

__all__: list[str] = []  # methods of WordVectors, not separate public names


def _as_list(value: Any) -> list:
    """gensim's ``_ensure_list``: None -> [], one key or 1-d vector -> [it], 2-d array -> rows."""
    if value is None:
        return []
    if isinstance(value, str) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return list(value)
    return list(value)


def _is_weighted(item: Any) -> bool:
    return (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[1], (int, float, np.integer, np.floating))
        and not isinstance(item[1], bool)
    )


def most_similar(
    self: WordVectors,
    positive: Any = None,
    negative: Any = None,
    topn: int | None = 10,
    restrict_vocab: int | None = None,
) -> list[tuple[str, float]] | npt.NDArray[np.float32]:
    """Words closest (by cosine) to the weighted mean of the query words, as in gensim.

    Every query word is first scaled to unit length; positive words get weight +1 and
    negative ones -1 (or the weight given as ``(word, weight)``); the weighted mean is
    scaled to unit length and compared by cosine with every word. The query words
    themselves are left out of the result. ``king - man + woman`` is
    ``most_similar(positive=["king", "woman"], negative=["man"])``.

    Parameters
    ----------
    positive, negative : str, 1-d array, or list of those / of (item, weight) pairs
        Raw vectors (arrays) are used as given, not normalised, as in gensim.
    topn : int or None
        How many neighbours; ``None`` returns the cosine of the query with every word
        (shape (m,)), as gensim does.
    restrict_vocab : int, optional
        Search only the first ``restrict_vocab`` words.

    Returns
    -------
    list of (str, float), best first; or numpy.ndarray of shape (m,) if ``topn`` is None,
    with m = ``restrict_vocab`` or the vocabulary size.

    Raises
    ------
    KeyError
        A query word is not in the vocabulary.
    ValueError
        Empty query, ``topn < 1``, or the query's mean is the zero vector.
    """
    topn = self._check_topn(topn)
    m = self._check_restrict(restrict_vocab)
    items, weights, exclude = self._terms(positive, negative, weighted=True)
    mean = self._mean_unit(items, weights)
    scores = (self.vectors[:m] @ mean) / self._norms[:m]
    if topn is None:
        return scores
    return self._top(scores, topn, exclude)


def similar_by_word(
    self: WordVectors, word: str, topn: int | None = 10, restrict_vocab: int | None = None
) -> list[tuple[str, float]] | npt.NDArray[np.float32]:
    """Nearest neighbours of one word: ``most_similar(positive=[word])``."""
    return self.most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)


def similar_by_vector(
    self: WordVectors, vector: npt.ArrayLike, topn: int | None = 10, restrict_vocab: int | None = None
) -> list[tuple[str, float]] | npt.NDArray[np.float32]:
    """Nearest words to any vector of shape (d,) (no word is left out)."""
    vec = self._as_query_vector(vector, "vector")
    return self.most_similar(positive=[vec], topn=topn, restrict_vocab=restrict_vocab)


def most_similar_cosmul(
    self: WordVectors,
    positive: Any = None,
    negative: Any = None,
    topn: int | None = 10,
    restrict_vocab: int | None = None,
) -> list[tuple[str, float]] | npt.NDArray[np.float32]:
    """Nearest words by 3CosMul (Levy & Goldberg 2014), gensim's formula.

    Each cosine is shifted to [0, 1] as ``(1 + cos) / 2``; a candidate ``x`` scores
    ``prod_{p in positive} cos'(x, p) / (prod_{n in negative} cos'(x, n) + 1e-6)``. Unlike
    3CosAdd, one large similarity cannot dominate the sum.

    Parameters
    ----------
    positive : str, 1-d array, or list of those
        Required (at least one).
    negative : str, 1-d array, or list of those, optional
    topn : int or None
        ``None`` returns every word's score, shape (m,).
    restrict_vocab : int, optional
        Search only the first ``restrict_vocab`` words (gensim 4.4 ignores this argument).

    Returns
    -------
    list of (str, float), best first; or numpy.ndarray of shape (m,) if ``topn`` is None.
    """
    topn = self._check_topn(topn)
    m = self._check_restrict(restrict_vocab)
    if not _as_list(positive):
        raise ValueError("most_similar_cosmul needs at least one positive word.")
    items, weights, exclude = self._terms(positive, negative, weighted=False)
    terms = np.stack([self.get_vector(it, norm=True) if isinstance(it, str) else it for it in items])
    cos = (self.vectors[:m] @ terms.T) / self._norms[:m, None]  # (m, number of terms)
    shifted = (1 + cos) / 2
    is_pos = weights > 0
    numer = np.prod(shifted[:, is_pos], axis=1)
    denom = np.prod(shifted[:, ~is_pos], axis=1)
    scores = numer / (denom + np.float32(1e-6))
    if topn is None:
        return scores
    return self._top(scores, topn, exclude)


def similarity(self: WordVectors, w1: str, w2: str) -> float:
    """Cosine similarity of two words."""
    return float(np.dot(self.get_vector(w1, norm=True), self.get_vector(w2, norm=True)))


def distance(self: WordVectors, w1: str, w2: str) -> float:
    """Cosine distance ``1 - similarity(w1, w2)``."""
    return 1 - self.similarity(w1, w2)


def n_similarity(self: WordVectors, ws1: Sequence[str], ws2: Sequence[str]) -> float:
    """Cosine between the mean (raw, un-normalised) vectors of two lists of words, as gensim."""
    if isinstance(ws1, str) or isinstance(ws2, str):
        raise TypeError("n_similarity compares two lists of words; wrap a single word in a list.")
    if not (len(ws1) and len(ws2)):
        raise ValueError("n_similarity needs two non-empty lists of words.")
    m1, m2 = self[list(ws1)].mean(axis=0), self[list(ws2)].mean(axis=0)
    n1, n2 = np.linalg.norm(m1), np.linalg.norm(m2)
    if n1 == 0 or n2 == 0:
        raise ValueError("the mean vector of one list is zero, so its cosine is undefined.")
    return float(np.dot(m1 / n1, m2 / n2))


def distances(
    self: WordVectors, word_or_vector: str | npt.ArrayLike, other_words: Sequence[str] = ()
) -> npt.NDArray[np.float32]:
    """Cosine distances from a word or vector to ``other_words`` (default: all words), shape (k,)."""
    if isinstance(word_or_vector, str):
        v = self.get_vector(word_or_vector)
    else:
        v = self._as_query_vector(word_or_vector, "word_or_vector")
        if not np.linalg.norm(v) > 0:
            raise ValueError("word_or_vector is the zero vector, so its cosine distance is undefined.")
    if isinstance(other_words, str):
        raise TypeError(f"other_words must be a list of words, not one str; wrap it: [{other_words!r}].")
    if other_words is not None and not isinstance(other_words, Iterable):
        raise TypeError(f"other_words must be a list of words; got {other_words!r}.")
    if other_words:
        idx = [self.get_index(w) for w in other_words]
        others, norms = self.vectors[idx], self._norms[idx]
    else:
        others, norms = self.vectors, self._norms
    nv = row_norms(v[None, :])[0]  # == np.linalg.norm(v); no overflow for huge float32 vectors
    return 1 - (others @ v) / (nv * norms)


def doesnt_match(self: WordVectors, words: Sequence[str]) -> str:
    """The word furthest (by cosine) from the mean of the words' unit vectors.

    As in gensim, unknown words are skipped with a warning.
    """
    if isinstance(words, str):
        raise TypeError("doesnt_match takes a list of words, e.g. ['breakfast', 'lunch', 'cereal'].")
    used = [w for w in words if w in self]
    if len(used) != len(words):
        warnings.warn(
            f"doesnt_match: ignoring words not in the vocabulary: {sorted(set(words) - set(used))}",
            stacklevel=2,
        )
    if not used:
        raise ValueError("doesnt_match: none of the words is in the vocabulary.")
    unit = self.get_normed_vectors()[[self.key_to_index[w] for w in used]]
    mean = unit.sum(axis=0, dtype=np.float32) / len(used)
    mean = mean / np.linalg.norm(mean)
    scores = unit @ mean.astype(np.float32)
    return min(zip(scores.tolist(), used, strict=True))[1]


def closer_than(self: WordVectors, w1: str, w2: str) -> list[str]:
    """All words closer (by cosine) to ``w1`` than ``w2`` is, in vocabulary order."""
    i1, i2 = self.get_index(w1), self.get_index(w2)
    dist = self.distances(w1)
    return [self.index_to_key[i] for i in np.flatnonzero(dist < dist[i2]) if i != i1]


def words_closer_than(self: WordVectors, w1: str, w2: str) -> list[str]:
    """Alias of :meth:`closer_than` (gensim's older name)."""
    return self.closer_than(w1, w2)


def rank(self: WordVectors, w1: str, w2: str) -> int:
    """Position of ``w2`` among the neighbours of ``w1`` (1 = nearest)."""
    return len(self.closer_than(w1, w2)) + 1
