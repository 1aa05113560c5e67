"""Count-based word vectors: positive pointwise mutual information (PPMI) and a truncated SVD.

The baseline that word2vec and GloVe are measured against (Levy, Goldberg and Dagan, 2015):

1. count co-occurrences in a window (:func:`embedcourse.models.cooccurrence_matrix`, the same
   ``1 / distance`` weighted counts GloVe fits);
2. turn counts into positive PMI (:func:`ppmi_matrix`), with

   ``PMI(w, c) = log( X_wc * sum_c' X_.c'^alpha / (X_w. * X_.c^alpha) ) - log(shift)``

   where ``X_w.`` and ``X_.c`` are row and column sums of the counts (``alpha = 0.75`` is the
   *context distribution smoothing* that mirrors word2vec's unigram^0.75 noise, ``shift`` is
   the number of negatives ``K`` of the shifted PMI that SGNS factorises); only positive values
   are kept, so the matrix stays as sparse as the counts;
3. factorise it with a truncated SVD (:func:`svd_embedding`, randomized by default, ARPACK on
   request): ``M ~ U_d S_d V_d^T`` and the word
   vectors are ``U_d S_d^p`` (``p = 0.5``, "eigenvalue weighting", works better than ``p = 1``).

:class:`PPMISVD` runs the three steps on a tokenised corpus, scikit-learn style.

Oracles (``tests/test_ppmi.py``): a dense numpy formula for the PPMI matrix, and scikit-learn's
``TruncatedSVD`` / numpy's full SVD for the factorisation (equal up to the sign of each column).

Taught in: chapter 02.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import (
    check_choice,
    check_float,
    check_int,
    check_random_state,
    check_seed,
    check_sentences,
)
from embedcourse.text.vocabulary import Vocabulary

__all__ = ["PPMISVD", "ppmi_matrix", "svd_embedding"]


def _as_sparse(x: Any, name: str, *, counts: bool) -> Any:
    """``x`` as a float64 CSR matrix, or a clear error naming ``name``.

    ``counts=True`` also requires non-negative entries and a positive total.
    """
    import scipy.sparse as sp

    if sp.issparse(x):
        M = sp.csr_matrix(x, dtype=np.float64) if x.dtype.kind in "biuf" else None
        if M is None:
            raise TypeError(f"{name} must be a real-valued matrix; got dtype {x.dtype}.")
    else:
        if isinstance(x, (str, bytes)) or x is None:
            raise TypeError(f"{name} must be a 2-d numeric matrix (numpy array or scipy.sparse); got {type(x).__name__}.")
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError):
            raise TypeError(f"{name} must be a 2-d numeric matrix (ragged input?).") from None
        if arr.dtype == bool or arr.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be a real-valued 2-d matrix; got dtype {arr.dtype}.")
        if arr.ndim != 2:
            raise ValueError(f"{name} must be 2-d; got shape {arr.shape}.")
        M = sp.csr_matrix(arr.astype(np.float64))
    if M.shape[0] == 0 or M.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-d matrix; got shape {M.shape}.")
    if M.nnz and not np.isfinite(M.data).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    if counts:
        if M.nnz and M.data.min() < 0:
            raise ValueError(f"{name} must be non-negative (co-occurrence counts).")
        if M.nnz == 0 or M.data.sum() <= 0:
            raise ValueError(f"{name} must contain at least one positive entry.")
    return M


def ppmi_matrix(counts: Any, alpha: float = 0.75, shift: float = 1.0) -> Any:
    """Positive (shifted) PMI of a co-occurrence count matrix, sparse.

    Parameters
    ----------
    counts : scipy.sparse matrix or array-like, shape (V, C)
        Non-negative co-occurrence counts ``X[w, c]`` (rows: words, columns: contexts).
    alpha : float in (0, 1]
        Context distribution smoothing: column sums are raised to ``alpha`` (1 = plain PMI).
    shift : float >= 1
        Subtract ``log(shift)`` before clipping at zero (SGNS with ``K`` negatives factorises
        PMI shifted by ``log K``).

    Returns
    -------
    scipy.sparse.csr_matrix, shape (V, C), float64
        ``max(0, PMI - log(shift))`` on the non-zero counts; zeros elsewhere (a zero count has
        PMI minus infinity, clipped to 0).

    Taught in: chapter 02.
    """
    M = _as_sparse(counts, "counts", counts=True)
    alpha = check_float("alpha", alpha, 0.0, 1.0, low_open=True)
    shift = check_float("shift", shift, 1.0, None)
    row = np.asarray(M.sum(axis=1)).ravel()
    col = np.asarray(M.sum(axis=0)).ravel() ** alpha
    coo = M.tocoo()
    keep = coo.data > 0
    r, c, x = coo.row[keep], coo.col[keep], coo.data[keep]
    # log P(w, c) - log P(w) - log P_alpha(c), with P(w, c) = x / total, P(w) = row / total
    pmi = np.log(x) - np.log(row[r]) - np.log(col[c]) + np.log(col.sum()) - np.log(shift)
    pos = pmi > 0
    import scipy.sparse as sp

    out = sp.csr_matrix((pmi[pos], (r[pos], c[pos])), shape=M.shape)
    out.sort_indices()
    return out


def svd_embedding(
    M: Any,
    n_components: int = 100,
    eig_power: float = 0.5,
    algorithm: str = "randomized",
    random_state: int | np.random.Generator | None = 0,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Truncated SVD ``M ~ U S V^T``: the rows of ``U S^eig_power`` as vectors.

    Each singular vector's sign is fixed so that its entry of largest absolute value is
    positive (an SVD is unique only up to those signs).

    Parameters
    ----------
    M : scipy.sparse matrix or array-like, shape (V, C)
    n_components : int in [1, min(V, C) - 1]
    eig_power : float in [0, 1]
        ``0`` keeps only the singular vectors, ``1`` scales them by the singular values.
    algorithm : {"randomized", "arpack"}
        ``"randomized"``: scikit-learn's randomized SVD (Halko et al.; 4 power iterations,
        10 extra columns), fast and accurate for the leading components;
        ``"arpack"``: ``scipy.sparse.linalg.svds``, exact to solver tolerance but several times
        slower on a large PPMI matrix.
    random_state : None, int or numpy.random.Generator
        Seeds either solver (the randomized projection, or ARPACK's start vector).

    Returns
    -------
    vectors : numpy.ndarray, shape (V, n_components), float64
    singular_values : numpy.ndarray, shape (n_components,), descending

    Taught in: chapter 02.
    """
    A = _as_sparse(M, "M", counts=False)
    if A.nnz == 0:
        raise ValueError("M is all zeros: it has no singular vectors to keep.")
    if min(A.shape) < 2:
        raise ValueError(f"M must have at least 2 rows and 2 columns for a truncated SVD; got shape {A.shape}.")
    n_components = check_int("n_components", n_components, 1, min(A.shape) - 1)
    eig_power = check_float("eig_power", eig_power, 0.0, 1.0)
    algorithm = check_choice("algorithm", algorithm, ("randomized", "arpack"))
    rng = check_random_state(random_state)
    if algorithm == "arpack":
        from scipy.sparse.linalg import svds

        U, S, _ = svds(A, k=n_components, v0=rng.uniform(-1.0, 1.0, min(A.shape)), solver="arpack")
    else:
        from sklearn.utils.extmath import randomized_svd

        U, S, _ = randomized_svd(A, n_components, n_oversamples=10, n_iter=4,
                                 random_state=int(rng.integers(0, 2**31 - 1)))
    order = np.argsort(-S, kind="stable")
    U, S = U[:, order], S[order]
    signs = np.sign(U[np.abs(U).argmax(axis=0), np.arange(U.shape[1])])
    signs[signs == 0] = 1.0
    return (U * signs) * S**eig_power, S


