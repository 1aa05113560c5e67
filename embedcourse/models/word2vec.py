"""word2vec from scratch: skip-gram and CBOW with negative sampling, compiled with numba.

This mirrors gensim's ``Word2Vec`` (``gensim/models/word2vec_inner.pyx``) and the original
``word2vec.c``, one step at a time:

* vocabulary with ``min_count``, frequent-word subsampling with gensim's formula
  (:func:`embedcourse.text.subsample_probs`), applied before windows are formed;
* dynamic windows: each position uses ``window - randint(0, window)`` neighbours per side;
* negative sampling from the unigram^0.75 distribution through a cumulative table and a
  binary search (gensim's ``cum_table``), ``negative`` noise words per positive pair;
* skip-gram: each context word's input vector predicts the centre word (gensim's order);
  CBOW: the *mean* of the context input vectors predicts the centre word (``cbow_mean=1``),
  and the error is added in full to every context vector (as gensim and word2vec.c do);
* the learning rate decays linearly from ``alpha`` to ``min_alpha`` over all training words;
* the sigmoid and log-sigmoid are read from 1000-entry tables over ``[-6, 6]``; outside
  that range gensim skips the update (word2vec.c instead clips the sigmoid to 0 or 1), and so
  do we;
* initial input vectors are uniform in ``[-1/d, 1/d)`` (gensim 4), output vectors are zero;
* random numbers come from word2vec.c's 48-bit linear congruential generator, seeded from
  ``random_state``: training is single-threaded and bit-for-bit deterministic.

Taught in: chapter 02.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from embedcourse._validation import (
    check_bool,
    check_float,
    check_int,
    check_random_state,
    check_real_array,
    check_seed,
    check_sentences,
)
from embedcourse.text.sampling import negative_table, subsample_probs
from embedcourse.text.vocabulary import Vocabulary

__all__ = ["Word2Vec", "sgns_epoch", "sgns_loss"]


def sgns_loss(center: npt.ArrayLike, context: npt.ArrayLike, negatives: npt.ArrayLike) -> float:
    """Skip-gram negative-sampling loss of one pair, written out for reading.

    ``-log sigmoid(c . o) - sum_k log sigmoid(-c . n_k)``

    Parameters
    ----------
    center : numpy.ndarray, shape (d,)
        Input vector of the word that predicts.
    context : numpy.ndarray, shape (d,)
        Output vector of the word that truly occurs next to it.
    negatives : numpy.ndarray, shape (k, d)
        Output vectors of k noise words.

    Taught in: chapter 02.
    """
    center = check_real_array(center, "center", 1)
    context = check_real_array(context, "context", 1)
    negatives = check_real_array(negatives, "negatives", 2, allow_empty=True)
    d = center.shape[0]
    if context.shape[0] != d:
        raise ValueError(f"context must have the length of center ({d}); got {context.shape[0]}.")
    if negatives.shape[1] != d:
        raise ValueError(f"negatives must have shape (k, {d}) like center; got {negatives.shape}.")
    pos = float(center @ context)
    neg = negatives @ center
    return float(np.logaddexp(0.0, -pos) + np.logaddexp(0.0, neg).sum())


def sgns_epoch(
    W: npt.NDArray[np.float64],
    U: npt.NDArray[np.float64],
    centres: npt.ArrayLike,
    contexts: npt.ArrayLike,
    negatives: npt.ArrayLike,
    alpha: float = 0.025,
) -> npt.NDArray[np.float64]:
    """One pass of skip-gram negative-sampling SGD over an explicit stream of pairs, in place.

    For each pair ``t`` (centre ``w``, context ``c``, noise words ``n_1..n_K`` = ``negatives[t]``),
    with ``s_k = u_k . v_w`` computed *before* the pair's update and the exact sigmoid::

        g_k = alpha * (label_k - sigmoid(s_k))     # label 1 for c, 0 for the noise words
        v_w += sum_k g_k u_k ;   u_k += g_k v_w    # (a noise word drawn twice gets both updates)

    This is the update the chapter writes in numpy, compiled; :class:`Word2Vec` applies the
    same update to gensim's training stream (subsampling, dynamic windows, its generator and
    its sigmoid table), so the two agree only on a stream given to both, as here.

    Parameters
    ----------
    W, U : numpy.ndarray of float64, shape (V, d)
        Input (centre) and output (context) vectors; updated in place.
    centres, contexts : array-like of int, shape (P,)
        Word ids of the pairs, in training order.
    negatives : array-like of int, shape (P, K)
        Noise word ids for each pair.
    alpha : float in (0, 1]
        Learning rate.

    Returns
    -------
    numpy.ndarray of float64, shape (P,)
        The loss of each pair before its update, ``-log sigmoid(s_c) - sum_k log sigmoid(-s_k)``.

    Taught in: chapter 02.
    """
    from embedcourse._validation import check_ids

    for name, M in (("W", W), ("U", U)):
        if not isinstance(M, np.ndarray) or M.dtype != np.float64 or M.ndim != 2 or not M.flags.writeable:
            raise TypeError(f"{name} must be a writeable 2-d float64 numpy array (updated in place); got "
                            f"{type(M).__name__} {getattr(M, 'dtype', '')} {getattr(M, 'shape', '')}.")
        if not np.isfinite(M).all():
            raise ValueError(f"{name} contains NaN or infinity.")
    if W.shape != U.shape or W.shape[0] == 0 or W.shape[1] == 0:
        raise ValueError(f"W and U must have the same non-empty shape (V, d); got {W.shape} and {U.shape}.")
    V = W.shape[0]
    centres = check_ids(centres, "centres", V).astype(np.int64)
    contexts = check_ids(contexts, "contexts", V).astype(np.int64)
    if centres.shape != contexts.shape:
        raise ValueError(f"centres and contexts must have the same length; got {centres.size} and {contexts.size}.")
    neg = np.asarray(negatives)
    if neg.ndim != 2 or neg.shape[0] != centres.shape[0]:
        raise ValueError(f"negatives must have shape (P, K) with P = len(centres) = {centres.size}; got {neg.shape}.")
    negatives = check_ids(neg.ravel(), "negatives", V).astype(np.int64).reshape(neg.shape)
    alpha = check_float("alpha", alpha, 0.0, 1.0, low_open=True)
    from embedcourse.models._word2vec_kernels import _sgns_pairs

    losses = np.zeros(centres.shape[0])
    if _sgns_pairs(W, U, centres, contexts, negatives, alpha, losses) != centres.shape[0]:  # pragma: no cover
        raise RuntimeError("sgns_epoch kernel: arrays do not fit together (checked above; please report).")
    return losses


class Word2Vec:
    """word2vec (skip-gram or CBOW with negative sampling), scikit-learn style.

    Parameters
    ----------
    vector_size : int in [1, 10000]
        Dimension d of the word vectors.
    window : int in [1, 1000]
        Maximum distance between centre and context word (dynamic windows shrink it).
    sg : {0, 1}
        1 for skip-gram, 0 for CBOW (mean of the context vectors).
    negative : int in [1, 100]
        Noise words per positive example.
    min_count : int >= 1
        Ignore words rarer than this.
    sample : float in [0, 1)
        Subsampling threshold t (0 switches it off).
    alpha : float in (0, 1]
        Learning rate at the start (linear decay).
    min_alpha : float in [0, alpha]
        Learning rate at the end.
    epochs : int in [1, 10000]
        Passes over the corpus.
    ns_exponent : float in [-10, 10]
        Power of the unigram counts in the noise distribution (0.75; 0 is uniform, negative
        values favour rare words).
    random_state : None, int in [0, 2**63 - 1] or numpy.random.Generator
        Seeds the initial vectors and the training random numbers.
    progress : bool
        Print a plain-text progress line about every 20% of training.

    Notes
    -----
    Every hyperparameter is checked at :meth:`fit` (bools and strings are rejected where a
    number is expected, NaN and infinity everywhere): ``TypeError`` or ``ValueError`` naming
    the argument and its range, before anything reaches the compiled loop.

    Attributes
    ----------
    vocabulary_ : embedcourse.text.Vocabulary
    wv_ : embedcourse.vectors.WordVectors
        The input vectors (what gensim exposes as ``model.wv``), shape (V, d).
    output_vectors_ : numpy.ndarray, shape (V, d)
        The output ("context") vectors, gensim's ``syn1neg``.
    loss_history_ : numpy.ndarray, shape (n_blocks,)
        Mean loss per positive example in each block of sentences (about 100 blocks per fit).
    words_history_ : numpy.ndarray, shape (n_blocks,)
        Words processed at the end of each block (x axis of a loss curve).
    words_per_second_ : float
        In-vocabulary corpus words times epochs, divided by :attr:`train_time_` (vocabulary
        building excluded, as in gensim's log line). Warm speed: JIT compilation excluded.
    train_time_ : float
        Seconds spent in training. Excludes vocabulary building and numba's JIT compilation
        (the kernel is compiled, or loaded from numba's on-disk cache, by a call on a dummy
        corpus before the clock starts; on an empty cache that compilation takes a few
        seconds, which used to make a first fit on the 60k-word Lee corpus report about a
        sixth of the real speed).

    Examples
    --------
    >>> model = Word2Vec(vector_size=50, epochs=5, progress=False).fit(sentences)  # doctest: +SKIP
    >>> model.wv_.most_similar("king", topn=3)  # doctest: +SKIP

    Taught in: chapter 02.
    """

    def __init__(
        self,
        vector_size: int = 100,
        window: int = 5,
        sg: int = 1,
        negative: int = 5,
        min_count: int = 5,
        sample: float = 1e-3,
        alpha: float = 0.025,
        min_alpha: float = 1e-4,
        epochs: int = 5,
        ns_exponent: float = 0.75,
        random_state: int = 0,
        progress: bool = True,
    ) -> None:
        self.vector_size = vector_size
        self.window = window
        self.sg = sg
        self.negative = negative
        self.min_count = min_count
        self.sample = sample
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.epochs = epochs
        self.ns_exponent = ns_exponent
        self.random_state = random_state
        self.progress = progress

    def _check_params(self) -> None:
        """Validate every hyperparameter (type, finiteness, range); raise naming the argument."""
        check_int("vector_size", self.vector_size, 1, 10_000)
        check_int("window", self.window, 1, 1000)
        check_int("sg", self.sg, 0, 1, hint=" (1 = skip-gram, 0 = CBOW)")
        check_int("negative", self.negative, 1, 100, hint=" (this class has no hierarchical softmax)")
        check_int("min_count", self.min_count, 1, None)
        check_float("sample", self.sample, 0.0, 1.0, high_open=True)
        alpha = check_float("alpha", self.alpha, 0.0, 1.0, low_open=True)
        check_float("min_alpha", self.min_alpha, 0.0, None)
        if self.min_alpha > alpha:
            raise ValueError(
                f"min_alpha must be a finite float in [0, alpha] = [0, {alpha:g}]; got {self.min_alpha!r}."
            )
        check_int("epochs", self.epochs, 1, 10_000)
        check_float("ns_exponent", self.ns_exponent, -10.0, 10.0)
        check_seed("random_state", self.random_state)
        check_bool("progress", self.progress)

    def fit(self, X: Iterable[Sequence[str]], y: None = None) -> Word2Vec:
        """Build the vocabulary from the tokenised corpus ``X`` and train the vectors.

        Parameters
        ----------
        X : iterable of list of str
            The corpus: tokenised sentences (windows never cross a sentence boundary); what
            gensim calls ``sentences``, named ``X`` as in scikit-learn.
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
            A hyperparameter out of range, NaN or infinite; an empty corpus; ``min_count``
            leaving no words.
        """
        self._check_params()
        sentences = check_sentences(X, "X")
        vocab = Vocabulary.build(sentences, min_count=self.min_count)
        ids, offsets = vocab.encode(sentences)
        self.vocabulary_ = vocab
        self._train(ids, offsets, vocab)
        return self

    def _train(self, ids: np.ndarray, offsets: np.ndarray, vocab: Vocabulary) -> None:
        from embedcourse.vectors import WordVectors

        rng = check_random_state(self.random_state)
        V, d = len(vocab), int(self.vector_size)
        syn0 = ((rng.random((V, d), dtype=np.float32) * 2.0 - 1.0) / d).astype(np.float32)
        syn1 = np.zeros((V, d), dtype=np.float32)
        keep = subsample_probs(vocab.counts, self.sample)
        keep_int = np.minimum(np.round(keep * (2**32 - 1)), 2**32 - 1).astype(np.uint32)
        cum = negative_table(vocab.counts, power=self.ns_exponent)
        state = np.array([rng.integers(1, 2**48)], dtype=np.uint64)
        from embedcourse.models._word2vec_kernels import _sigmoid_tables, _train_block, check_train_inputs, warm_up

        sig, logsig = _sigmoid_tables()
        lengths = np.diff(offsets)
        max_len = int(lengths.max()) if lengths.size else 0
        buf = np.zeros(max(max_len, 1), dtype=np.int32)
        reduced = np.zeros(max(max_len, 1), dtype=np.int64)
        work = np.zeros(d, dtype=np.float32)
        neu1 = np.zeros(d, dtype=np.float32)
        n_words = int(ids.shape[0])
        if n_words == 0:
            raise ValueError("no in-vocabulary words to train on.")
        # the kernel does not check indices: check every array once, here
        check_train_inputs(ids, offsets, syn0, syn1, cum, keep_int, int(self.window), int(self.negative),
                           state, sig, logsig, buf, reduced, work, neu1)
        total = float(n_words) * self.epochs
        # cut each epoch into blocks of about equal word counts (for the loss curve)
        per_epoch = max(1, int(math.ceil(100 / self.epochs)))
        cuts = np.unique(np.searchsorted(offsets, np.linspace(0, n_words, per_epoch + 1), side="left"))
        cuts[0], cuts[-1] = 0, len(offsets) - 1
        cuts = np.unique(cuts)
        losses, words_hist = [], []
        done = 0
        next_report = 0.2
        name = "skip-gram" if self.sg else "CBOW"
        # compile (or load) the kernel on a dummy corpus first: the clock measures training only
        warm_up(ids, offsets, syn0, cum, keep_int, state, sig, buf, reduced, self.sg)
        t0 = time.perf_counter()
        for epoch in range(self.epochs):
            for b in range(len(cuts) - 1):
                seen, loss, pairs = _train_block(
                    ids, offsets, int(cuts[b]), int(cuts[b + 1]), syn0, syn1, cum, keep_int,
                    int(self.sg), int(self.window), int(self.negative), float(self.alpha),
                    float(self.min_alpha), float(done), total, state, sig, logsig,
                    buf, reduced, work, neu1,
                )
                if seen < 0:  # pragma: no cover - check_train_inputs rejects this first
                    raise RuntimeError("word2vec kernel: arrays do not fit together (see check_train_inputs).")
                done += seen
                losses.append(loss / max(pairs, 1))
                words_hist.append(done)
                if self.progress and done / total >= next_report - 1e-9:
                    print(
                        f"word2vec {name}: {done / total:4.0%} of {int(total):,} words "
                        f"(epoch {epoch + 1}/{self.epochs}), loss {losses[-1]:.3f}",
                        file=sys.stdout,
                        flush=True,
                    )
                    while next_report <= done / total + 1e-9:
                        next_report += 0.2
        self.train_time_ = time.perf_counter() - t0
        self.words_per_second_ = total / max(self.train_time_, 1e-9)
        self.loss_history_ = np.asarray(losses)
        self.words_history_ = np.asarray(words_hist, dtype=np.int64)
        self.output_vectors_ = syn1
        self.wv_ = WordVectors(syn0, list(vocab.words))

    def __repr__(self) -> str:
        return (
            f"Word2Vec(vector_size={self.vector_size}, window={self.window}, sg={self.sg}, "
            f"negative={self.negative}, min_count={self.min_count}, sample={self.sample}, "
            f"epochs={self.epochs}, random_state={self.random_state})"
        )
