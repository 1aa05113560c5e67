"""Averaged word vectors and SIF: sentence vectors from pretrained word vectors.

- :class:`AverageWordVectors`: the mean of the pretrained vectors of a text's words.
- :class:`SIFEmbedder`: smooth inverse frequency weights ``a / (a + p(w))`` and removal of the
  common component (Arora, Liang & Ma 2017).

Both are scikit-learn style (``fit(X)``, ``transform(X)``, ``X`` a list of texts) and use
:func:`embedcourse.text.tokenize` by default.

Taught in: chapter 03.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_float, check_texts
from embedcourse.sentence._common import check_fitted, flip_signs
from embedcourse.text import tokenize

__all__ = ["AverageWordVectors", "SIFEmbedder"]


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

    def fit(self, X: Iterable[str] | None = None, y: None = None) -> AverageWordVectors:
        """Nothing to learn (kept for a uniform interface and scikit-learn pipelines); returns ``self``."""
        wv = _check_word_vectors(self.word_vectors)
        if X is not None:
            check_texts(X, "X")
        self.n_features_out_ = int(np.asarray(wv.vectors).shape[1])
        return self

    def _weights(self, words: list[str]) -> npt.NDArray[np.float64]:
        return np.ones(len(words))

    def transform(self, X: Iterable[str]) -> npt.NDArray[np.float32]:
        """Weighted mean word vector per text of ``X``: array of shape (n, d), float32."""
        check_fitted(self, "n_features_out_")
        texts = check_texts(X, "X")
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

    def fit_transform(self, X: Iterable[str], y: None = None) -> npt.NDArray[np.float32]:
        """``fit(X).transform(X)``."""
        texts = check_texts(X, "X")
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
        check_fitted(self, "word_freq_")
        return float(self.a / (self.a + self.word_freq_.get(word, 0.0)))

    def _weights(self, words: list[str]) -> npt.NDArray[np.float64]:
        p = np.array([self.word_freq_.get(w, 0.0) for w in words])
        return self.a / (self.a + p)

    def fit(self, X: Iterable[str] | None = None, y: None = None) -> SIFEmbedder:
        """Count word frequencies in the texts ``X`` and find the common component(s) of their averages."""
        texts = check_texts(X, "X")
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
            A = AverageWordVectors.transform(self, texts)  # weighted averages, no removal yet
            _, _, Vt = np.linalg.svd(A.astype(np.float64), full_matrices=False)
            self.components_ = flip_signs(Vt[:k]).astype(np.float32)
        return self

    def transform(self, X: Iterable[str]) -> npt.NDArray[np.float32]:
        """SIF vectors of the texts ``X``: array of shape (n, d), float32."""
        check_fitted(self, "components_")
        A = super().transform(X)
        U = self.components_
        return (A - (A @ U.T) @ U).astype(np.float32)
