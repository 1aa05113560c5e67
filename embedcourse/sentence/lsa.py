"""Latent semantic analysis: a truncated SVD of the TF-IDF matrix (Deerwester et al. 1990).

Computed with the randomised range finder of Halko et al. (2011), the default algorithm of
``sklearn.decomposition.TruncatedSVD``, written out in :func:`randomized_svd`.
:class:`LSAEmbedder` is scikit-learn style (``fit(X)``, ``transform(X)``).

Taught in: chapter 03.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_matrix, check_int, check_random_state, check_texts
from embedcourse.sentence._common import check_fitted, flip_signs
from embedcourse.sentence.tfidf import TfidfEmbedder

if TYPE_CHECKING:  # pragma: no cover
    import scipy.sparse

__all__ = ["LSAEmbedder", "randomized_svd"]


def randomized_svd(
    X: npt.ArrayLike | scipy.sparse.spmatrix,
    n_components: int,
    *,
    n_oversamples: int = 10,
    n_iter: int = 5,
    random_state: int | np.random.Generator | None = 0,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
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
    A: Any = X  # a numpy array or a scipy sparse matrix: both support @, .T and .shape
    if not (hasattr(A, "tocsr") and hasattr(A, "shape")):  # scipy sparse matrices pass as they are
        A = as_matrix(A, "X", dtype=None)
    elif A.shape[0] == 0 or A.shape[1] == 0 or not np.isfinite(A.data).all():
        raise ValueError(f"X must be a non-empty matrix of finite numbers; got shape {A.shape}.")
    n_components = check_int("n_components", n_components, 1, min(A.shape),
                             hint=" (at most the smaller dimension of X)")
    rng = check_random_state(random_state)
    n, m = A.shape
    r = min(n_components + n_oversamples, n, m)
    Q = A @ rng.standard_normal((m, r))
    Q, _ = np.linalg.qr(np.asarray(Q))
    for _ in range(n_iter):  # power iterations (X X^T) Q sharpen the spectrum; QR keeps them stable
        Q, _ = np.linalg.qr(np.asarray(A @ np.asarray(A.T @ Q)))
    B = np.asarray((A.T @ Q).T)  # (r, m) = Q^T X
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

    def fit(self, X: Iterable[str], y: None = None) -> LSAEmbedder:
        """Fit TF-IDF and the truncated SVD on the texts ``X`` (list of str, length n); ``y`` is ignored."""
        texts = check_texts(X, "X")
        k = self.n_components
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"n_components must be a positive int; got {k!r}.")
        tfidf = TfidfEmbedder(dense=False, **self.tfidf_params).fit(texts)
        T = tfidf.transform(texts)
        if k >= min(T.shape):
            raise ValueError(
                f"n_components={k} is too large for {T.shape[0]} documents and {T.shape[1]} terms; "
                f"use at most {min(T.shape) - 1}."
            )
        _, s, Vt = randomized_svd(
            T, k, n_oversamples=self.n_oversamples, n_iter=self.n_iter, random_state=self.random_state
        )
        self.tfidf_ = tfidf
        self.components_ = flip_signs(Vt)
        self.singular_values_ = s
        Z = np.asarray(T @ self.components_.T)
        self.explained_variance_ = Z.var(axis=0)
        Td2 = np.asarray(T.multiply(T).mean(axis=0)).ravel()
        total = float((Td2 - np.asarray(T.mean(axis=0)).ravel() ** 2).sum())
        self.explained_variance_ratio_ = self.explained_variance_ / total
        return self

    def transform(self, X: Iterable[str]) -> npt.NDArray[np.float64]:
        """LSA vectors of the texts ``X``: array of shape (n, n_components), float64."""
        check_fitted(self, "components_")
        T = self.tfidf_.transform(check_texts(X, "X"))
        return np.asarray(T @ self.components_.T)

    def fit_transform(self, X: Iterable[str], y: None = None) -> npt.NDArray[np.float64]:
        """``fit(X).transform(X)``."""
        texts = check_texts(X, "X")
        return self.fit(texts).transform(texts)
