"""Document vectors without a transformer: TF-IDF, LSA, averaged word vectors and SIF.

Four baselines every sentence encoder should be compared with, each in scikit-learn style
(``fit`` returns ``self``, learned state ends in ``_``, ``transform(texts)`` gives one row per
text):

- :class:`TfidfEmbedder`: sparse term weights, tf * idf with smoothed idf and unit-length rows;
  written from scratch and equal to ``sklearn.feature_extraction.text.TfidfVectorizer`` with
  the same tokeniser (Salton & Buckley 1988).
- :class:`LSAEmbedder`: latent semantic analysis, a truncated SVD of the TF-IDF matrix
  (Deerwester et al. 1990), computed with the randomised range finder of Halko et al. (2011),
  the default algorithm of ``sklearn.decomposition.TruncatedSVD``.
- :class:`AverageWordVectors`: the mean of the pretrained vectors of a text's words.
- :class:`SIFEmbedder`: smooth inverse frequency weights ``a / (a + p(w))`` and removal of the
  common component (Arora, Liang & Ma 2017).

All use :func:`embedcourse.text.tokenize` by default (lower-cased runs of letters and digits).

Taught in: chapter 03.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Iterable

import numpy as np

from embedcourse._validation import as_matrix, check_float, check_int, check_random_state
from embedcourse.text import tokenize

__all__ = ["TfidfEmbedder", "LSAEmbedder", "AverageWordVectors", "SIFEmbedder", "randomized_svd"]


def _check_texts(texts: Any, name: str = "texts") -> list[str]:
    if isinstance(texts, str):
        raise TypeError(f"{name} must be a list of strings (one per document), not a single string; wrap it: [text].")
    if texts is None:
        raise ValueError(f"{name} is None; pass a list of strings.")
    texts = list(texts)
    if not texts:
        raise ValueError(f"{name} is empty; pass at least one document.")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{name}[{i}] is {type(t).__name__}; every document must be a str.")
    return texts


def _check_fitted(est: Any, attr: str) -> None:
    if not hasattr(est, attr):
        raise RuntimeError(f"This {type(est).__name__} is not fitted yet; call fit(texts) first.")


def _flip_signs(V: np.ndarray) -> np.ndarray:
    """Make the largest-magnitude entry of every row positive (a deterministic sign for SVD)."""
    idx = np.argmax(np.abs(V), axis=1)
    signs = np.sign(V[np.arange(V.shape[0]), idx])
    signs[signs == 0] = 1
    return V * signs[:, None]


# --------------------------------------------------------------------------------------------
# TF-IDF
# --------------------------------------------------------------------------------------------
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

    def fit(self, texts: Iterable[str]) -> "TfidfEmbedder":
        """Learn the vocabulary and idf weights from ``texts`` (list of str, length n)."""
        texts = _check_texts(texts)
        if isinstance(self.min_df, bool) or not isinstance(self.min_df, (int, np.integer)) or self.min_df < 1:
            raise ValueError(f"min_df must be a positive int; got {self.min_df!r}.")
        check_float("max_df", self.max_df, 0.0, 1.0, low_open=True, hint=" (a fraction of the documents)")
        docs = self._tokens(texts)
        df = Counter()
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

    def transform(self, texts: Iterable[str]) -> Any:
        """TF-IDF rows for ``texts``: array of shape (n, n_terms), float64, unit rows.

        A text with no known term gives a zero row.
        """
        _check_fitted(self, "vocabulary_")
        from scipy import sparse

        texts = _check_texts(texts)
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
        X = sparse.csr_matrix(
            (tf * self.idf_[np.asarray(cols, dtype=np.int64)], (rows, cols)),
            shape=(len(texts), self.n_features_out_),
        )
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        X = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ X
        X = X.tocsr()
        return X.toarray() if self.dense else X

    def fit_transform(self, texts: Iterable[str]) -> Any:
        """``fit(texts).transform(texts)``."""
        texts = _check_texts(texts)
        return self.fit(texts).transform(texts)


# --------------------------------------------------------------------------------------------
# LSA
# --------------------------------------------------------------------------------------------
def randomized_svd(
    X: Any, n_components: int, *, n_oversamples: int = 10, n_iter: int = 5, random_state: Any = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truncated SVD ``X ~ U diag(s) Vt`` by the randomised range finder (Halko et al. 2011).

    Parameters
    ----------
    X : numpy array or scipy sparse matrix, shape (n, m)
    n_components : int
    n_oversamples, n_iter : int
        Extra random directions and power iterations (scikit-learn's defaults for LSA).
    random_state : int or numpy Generator

    Returns
    -------
    U : (n, n_components), s : (n_components,), Vt : (n_components, m)

    Taught in: chapter 03.
    """
    if not (hasattr(X, "tocsr") and hasattr(X, "shape")):  # scipy sparse matrices pass as they are
        X = as_matrix(X, "X", dtype=None)
    elif X.shape[0] == 0 or X.shape[1] == 0 or not np.isfinite(X.data).all():
        raise ValueError(f"X must be a non-empty matrix of finite numbers; got shape {X.shape}.")
    n_components = check_int("n_components", n_components, 1, min(X.shape),
                             hint=" (at most the smaller dimension of X)")
    rng = check_random_state(random_state)
    n, m = X.shape
    r = min(n_components + n_oversamples, n, m)
    Q = X @ rng.standard_normal((m, r))
    Q, _ = np.linalg.qr(np.asarray(Q))
    for _ in range(n_iter):  # power iterations (X X^T) Q sharpen the spectrum; QR keeps them stable
        Q, _ = np.linalg.qr(np.asarray(X @ np.asarray(X.T @ Q)))
    B = np.asarray((X.T @ Q).T)  # (r, m) = Q^T X
    Ub, s, Vt = np.linalg.svd(B, full_matrices=False)
    U = Q @ Ub
    return U[:, :n_components], s[:n_components], Vt[:n_components]


