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

Taught in: chapters 01, 02.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from embedcourse._validation import as_matrix, check_k, require, row_norms

__all__ = ["WordVectors"]

# Each block of analogy questions scores at most this many (question, candidate) pairs at once
# (float32: 32 MB per block matrix).
_BLOCK_ELEMENTS = 2**23
_ANALOGY_METHODS = ("3cosadd", "3cosmul")


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


def _check_method(method: str) -> None:
    if method not in _ANALOGY_METHODS:
        choices = ", ".join(map(repr, _ANALOGY_METHODS))
        raise ValueError(f"unknown method {method!r}; choose one of {choices}.")


def _read_lines(source: Any, what: str, encoding: str = "utf8") -> list[str]:
    """Lines of a file path, or the given iterable of lines."""
    if isinstance(source, (str, os.PathLike)):
        if not os.path.exists(source):
            raise FileNotFoundError(f"{what} file not found: {os.fspath(source)!r}.")
        with open(source, encoding=encoding) as fin:
            return fin.readlines()
    return list(source)


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

    def __init__(self, vectors: Any, words: Sequence[str]) -> None:
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
            seen: set[str] = set()
            dup = next(w for w in keys if w in seen or seen.add(w))
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
            normed = self.vectors / self._norms[:, None]
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

    def _as_query_vector(self, vec: np.ndarray, name: str) -> np.ndarray:
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
        for item, w in zip(items, weights):
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
        best = np.argpartition(-scores, k - 1)[:k] if k < scores.shape[0] else np.arange(scores.shape[0])
        best = best[np.argsort(-scores[best], kind="stable")]
        out = [(self.index_to_key[i], float(scores[i])) for i in best if i not in exclude]
        return out[:topn]

    # ----------------------------------------------------------------------------------------
    # neighbours and analogies
    # ----------------------------------------------------------------------------------------
    def most_similar(
        self,
        positive: Any = None,
        negative: Any = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]] | np.ndarray:
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
        self, word: str, topn: int | None = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]] | np.ndarray:
        """Nearest neighbours of one word: ``most_similar(positive=[word])``."""
        return self.most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_vector(
        self, vector: Any, topn: int | None = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]] | np.ndarray:
        """Nearest words to any vector of shape (d,) (no word is left out)."""
        vec = self._as_query_vector(vector, "vector")
        return self.most_similar(positive=[vec], topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_cosmul(
        self,
        positive: Any = None,
        negative: Any = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]] | np.ndarray:
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

    def analogy(
        self,
        a: str,
        b: str,
        c: str,
        topn: int = 1,
        method: str = "3cosadd",
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Answer "``a`` is to ``b`` as ``c`` is to ?", i.e. the words nearest ``b - a + c``.

        ``analogy("man", "king", "woman")`` gives ``[("queen", ...)]`` on GloVe.

        Parameters
        ----------
        a, b, c : str
        topn : int
        method : {"3cosadd", "3cosmul"}
            "3cosadd": ``most_similar(positive=[b, c], negative=[a])``;
            "3cosmul": ``most_similar_cosmul(positive=[b, c], negative=[a])``.
        restrict_vocab : int, optional

        Returns
        -------
        list of (str, float), best first (a list even for ``topn=1``).
        """
        _check_method(method)
        solve = self.most_similar if method == "3cosadd" else self.most_similar_cosmul
        return solve(positive=[b, c], negative=[a], topn=topn, restrict_vocab=restrict_vocab)

    # ----------------------------------------------------------------------------------------
    # similarities between given words
    # ----------------------------------------------------------------------------------------
    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of two words."""
        return float(np.dot(self.get_vector(w1, norm=True), self.get_vector(w2, norm=True)))

    def distance(self, w1: str, w2: str) -> float:
        """Cosine distance ``1 - similarity(w1, w2)``."""
        return 1 - self.similarity(w1, w2)

    def n_similarity(self, ws1: Sequence[str], ws2: Sequence[str]) -> float:
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

    def distances(self, word_or_vector: str | np.ndarray, other_words: Sequence[str] = ()) -> np.ndarray:
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

    def doesnt_match(self, words: Sequence[str]) -> str:
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
        return min(zip(scores.tolist(), used))[1]

    def closer_than(self, w1: str, w2: str) -> list[str]:
        """All words closer (by cosine) to ``w1`` than ``w2`` is, in vocabulary order."""
        i1, i2 = self.get_index(w1), self.get_index(w2)
        dist = self.distances(w1)
        return [self.index_to_key[i] for i in np.flatnonzero(dist < dist[i2]) if i != i1]

    def words_closer_than(self, w1: str, w2: str) -> list[str]:
        """Alias of :meth:`closer_than` (gensim's older name)."""
        return self.closer_than(w1, w2)

    def rank(self, w1: str, w2: str) -> int:
        """Position of ``w2`` among the neighbours of ``w1`` (1 = nearest)."""
        return len(self.closer_than(w1, w2)) + 1

    # ----------------------------------------------------------------------------------------
    # benchmarks
    # ----------------------------------------------------------------------------------------
    def _ok_vocab(self, restrict_vocab: Any, case_insensitive: bool) -> tuple[dict[str, int], int]:
        """gensim's ``ok_vocab``: (folded word -> row of its first variant, number of rows)."""
        if restrict_vocab is None:
            m = len(self)
        else:
            m = self._check_restrict(restrict_vocab)
        ok: dict[str, int] = {}
        for i, w in enumerate(self.index_to_key[:m]):
            ok.setdefault(w.upper() if case_insensitive else w, i)
        return ok, m

    def evaluate_word_analogies(
        self,
        analogies: str | os.PathLike | Iterable[str] | Mapping[str, Iterable[Sequence[str]]],
        restrict_vocab: int | None = 300000,
        case_insensitive: bool = True,
        dummy4unknown: bool = False,
        method: str = "3cosadd",
    ) -> tuple[float, list[dict[str, Any]]]:
        """Accuracy on analogy questions "a b c d" (a is to b as c is to d), as gensim computes it.

        For every question whose four words are among the first ``restrict_vocab`` words, the
        prediction is the best candidate among those words other than a, b and c (3CosAdd:
        nearest to ``unit(b) - unit(a) + unit(c)``); it is correct if it is d. With
        ``case_insensitive``, words are compared upper-cased, each word takes the vector of its
        first (most frequent) case variant, and other case variants of a, b, c are skipped as
        gensim does. All questions are answered together in blocks of matrix products.

        Parameters
        ----------
        analogies : path, iterable of lines, or mapping
            A file in the ``questions-words.txt`` format (``: section`` header lines, then one
            question of four words per line; other lines are skipped), the same as a list of
            lines, or a mapping ``{section name: [(a, b, c, d), ...]}``.
        restrict_vocab : int or None
            Use only the first ``restrict_vocab`` words, both for the questions and for the
            candidate answers; ``None`` uses all words.
        case_insensitive : bool
        dummy4unknown : bool
            False: skip questions with a word outside the restricted vocabulary. True: count
            them as wrong.
        method : {"3cosadd", "3cosmul"}
            "3cosadd" (gensim's only method) or "3cosmul" (``most_similar_cosmul``'s score).

        Returns
        -------
        score : float
            Overall accuracy in [0, 1] (0.0 if no question could be asked).
        sections : list of dict
            One dict per section, in file order, with keys ``'section'`` (name), ``'correct'``
            and ``'incorrect'`` (lists of (a, b, c, d) tuples, upper-cased when
            ``case_insensitive``), then a last one named ``'Total accuracy'`` pooling all.
        """
        _check_method(method)
        if isinstance(analogies, Mapping):
            lines = []
            for name, quads in analogies.items():
                lines.append(f": {name}")
                lines.extend(" ".join(q) for q in quads)
        else:
            lines = _read_lines(analogies, "analogies")
        ok_vocab, m = self._ok_vocab(restrict_vocab, case_insensitive)
        fold = str.upper if case_insensitive else (lambda s: s)

        sections: list[dict[str, Any]] = []
        questions: list[tuple[int, tuple[str, str, str, str]]] = []  # (section, words) in file order
        asked: list[int] = []  # positions in `questions` that are in the vocabulary
        for line_no, line in enumerate(lines):
            if line.startswith(": "):
                sections.append({"section": line.lstrip(": ").strip(), "correct": [], "incorrect": []})
                continue
            if not sections:
                raise ValueError(
                    f"line {line_no} of the analogies comes before any ': section' header line; "
                    f"the questions-words.txt format starts every section with one."
                )
            words = [fold(w) for w in line.split()]
            if len(words) != 4:
                continue  # blank or invalid line, skipped as gensim does
            if all(w in ok_vocab for w in words):
                asked.append(len(questions))
            questions.append((len(sections) - 1, tuple(words)))
        if not questions:
            raise ValueError(
                "no analogy questions found in analogies (expected lines of four words after ': section' headers)."
            )

        correct = np.zeros(len(questions), dtype=bool)
        if asked:
            idx = np.array([[ok_vocab[w] for w in questions[q][1]] for q in asked], dtype=np.int64)
            correct[asked] = self._answer_analogies(idx, m, method, fold)
        asked_set = set(asked)
        for q, (s, words) in enumerate(questions):
            if q in asked_set:
                sections[s]["correct" if correct[q] else "incorrect"].append(words)
            elif dummy4unknown:
                sections[s]["incorrect"].append(words)
        total = {
            "section": "Total accuracy",
            "correct": [w for s in sections for w in s["correct"]],
            "incorrect": [w for s in sections for w in s["incorrect"]],
        }
        n_total = len(total["correct"]) + len(total["incorrect"])
        score = len(total["correct"]) / n_total if n_total else 0.0
        sections.append(total)
        return score, sections

    def _answer_analogies(self, idx: np.ndarray, m: int, method: str, fold: Any) -> np.ndarray:
        """For questions given as rows (a, b, c, d) of word indices (< m), is d the answer?"""
        U = self.get_normed_vectors()[:m]
        ua, ub, uc = U[idx[:, 0]], U[idx[:, 1]], U[idx[:, 2]]
        block = max(1, _BLOCK_ELEMENTS // (m if method == "3cosadd" else 3 * m))
        out = np.zeros(len(idx), dtype=bool)
        for start in range(0, len(idx), block):
            sl = slice(start, start + block)
            if method == "3cosadd":
                # gensim's query: (b + c - a) over unit vectors, scaled to unit length
                q = ((ub[sl] + uc[sl]) - ua[sl]).astype(np.float64)
                q /= np.linalg.norm(q, axis=1, keepdims=True)
                S = q.astype(np.float32) @ U.T  # (block, m): cosine with every candidate
            else:
                # cosines with a, b and c from one matrix product, shifted to [0, 1] in place
                n = ua[sl].shape[0]
                C = (np.concatenate([ua[sl], ub[sl], uc[sl]]) @ U.T).reshape(3, n, m)
                C += 1
                C /= 2
                S = C[1] * C[2]
                C[0] += np.float32(1e-6)
                S /= C[0]
                del C
            rows = np.arange(S.shape[0])
            for j in range(3):  # the question words are never answers
                S[rows, idx[sl, j]] = -np.inf
            best = S.argmax(axis=1)
            for r in rows:
                q_idx = idx[start + r]
                asked = {fold(self.index_to_key[i]) for i in q_idx[:3]}
                pred = best[r]
                if np.isfinite(S[r, pred]) and fold(self.index_to_key[pred]) not in asked:
                    out[start + r] = fold(self.index_to_key[pred]) == fold(self.index_to_key[q_idx[3]])
                    continue
                # Rare: the best candidate is a case variant of a question word. gensim looks
                # through its top 5 for the first that is not; failing that, it keeps the 5th.
                n_ok = int(np.isfinite(S[r]).sum())
                k = min(5, n_ok)
                if k == 0:
                    continue
                top = np.argpartition(-S[r], k - 1)[:k]
                top = top[np.argsort(-S[r, top], kind="stable")]
                predicted = None
                for cand in top:
                    predicted = fold(self.index_to_key[cand])
                    if predicted not in asked:
                        break
                out[start + r] = predicted == fold(self.index_to_key[q_idx[3]])
        return out

    def evaluate_word_pairs(
        self,
        pairs: str | os.PathLike | Iterable[Sequence[Any]] | Iterable[str],
        restrict_vocab: int | None = 300000,
        case_insensitive: bool = True,
        dummy4unknown: bool = False,
        delimiter: str = "\t",
        encoding: str = "utf8",
    ) -> tuple[Any, Any, float]:
        """Correlation of the model's cosine similarities with human similarity judgements.

        Parameters
        ----------
        pairs : path, or iterable of (word1, word2, score) or of lines
            A ``delimiter``-separated file like gensim's ``wordsim353.tsv`` (lines starting with
            ``#`` and invalid lines are skipped), the same as lines, or (w1, w2, score) tuples.
        restrict_vocab : int or None
            Pairs with a word outside the first ``restrict_vocab`` words are out of vocabulary.
        case_insensitive : bool
            Compare upper-cased words; each takes the vector of its first case variant.
        dummy4unknown : bool
            False: skip out-of-vocabulary pairs. True: give them model similarity 0.
        delimiter, encoding : str
            For reading a file or lines.

        Returns
        -------
        pearson : scipy.stats PearsonRResult
            Unpacks like gensim's as ``(statistic, pvalue)``; ``pearson.statistic`` is r.
        spearman : scipy.stats SignificanceResult
            Unpacks as ``(statistic, pvalue)``; ``spearman.statistic`` is Spearman's rho.
        oov_ratio : float
            Percentage (0-100) of pairs with an out-of-vocabulary word (relative to the pairs
            used when ``dummy4unknown``, as gensim).
        """
        from scipy import stats

        if isinstance(pairs, (str, os.PathLike)):
            items: list = _read_lines(pairs, "pairs", encoding)
        else:
            items = list(pairs)
        ok_vocab, _ = self._ok_vocab(restrict_vocab, case_insensitive)
        fold = str.upper if case_insensitive else (lambda s: s)
        gold: list[float] = []
        rows: list[tuple[int, int] | None] = []
        oov = 0
        for item in items:
            if isinstance(item, str):
                if not item or item.startswith("#"):
                    continue
                item = item.split(delimiter)
            try:
                a, b, sim = item
                a, b, sim = fold(str(a).strip()), fold(str(b).strip()), float(sim)
            except (ValueError, TypeError):
                continue  # invalid line, skipped as gensim does
            if a not in ok_vocab or b not in ok_vocab:
                oov += 1
                if dummy4unknown:
                    gold.append(sim)
                    rows.append(None)
                continue
            gold.append(sim)
            rows.append((ok_vocab[a], ok_vocab[b]))
        if not gold:
            raise ValueError(
                "no usable word pairs: the input is empty, not in 'word1<TAB>word2<TAB>score' form, "
                "or every pair has a word outside the vocabulary."
            )
        model = np.zeros(len(gold))
        known = [i for i, r in enumerate(rows) if r is not None]
        if known:
            ij = np.array([rows[i] for i in known])
            U = self.get_normed_vectors()
            model[known] = np.einsum("ij,ij->i", U[ij[:, 0]], U[ij[:, 1]])
        if not np.isfinite(gold).all():
            bad = int(np.flatnonzero(~np.isfinite(gold))[0])
            raise ValueError(f"pairs: the human score of usable pair {bad} is {gold[bad]}; scores must be finite numbers.")
        if len(gold) < 2:
            raise ValueError(f"pairs: only {len(gold)} usable word pair; a correlation needs at least 2.")
        for what, values in (("human scores", gold), ("model similarities", model)):
            if np.ptp(values) == 0:
                raise ValueError(
                    f"pairs: all {len(gold)} usable {what} are equal, so the correlation is undefined; "
                    f"pass pairs with varied scores."
                )
        pearson = stats.pearsonr(gold, model)
        spearman = stats.spearmanr(gold, model)
        denom = len(gold) if dummy4unknown else len(gold) + oov
        return pearson, spearman, 100.0 * oov / denom

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

