"""The harness's encoding step: each distinct text encoded once, checked, rows L2-normalised.

Dense outputs stay dense (float64). Sparse outputs (scipy.sparse, e.g. TF-IDF with tens of
thousands of columns) stay sparse (CSR, float64) through normalisation and the products the
tasks need, so a wide bag-of-words model is never densified: 1,000 TF-IDF rows of 12,000
columns are a few hundred kilobytes sparse and ~100 MB dense.

Private helpers of :mod:`embedcourse.evaluation.harness`. Taught in: chapter 09.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from embedcourse.cache import cache_array, content_hash
from embedcourse.evaluation.encoders import TfidfEncoder

__all__: list[str] = []

Rows = Any  # np.ndarray (n, d) float64, or scipy.sparse.csr_array (n, d) float64


def _check_shape(shape: tuple[int, ...], n: int) -> None:
    if len(shape) != 2 or shape[0] != n or shape[1] == 0:
        raise ValueError(f"model.encode returned shape {shape} for {n} texts; "
                         f"expected (n_texts, d) = ({n}, d).")


def _as_rows(out: Any, n: int) -> Rows:
    """The model's output as float64 rows (dense ndarray or CSR), shape and finiteness checked."""
    if sp.issparse(out):
        if out.dtype.kind not in "biuf":
            raise TypeError(f"model.encode returned a sparse matrix of {out.dtype}, not of real numbers.")
        _check_shape(out.shape, n)
        X = sp.csr_array(out, dtype=np.float64, copy=True)
        X.sum_duplicates()
        if not np.isfinite(X.data).all():
            raise ValueError("model.encode returned NaN or infinity; the model must give finite vectors.")
        return X
    if hasattr(out, "toarray"):
        out = out.toarray()
    if hasattr(out, "detach"):
        out = out.detach().cpu().numpy()
    try:
        D = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"model.encode returned {type(out).__name__}, not an array of numbers; "
                        f"it must return an array of shape (n_texts, d).") from None
    _check_shape(D.shape, n)
    if not np.isfinite(D).all():
        raise ValueError("model.encode returned NaN or infinity; the model must give finite vectors.")
    return D


def _normalise(X: Rows) -> Rows:
    """Unit rows (zero rows stay zero); scaled by the largest |value| first so huge values cannot overflow."""
    if not sp.issparse(X):
        scale = np.abs(X).max(axis=1, keepdims=True)
        Y = X / np.where(scale > 0, scale, 1.0)
        norms = np.linalg.norm(Y, axis=1, keepdims=True)
        return Y / np.where(norms > 0, norms, 1.0)
    Y = X.copy()
    counts = np.diff(Y.indptr)
    starts = Y.indptr[:-1][counts > 0]
    scale = np.ones(Y.shape[0])
    scale[counts > 0] = np.maximum.reduceat(np.abs(Y.data), starts) if starts.size else 1.0
    scale[scale == 0] = 1.0
    Y.data /= np.repeat(scale, counts)
    norms = np.ones(Y.shape[0])
    norms[counts > 0] = np.sqrt(np.add.reduceat(Y.data * Y.data, starts)) if starts.size else 1.0
    norms[norms == 0] = 1.0
    Y.data /= np.repeat(norms, counts)
    return Y


def _pack(X: sp.csr_array) -> np.ndarray:
    """A CSR matrix as one 1-d float64 array (for the .npy disk cache): n, d, nnz, indptr, indices, data."""
    n, d = X.shape
    return np.concatenate([[n, d, X.nnz], X.indptr, X.indices, X.data]).astype(np.float64)


def _unpack(a: np.ndarray) -> sp.csr_array:
    n, d, nnz = (int(v) for v in a[:3])
    itype = np.int32 if max(d, nnz) < np.iinfo(np.int32).max else np.int64   # scikit-learn wants int32
    indptr = a[3:4 + n].astype(itype)
    indices = a[4 + n:4 + n + nnz].astype(itype)
    return sp.csr_array((a[4 + n + nnz:], indices, indptr), shape=(n, d))


def densify(A: Rows) -> np.ndarray:
    return A.toarray() if sp.issparse(A) else A


def scores(A: Rows, B: Rows) -> np.ndarray:
    """Dense (n_a, n_b) inner products of two row sets (sparse @ sparse.T stays sparse until the end)."""
    if sp.issparse(A) and sp.issparse(B):
        return np.asarray((A @ B.T).toarray(), dtype=np.float64)
    return np.asarray(densify(A) @ densify(B).T, dtype=np.float64)