class LSAEmbedder:
    """Latent semantic analysis: the top ``n_components`` singular directions of TF-IDF.

    ``fit`` builds a :class:`TfidfEmbedder` on the texts and factorises its (n_docs, n_terms)
    matrix ``X ~ U S V^T``; a text is embedded as ``x V`` (its TF-IDF row projected onto the
    topics), exactly as ``sklearn.decomposition.TruncatedSVD.transform`` does (no centring).

    Parameters
    ----------
    n_components : int
        Number of latent dimensions (at most ``min(n_docs, n_terms) - 1``).
    random_state : int
        Seed of the randomised SVD.
    n_iter, n_oversamples : int
        Power iterations and extra random directions of the randomised SVD: more of either
        brings it closer to the exact SVD (TF-IDF spectra are flat, so the last components
        converge slowly; the defaults give singular values within about 0.5% on the Lee corpus).
    **tfidf_params
        Passed to :class:`TfidfEmbedder` (e.g. ``min_df=2``, ``sublinear_tf=True``).

    Attributes
    ----------
    tfidf_ : TfidfEmbedder
    components_ : numpy.ndarray, shape (n_components, n_terms)
        The term loadings of each latent dimension, unit rows (sign fixed: largest entry > 0).
    singular_values_ : numpy.ndarray, shape (n_components,)
    explained_variance_ : numpy.ndarray, shape (n_components,)
        Variance of the fitting documents along each dimension.
    explained_variance_ratio_ : numpy.ndarray, shape (n_components,)
        The same as a fraction of the total variance of the TF-IDF matrix.

    Taught in: chapter 03.
    """

    def __init__(
        self, n_components: int = 100, random_state: int = 0, n_iter: int = 7, n_oversamples: int = 10, **tfidf_params: Any
    ) -> None:
        self.n_components = n_components
        self.random_state = random_state
        self.n_iter = n_iter
        self.n_oversamples = n_oversamples
        self.tfidf_params = tfidf_params

    def fit(self, texts: Iterable[str]) -> "LSAEmbedder":
        """Fit TF-IDF and the truncated SVD on ``texts`` (list of str, length n)."""
        texts = _check_texts(texts)
        k = self.n_components
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"n_components must be a positive int; got {k!r}.")
        tfidf = TfidfEmbedder(dense=False, **self.tfidf_params).fit(texts)
        X = tfidf.transform(texts)
        if k >= min(X.shape):
            raise ValueError(
                f"n_components={k} is too large for {X.shape[0]} documents and {X.shape[1]} terms; "
                f"use at most {min(X.shape) - 1}."
            )
        _, s, Vt = randomized_svd(
            X, k, n_oversamples=self.n_oversamples, n_iter=self.n_iter, random_state=self.random_state
        )
        self.tfidf_ = tfidf
        self.components_ = _flip_signs(Vt)
        self.singular_values_ = s
        Z = np.asarray(X @ self.components_.T)
        self.explained_variance_ = Z.var(axis=0)
        Xd2 = np.asarray(X.multiply(X).mean(axis=0)).ravel()
        total = float((Xd2 - np.asarray(X.mean(axis=0)).ravel() ** 2).sum())
        self.explained_variance_ratio_ = self.explained_variance_ / total
        return self

    def transform(self, texts: Iterable[str]) -> np.ndarray:
        """LSA vectors: array of shape (n, n_components), float64."""
        _check_fitted(self, "components_")
        X = self.tfidf_.transform(_check_texts(texts))
        return np.asarray(X @ self.components_.T)

    def fit_transform(self, texts: Iterable[str]) -> np.ndarray:
        """``fit(texts).transform(texts)``."""
        texts = _check_texts(texts)
        return self.fit(texts).transform(texts)


