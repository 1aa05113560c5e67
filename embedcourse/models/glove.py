"""GloVe from scratch: windowed co-occurrence counts and weighted least squares with AdaGrad.

Mirrors Stanford's reference implementation (``cooccur.c`` + ``glove.c``):

* ``X[i, j]`` sums ``1 / distance`` over every time word ``j`` occurs within ``window`` words
  of word ``i`` (both directions: the matrix is symmetric). Windows stop at sentence ends.
* The loss over the non-zero entries is

  ``J = 1/2 * sum_ij f(X_ij) * (w_i . w~_j + b_i + b~_j - log X_ij)**2``

  with ``f(x) = min(1, (x / x_max)**power)`` (``power`` is the paper's alpha; ``glove.c`` also
  carries the 1/2).
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
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from embedcourse._validation import (
    check_bool,
    check_float,
    check_ids,
    check_int,
    check_random_state,
    check_real_array,
    check_seed,
    check_sentences,
)
from embedcourse.text.vocabulary import Vocabulary

if TYPE_CHECKING:  # pragma: no cover
    import scipy.sparse

__all__ = ["GloVe", "cooccurrence_matrix", "glove_weight", "glove_loss", "glove_gradients"]


def cooccurrence_matrix(
    ids: npt.ArrayLike, offsets: npt.ArrayLike, n_words: int, window: int = 10
) -> scipy.sparse.csr_matrix:
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

    n_words = check_int("n_words", n_words, 1, None)
    window = check_int("window", window, 1, 1000)
    ids = check_ids(ids, "ids", n_words)
    offsets = check_ids(offsets, "offsets", ids.size + 1, allow_empty=False)
    if offsets[0] != 0 or offsets[-1] != ids.size or (np.diff(offsets) < 0).any():
        raise ValueError(f"offsets must be non-decreasing, from 0 to len(ids) = {ids.size} (see Vocabulary.encode).")
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


def glove_weight(x: npt.ArrayLike, x_max: float = 100.0, power: float = 0.75) -> npt.NDArray[np.float64]:
    """GloVe's weighting ``f(x) = min(1, (x / x_max) ** power)``.

    ``x_max`` must be a finite float > 0 and ``power`` a finite float in (0, 10] (the paper
    calls it alpha; here ``alpha`` is reserved for learning rates, as in gensim).

    Taught in: chapter 02.
    """
    x_max = check_float("x_max", x_max, 0.0, None, low_open=True)
    power = check_float("power", power, 0.0, 10.0, low_open=True)
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore"):  # a tiny x_max: x / x_max -> inf, and min(1, inf) = 1
        return np.minimum(1.0, (x / x_max) ** power)


def _check_glove_args(W, Wt, b, bt, rows, cols, x) -> tuple:
    """float64 copies of the arguments of :func:`glove_loss`, or a clear error naming the bad one."""
    W = check_real_array(W, "W", 2)
    Wt = check_real_array(Wt, "Wt", 2)
    if Wt.shape[1] != W.shape[1]:
        raise ValueError(f"Wt must have as many columns as W ({W.shape[1]}); got shape {Wt.shape}.")
    b = check_real_array(b, "b", 1)
    bt = check_real_array(bt, "bt", 1)
    if b.shape[0] != W.shape[0]:
        raise ValueError(f"b must have one entry per row of W ({W.shape[0]}); got shape {b.shape}.")
    if bt.shape[0] != Wt.shape[0]:
        raise ValueError(f"bt must have one entry per row of Wt ({Wt.shape[0]}); got shape {bt.shape}.")
    rows = check_ids(rows, "rows", W.shape[0])
    cols = check_ids(cols, "cols", Wt.shape[0])
    x = check_real_array(x, "x", 1, allow_empty=True)
    if not (rows.shape == cols.shape == x.shape):
        raise ValueError(f"rows, cols and x must have the same length; got {rows.shape[0]}, {cols.shape[0]} and {x.shape[0]}.")
    if x.size and x.min() <= 0:
        raise ValueError("x must hold the positive co-occurrence values X[rows, cols] (log X is taken); got a value <= 0.")
    return W, Wt, b, bt, rows, cols, x


def glove_loss(W, Wt, b, bt, rows, cols, x, x_max: float = 100.0, power: float = 0.75) -> float:
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
    W, Wt, b, bt, rows, cols, x = _check_glove_args(W, Wt, b, bt, rows, cols, x)
    diff = np.einsum("nd,nd->n", W[rows], Wt[cols]) + b[rows] + bt[cols] - np.log(x)
    return float(0.5 * np.sum(glove_weight(x, x_max, power) * diff**2))


def glove_gradients(
    W, Wt, b, bt, rows, cols, x, x_max: float = 100.0, power: float = 0.75
) -> dict[str, npt.NDArray[np.float64]]:
    """Gradients of :func:`glove_loss` with respect to ``W, Wt, b, bt`` (same shapes).

    ``dJ/dw_i = sum_j f(X_ij) * diff_ij * w~_j`` and symmetrically for the others.

    Taught in: chapter 02.
    """
    W, Wt, b, bt, rows, cols, x = _check_glove_args(W, Wt, b, bt, rows, cols, x)
    diff = np.einsum("nd,nd->n", W[rows], Wt[cols]) + b[rows] + bt[cols] - np.log(x)
    fd = glove_weight(x, x_max, power) * diff
    gW = np.zeros_like(W, dtype=np.float64)
    gWt = np.zeros_like(Wt, dtype=np.float64)
    np.add.at(gW, rows, fd[:, None] * Wt[cols])
    np.add.at(gWt, cols, fd[:, None] * W[rows])
    # with weights, bincount sums float64 (numpy's stubs say int): no copy, no change
    gb = np.bincount(rows, weights=fd, minlength=b.shape[0]).astype(np.float64, copy=False)
    gbt = np.bincount(cols, weights=fd, minlength=bt.shape[0]).astype(np.float64, copy=False)
    return {"W": gW, "Wt": gWt, "b": gb, "bt": gbt}


class GloVe:
    """GloVe word vectors (Pennington et al., 2014), scikit-learn style.

    Parameters
    ----------
    vector_size : int in [1, 10000]
        Dimension d.
    window : int in [1, 1000]
        Co-occurrence window (``1 / distance`` weighting).
    x_max : float > 0
    power : float in (0, 10]
        The exponent of the weighting function ``f(x) = min(1, (x / x_max)**power)`` (the
        paper's alpha, 0.75).
    learning_rate : float in (0, 1]
        AdaGrad's initial step (0.05 in ``glove.c``).
    epochs : int in [1, 10000]
        Passes over the non-zero co-occurrences.
    min_count : int >= 1
        Ignore words rarer than this.
    random_state : None, int in [0, 2**63 - 1] or numpy.random.Generator
    progress : bool
        Print a plain-text line about every 20% of the epochs.

    Notes
    -----
    Every hyperparameter is checked at :meth:`fit` (bools and strings are rejected where a
    number is expected, NaN and infinity everywhere): ``TypeError`` or ``ValueError`` naming
    the argument and its range, before anything reaches the compiled loop.

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
        Seconds of AdaGrad (counting excluded, and numba's JIT compilation excluded: the
        kernel is compiled, or loaded from numba's on-disk cache, on a one-entry dummy problem
        before the clock starts).

    Taught in: chapter 02.
    """

    def __init__(
        self,
        vector_size: int = 50,
        window: int = 10,
        x_max: float = 100.0,
        power: float = 0.75,
        learning_rate: float = 0.05,
        epochs: int = 25,
        min_count: int = 5,
        random_state: int = 0,
        progress: bool = True,
    ) -> None:
        self.vector_size = vector_size
        self.window = window
        self.x_max = x_max
        self.power = power
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.min_count = min_count
        self.random_state = random_state
        self.progress = progress

    def fit(self, X: Iterable[Sequence[str]], y: None = None) -> GloVe:
        """Count co-occurrences in the tokenised corpus ``X`` and fit the vectors.

        Parameters
        ----------
        X : iterable of list of str
            The corpus: tokenised sentences (scikit-learn's ``X``).
        y : None
            Ignored (there for scikit-learn's ``fit(X, y)`` signature).

        Returns
        -------
        self

        Raises
        ------
        TypeError
            A hyperparameter of the wrong type, or ``X`` given as one string or as a
            list of strings (untokenised text).
        ValueError
            A hyperparameter out of range, NaN or infinite; an empty corpus; no co-occurrences.
        FloatingPointError
            Training diverged (the loss became NaN or infinite): the learning rate is too large.
        """
        self._check_params()
        sentences = check_sentences(X, "X")
        vocab = Vocabulary.build(sentences, min_count=self.min_count)
        ids, offsets = vocab.encode(sentences)
        self.vocabulary_ = vocab
        C = cooccurrence_matrix(ids, offsets, len(vocab), window=self.window)
        if C.nnz == 0:
            raise ValueError("no co-occurrences: every sentence has fewer than two in-vocabulary words.")
        self.cooccurrence_ = C
        self._fit_matrix(C, vocab.words)
        return self

    def _check_params(self) -> None:
        """Validate every hyperparameter (type, finiteness, range); raise naming the argument."""
        check_int("vector_size", self.vector_size, 1, 10_000)
        check_int("window", self.window, 1, 1000)
        check_float("x_max", self.x_max, 0.0, None, low_open=True)
        check_float("power", self.power, 0.0, 10.0, low_open=True)
        check_float("learning_rate", self.learning_rate, 0.0, 1.0, low_open=True)
        check_int("epochs", self.epochs, 1, 10_000)
        check_int("min_count", self.min_count, 1, None)
        check_seed("random_state", self.random_state)
        check_bool("progress", self.progress)

    def _fit_matrix(self, X: Any, words: list[str]) -> None:
        from embedcourse.models._glove_kernels import _glove_epoch, check_epoch_inputs, warm_up
        from embedcourse.vectors import WordVectors

        coo = X.tocoo()
        rows = coo.row.astype(np.int32)
        cols = coo.col.astype(np.int32)
        x = coo.data.astype(np.float64)
        logx = np.log(x).astype(np.float32)
        fx = glove_weight(x, self.x_max, self.power).astype(np.float32)
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
        lr = np.float32(self.learning_rate)
        # the kernel does not check indices: check every array once, here
        check_epoch_inputs(rows, cols, logx, fx, W, Wt, b, bt, gW, gWt, gb, gbt, lr)
        # compile (or load) the kernel on a dummy problem first: the clock measures training only
        warm_up(rows, cols, logx, fx, W, lr)
        t0 = time.perf_counter()
        # glove.c shuffles the co-occurrence records once (shuffle.c), then reads them in that
        # order every epoch; shuffling the arrays themselves keeps the reads sequential.
        perm = rng.permutation(rows.shape[0])
        rows, cols, logx, fx = rows[perm], cols[perm], logx[perm], fx[perm]
        for epoch in range(self.epochs):
            try:
                loss = _glove_epoch(rows, cols, logx, fx, W, Wt, b, bt, gW, gWt, gb, gbt, lr)
            except ZeroDivisionError:  # numba's check on 1 / sqrt(G) once G is NaN
                loss = float("nan")
            if loss < 0:  # pragma: no cover - check_epoch_inputs rejects this first
                raise RuntimeError("GloVe kernel: arrays do not fit together (see check_epoch_inputs).")
            if not np.isfinite(loss):
                raise FloatingPointError(
                    f"GloVe training diverged in epoch {epoch + 1} (the loss became {loss}): lower "
                    f"learning_rate (got {self.learning_rate}) or check x_max and power "
                    f"(got {self.x_max} and {self.power})."
                )
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
            f"power={self.power}, learning_rate={self.learning_rate}, epochs={self.epochs}, "
            f"min_count={self.min_count}, random_state={self.random_state})"
        )
