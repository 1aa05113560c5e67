"""Baseline encoders with the ``encode(list[str]) -> array`` interface the harness expects.

- :class:`TfidfEncoder`: scikit-learn's ``TfidfVectorizer`` fitted on a corpus; ``encode``
  returns L2-normalised float64 rows (cosine similarity is then a dot product), dense by
  default or a scipy.sparse CSR matrix with ``sparse=True`` (the harness asks for sparse);
- :class:`AveragedWordVectors`: the mean pretrained word vector of a text, a thin adapter over
  :class:`embedcourse.sentence.AverageWordVectors` (the chapter 03 implementation, reused).

A sentence-transformers model (``ec.data.load_minilm()``) already has ``encode`` and needs no
adapter.

Taught in: chapter 09.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_bool, check_texts
from embedcourse.sentence.averaging import AverageWordVectors

__all__ = ["TfidfEncoder", "AveragedWordVectors"]


class TfidfEncoder:
    """TF-IDF vectors as an encoder: ``TfidfEncoder().fit(corpus).encode(texts)``.

    Parameters
    ----------
    sparse : bool
        Default output of :meth:`encode`: ``False`` (default) a dense array, ``True`` a
        scipy.sparse CSR matrix (same values; a few hundred kB instead of ~100 MB for 1,000
        texts and 12,000 words). :func:`~embedcourse.evaluation.evaluate` always asks for
        sparse rows, whatever this says.
    **tfidf_kwargs
        Passed to ``sklearn.feature_extraction.text.TfidfVectorizer`` (e.g. ``min_df=2``,
        ``sublinear_tf=True``, ``stop_words="english"``). ``norm`` is forced to ``"l2"``.

    Attributes
    ----------
    vectorizer_ : sklearn.feature_extraction.text.TfidfVectorizer
        The fitted vectorizer.

    Notes
    -----
    ``encode`` returns a matrix (n, vocabulary size), dense unless ``sparse=True``. A text with
    no known word gets a zero row (cosine 0 with everything).

    Which texts to ``fit`` on is part of the experiment: the idf weights are learned without
    labels, so fitting on a retrieval task's corpus (or a background corpus) is fair, but for a
    :class:`~embedcourse.evaluation.ClassificationTask` fit on its ``train_texts`` only, or the
    test texts shape the features (transductive, a mild leak). ``evaluate`` never fits it.

    Taught in: chapter 09.
    """

    def __init__(self, *, sparse: bool = False, **tfidf_kwargs: Any) -> None:
        if "norm" in tfidf_kwargs and tfidf_kwargs["norm"] != "l2":
            raise ValueError(f"tfidf_kwargs: norm must be 'l2' (the encoder returns unit rows); got {tfidf_kwargs['norm']!r}.")
        self.sparse = check_bool("sparse", sparse)
        self.tfidf_kwargs = dict(tfidf_kwargs)

    def fit(self, X: Iterable[str], y: None = None) -> TfidfEncoder:
        """Learn the vocabulary and idf weights from the texts ``X``; returns ``self``."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = check_texts(X, "X")
        try:
            self.vectorizer_ = TfidfVectorizer(**{**self.tfidf_kwargs, "norm": "l2"}).fit(texts)
        except TypeError as exc:
            raise TypeError(f"tfidf_kwargs not accepted by TfidfVectorizer: {exc}") from None
        except ValueError as exc:  # e.g. "empty vocabulary"
            raise ValueError(f"X: could not fit TF-IDF ({exc}).") from None
        return self

    def encode(self, texts: Iterable[str], sparse: bool | None = None) -> Any:
        """TF-IDF rows of ``texts``: (n, vocabulary size), float64, unit (or zero) rows.

        ``sparse``: ``True`` returns a ``scipy.sparse.csr_matrix``, ``False`` a dense ndarray,
        ``None`` (default) follows the ``sparse`` given to the constructor (dense by default).
        """
        sparse = getattr(self, "sparse", False) if sparse is None else check_bool("sparse", sparse)
        if not hasattr(self, "vectorizer_"):
            raise ValueError("This TfidfEncoder is not fitted yet; call fit(corpus) before encode(texts).")
        X = self.vectorizer_.transform(check_texts(texts, "texts"))
        if sparse:
            return X.tocsr().astype(np.float64)
        out: npt.NDArray[np.float64] = np.asarray(X.toarray(), dtype=np.float64)
        return out


class AveragedWordVectors:
    """The mean word vector of each text, as an encoder (no fitting needed).

    Parameters
    ----------
    keyed_vectors : embedcourse.vectors.WordVectors or gensim KeyedVectors
        E.g. ``ec.data.load_glove()``.
    tokenizer : callable, optional
        Default :func:`embedcourse.text.tokenize` (lower-cased, as GloVe's vocabulary).

    Notes
    -----
    Delegates to :class:`embedcourse.sentence.AverageWordVectors`. A text with no known word
    gets a zero row (cosine 0 with everything): out-of-vocabulary pairs of a word benchmark are
    scored 0, not dropped.

    Taught in: chapter 09.
    """

    def __init__(self, keyed_vectors: Any, tokenizer: Callable[[str], list[str]] | None = None) -> None:
        if tokenizer is not None and not callable(tokenizer):
            raise TypeError(f"tokenizer must be a function str -> list of str; got {type(tokenizer).__name__}.")
        try:
            self._avg = AverageWordVectors(keyed_vectors, tokenizer).fit()
        except TypeError as exc:
            raise TypeError(f"keyed_vectors: {exc}") from None
        self.keyed_vectors = keyed_vectors

    def encode(self, texts: Iterable[str]) -> npt.NDArray[np.float32]:
        """Mean word vector of each text: array (n, d), float32."""
        return self._avg.transform(texts)