# --------------------------------------------------------------------------------------------
# averaged word vectors and SIF
# --------------------------------------------------------------------------------------------
def _check_word_vectors(wv: Any) -> Any:
    if not (hasattr(wv, "key_to_index") and hasattr(wv, "vectors")):
        raise TypeError(
            "word_vectors must be an embedcourse WordVectors or a gensim KeyedVectors "
            f"(with .key_to_index and .vectors); got {type(wv).__name__}."
        )
    return wv


class AverageWordVectors:
    """A text's vector is the plain mean of the vectors of its words found in ``word_vectors``.

    Parameters
    ----------
    word_vectors : embedcourse.vectors.WordVectors or gensim KeyedVectors
    tokenizer : callable, optional
        Default :func:`embedcourse.text.tokenize` (lower-cased, as GloVe's vocabulary).

    Attributes
    ----------
    n_features_out_ : int
        The word-vector dimension d.

    Notes
    -----
    A text with no known word gets a zero row (cosine is then undefined; ``search`` scores
    it 0 with everything).

    Taught in: chapter 03.
    """

    def __init__(self, word_vectors: Any, tokenizer: Callable[[str], list[str]] | None = None) -> None:
        self.word_vectors = word_vectors
        self.tokenizer = tokenizer

    def fit(self, texts: Iterable[str] | None = None) -> "AverageWordVectors":
        """Nothing to learn (kept for a uniform interface); returns ``self``."""
        wv = _check_word_vectors(self.word_vectors)
        if texts is not None:
            _check_texts(texts)
        self.n_features_out_ = int(np.asarray(wv.vectors).shape[1])
        return self

    def _weights(self, words: list[str]) -> np.ndarray:
        return np.ones(len(words))

    def transform(self, texts: Iterable[str]) -> np.ndarray:
        """Weighted mean word vector per text: array of shape (n, d), float32."""
        _check_fitted(self, "n_features_out_")
        texts = _check_texts(texts)
        wv = self.word_vectors
        k2i = wv.key_to_index
        V = np.asarray(wv.vectors, dtype=np.float32)
        tok = self.tokenizer or tokenize
        out = np.zeros((len(texts), V.shape[1]), np.float32)
        for i, t in enumerate(texts):
            words = [w for w in tok(t) if w in k2i]
            if words:
                w = self._weights(words)
                out[i] = (w[:, None] * V[[k2i[x] for x in words]]).sum(0) / len(words)
        return out

    def fit_transform(self, texts: Iterable[str]) -> np.ndarray:
        """``fit(texts).transform(texts)``."""
        texts = _check_texts(texts)
        return self.fit(texts).transform(texts)


