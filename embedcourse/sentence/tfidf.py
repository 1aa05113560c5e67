"""TF-IDF document vectors, written from scratch (equal to scikit-learn's TfidfVectorizer).

The first baseline every sentence encoder should be compared with (Salton & Buckley 1988):
sparse term weights, tf * idf with smoothed idf and unit-length rows, in scikit-learn style
(``fit(X)`` returns ``self``, learned state ends in ``_``, ``transform(X)`` gives one row per
text), so it works inside a :class:`sklearn.pipeline.Pipeline`. Uses
:func:`embedcourse.text.tokenize` by default (lower-cased runs of letters and digits).

Taught in: chapter 03.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from collections.abc import Callable, Iterable

import numpy as np

from embedcourse._validation import check_float, check_texts
from embedcourse.sentence._common import check_fitted
from embedcourse.text import tokenize

__all__ = ["TfidfEmbedder"]


class TfidfEmbedder:
    """TF-IDF document vectors, written from scratch (equal to scikit-learn's TfidfVectorizer).

    For a term t in document d of a corpus of n documents, with raw count tf(t, d) and
    document frequency df(t) (in how many fitting documents t occurs)::

        idf(t) = ln((1 + n) / (1 + df(t))) + 1          # smoothed: no division by zero
        w(t, d) = tf(t, d) * idf(t)                      # 1 + ln tf(t, d) if sublinear_tf
        row d is scaled to unit Euclidean length

    Parameters
    ----------
    min_df : int
        Ignore terms that occur in fewer than ``min_df`` fitting documents.
    max_df : float
        Ignore terms that occur in more than this fraction of fitting documents (1.0: keep all).
    sublinear_tf : bool
        Use ``1 + ln(tf)`` instead of ``tf``.
    stop_words : iterable of str, optional
        Terms to drop.
    tokenizer : callable, optional
        ``str -> list[str]``; default :func:`embedcourse.text.tokenize`.
    dense : bool
        ``transform`` returns a dense numpy array (True) or a ``scipy.sparse.csr_matrix``.

    Attributes
    ----------
    vocabulary_ : dict of str -> int
        Term -> column, columns in alphabetical order (as scikit-learn).
    idf_ : numpy.ndarray, shape (n_terms,)
    n_features_out_ : int

    Taught in: chapter 03.
    """

    def __init__(
        self,
        *,
        min_df: int = 1,
        max_df: float = 1.0,
        sublinear_tf: bool = False,
        stop_words: Iterable[str] | None = None,
        tokenizer: Callable[[str], list[str]] | None = None,
        dense: bool = True,
    ) -> None:
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.stop_words = stop_words
        self.tokenizer = tokenizer
        self.dense = dense

    def _tokens(self, texts: list[str]) -> list[list[str]]:
        tok = self.tokenizer or tokenize
        stop = set(self.stop_words or ())
        return [[w for w in tok(t) if w not in stop] for t in texts]

    def fit(self, X: Iterable[str], y: None = None) -> TfidfEmbedder:
        """Learn the vocabulary and idf weights from the texts ``X`` (list of str, length n); ``y`` is ignored."""
        texts = check_texts(X, "X")
        if isinstance(self.min_df, bool) or not isinstance(self.min_df, (int, np.integer)) or self.min_df < 1:
            raise ValueError(f"min_df must be a positive int; got {self.min_df!r}.")
        check_float("max_df", self.max_df, 0.0, 1.0, low_open=True, hint=" (a fraction of the documents)")
        docs = self._tokens(texts)
        df: Counter[str] = Counter()
        for d in docs:
            df.update(set(d))
        n = len(docs)
        keep = sorted(t for t, c in df.items() if c >= self.min_df and c <= self.max_df * n)
        if not keep:
            raise ValueError(
                "no terms left after tokenising and the min_df/max_df filters; the documents "
                "may be empty or the filters too strict."
            )
        self.vocabulary_ = {t: i for i, t in enumerate(keep)}
        dfs = np.array([df[t] for t in keep], dtype=np.float64)
        self.idf_ = np.log((1.0 + n) / (1.0 + dfs)) + 1.0
        self.n_features_out_ = len(keep)
        return self

    def transform(self, X: Iterable[str]) -> Any:
        """TF-IDF rows for the texts ``X``: array of shape (n, n_terms), float64, unit rows.

        A text with no known term gives a zero row.
        """
        check_fitted(self, "vocabulary_")
        from scipy import sparse

        texts = check_texts(X, "X")
        rows, cols, vals = [], [], []
        for i, d in enumerate(self._tokens(texts)):
            counts = Counter(self.vocabulary_[w] for w in d if w in self.vocabulary_)
            for j, c in counts.items():
                rows.append(i)
                cols.append(j)
                vals.append(c)
        tf = np.asarray(vals, dtype=np.float64)
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        M = sparse.csr_matrix(
            (tf * self.idf_[np.asarray(cols, dtype=np.int64)], (rows, cols)),
            shape=(len(texts), self.n_features_out_),
        )
        norms = np.sqrt(np.asarray(M.multiply(M).sum(axis=1)).ravel())
        M = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ M
        M = M.tocsr()
        return M.toarray() if self.dense else M

    def fit_transform(self, X: Iterable[str], y: None = None) -> Any:
        """``fit(X).transform(X)``."""
        texts = check_texts(X, "X")
        return self.fit(texts).transform(texts)
