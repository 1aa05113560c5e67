"""GloVe from scratch: windowed co-occurrence counts and weighted least squares with AdaGrad.

Mirrors Stanford's reference implementation (``cooccur.c`` + ``glove.c``):

* ``X[i, j]`` sums ``1 / distance`` over every time word ``j`` occurs within ``window`` words
  of word ``i`` (both directions: the matrix is symmetric). Windows stop at sentence ends.
* The loss over the non-zero entries is

  ``J = 1/2 * sum_ij f(X_ij) * (w_i . w~_j + b_i + b~_j - log X_ij)**2``

  with ``f(x) = min(1, (x / x_max)**alpha)`` (``glove.c`` also carries the 1/2).
* The non-zeros are shuffled once (``shuffle.c``); each pass visits them in that order and takes an AdaGrad step on
  ``w_i, w~_j, b_i, b~_j`` (squared-gradient sums start at 1, as in ``glove.c``).
* The word vectors returned are ``W + W~`` (``glove.c``'s ``-model 2``).

There is no GloVe in gensim, so the oracles are a brute-force co-occurrence count and torch
autograd for the loss and its gradient (see ``tests/test_glove.py``).

Taught in: chapter 02.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Iterable, Sequence

import numpy as np

from embedcourse._validation import check_random_state
from embedcourse.text.corpus import Vocabulary

__all__ = ["GloVe", "cooccurrence_matrix", "glove_weight", "glove_loss", "glove_gradients"]


def cooccurrence_matrix(ids: Any, offsets: Any, n_words: int, window: int = 10) -> "scipy.sparse.csr_matrix":
    """Symmetric windowed co-occurrence counts with ``1 / distance`` weighting.

    Parameters
    ----------
    ids : array-like of int, shape (n,)
        Word ids, sentence after sentence (:meth:`Vocabulary.encode`).
    offsets : array-like of int, shape (S + 1,)
        Sentence boundaries.
    n_words : int
        Vocabulary size V.
    window : int
        Largest distance counted.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (V, V), float64, symmetric

    Taught in: chapter 02.
    """
    import scipy.sparse as sp

    ids = np.asarray(ids, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    if window < 1:
        raise ValueError(f"window must be >= 1; got {window}.")
    if ids.size and (ids.min() < 0 or ids.max() >= n_words):
        raise ValueError(f"ids must lie in [0, {n_words}); got values from {ids.min()} to {ids.max()}.")
    sent = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    total = sp.csr_matrix((n_words, n_words), dtype=np.float64)
    for d in range(1, window + 1):
        if d >= ids.size:
            break
        same = sent[:-d] == sent[d:]
        r, c = ids[:-d][same], ids[d:][same]
        w = np.full(r.shape[0], 1.0 / d)
        # both directions: j after i and i after j
        part = sp.coo_matrix((np.concatenate([w, w]), (np.concatenate([r, c]), np.concatenate([c, r]))), shape=(n_words, n_words))
        total = total + part.tocsr()
    total.sum_duplicates()
    total.eliminate_zeros()
    return total


def glove_weight(x: Any, x_max: float = 100.0, alpha: float = 0.75) -> np.ndarray:
    """GloVe's weighting ``f(x) = min(1, (x / x_max) ** alpha)``.

    Taught in: chapter 02.
    """
    x = np.asarray(x, dtype=np.float64)
    return np.minimum(1.0, (x / x_max) ** alpha)


def glove_loss(W, Wt, b, bt, rows, cols, x, x_max: float = 100.0, alpha: float = 0.75) -> float:
    """The GloVe objective ``1/2 sum f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2``.

    Parameters
    ----------
    W, Wt : numpy.ndarray, shape (V, d)
        Word and context vectors.
    b, bt : numpy.ndarray, shape (V,)
        Word and context biases.
    rows, cols : numpy.ndarray of int, shape (nnz,)
    x : numpy.ndarray, shape (nnz,)
        The positive co-occurrence values ``X[rows, cols]``.

    Taught in: chapter 02.
    """
    diff = np.einsum("nd,nd->n", W[rows], Wt[cols]) + b[rows] + bt[cols] - np.log(x)
    return float(0.5 * np.sum(glove_weight(x, x_max, alpha) * diff**2))


def glove_gradients(W, Wt, b, bt, rows, cols, x, x_max: float = 100.0, alpha: float = 0.75) -> dict[str, np.ndarray]:
    """Gradients of :func:`glove_loss` with respect to ``W, Wt, b, bt`` (same shapes).

    ``dJ/dw_i = sum_j f(X_ij) * diff_ij * w~_j`` and symmetrically for the others.

    Taught in: chapter 02.
    """
    diff = np.einsum("nd,nd->n", W[rows], Wt[cols]) + b[rows] + bt[cols] - np.log(x)
    fd = glove_weight(x, x_max, alpha) * diff
    gW = np.zeros_like(W, dtype=np.float64)
    gWt = np.zeros_like(Wt, dtype=np.float64)
    np.add.at(gW, rows, fd[:, None] * Wt[cols])
    np.add.at(gWt, cols, fd[:, None] * W[rows])
    gb = np.bincount(rows, weights=fd, minlength=b.shape[0])
    gbt = np.bincount(cols, weights=fd, minlength=bt.shape[0])
    return {"W": gW, "Wt": gWt, "b": gb, "bt": gbt}


class GloVe:
    """GloVe word vectors (Pennington et al., 2014), scikit-learn style.

    Parameters
    ----------
    vector_size : int
        Dimension d.
    window : int
        Co-occurrence window (``1 / distance`` weighting).
    x_max, alpha : float
        The weighting function ``f(x) = min(1, (x / x_max)**alpha)``.
    learning_rate : float
        AdaGrad's initial step (0.05 in ``glove.c``).
    epochs : int
        Passes over the non-zero co-occurrences.
    min_count : int
        Ignore words rarer than this.
    random_state : int
    progress : bool
        Print a plain-text line about every 20% of the epochs.

    Attributes
    ----------
    vocabulary_ : embedcourse.text.Vocabulary
    cooccurrence_ : scipy.sparse.csr_matrix, shape (V, V)
    wv_ : embedcourse.vectors.WordVectors
        ``W + W~``, shape (V, d).
    W_, W_tilde_ : numpy.ndarray, shape (V, d)
    b_, b_tilde_ : numpy.ndarray, shape (V,)
    loss_history_ : numpy.ndarray, shape (epochs,)
        Mean loss per non-zero entry accumulated during each epoch.
    train_time_ : float
        Seconds of AdaGrad (counting excluded).

    Taught in: chapter 02.
    """

    def __init__(
        self,
        vector_size: int = 50,
        window: int = 10,
        x_max: float = 100.0,
        alpha: float = 0.75,
        learning_rate: float = 0.05,
        epochs: int = 25,
        min_count: int = 5,
        random_state: int = 0,
        progress: bool = True,
    ) -> None:
        self.vector_size = vector_size
        self.window = window
        self.x_max = x_max
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.min_count = min_count
        self.random_state = random_state
        self.progress = progress

    def fit(self, sentences: Iterable[Sequence[str]], y: Any = None) -> "GloVe":
        """Count co-occurrences in ``sentences`` and fit the vectors.

        Parameters
        ----------
        sentences : iterable of list of str
        y : ignored

        Returns
        -------
        self
        """
        for name in ("vector_size", "window", "epochs", "min_count"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a whole number >= 1; got {v!r}.")
        if not (self.x_max > 0 and self.alpha > 0 and self.learning_rate > 0):
            raise ValueError("x_max, alpha and learning_rate must be positive.")
        sentences = list(sentences) if not isinstance(sentences, (list, str)) else sentences
        vocab = Vocabulary.build(sentences, min_count=self.min_count)
        ids, offsets = vocab.encode(sentences)
        self.vocabulary_ = vocab
        X = cooccurrence_matrix(ids, offsets, len(vocab), window=self.window)
        if X.nnz == 0:
            raise ValueError("no co-occurrences: every sentence has fewer than two in-vocabulary words.")
        self.cooccurrence_ = X
        self._fit_matrix(X, vocab.words)
        return self

    def _fit_matrix(self, X: Any, words: list[str]) -> None:
        from embedcourse.models._glove_kernels import _glove_epoch
        from embedcourse.vectors import WordVectors

        coo = X.tocoo()
        rows = coo.row.astype(np.int32)
        cols = coo.col.astype(np.int32)
        x = coo.data.astype(np.float64)
        logx = np.log(x).astype(np.float32)
        fx = glove_weight(x, self.x_max, self.alpha).astype(np.float32)
        V, d = X.shape[0], int(self.vector_size)
        rng = check_random_state(self.random_state)
        W = ((rng.random((V, d), dtype=np.float32) - 0.5) / d).astype(np.float32)
        Wt = ((rng.random((V, d), dtype=np.float32) - 0.5) / d).astype(np.float32)
        b = ((rng.random(V, dtype=np.float32) - 0.5) / d).astype(np.float32)
        bt = ((rng.random(V, dtype=np.float32) - 0.5) / d).astype(np.float32)
        gW, gWt = np.ones_like(W), np.ones_like(Wt)
        gb, gbt = np.ones_like(b), np.ones_like(bt)
        losses = []
        next_report = 0.2
        t0 = time.perf_counter()
        # glove.c shuffles the co-occurrence records once (shuffle.c), then reads them in that
        # order every epoch; shuffling the arrays themselves keeps the reads sequential.
        perm = rng.permutation(rows.shape[0])
        rows, cols, logx, fx = rows[perm], cols[perm], logx[perm], fx[perm]
        for epoch in range(self.epochs):
            loss = _glove_epoch(rows, cols, logx, fx, W, Wt, b, bt, gW, gWt, gb, gbt, np.float32(self.learning_rate))
            losses.append(loss / rows.shape[0])
            frac = (epoch + 1) / self.epochs
            if self.progress and frac >= next_report - 1e-9:
                print(f"GloVe: epoch {epoch + 1}/{self.epochs}, loss {losses[-1]:.4f}", file=sys.stdout, flush=True)
                while next_report <= frac + 1e-9:
                    next_report += 0.2
        self.train_time_ = time.perf_counter() - t0
        self.loss_history_ = np.asarray(losses)
        self.W_, self.W_tilde_, self.b_, self.b_tilde_ = W, Wt, b, bt
        self.wv_ = WordVectors(W + Wt, list(words))

    def __repr__(self) -> str:
        return (
            f"GloVe(vector_size={self.vector_size}, window={self.window}, x_max={self.x_max}, "
            f"alpha={self.alpha}, learning_rate={self.learning_rate}, epochs={self.epochs}, "
            f"min_count={self.min_count}, random_state={self.random_state})"
        )
