"""k-means clustering, the trainer behind IVF's coarse quantiser and PQ's codebooks.

Lloyd's algorithm, written the way faiss's ``Clustering`` does it, so that ours and faiss's
give comparable centroids on the same data:

1. **sample**: at most ``max_points_per_centroid * n_clusters`` training points are used (a
   seeded sample; faiss's default of 256 per centroid), since more points barely move the
   centroids and every iteration costs ``n * n_clusters * d``;
2. **initialise**: ``init="random"`` picks ``n_clusters`` distinct sample points (faiss), or
   ``init="k-means++"`` picks them one by one with probability proportional to the squared
   distance to the nearest centroid so far (Arthur & Vassilvitskii 2007; scikit-learn);
3. **assign** every point to its nearest centroid (one matrix product per block of points:
   ``||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2``, or the largest ``x.c`` when ``spherical``);
4. **update** each centroid to the mean of its points (sums in float64); a centroid left with
   no point takes half of a big cluster (faiss's split: a copy of a centroid chosen with
   probability proportional to its cluster size, both nudged apart by a factor ``1 +- 1/1024``);
   with ``spherical=True`` the centroids are scaled to unit length (faiss's spherical k-means,
   used for inner-product IVF);
5. repeat 3-4 ``n_iter`` times (faiss runs a fixed number of iterations; we also stop when no
   assignment changes and no centroid was split).

Taught in: chapter 07.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse.ann._checks import MAX_NORM
from embedcourse._validation import as_matrix, check_bool, check_choice, check_int, check_random_state, check_seed

__all__ = ["KMeans"]

#: blocks of points are assigned so that the (block, n_clusters) float32 scores stay under this
BLOCK_BYTES = 32 * 2**20
_SPLIT_EPS = 1.0 / 1024.0


def assign(x: np.ndarray, centroids: np.ndarray, spherical: bool,
           with_dist: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centroid of each row of ``x`` and its squared distance (float64), blocked.

    ``spherical``: the centroid with the largest inner product (faiss's ``IndexFlatIP``
    quantiser); the distance returned is still the squared Euclidean one (zeros when
    ``with_dist`` is False: the Lloyd iterations need only the labels).
    """
    n, k = x.shape[0], centroids.shape[0]
    c_sq = np.einsum("ij,ij->i", centroids, centroids, dtype=np.float64)
    labels = np.empty(n, dtype=np.int64)
    dist = np.empty(n, dtype=np.float64)
    rows = max(1, BLOCK_BYTES // (4 * k))
    cT = centroids.T
    for start in range(0, n, rows):
        xb = x[start : start + rows]
        S = xb @ cT
        if spherical:
            lab = np.argmax(S, axis=1)
        else:
            S *= np.float32(-2.0)
            S += c_sq.astype(np.float32)
            lab = np.argmin(S, axis=1)
        labels[start : start + rows] = lab
        if with_dist:  # the distance of the chosen pair, recomputed in float64
            diff = xb.astype(np.float64) - centroids[lab].astype(np.float64)
            dist[start : start + rows] = np.einsum("ij,ij->i", diff, diff)
    if not with_dist:
        dist[:] = 0.0
    return labels, dist


def _kmeans_pp(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding: each next centroid drawn with probability ~ D(x)^2 (float64)."""
    n = x.shape[0]
    x64 = x.astype(np.float64)
    x_sq = np.einsum("ij,ij->i", x64, x64)
    chosen = [int(rng.integers(n))]
    closest = np.maximum(x_sq - 2 * x64 @ x64[chosen[0]] + x_sq[chosen[0]], 0.0)
    for _ in range(1, k):
        total = closest.sum()
        if total <= 0:  # every point sits on a centroid already: take any unused one
            unused = np.setdiff1d(np.arange(n), chosen)
            chosen.append(int(unused[0]))
            continue
        i = int(np.searchsorted(np.cumsum(closest), rng.random() * total, side="right"))
        i = min(i, n - 1)
        chosen.append(i)
        closest = np.minimum(closest, np.maximum(x_sq - 2 * x64 @ x64[i] + x_sq[i], 0.0))
    return x[np.array(chosen)].copy()


class KMeans:
    """k-means with faiss's recipe (sampling, random init, empty-cluster splitting).

    Parameters
    ----------
    n_clusters : int
        Number of centroids ``k``.
    n_iter : int, default 25
        Lloyd iterations (faiss: 25 for ``faiss.Kmeans`` and PQ codebooks, 10 for IVF).
    init : {"random", "k-means++"}, default "random"
        Initial centroids: distinct random sample points (faiss) or k-means++ (scikit-learn).
    spherical : bool, default False
        Assign by the largest inner product and keep centroids at unit length (for
        inner-product and cosine search).
    max_points_per_centroid : int, default 256
        Train on a seeded sample of at most this many points per centroid (faiss's default).
    random_state : int or numpy.random.Generator, default 0
        Seed for the sample and the initialisation.

    Attributes
    ----------
    cluster_centers_ : numpy.ndarray of float32, shape (n_clusters, d)
    labels_ : numpy.ndarray of int64, shape (n,)
        Nearest centroid of every training point (all points, not only the sample).
    inertia_ : float
        Sum of squared Euclidean distances of all training points to their centroid (float64).
    n_iter_ : int
        Iterations run (fewer than ``n_iter`` when the assignment stopped changing).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((5, 2)), np.ones((5, 2)) * 10]
    >>> km = KMeans(2, random_state=0).fit(X)
    >>> sorted(km.cluster_centers_[:, 0].tolist())
    [0.0, 10.0]

    Taught in: chapter 07.
    """

    def __init__(self, n_clusters: int, n_iter: int = 25, init: str = "random", spherical: bool = False,
                 max_points_per_centroid: int = 256, random_state: int | np.random.Generator | None = 0) -> None:
        self.n_clusters = n_clusters
        self.n_iter = n_iter
        self.init = init
        self.spherical = spherical
        self.max_points_per_centroid = max_points_per_centroid
        self.random_state = random_state

    def fit(self, X: npt.ArrayLike, y: Any = None) -> KMeans:
        """Learn ``n_clusters`` centroids from the rows of ``X`` (shape (n, d)); returns ``self``."""
        k = check_int("n_clusters", self.n_clusters, 1)
        n_iter = check_int("n_iter", self.n_iter, 1, 10_000)
        check_choice("init", self.init, ("random", "k-means++"))
        spherical = check_bool("spherical", self.spherical)
        max_pts = check_int("max_points_per_centroid", self.max_points_per_centroid, 1)
        check_seed("random_state", self.random_state)
        x = _finite_matrix(X)
        n = x.shape[0]
        if k > n:
            raise ValueError(f"n_clusters={k} is larger than the number of training points in X "
                             f"(n={n}); k-means needs at least one point per centroid.")
        rng = check_random_state(self.random_state)
        xs = x
        if n > k * max_pts:  # faiss: "sampling a subset of k * max_points_per_centroid points"
            xs = x[np.sort(rng.choice(n, size=k * max_pts, replace=False))]
        if self.init == "random":
            C = xs[np.sort(rng.choice(xs.shape[0], size=k, replace=False))].copy()
        else:
            C = _kmeans_pp(xs, k, rng)
        if spherical:
            C = _unit_rows(C)
        xT = np.ascontiguousarray(xs.T)  # one row per dimension, for the bincount sums
        labels = np.full(xs.shape[0], -1, dtype=np.int64)
        self.n_iter_ = 0
        split = False
        for _ in range(n_iter):
            new, _ = assign(xs, C, spherical, with_dist=False)
            self.n_iter_ += 1
            if np.array_equal(new, labels) and not split:  # converged (and no centroid was just split)
                break
            labels = new
            C, split = self._update(xT, labels, C, k, rng)
        self.cluster_centers_ = C
        self.labels_, dist = assign(x, C, spherical)
        self.inertia_ = float(dist.sum())
        return self

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Index of the nearest centroid of each row of ``X`` (largest inner product if ``spherical``)."""
        if not hasattr(self, "cluster_centers_"):
            raise RuntimeError("KMeans must be fitted before predict: call fit(X) first.")
        x = _finite_matrix(X)
        d = self.cluster_centers_.shape[1]
        if x.shape[1] != d:
            raise ValueError(f"X must have {d} columns like the training data; got shape {x.shape}.")
        return assign(x, self.cluster_centers_, bool(self.spherical), with_dist=False)[0]

    def _update(self, xT: np.ndarray, labels: np.ndarray, C: np.ndarray, k: int,
                rng: np.random.Generator) -> tuple[np.ndarray, bool]:
        """New centroids (means; empty clusters split off big ones) and whether any was split."""
        counts = np.bincount(labels, minlength=k).astype(np.float64)
        sums = np.stack([np.bincount(labels, weights=row, minlength=k) for row in xT], axis=1)
        new = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], C.astype(np.float64))
        split_any = False
        for e in np.flatnonzero(counts == 0):  # faiss's split of a big cluster into two
            p = np.maximum(counts - 1, 0)
            j = int(rng.choice(k, p=p / p.sum())) if p.sum() > 0 else int(np.argmax(counts))
            sign = np.where(np.arange(new.shape[1]) % 2 == 0, 1.0, -1.0)
            new[e] = new[j] * (1 + sign * _SPLIT_EPS)
            new[j] = new[j] * (1 - sign * _SPLIT_EPS)
            counts[e] = counts[j] // 2
            counts[j] -= counts[e]
            split_any = True
        out = new.astype(np.float32)
        return (_unit_rows(out) if self.spherical else out), bool((counts == 0).any() or split_any)


def _finite_matrix(X: Any) -> np.ndarray:
    """``X`` as a float32 (n, d) matrix whose squared norms fit in float32 (named ``X`` in errors)."""
    x = np.ascontiguousarray(as_matrix(X, "X", dtype=np.float32))  # BLAS wants contiguous rows
    norms = np.sqrt(np.einsum("ij,ij->i", x, x, dtype=np.float64))
    if norms.max() > MAX_NORM:
        raise ValueError(f"X row {int(np.argmax(norms))} has norm {norms.max():.3g}, too large for "
                         f"float32 distances (at most {MAX_NORM:g}); rescale the vectors.")
    return x


def _unit_rows(C: np.ndarray) -> np.ndarray:
    norms = np.sqrt(np.einsum("ij,ij->i", C, C, dtype=np.float64))
    return (C / np.where(norms > 0, norms, 1.0)[:, None]).astype(np.float32)
