"""Locality-sensitive hashing with random hyperplanes, several hash tables, exact re-ranking.

Charikar's SimHash (2002): draw ``nbits`` random directions ``h_b`` (Gaussian), and hash a
vector to the bits ``x . h_b > t_b``. Two vectors at angle ``theta`` fall on the same side of
a random hyperplane with probability ``1 - theta / pi``, so similar vectors share many bits and
often the whole ``nbits``-bit key: their *bucket*. One table misses many neighbours (a single
differing bit separates them), so ``ntables`` independent tables are built, and a query's
candidates are the union of its buckets in every table. The candidates are then scored exactly
(the index keeps the float32 vectors) and the best ``k`` returned.

Details of this implementation:

* thresholds ``t_b`` are the medians of the training projections (faiss's
  ``train_thresholds``), so each bit splits the data in half and buckets stay balanced even
  for vectors that are not centred (GloVe's are not); with ``metric="cosine"`` the vectors are
  unit length before hashing;
* **multi-probe** (Lv et al. 2007): the search knob ``nflip`` also probes, in each table, the
  ``nflip`` buckets obtained by flipping one of the query's least certain bits (those whose
  projection is closest to its threshold), more recall for the same tables;
* a query with fewer than ``k`` candidates falls back to an exact scan, so every row holds
  ``k`` real neighbours.

How it differs from ``faiss.IndexLSH(d, nbits)``: faiss keeps **one** table of ``nbits``-bit
binary codes (after a random rotation), scans **all** codes, ranks them by Hamming distance
and returns Hamming distances; it stores no vectors and does not re-rank. Here hashing is
used the classic way, to pick a few buckets, and the vectors are stored for the exact scores.

Taught in: chapter 07.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from embedcourse._validation import check_int, check_random_state
from embedcourse.ann.base import Index, append_rows
from embedcourse.ann.ivf import seed_param
from embedcourse.topk import _top_k

__all__ = ["LSHIndex"]

MAX_BITS = 62  # a key is an int64


class LSHIndex(Index):
    """Random-hyperplane LSH: ``ntables`` hash tables of ``nbits``-bit keys, exact re-ranking.

    Parameters
    ----------
    d : int
        Dimension of the vectors.
    nbits : int, default 16
        Bits per key, ``1 <= nbits <= 62``: more bits, smaller buckets, fewer candidates.
    ntables : int, default 8
        Independent hash tables: more tables, more candidates and recall.
    metric : {"ip", "l2", "cosine"}, default "cosine"
        Used for the exact re-ranking (the hash itself is angular).
    random_state : int or numpy.random.Generator, default 0
        Seed of the hyperplanes.

    Attributes
    ----------
    nflip : int
        Extra buckets probed per table (multi-probe), default 0; set between searches.
    planes_ : numpy.ndarray of float32, shape (ntables, d, nbits)
        The random directions.
    thresholds_ : numpy.ndarray of float32, shape (ntables, nbits)
        The median projection of the training vectors on each direction.
    n_fallback_ : int
        How many queries of the last search had fewer than ``k`` candidates and were answered
        by an exact scan (their recall is 1: count them before reading a recall figure).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(2000, 16)).astype(np.float32)
    >>> index = LSHIndex(16, nbits=8, ntables=4, metric="cosine")
    >>> index.train(x)
    >>> index.add(x)
    >>> index.search(x[:3], k=1)[1].ravel().tolist()
    [0, 1, 2]

    Taught in: chapter 07.
    """

    requires_training = True
    search_knobs: ClassVar[tuple[str, ...]] = ("nflip",)
    _xb_buf: np.ndarray  # the vectors, for the exact re-ranking
    _key_buf: np.ndarray  # (ntotal, ntables) int64 bucket keys
    _tables: list[tuple[np.ndarray, np.ndarray]] | None  # per table: sorted keys, positions; built lazily

    def __init__(self, d: int, nbits: int = 16, ntables: int = 8, metric: str = "cosine",
                 random_state: int | np.random.Generator | None = 0) -> None:
        super().__init__(d, metric)
        self.nbits = check_int("nbits", nbits, 1, MAX_BITS)
        self.ntables = check_int("ntables", ntables, 1, 1024)
        self._seed = seed_param(random_state)
        rng = check_random_state(random_state)
        self.planes_ = rng.standard_normal((self.ntables, self.d, self.nbits)).astype(np.float32)
        self.thresholds_ = np.zeros((self.ntables, self.nbits), dtype=np.float32)
        self.nflip = 0
        self.n_fallback_ = 0
        self._reset()

    @property
    def nflip(self) -> int:
        """Buckets probed per table besides the query's own (0 to ``nbits``)."""
        return self._nflip

    @nflip.setter
    def nflip(self, value: int) -> None:
        self._nflip = check_int("nflip", value, 0, self.nbits)

    def _params(self) -> dict[str, Any]:
        return {"nbits": self.nbits, "ntables": self.ntables, "random_state": self._seed}

    def _project(self, x: np.ndarray) -> np.ndarray:
        """(n, ntables, nbits): each vector's projections minus the thresholds."""
        flat = self.planes_.transpose(1, 0, 2).reshape(self.d, self.ntables * self.nbits)  # one product
        return (x @ flat).reshape(x.shape[0], self.ntables, self.nbits) - self.thresholds_

    def _keys(self, proj: np.ndarray) -> np.ndarray:
        """(n, ntables) int64 bucket keys: the sign bits of the projections."""
        return ((proj > 0).astype(np.int64) << np.arange(self.nbits, dtype=np.int64)).sum(axis=2)

    def _train(self, x: np.ndarray) -> None:
        self.thresholds_ = np.zeros((self.ntables, self.nbits), dtype=np.float32)
        self.thresholds_ = np.median(self._project(x), axis=0).astype(np.float32)

    def _add(self, x: np.ndarray) -> None:
        self._xb_buf = append_rows(self._xb_buf, self.ntotal, x)
        self._key_buf = append_rows(self._key_buf, self.ntotal, self._keys(self._project(x)))
        self._tables = None  # rebuilt at the next search

    def _build_tables(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per table: the keys sorted, and the positions in that order (a bucket is a run)."""
        keys = self._key_buf[: self.ntotal]
        tables = []
        for t in range(self.ntables):
            order = np.argsort(keys[:, t], kind="stable")
            tables.append((keys[order, t], order))
        return tables

    def _candidates(self, proj: np.ndarray) -> list[np.ndarray]:
        """Positions in the query's buckets (and its ``nflip`` flipped buckets), per query."""
        if self._tables is None:
            self._tables = self._build_tables()
        tables = self._tables
        keys = self._keys(proj)  # (nq, ntables)
        probes = [keys]
        if self.nflip:
            unsure = np.argsort(np.abs(proj), axis=2, kind="stable")[:, :, : self.nflip]
            probes += [keys ^ (np.int64(1) << unsure[:, :, f]) for f in range(self.nflip)]
        ranges = []
        for t, (sorted_keys, order) in enumerate(tables):
            want = np.stack([p[:, t] for p in probes], axis=1)  # (nq, 1 + nflip)
            lo = np.searchsorted(sorted_keys, want, side="left")
            hi = np.searchsorted(sorted_keys, want, side="right")
            ranges.append((order, lo, hi))
        out = []
        for i in range(proj.shape[0]):
            parts = [order[a:b] for order, lo, hi in ranges for a, b in zip(lo[i], hi[i], strict=True) if b > a]
            out.append(np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int64))
        return out

    def _search(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        xb = self._xb_buf[: self.ntotal]
        largest = self.metric != "l2"
        tiebreak = self._tiebreak()
        D = np.empty((q.shape[0], k), dtype=np.float32)
        P = np.empty((q.shape[0], k), dtype=np.int64)
        self.n_fallback_ = 0
        for i, cand in enumerate(self._candidates(self._project(q))):
            if cand.size < k:  # too few candidates: an exact scan of everything
                cand = np.arange(self.ntotal)
                self.n_fallback_ += 1
            S = xb[cand] @ q[i]
            if self.metric == "l2":
                S = np.maximum(np.einsum("ij,ij->i", xb[cand], xb[cand]) - 2 * S + q[i] @ q[i], 0.0)
            keys = (cand if tiebreak is None else tiebreak[cand])[None, :]
            vals, cols = _top_k(S[None, :].astype(np.float32), k, largest, keys)
            D[i], P[i] = vals[0], cand[cols[0]]
        return D, P

    def _reset(self) -> None:
        self._xb_buf = np.empty((0, self.d), dtype=np.float32)
        self._key_buf = np.empty((0, self.ntables), dtype=np.int64)
        self._tables = None

    def _get_state(self) -> dict[str, np.ndarray]:
        return {"planes": self.planes_, "thresholds": self.thresholds_, "xb": self._xb_buf[: self.ntotal]}

    def _set_state(self, arrays: dict[str, np.ndarray]) -> None:
        planes = np.ascontiguousarray(arrays["planes"], dtype=np.float32)
        thr = np.ascontiguousarray(arrays["thresholds"], dtype=np.float32)
        xb = np.ascontiguousarray(arrays["xb"], dtype=np.float32)
        if (planes.shape != (self.ntables, self.d, self.nbits) or thr.shape != (self.ntables, self.nbits)
                or xb.shape != (self.ntotal, self.d) or not (np.isfinite(planes).all() and np.isfinite(thr).all())):
            raise ValueError("corrupt index file: the LSH arrays do not fit together.")
        self.planes_, self.thresholds_, self._xb_buf = planes, thr, xb
        self._key_buf = self._keys(self._project(xb)) if self.ntotal else np.empty((0, self.ntables), np.int64)
        self._tables = None