class SIFEmbedder(AverageWordVectors):
    """Smooth inverse frequency (SIF) sentence vectors with common-component removal.

    Arora, Liang & Ma (2017): weight each word by ``a / (a + p(w))``, where ``p(w)`` is its
    relative frequency, average the weighted vectors of a text's known words, then remove the
    projection on the first singular vector(s) of the matrix of all fitting texts' averages
    (the "common discourse" direction that frequent words share)::

        v_s = (1 / |s|) * sum_{w in s} a / (a + p(w)) * v_w
        v_s <- v_s - U^T U v_s,    U = first n_components right singular vectors (no centring)

    Parameters
    ----------
    word_vectors : embedcourse.vectors.WordVectors or gensim KeyedVectors
    a : float
        Smoothing; the paper uses 1e-3 to 1e-4. Smaller ``a`` down-weights frequent words more.
    n_components : int
        Common components to remove (0 keeps the weighted average only).
    tokenizer : callable, optional
        Default :func:`embedcourse.text.tokenize`.

    Attributes
    ----------
    word_freq_ : dict of str -> float
        p(w) over the tokens of the fitting texts (words absent there have p = 0, weight 1).
    components_ : numpy.ndarray, shape (n_components, d)
        The removed directions (unit rows; sign fixed so the largest entry is positive).
    n_features_out_ : int

    Taught in: chapter 03.
    """

    def __init__(
        self,
        word_vectors: Any,
        a: float = 1e-3,
        n_components: int = 1,
        tokenizer: Callable[[str], list[str]] | None = None,
    ) -> None:
        super().__init__(word_vectors, tokenizer)
        self.a = a
        self.n_components = n_components

    def weight(self, word: str) -> float:
        """The SIF weight ``a / (a + p(word))`` learned by ``fit``."""
        _check_fitted(self, "word_freq_")
        return float(self.a / (self.a + self.word_freq_.get(word, 0.0)))

    def _weights(self, words: list[str]) -> np.ndarray:
        p = np.array([self.word_freq_.get(w, 0.0) for w in words])
        return self.a / (self.a + p)

    def fit(self, texts: Iterable[str]) -> "SIFEmbedder":
        """Count word frequencies in ``texts`` and find the common component(s) of their averages."""
        texts = _check_texts(texts)
        wv = _check_word_vectors(self.word_vectors)
        check_float("a", self.a, 0.0, None, low_open=True, hint=" (the SIF smoothing constant)")
        k = self.n_components
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
            raise ValueError(f"n_components must be an int >= 0; got {k!r}.")
        d = int(np.asarray(wv.vectors).shape[1])
        if k > min(len(texts), d):
            raise ValueError(f"n_components={k} exceeds min(n_texts, d) = {min(len(texts), d)}.")
        tok = self.tokenizer or tokenize
        counts = Counter(w for t in texts for w in tok(t))
        total = sum(counts.values())
        if total == 0:
            raise ValueError("the fitting texts contain no tokens; pass real documents.")
        self.word_freq_ = {w: c / total for w, c in counts.items()}
        self.n_features_out_ = d
        self.components_ = np.zeros((0, d), np.float32)
        if k:
            X = AverageWordVectors.transform(self, texts)  # weighted averages, no removal yet
            _, _, Vt = np.linalg.svd(X.astype(np.float64), full_matrices=False)
            self.components_ = _flip_signs(Vt[:k]).astype(np.float32)
        return self

    def transform(self, texts: Iterable[str]) -> np.ndarray:
        """SIF vectors: array of shape (n, d), float32."""
        _check_fitted(self, "components_")
        X = super().transform(texts)
        U = self.components_
        return (X - (X @ U.T) @ U).astype(np.float32)