class PPMISVD:
    """PPMI + truncated SVD word vectors, scikit-learn style.

    Parameters
    ----------
    vector_size : int in [1, 10000]
        Dimension d (number of singular vectors kept).
    window : int in [1, 1000]
        Co-occurrence window (``1 / distance`` weighted counts, as GloVe's).
    alpha : float in (0, 1]
        Context distribution smoothing (see :func:`ppmi_matrix`).
    shift : float >= 1
        PMI shift (``log(shift)`` is subtracted).
    eig_power : float in [0, 1]
        Vectors are ``U S^eig_power``.
    algorithm : {"randomized", "arpack"}
        The SVD solver (see :func:`svd_embedding`).
    min_count : int >= 1
        Ignore words rarer than this.
    random_state : None, int in [0, 2**63 - 1] or numpy.random.Generator
        Seeds the randomized SVD.

    Attributes
    ----------
    vocabulary_ : embedcourse.text.Vocabulary
    cooccurrence_ : scipy.sparse.csr_matrix, shape (V, V)
    ppmi_ : scipy.sparse.csr_matrix, shape (V, V)
    singular_values_ : numpy.ndarray, shape (d,)
    wv_ : embedcourse.vectors.WordVectors
        float32 vectors, shape (V, d).

    Taught in: chapter 02.
    """

    def __init__(
        self,
        vector_size: int = 100,
        window: int = 5,
        alpha: float = 0.75,
        shift: float = 1.0,
        eig_power: float = 0.5,
        algorithm: str = "randomized",
        min_count: int = 5,
        random_state: int = 0,
    ) -> None:
        self.vector_size = vector_size
        self.window = window
        self.alpha = alpha
        self.shift = shift
        self.eig_power = eig_power
        self.algorithm = algorithm
        self.min_count = min_count
        self.random_state = random_state

    def _check_params(self) -> None:
        check_int("vector_size", self.vector_size, 1, 10_000)
        check_int("window", self.window, 1, 1000)
        check_float("alpha", self.alpha, 0.0, 1.0, low_open=True)
        check_float("shift", self.shift, 1.0, None)
        check_float("eig_power", self.eig_power, 0.0, 1.0)
        check_choice("algorithm", self.algorithm, ("randomized", "arpack"))
        check_int("min_count", self.min_count, 1, None)
        check_seed("random_state", self.random_state)

    def fit(self, X: Iterable[Sequence[str]], y: None = None) -> PPMISVD:
        """Count co-occurrences in the tokenised corpus ``X``, take PPMI, factorise it.

        Raises
        ------
        TypeError, ValueError
            A bad hyperparameter (named), an untokenised or empty corpus, no co-occurrences,
            or ``vector_size`` not below the vocabulary size.
        """
        from embedcourse.models.glove import cooccurrence_matrix
        from embedcourse.vectors import WordVectors

        self._check_params()
        sentences = check_sentences(X, "X")
        vocab = Vocabulary.build(sentences, min_count=self.min_count)
        if len(vocab) <= self.vector_size:
            raise ValueError(
                f"vector_size ({self.vector_size}) must be below the vocabulary size ({len(vocab)} words "
                f"with min_count={self.min_count})."
            )
        ids, offsets = vocab.encode(sentences)
        C = cooccurrence_matrix(ids, offsets, len(vocab), window=self.window)
        if C.nnz == 0:
            raise ValueError("no co-occurrences: every sentence has fewer than two in-vocabulary words.")
        self.vocabulary_ = vocab
        self.cooccurrence_ = C
        self.ppmi_ = ppmi_matrix(C, alpha=self.alpha, shift=self.shift)
        if self.ppmi_.nnz == 0:
            raise ValueError(f"the PPMI matrix is all zeros: shift={self.shift} is too large for these counts.")
        vectors, self.singular_values_ = svd_embedding(
            self.ppmi_, self.vector_size, self.eig_power, self.algorithm, self.random_state
        )
        self.wv_ = WordVectors(vectors.astype(np.float32), list(vocab.words))
        return self

    def __repr__(self) -> str:
        return (
            f"PPMISVD(vector_size={self.vector_size}, window={self.window}, alpha={self.alpha}, "
            f"shift={self.shift}, eig_power={self.eig_power}, algorithm={self.algorithm!r}, min_count={self.min_count}, "
            f"random_state={self.random_state})"
        )
