"""A word-vector store with the verbs of gensim's ``KeyedVectors``.

:class:`WordVectors` mirrors :class:`gensim.models.KeyedVectors` (gensim 4.4): the same
attribute names (``vectors``, ``index_to_key``, ``key_to_index``, ``vector_size``, ``norms``)
and the same verbs (``most_similar``, ``most_similar_cosmul``, ``similarity``,
``doesnt_match``, ``evaluate_word_analogies``, ``evaluate_word_pairs`` ...), computed the
same way, so that what a reader learns here transfers to gensim unchanged.
``tests/test_vectors.py`` builds a gensim ``KeyedVectors`` from the same matrix and checks
that both give the same neighbours, scores and benchmark figures.

Deliberate differences from gensim, all towards clearer errors:

* ``topn < 1`` raises ``ValueError`` (gensim silently returns ``[]``);
* an empty query, or a query whose weighted mean is the zero vector, raises ``ValueError``
  (gensim returns NaN similarities);
* ``n_similarity`` raises ``KeyError`` for an unknown word (gensim silently skips it) and
  ``ValueError`` for an empty list (gensim: ``ZeroDivisionError``);
* zero rows are rejected when the store is built (their cosine is undefined);
* ``most_similar_cosmul`` honours ``restrict_vocab`` (gensim 4.4 accepts and ignores it);
* ``evaluate_word_analogies`` also accepts ``method="3cosmul"``, and answers all questions
  with batched matrix products instead of one ``most_similar`` call per question.

The class is split over four modules, each a few hundred lines: this one holds the store
(look-up, argument checks, subsets, conversion to and from gensim);
:mod:`~embedcourse.vectors.neighbours` the neighbour verbs, :mod:`~embedcourse.vectors.analogy`
the analogy rule and :mod:`~embedcourse.vectors.evaluation` the benchmarks. Their functions
are assigned in the class body below, so every verb is a plain method of ``WordVectors``.

Taught in: chapters 01, 02.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_matrix, check_k, require, row_norms
from embedcourse.ops import normalize_rows
from embedcourse.topk import top_k
from embedcourse.vectors import analogy as _analogy
from embedcourse.vectors import evaluation as _evaluation
from embedcourse.vectors import neighbours as _neighbours
from embedcourse.vectors.neighbours import _as_list, _is_weighted

__all__ = ["WordVectors"]


class WordVectors:
    """Word vectors plus their vocabulary: look-up, nearest neighbours, analogies, benchmarks.

    Parameters
    ----------
    vectors : array-like, shape (n, d)
        One vector per word, row ``i`` for ``words[i]``. Stored as a read-only float32 copy.
        Put the most frequent words first: ``restrict_vocab`` arguments keep the first rows.
    words : sequence of str, length n
        The vocabulary, unique.

    Attributes
    ----------
    vectors : numpy.ndarray, shape (n, d), float32, read-only
    index_to_key : list of str, length n
        Row number -> word.
    key_to_index : dict of str -> int
        Word -> row number.
    vector_size : int
        The dimension d.
    norms : numpy.ndarray, shape (n,), float32
        Euclidean length of every row.

    Examples
    --------
    >>> wv = WordVectors(vectors, words)                       # doctest: +SKIP
    >>> wv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)  # doctest: +SKIP
    [('queen', 0.85...)]
    >>> kv = wv.to_gensim()   # the same store as a gensim KeyedVectors   # doctest: +SKIP

    Taught in: chapters 01, 02.
    """

    def __init__(self, vectors: npt.ArrayLike, words: Sequence[str]) -> None:
        V = as_matrix(vectors, "vectors", dtype=np.float32)
        if isinstance(vectors, np.ndarray) and np.may_share_memory(V, vectors):
            V = V.copy()  # we make it read-only below: never freeze the caller's array
        if isinstance(words, str):
            raise TypeError("words must be a sequence of strings (one per row), not one string.")
        keys = list(words)
        if len(keys) != V.shape[0]:
            raise ValueError(
                f"vectors has {V.shape[0]} rows but words has {len(keys)} entries; "
                f"pass exactly one word per row."
            )
        for i, w in enumerate(keys):
            if not isinstance(w, str):
                raise TypeError(f"words[{i}] is {w!r} ({type(w).__name__}); every word must be a str.")
        keys = [str(w) for w in keys]  # plain str, not numpy.str_
        key_to_index = {w: i for i, w in enumerate(keys)}
        if len(key_to_index) != len(keys):
            dup = next(w for i, w in enumerate(keys) if key_to_index[w] != i)  # a later repeat
            raise ValueError(
                f"words must be unique, but {dup!r} appears more than once "
                f"({len(keys) - len(key_to_index)} duplicate(s) in all); deduplicate first."
            )
        norms = row_norms(V)  # == np.linalg.norm(V, axis=1); no overflow for huge float32 rows
        zero = np.flatnonzero(norms == 0)
        if zero.size:
            raise ValueError(
                f"{zero.size} row(s) of vectors are zero (first: {keys[zero[0]]!r}, row {zero[0]}); "
                f"a zero vector has no direction, so its cosine similarity is undefined. "
                f"Drop those words before building the store."
            )
        V.setflags(write=False)
        norms.setflags(write=False)
        self.vectors: np.ndarray = V
        self.index_to_key: list[str] = keys
        self.key_to_index: dict[str, int] = key_to_index
        self._norms = norms
        self._normed: np.ndarray | None = None

    # ----------------------------------------------------------------------------------------
    # look-up
    # ----------------------------------------------------------------------------------------
    @property
    def vector_size(self) -> int:
        """The dimension d of every vector."""
        return int(self.vectors.shape[1])

    @property
    def norms(self) -> np.ndarray:
        """Euclidean length of every row, shape (n,), float32 (gensim's ``kv.norms``)."""
        return self._norms

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word in self.key_to_index

    def has_index_for(self, word: object) -> bool:
        """True if ``word`` has a row in this store (same as ``word in wv``)."""
        return word in self

    def __repr__(self) -> str:
        return f"WordVectors({len(self):,} words x {self.vector_size} dimensions)"

    def _missing(self, word: Any) -> KeyError:
        msg = f"word {word!r} is not in the vocabulary ({len(self):,} words)."
        if isinstance(word, str):
            variants = [
                v for v in dict.fromkeys((word.lower(), word.capitalize(), word.upper()))
                if v != word and v in self.key_to_index
            ]
            if variants:
                msg += f" Did you mean {variants[0]!r}?"
        else:
            msg += f" Words are str, got {type(word).__name__}."
        msg += " Check its spelling and case, or test first with `word in wv`."
        return KeyError(msg)

    def get_index(self, word: str) -> int:
        """Row number of ``word``; ``KeyError`` (with a hint) if it is not in the vocabulary."""
        try:
            return self.key_to_index[word]
        except (KeyError, TypeError):
            raise self._missing(word) from None

    def get_vector(self, word: str, norm: bool = False) -> np.ndarray:
        """The vector of ``word``, shape (d,), read-only; unit length if ``norm=True``."""
        i = self.get_index(word)
        return self.get_normed_vectors()[i] if norm else self.vectors[i]

    def __getitem__(self, key: str | Sequence[str]) -> np.ndarray:
        """``wv["king"]`` -> shape (d,); ``wv[["king", "queen"]]`` -> shape (2, d)."""
        if isinstance(key, str):
            return self.get_vector(key)
        if not isinstance(key, Iterable):
            raise self._missing(key)
        return self.vectors[[self.get_index(w) for w in key]]

    def get_normed_vectors(self) -> np.ndarray:
        """All vectors scaled to unit length, shape (n, d), float32; computed once, then cached.

        Each row is divided by its own norm, exactly as gensim's ``get_normed_vectors``.
        """
        if self._normed is None:
            normed = normalize_rows(self.vectors)  # each row divided by its own norm
            normed.setflags(write=False)
            self._normed = normed
        return self._normed

    # ----------------------------------------------------------------------------------------
    # argument checks
    # ----------------------------------------------------------------------------------------
    @staticmethod
    def _check_topn(topn: Any) -> int | None:
        if topn is None:
            return None
        if isinstance(topn, bool) or not isinstance(topn, (int, np.integer)):
            raise TypeError(f"topn must be a whole number or None (all scores); got {topn!r}.")
        if topn < 1:
            raise ValueError(f"topn must be at least 1 (or None for all scores); got {topn}.")
        return int(topn)

    def _check_restrict(self, restrict_vocab: Any) -> int:
        """Number of leading rows searched."""
        if restrict_vocab is None:
            return len(self)
        if isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, (int, np.integer)):
            raise TypeError(f"restrict_vocab must be a whole number or None; got {restrict_vocab!r}.")
        if restrict_vocab < 1:
            raise ValueError(
                f"restrict_vocab must be at least 1 (or None for all words); got {restrict_vocab}."
            )
        return min(int(restrict_vocab), len(self))

    def _as_query_vector(self, vec: npt.ArrayLike, name: str) -> npt.NDArray[np.float32]:
        arr = np.asarray(vec)
        if arr.ndim != 1:
            raise ValueError(
                f"{name} must be one vector of shape ({self.vector_size},); got shape {arr.shape}."
            )
        if arr.shape[0] != self.vector_size:
            raise ValueError(
                f"{name} has {arr.shape[0]} dimensions but the word vectors have {self.vector_size}; "
                f"query with a vector from the same embedding space."
            )
        return as_matrix(arr, name, allow_1d=True)[0]

    def _terms(self, positive: Any, negative: Any, weighted: bool) -> tuple[list, np.ndarray, list[int]]:
        """(items, weights, indices of the input words) for a query, as gensim reads them."""
        pos, neg = _as_list(positive), _as_list(negative)
        if not pos and not neg:
            raise ValueError(
                "give at least one word in positive or negative, e.g. "
                "most_similar(positive=['king', 'woman'], negative=['man'])."
            )
        items: list = []
        weights = np.concatenate((np.ones(len(pos)), -np.ones(len(neg))))
        for i, item in enumerate(pos + neg):
            if weighted and _is_weighted(item):
                item, weights[i] = item
            if isinstance(item, str):
                self.get_index(item)  # KeyError with a hint
            elif isinstance(item, (np.ndarray, list, tuple)):
                item = self._as_query_vector(item, "a query vector")
            else:
                raise TypeError(f"query items must be words (str) or vectors; got {item!r}.")
            items.append(item)
        exclude = [self.key_to_index[it] for it in items if isinstance(it, str)]
        return items, weights, exclude

    def _mean_unit(self, items: list, weights: np.ndarray) -> np.ndarray:
        """gensim's ``get_mean_vector(pre_normalize=True, post_normalize=True)``: words enter as
        unit vectors, raw vectors as given; the weighted mean is scaled to unit length."""
        mean = np.zeros(self.vector_size, dtype=np.float32)
        total = 0.0
        for item, w in zip(items, weights, strict=True):
            vec = self.get_vector(item, norm=True) if isinstance(item, str) else item
            mean += w * vec
            total += abs(w)
        mean64 = mean / total
        length = np.linalg.norm(mean64)
        if not length > 0:
            raise ValueError(
                "the weighted mean of the query is the zero vector (did positive and negative "
                "cancel out?), so it has no direction to search in."
            )
        return (mean64 / length).astype(np.float32)

    def _top(self, scores: np.ndarray, topn: int, exclude: Iterable[int]) -> list[tuple[str, float]]:
        """The ``topn`` best (word, score) of ``scores`` (shape (m,)), skipping rows in ``exclude``."""
        exclude = set(exclude)
        k = min(topn + len(exclude), scores.shape[0])
        _, best = top_k(scores, k)  # best first; equal scores: the smaller row (more frequent word)
        out = [(self.index_to_key[i], float(scores[i])) for i in best.tolist() if i not in exclude]
        return out[:topn]


    # ----------------------------------------------------------------------------------------
    # the verbs, written in their own modules (see the module docstring)
    # ----------------------------------------------------------------------------------------
    most_similar = _neighbours.most_similar
    similar_by_word = _neighbours.similar_by_word
    similar_by_vector = _neighbours.similar_by_vector
    most_similar_cosmul = _neighbours.most_similar_cosmul
    similarity = _neighbours.similarity
    distance = _neighbours.distance
    n_similarity = _neighbours.n_similarity
    distances = _neighbours.distances
    doesnt_match = _neighbours.doesnt_match
    closer_than = _neighbours.closer_than
    words_closer_than = _neighbours.words_closer_than
    rank = _neighbours.rank
    analogy = _analogy.analogy
    evaluate_word_analogies = _evaluation.evaluate_word_analogies
    evaluate_word_pairs = _evaluation.evaluate_word_pairs

    # ----------------------------------------------------------------------------------------
    # subsets and conversion
    # ----------------------------------------------------------------------------------------
    def restrict(self, words_or_n: int | Sequence[str]) -> WordVectors:
        """A new store with the first ``n`` words, or with the given words in the given order."""
        if isinstance(words_or_n, (int, np.integer)) and not isinstance(words_or_n, bool):
            n = check_k(words_or_n, len(self), name="words_or_n", what="words in the vocabulary")
            return WordVectors(self.vectors[:n], self.index_to_key[:n])
        if isinstance(words_or_n, str):
            raise TypeError(
                "restrict takes a number of words or a list of words (words_or_n); "
                "wrap one word in a list."
            )
        if isinstance(words_or_n, bool) or not isinstance(words_or_n, Iterable):
            raise TypeError(
                f"words_or_n must be a whole number of leading words or a list of words; got {words_or_n!r}."
            )
        idx = [self.get_index(w) for w in words_or_n]
        if not idx:
            raise ValueError("restrict needs at least one word (words_or_n is empty).")
        return WordVectors(self.vectors[idx], [self.index_to_key[i] for i in idx])

    def subset(self, words_or_n: int | Sequence[str]) -> WordVectors:
        """Alias of :meth:`restrict`."""
        return self.restrict(words_or_n)

    def to_gensim(self) -> Any:
        """The same vectors as a :class:`gensim.models.KeyedVectors` (needs gensim)."""
        models = require("gensim.models", "gensim==4.4.0")
        kv = models.KeyedVectors(self.vector_size, count=0, dtype=np.float32)
        kv.add_vectors(self.index_to_key, np.array(self.vectors))
        return kv

    @classmethod
    def from_gensim(cls, kv: Any) -> WordVectors:
        """Build a store from a gensim ``KeyedVectors`` (or a model's ``.wv``)."""
        if not hasattr(kv, "vectors") or not hasattr(kv, "index_to_key"):
            raise TypeError(
                f"from_gensim expects a gensim KeyedVectors as kv (for a Word2Vec model pass model.wv); "
                f"got {type(kv).__name__}."
            )
        return cls(kv.vectors, [str(k) for k in kv.index_to_key])

