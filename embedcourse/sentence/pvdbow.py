"""PV-DBOW written from scratch in numpy: a document vector trained to predict the document's words.

Le & Mikolov (2014)'s "distributed bag of words" paragraph vector is skip-gram with the
document in the place of the centre word. Document ``j`` has a vector ``d_j`` (a row of ``D``),
each word ``w`` an output vector ``u_w`` (a row of ``U``), and every word of the document is a
positive example against ``K`` noise words ``n_1..n_K`` drawn from the unigram distribution to
the power 3/4 (chapter 02's negative sampling)::

    loss(j, w) = -log sigma(u_w . d_j) - sum_k log sigma(-u_{n_k} . d_j)
    d loss / d d_j     = (sigma(u_w . d_j) - 1) u_w + sum_k sigma(u_{n_k} . d_j) u_{n_k}
    d loss / d u_w     = (sigma(u_w . d_j) - 1) d_j
    d loss / d u_{n_k} = sigma(u_{n_k} . d_j) d_j

One step takes a batch of up to ``batch_words`` consecutive words of one document and their
noise words, and moves ``d_j`` and the ``U`` rows it touched by ``-lr`` times the summed
gradient (:func:`pv_dbow_step`). Training sweeps the documents in a fresh random order each
epoch with a learning rate that decays linearly; a new text's vector is *inferred* by the same
steps with ``U`` frozen. Everything is float64 and drawn from one
``numpy.random.Generator`` seeded by ``random_state``, in an order written out in
:meth:`PVDBOW.fit`, so the chapter's few-line loop reproduces the package's numbers exactly.
gensim's ``Doc2Vec(dm=0)`` is the production version (per-word steps, compiled): the tests
check that both reach a similar retrieval quality, not the same numbers.

Taught in: chapter 03.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_float, check_int, check_random_state, check_sentences

__all__ = ["pv_dbow_step", "PVDBOW"]


def pv_dbow_step(
    d: npt.NDArray[np.float64],
    U: npt.NDArray[np.float64],
    words: npt.ArrayLike,
    noise: npt.ArrayLike,
    lr: float,
    *,
    update_words: bool = True,
) -> float:
    """One PV-DBOW step for one document vector, in place; returns the batch's loss before the step.

    Parameters
    ----------
    d : numpy.ndarray, shape (dim,), float64
        The document's vector; updated in place.
    U : numpy.ndarray, shape (V, dim), float64
        Output word vectors; updated in place unless ``update_words`` is False (inference).
    words : array of int, shape (m,)
        Ids of the document's words in this batch (the positives).
    noise : array of int, shape (m, K)
        ``K`` noise word ids per positive.
    lr : float
        Learning rate (> 0).
    update_words : bool
        Also update ``U`` (training) or only ``d`` (inference).

    Returns
    -------
    float
        The summed negative-sampling loss of the batch, before the update.

    Taught in: chapter 03.
    """
    if not (isinstance(d, np.ndarray) and d.ndim == 1 and d.dtype == np.float64):
        raise TypeError("d must be a float64 numpy vector (the document's vector, updated in place).")
    if not (isinstance(U, np.ndarray) and U.ndim == 2 and U.dtype == np.float64 and U.shape[1] == d.shape[0]):
        raise TypeError(f"U must be a float64 numpy matrix of shape (V, {d.shape[0]}) (updated in place).")
    w = np.asarray(words)
    z = np.asarray(noise)
    if w.ndim != 1 or w.size == 0 or not np.issubdtype(w.dtype, np.integer):
        raise ValueError(f"words must be a non-empty 1-d array of word ids; got shape {w.shape}, dtype {w.dtype}.")
    if z.ndim != 2 or z.shape[0] != w.shape[0] or not np.issubdtype(z.dtype, np.integer):
        raise ValueError(f"noise must be an int array of shape ({w.shape[0]}, K); got shape {z.shape}.")
    for name, ids in (("words", w), ("noise", z)):
        if ids.size and (ids.min() < 0 or ids.max() >= U.shape[0]):
            raise ValueError(f"{name} holds an id outside [0, {U.shape[0]}) (the rows of U).")
    lr = check_float("lr", lr, 0.0, None, low_open=True)
    ids = np.concatenate([w[:, None], z], axis=1)   # (m, 1 + K): the word, then its noise words
    label = np.zeros(ids.shape)
    label[:, 0] = 1.0
    rows = U[ids]                                    # (m, 1 + K, dim)
    s = rows @ d                                     # scores u . d
    loss = float(np.logaddexp(0.0, -(2.0 * label - 1.0) * s).sum())   # -log sigma(+-s)
    g = 1.0 / (1.0 + np.exp(-s)) - label             # d loss / d s
    grad_d = np.tensordot(g, rows, axes=2)
    if update_words:  # every row touched moves along d by its summed gradient (a word may repeat)
        touched, where = np.unique(ids, return_inverse=True)
        U[touched] -= lr * np.bincount(where.ravel(), weights=g.ravel())[:, None] * d
    d -= lr * grad_d
    return loss


class PVDBOW:
    """PV-DBOW paragraph vectors trained from scratch (numpy, negative sampling).

    Parameters
    ----------
    vector_size : int
        Dimension of the document vectors.
    negative : int
        Noise words per positive (``K``).
    epochs : int
        Passes over the documents (training, and inference by default).
    alpha : float
        Learning rate at the start; it decays linearly to ``alpha / 100``.
    min_count : int
        Words seen fewer times in the fitting documents are dropped.
    batch_words : int
        Words of one document per step.
    random_state : int or numpy.random.Generator

    Attributes
    ----------
    vocabulary_ : dict of str -> int
        Word ids, most frequent first (ties in alphabetical order).
    noise_cdf_ : numpy.ndarray, shape (V,)
        Cumulative noise distribution (counts to the power 3/4, normalised).
    dv_ : numpy.ndarray, shape (n_docs, vector_size), float64
        The learned document vectors, in the order of the fitting documents.
    U_ : numpy.ndarray, shape (V, vector_size), float64
        The output word vectors.
    loss_ : list of float
        Mean loss per word in each epoch.

    Notes
    -----
    The random numbers are drawn in this order (the chapter's loop draws the same): ``D``'s
    start, uniform in ``[-0.5/dim, 0.5/dim)``; then, for each epoch, a permutation of the
    documents, and for each batch of each document the ``(m, K)`` uniforms that pick its noise
    words through ``noise_cdf_``.

    Taught in: chapter 03.
    """

    def __init__(self, vector_size: int = 50, negative: int = 5, epochs: int = 20, alpha: float = 0.025,
                 min_count: int = 2, batch_words: int = 64, random_state: Any = 0) -> None:
        self.vector_size = vector_size
        self.negative = negative
        self.epochs = epochs
        self.alpha = alpha
        self.min_count = min_count
        self.batch_words = batch_words
        self.random_state = random_state

    def _check(self) -> None:
        check_int("vector_size", self.vector_size, 1, 10_000)
        check_int("negative", self.negative, 1, 100)
        check_int("epochs", self.epochs, 1, 10_000)
        check_float("alpha", self.alpha, 0.0, 1.0, low_open=True)
        check_int("min_count", self.min_count, 1, None)
        check_int("batch_words", self.batch_words, 1, None)

    def _ids(self, docs: Sequence[Sequence[str]]) -> list[npt.NDArray[np.int64]]:
        v = self.vocabulary_
        return [np.array([v[w] for w in doc if w in v], dtype=np.int64) for doc in docs]

    def _run(self, D: np.ndarray, ids: list[np.ndarray], epochs: int, rng: np.random.Generator,
             update_words: bool) -> list[float]:
        losses = []
        total = epochs * len(ids)
        step = 0
        for _ in range(epochs):
            epoch_loss, n_words = 0.0, 0
            for j in rng.permutation(len(ids)):
                lr = self.alpha * (1.0 - 0.99 * step / total)
                step += 1
                for start in range(0, len(ids[j]), self.batch_words):
                    w = ids[j][start:start + self.batch_words]
                    noise = np.searchsorted(self.noise_cdf_, rng.random((len(w), self.negative)), side="right")
                    epoch_loss += pv_dbow_step(D[j], self.U_, w, noise, lr, update_words=update_words)
                    n_words += len(w)
            losses.append(epoch_loss / max(n_words, 1))
        return losses

    def fit(self, X: Sequence[Sequence[str]], y: None = None) -> PVDBOW:
        """Learn the document vectors of the token lists ``X`` (list of list of str) and the word vectors."""
        self._check()
        docs = check_sentences(X, "X")
        rng = check_random_state(self.random_state)
        counts = Counter(w for doc in docs for w in doc)
        kept = sorted((w for w, c in counts.items() if c >= self.min_count), key=lambda w: (-counts[w], w))
        if not kept:
            raise ValueError(f"no word occurs min_count={self.min_count} times in X; lower min_count.")
        self.vocabulary_ = {w: i for i, w in enumerate(kept)}
        p = np.array([counts[w] for w in kept], dtype=np.float64) ** 0.75
        self.noise_cdf_ = np.cumsum(p / p.sum())
        self.noise_cdf_[-1] = 1.0
        dim = self.vector_size
        self.dv_ = (rng.random((len(docs), dim)) - 0.5) / dim
        self.U_ = np.zeros((len(kept), dim))
        self.loss_ = self._run(self.dv_, self._ids(docs), self.epochs, rng, update_words=True)
        return self

    def infer(self, X: Sequence[Sequence[str]], epochs: int | None = None,
              random_state: Any = 0) -> npt.NDArray[np.float64]:
        """Vectors for new token lists ``X`` with the word vectors frozen: array (n, vector_size).

        A text with no known word keeps its random start vector.
        """
        if not hasattr(self, "U_"):
            raise ValueError("this PVDBOW is not fitted yet; call fit(X) first.")
        docs = check_sentences(X, "X")
        epochs = self.epochs if epochs is None else check_int("epochs", epochs, 1, 10_000)
        rng = check_random_state(random_state)
        D = (rng.random((len(docs), self.vector_size)) - 0.5) / self.vector_size
        self._run(D, self._ids(docs), epochs, rng, update_words=False)
        return D
