"""Product quantisation: each vector stored as ``m`` bytes, searched with lookup tables.

Split the ``d`` dimensions into ``m`` consecutive blocks of ``d / m`` (the *sub-spaces*), run
k-means with ``ksub = 2**nbits`` centroids in each block (the *sub-quantisers*, or codebooks),
and store a vector as the ``m`` indices of its nearest sub-centroids: ``m`` bytes for
``nbits = 8`` instead of ``4 d``. The vector the code stands for is the concatenation of those
sub-centroids.

Searching is *asymmetric* (ADC, Jégou, Douze & Schmid 2011): the query is not quantised. For
each query, a lookup table ``LUT[j, c]`` holds its score against sub-centroid ``c`` of block
``j`` (``q_j . c`` for "ip" and "cosine", ``||q_j - c||^2`` for "l2"); the score of a stored
code is then the sum of ``m`` table entries, ``sum_j LUT[j, code_j]``, with no vector
arithmetic at all, because inner products and squared distances add up over blocks.

:class:`ProductQuantizer` is the codec (train, encode, decode, tables), shared by
:class:`PQIndex` (every code scanned: ``faiss.IndexPQ``) and IVF-PQ. Codebooks are trained
with L2 k-means for every metric (as faiss does), 25 iterations on at most 256 points per
centroid. Codes are uint8, one byte per sub-quantiser, so ``nbits`` is at most 8 (faiss also
packs fewer bits per code; here a code always takes ``m`` bytes).

Speed (``benchmarks/ann_ivf_pq.py``: GloVe 400k x 50, cosine, one thread, 2 busy shared cores):
the same recall@10 as ``faiss.IndexPQ`` at the same code size, at about 0.4 of its queries per
second (numpy table gathers against faiss's compiled loops) and a build about 2.5 times slower.

Taught in: chapter 07.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_int, check_random_state
from embedcourse.ann._checks import prepare_vectors
from embedcourse.ann.base import Index, append_rows
from embedcourse.ann.ivf import check_training_size, seed_param
from embedcourse.ann.kmeans import KMeans
from embedcourse.topk import _top_k

__all__ = ["ProductQuantizer", "PQIndex"]

#: the (query block, ntotal) float32 score block of an exhaustive PQ scan stays under this
BLOCK_BYTES = 32 * 2**20


def check_pq_shape(d: int, m: Any, nbits: Any) -> tuple[int, int]:
    """``(m, nbits)`` checked: ``m`` divides ``d``, ``1 <= nbits <= 8``."""
    m = check_int("m", m, 1, d)
    nbits = check_int("nbits", nbits, 1, 8, hint=" (codes are uint8)")
    if d % m:
        divisors = [v for v in range(1, d + 1) if d % v == 0]
        raise ValueError(f"m={m} must divide the dimension d={d} (each sub-quantiser takes d/m "
                         f"dimensions); choose m in {divisors}.")
    return m, nbits


class ProductQuantizer:
    """The PQ codec: ``m`` k-means codebooks of ``2**nbits`` centroids (faiss ``ProductQuantizer``).

    Parameters
    ----------
    d : int
        Dimension of the vectors; ``m`` must divide it.
    m : int
        Number of sub-quantisers (bytes per code).
    nbits : int, default 8
        Bits per sub-quantiser index, ``1 <= nbits <= 8``: ``ksub = 2**nbits`` centroids each.
    random_state : int or numpy.random.Generator, default 0
        Seed of the k-means runs.

    Attributes
    ----------
    dsub : int
        ``d // m``, the dimensions per block.
    ksub : int
        ``2**nbits``.
    codebooks_ : numpy.ndarray of float32, shape (m, ksub, dsub)
        After ``train``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(1000, 8)).astype(np.float32)
    >>> pq = ProductQuantizer(8, m=4, nbits=4).train(x)
    >>> codes = pq.encode(x)
    >>> codes.shape, codes.dtype.name
    ((1000, 4), 'uint8')
    >>> bool(((pq.decode(codes) - x) ** 2).sum(1).mean() < (x ** 2).sum(1).mean() / 2)
    True

    Taught in: chapter 07.
    """

    def __init__(self, d: int, m: int, nbits: int = 8, random_state: int | np.random.Generator | None = 0) -> None:
        self.d = check_int("d", d, 1)
        self.m, self.nbits = check_pq_shape(self.d, m, nbits)
        seed_param(random_state)
        self.random_state = random_state
        self.dsub = self.d // self.m
        self.ksub = 2**self.nbits
        self.codebooks_ = np.zeros((self.m, self.ksub, self.dsub), dtype=np.float32)
        self.is_trained = False

    def train(self, x: npt.ArrayLike) -> ProductQuantizer:
        """Run k-means in each block of dimensions of ``x`` (n, d), ``n >= 2**nbits``; returns self."""
        xs = self._check(x, "x")
        check_training_size(xs.shape[0], self.ksub, f"ksub=2**nbits={self.ksub}")
        if xs.shape[0] > 256 * self.ksub:  # one seeded sample for every block (faiss: 256 per centroid)
            rng = check_random_state(self.random_state)
            xs = xs[np.sort(rng.choice(xs.shape[0], size=256 * self.ksub, replace=False))]
        books = []
        for j in range(self.m):
            km = KMeans(self.ksub, n_iter=25, random_state=self.random_state)
            books.append(km.fit(xs[:, j * self.dsub : (j + 1) * self.dsub]).cluster_centers_)
        self.codebooks_ = np.stack(books)
        self.is_trained = True
        return self

    def encode(self, x: npt.ArrayLike) -> npt.NDArray[np.uint8]:
        """The code of each row of ``x``: its nearest sub-centroid per block, shape (n, m), uint8."""
        x = self._check(x, "x")
        self._check_trained("encode")
        return self._encode(x)

    def _encode(self, x: np.ndarray) -> np.ndarray:
        codes = np.empty((x.shape[0], self.m), dtype=np.uint8)
        cb_sq = np.einsum("jcd,jcd->jc", self.codebooks_, self.codebooks_)
        rows = max(1, BLOCK_BYTES // (4 * self.ksub))  # the (rows, ksub) distances of one block
        for start in range(0, x.shape[0], rows):
            xb = x[start : start + rows]
            for j in range(self.m):
                sub = xb[:, j * self.dsub : (j + 1) * self.dsub]
                dist = cb_sq[j] - 2 * (sub @ self.codebooks_[j].T)  # ||sub - c||^2 - ||sub||^2
                codes[start : start + rows, j] = dist.argmin(axis=1)
        return codes

    def decode(self, codes: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """The vectors the codes stand for: sub-centroids concatenated, shape (n, d), float32."""
        self._check_trained("decode")
        c = self._check_codes(codes)
        return self.codebooks_[np.arange(self.m), c].reshape(c.shape[0], self.d)

    def lookup_tables(self, q: npt.ArrayLike, metric: str = "ip") -> npt.NDArray[np.float32]:
        """``LUT[i, j, c]``: query ``i``'s block ``j`` scored against sub-centroid ``c``.

        ``q_j . c`` for ``metric="ip"`` (and "cosine", on unit queries), ``||q_j - c||^2`` for
        "l2". The score of a code is ``LUT[i, arange(m), code].sum()``. Shape (n, m, ksub).
        """
        if metric not in ("ip", "l2", "cosine"):
            raise ValueError(f"metric must be one of 'ip', 'l2', 'cosine'; got {metric!r}.")
        q = self._check(q, "q")
        self._check_trained("lookup_tables")
        return self._tables(q, metric)

    def _tables(self, q: np.ndarray, metric: str) -> np.ndarray:
        """:meth:`lookup_tables` on checked float32 queries."""
        qb = q.reshape(-1, self.m, self.dsub).transpose(1, 0, 2)  # (m, n, dsub)
        ip = np.matmul(qb, self.codebooks_.transpose(0, 2, 1))  # (m, n, ksub)
        if metric == "l2":
            ip *= np.float32(-2.0)
            ip += np.einsum("jcd,jcd->jc", self.codebooks_, self.codebooks_)[:, None, :]
            ip += np.einsum("jnd,jnd->jn", qb, qb)[:, :, None]
            np.maximum(ip, 0.0, out=ip)
        return np.ascontiguousarray(ip.transpose(1, 0, 2))

    def _check(self, x: Any, name: str) -> np.ndarray:
        return prepare_vectors(x, name, self.d, "l2")  # finite, (n, d), norms that fit float32

    def _check_codes(self, codes: Any) -> np.ndarray:
        c = np.asarray(codes)
        if c.ndim != 2 or c.shape[1] != self.m or not np.issubdtype(c.dtype, np.integer) or c.dtype == bool:
            raise ValueError(f"codes must be an integer array of shape (n, {self.m}); got {c.dtype} {c.shape}.")
        if c.size and (c.min() < 0 or c.max() >= self.ksub):
            raise ValueError(f"codes must be in [0, {self.ksub - 1}] (ksub=2**nbits); got values "
                             f"from {c.min()} to {c.max()}.")
        return c.astype(np.intp)

    def _check_trained(self, verb: str) -> None:
        if not self.is_trained:
            raise RuntimeError(f"ProductQuantizer must be trained before {verb}: call train(x) first.")


def adc_scores(lut: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``sum_j lut[:, j, codes[:, j]]``: (n_queries, m, ksub) tables and (n, m) codes -> (n_queries, n)."""
    nq, m, ksub = lut.shape
    flat = lut.reshape(nq, m * ksub)
    idx = codes.astype(np.intp) + np.arange(m) * ksub  # code of block j -> column j * ksub + code
    out = np.take(flat, idx[:, 0], axis=1)
    for j in range(1, m):
        out += np.take(flat, idx[:, j], axis=1)
    return out


