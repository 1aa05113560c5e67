"""Laplacian eigenmaps: the spectral embedding of a graph (Belkin and Niyogi, 2003).

Place node ``i`` at ``y_i`` so that nodes joined by heavy edges land close together::

    minimise  sum_ij A_ij ||y_i - y_j||^2 = 2 tr(Y^T L Y)   subject to  Y^T D Y = I,

with the degree matrix ``D = diag(A 1)`` and the Laplacian ``L = D - A``. The constraint
fixes the scale (and rules out collapsing every node to one point); Lagrange multipliers turn
the problem into the generalised eigenproblem ``L y = lambda D y``. The smallest eigenvalue is
0 with a constant eigenvector (it places every node at the same point), so the embedding is
the next ``n_components`` eigenvectors. This is what scikit-learn's ``SpectralEmbedding``
computes (it solves the equivalent problem on the normalised Laplacian), up to the sign and
scale of each column.

Taught in: chapter 05.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_int
from embedcourse.graph._checks import check_adjacency

__all__ = ["laplacian_eigenmaps"]


def laplacian_eigenmaps(A: npt.ArrayLike, n_components: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Embed the nodes of an undirected graph with the generalised eigenvectors of ``L y = lambda D y``.

    Parameters
    ----------
    A : array-like or scipy sparse matrix, shape (n, n)
        Symmetric adjacency matrix with non-negative weights, no self-loops, no isolated node.
    n_components : int in [1, n - 1]
        Embedding dimension d (the trivial constant eigenvector is dropped).

    Returns
    -------
    Y : numpy.ndarray of float64, shape (n, n_components)
        The embedding, scaled so that ``Y.T @ D @ Y = I``; each column's sign is fixed so that
        its entry of largest magnitude is positive (eigenvectors have no sign of their own).
    eigenvalues : numpy.ndarray of float64, shape (n_components,)
        The matching eigenvalues, ascending, in [0, 2]. The first (the "algebraic
        connectivity" of the normalised Laplacian) is small when the graph has a weak cut.

    Notes
    -----
    Dense ``scipy.linalg.eigh`` in float64: fine for graphs of a few thousand nodes. A
    disconnected graph has several zero eigenvalues; its embedding then separates the
    components and says nothing within them.

    Taught in: chapter 05.
    """
    from scipy.linalg import eigh

    W = check_adjacency(A, "A")
    n = W.shape[0]
    k = check_int("n_components", n_components, 1, n - 1)
    deg = W.sum(axis=1)
    L = np.diag(deg) - W
    vals, vecs = eigh(L, np.diag(deg), subset_by_index=[0, k])
    Y = vecs[:, 1:]
    signs = np.sign(Y[np.argmax(np.abs(Y), axis=0), np.arange(k)])
    signs[signs == 0] = 1.0
    return Y * signs, np.clip(vals[1:], 0.0, None)