def row_dots(A: Rows, B: Rows) -> np.ndarray:
    """Inner product of row i of A with row i of B, for every i: shape (n,)."""
    if sp.issparse(A) and sp.issparse(B):
        return np.asarray(A.multiply(B).sum(axis=1), dtype=np.float64).reshape(-1)
    return np.asarray((densify(A) * densify(B)).sum(axis=1), dtype=np.float64)


# sparse rows up to this many are compacted like dense ones (a Gram matrix of n x n and its
# eigendecomposition: ~0.2 s for 1,000 rows); more rows go to scikit-learn as CSR as they are
_SPARSE_COMPACT_MAX = 2000


def compact(E: Rows) -> Rows:
    """Rows with the same inner products (so the same distances) in at most n dimensions.

    Wide embeddings (TF-IDF: tens of thousands of columns) make k-means and the logistic
    regression slow; both depend on the rows only through distances and inner products (the
    L2-penalised regression's weights lie in the span of its rows), so the rows' coordinates in
    an orthonormal basis of their span, from the eigendecomposition of the Gram matrix, give
    the same fit (up to scikit-learn's stopping rules, which scale with the number of columns:
    hence the same reduction for sparse and dense rows, so both give the same figures). The Gram
    matrix of sparse rows is a sparse product; beyond ``_SPARSE_COMPACT_MAX`` rows, sparse rows
    go to scikit-learn's sparse code paths as they are.
    """
    n, d = E.shape
    if d <= n:
        return E
    if sp.issparse(E):
        if n > _SPARSE_COMPACT_MAX:
            return E
        G = np.asarray((E @ E.T).toarray(), dtype=np.float64)
    else:
        G = E @ E.T
    w, V = np.linalg.eigh(G)
    return np.ascontiguousarray(V * np.sqrt(np.clip(w, 0.0, None)))


class Embedder:
    """Encode each distinct text once (per evaluate call), check the output, L2-normalise rows.

    A :class:`~embedcourse.evaluation.TfidfEncoder` is asked for sparse rows; any model whose
    ``encode`` returns a scipy.sparse matrix keeps it sparse. Calling returns the rows of the
    given texts: a float64 ndarray, or a CSR array when every row seen so far is sparse (a
    model that mixes both is densified).
    """

    def __init__(self, model: Any, cache_name: str | None) -> None:
        self.model, self.cache_name = model, cache_name
        self.index: dict[str, int] = {}
        self.blocks: list[Rows] = []
        self._all: Rows | None = None
        self.dim: int | None = None

    def _raw(self, texts: list[str]) -> Rows:
        if isinstance(self.model, TfidfEncoder):
            return _as_rows(self.model.encode(texts, sparse=True), len(texts))
        return _as_rows(self.model.encode(texts), len(texts))

    def _encode(self, texts: list[str]) -> Rows:
        if self.cache_name is None:
            return self._raw(texts)
        # the model's class is part of the key: two kinds of model given one name by mistake
        # must not read each other's vectors
        kind = f"{type(self.model).__module__}.{type(self.model).__qualname__}"
        parts: list[Any] = ["evaluation-encode", self.cache_name, kind, texts]
        if isinstance(self.model, TfidfEncoder):
            parts.insert(3, "sparse")
        key = content_hash(*parts)
        stored = cache_array(key, lambda: self._stored(texts), namespace="evaluation")
        return _unpack(stored) if stored.ndim == 1 else np.asarray(stored, np.float64)

    def _stored(self, texts: list[str]) -> np.ndarray:
        X = self._raw(texts)
        return _pack(X) if sp.issparse(X) else X

    def _matrix(self) -> Rows:
        if self._all is None:
            if all(sp.issparse(b) for b in self.blocks):
                self._all = sp.csr_array(sp.vstack(self.blocks, format="csr"))
            else:
                self._all = np.vstack([densify(b) for b in self.blocks])
        return self._all

    def __call__(self, texts: Sequence[str]) -> Rows:
        missing = list(dict.fromkeys(t for t in texts if t not in self.index))
        if missing:
            X = self._encode(missing)
            if self.dim is not None and X.shape[1] != self.dim:
                raise ValueError(f"model.encode returned vectors of dimension {X.shape[1]} after {self.dim}; "
                                 f"it must always return the same dimension.")
            self.dim = X.shape[1]
            start = sum(b.shape[0] for b in self.blocks)
            self.blocks.append(_normalise(X))
            self._all = None
            for i, t in enumerate(missing):
                self.index[t] = start + i
        M = self._matrix()
        return M[np.fromiter((self.index[t] for t in texts), dtype=np.int64, count=len(texts))]