class PQIndex(Index):
    """Every vector stored as ``m`` PQ bytes, all codes scanned with lookup tables (faiss ``IndexPQ``).

    Parameters
    ----------
    d : int
        Dimension of the vectors; ``m`` must divide it.
    m : int
        Bytes per vector (sub-quantisers).
    nbits : int, default 8
        ``2**nbits`` centroids per sub-quantiser, at most 8.
    metric : {"ip", "l2", "cosine"}, default "ip"
    random_state : int or numpy.random.Generator, default 0

    Attributes
    ----------
    pq : ProductQuantizer
        The codec (``pq.codebooks_`` after training).
    codes : numpy.ndarray of uint8, shape (ntotal, m)
        The stored codes, read-only.

    Notes
    -----
    ``D`` holds the *approximate* scores (lookup-table sums), as faiss returns them. Memory is
    ``m`` bytes per vector plus the codebooks (``2**nbits * d`` floats). A search costs
    ``n_queries * ntotal * m`` table look-ups, in blocks of queries.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(2000, 8)).astype(np.float32)
    >>> index = PQIndex(8, m=4, nbits=6, metric="l2")
    >>> index.train(x)
    >>> index.add(x)
    >>> index.codes.shape
    (2000, 4)

    Taught in: chapter 07.
    """

    requires_training = True
    _codes_buf: np.ndarray  # the codes; rows beyond ntotal are spare capacity

    def __init__(self, d: int, m: int, nbits: int = 8, metric: str = "ip",
                 random_state: int | np.random.Generator | None = 0) -> None:
        super().__init__(d, metric)
        self.pq = ProductQuantizer(self.d, m, nbits, random_state)
        self.m, self.nbits = self.pq.m, self.pq.nbits
        self._seed = seed_param(random_state)
        self._reset()

    @property
    def codes(self) -> npt.NDArray[np.uint8]:
        """The stored codes, shape (ntotal, m), read-only."""
        view = self._codes_buf[: self.ntotal].view()
        view.flags.writeable = False
        return view

    def _params(self) -> dict[str, Any]:
        return {"m": self.m, "nbits": self.nbits, "random_state": self._seed}

    def _train(self, x: np.ndarray) -> None:
        self.pq.train(x)

    def _add(self, x: np.ndarray) -> None:
        self._codes_buf = append_rows(self._codes_buf, self.ntotal, self.pq._encode(x))

    def _search(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        codes = self._codes_buf[: self.ntotal]
        largest = self.metric != "l2"
        tiebreak = self._tiebreak()
        rows = max(1, BLOCK_BYTES // (4 * self.ntotal))
        D = np.empty((q.shape[0], k), dtype=np.float32)
        pos = np.empty((q.shape[0], k), dtype=np.int64)
        for start in range(0, q.shape[0], rows):
            lut = self.pq._tables(q[start : start + rows], self.metric)
            S = adc_scores(lut, codes)
            T = None if tiebreak is None else np.broadcast_to(tiebreak, S.shape)
            D[start : start + rows], pos[start : start + rows] = _top_k(S, k, largest, T)
        return D, pos

    def _reset(self) -> None:
        self._codes_buf = np.empty((0, self.m), dtype=np.uint8)

    def _get_state(self) -> dict[str, np.ndarray]:
        return {"codebooks": self.pq.codebooks_, "codes": self.codes}

    def _set_state(self, arrays: dict[str, np.ndarray]) -> None:
        self.pq.codebooks_ = load_codebooks(arrays, self.pq)
        self.pq.is_trained = self.is_trained
        codes = np.ascontiguousarray(arrays["codes"], dtype=np.uint8)
        if codes.shape != (self.ntotal, self.m) or (codes.size and codes.max() >= self.pq.ksub):
            raise ValueError(f"corrupt index file: codes have shape {codes.shape}, expected ({self.ntotal}, {self.m}).")
        self._codes_buf = codes


def load_codebooks(arrays: dict[str, np.ndarray], pq: ProductQuantizer) -> np.ndarray:
    books = np.ascontiguousarray(arrays["codebooks"], dtype=np.float32)
    if books.shape != (pq.m, pq.ksub, pq.dsub) or not np.isfinite(books).all():
        raise ValueError(f"corrupt index file: codebooks have shape {books.shape}, "
                         f"expected ({pq.m}, {pq.ksub}, {pq.dsub}).")
    return books
