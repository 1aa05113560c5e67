"""IVF, the inverted-file index: cluster the vectors, search only the clusters nearest the query.

Training runs k-means (:class:`~embedcourse.ann.kmeans.KMeans`) on sample vectors to find
``nlist`` centroids, the *coarse quantiser*. Each added vector goes to the *inverted list* of
its nearest centroid. A query scores the ``nlist`` centroids, picks the ``nprobe`` best, and
scans only the vectors in those lists: about ``nprobe / nlist`` of the data instead of all of
it. A true neighbour that sits in an unprobed list is missed, so recall grows with ``nprobe``
(``nprobe = nlist`` is exact search). This mirrors ``faiss.IndexIVFFlat``:

* with ``metric="ip"`` or ``"cosine"`` the coarse quantiser is *spherical* k-means (centroids
  of unit length, lists chosen by the largest inner product), as faiss does for
  ``METRIC_INNER_PRODUCT``; with ``"l2"``, plain k-means and the nearest centroid;
* k-means trains on at most 256 sample vectors per list (faiss's default), 10 iterations;
* ``nprobe`` is a plain attribute, set between searches (default 1, as in faiss).

One difference: faiss pads a result row with id ``-1`` when the probed lists hold fewer than
``k`` vectors; here such a query probes further lists, nearest centroids first, until it has
``k`` candidates, so every row holds ``k`` real neighbours.

How a batch of queries is searched, two ways with the same answer (ties to the smaller id):

* ``IVFIndex._scan_lists``, vectorised numpy and the readable one: the (query, list) pairs to
  scan are grouped by list, each list is scored against all the queries that probe it with one
  matrix product, and the scores go into one row of candidates per query for a final top-k;
* ``IVFIndex.search`` runs a numba kernel (:mod:`embedcourse.ann._ivf_kernels`), one query at
  a time over its lists stored one after another, keeping the ``k`` best in a sorted array, as
  faiss does. Measured on GloVe 400k x 50, cosine, nlist 1024, one thread, on 2 busy shared
  cores: about as many queries per second as ``faiss.IndexIVFFlat`` at nprobe 1 to 64
  (``benchmarks/ann_ivf_pq.py``), where the numpy scan reaches 0.2 to 0.9 of faiss's.

Taught in: chapter 07.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_int, check_seed
from embedcourse.ann.base import Index, append_rows
from embedcourse.ann.kmeans import KMeans, assign
from embedcourse.topk import _top_k

__all__ = ["IVFIndex"]

_NO_TIE = np.iinfo(np.int64).max  # tiebreak value of an empty candidate slot
#: the (query block, candidates) float32 score rows of a search stay under this many bytes
BLOCK_BYTES = 32 * 2**20
#: a list scored against its queries keeps only k per query when it computes more scores than this
SELECT_ABOVE = 4096


def check_training_size(n: int, needed: int, what: str) -> None:
    """Raise when there are fewer training vectors than ``needed`` (named after ``what``)."""
    if n < needed:
        raise ValueError(f"{what} is larger than the number of training vectors in x (n={n}); "
                         f"train on at least {needed} vectors.")


def seed_param(random_state: Any) -> int | None:
    """The seed as saved in an index file: an int, or None for a Generator (not JSON)."""
    check_seed("random_state", random_state)
    return int(random_state) if isinstance(random_state, (int, np.integer)) else None


class _InvertedLists:
    """``nlist`` growable lists, each holding positions (int64) and rows of a payload array."""

    def __init__(self, nlist: int, row_shape: tuple[int, ...], dtype: Any) -> None:
        self.pos = [np.empty(0, dtype=np.int64) for _ in range(nlist)]
        self.rows = [np.empty((0, *row_shape), dtype=dtype) for _ in range(nlist)]
        self.sizes = np.zeros(nlist, dtype=np.int64)
        self._csr: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def append(self, labels: np.ndarray, positions: np.ndarray, payload: np.ndarray) -> None:
        order = np.argsort(labels, kind="stable")
        bounds = np.flatnonzero(np.diff(labels[order])) + 1
        for chunk in np.split(order, bounds):
            if chunk.size == 0:
                continue
            lst, n = int(labels[chunk[0]]), int(self.sizes[labels[chunk[0]]])
            self.pos[lst] = append_rows(self.pos[lst], n, positions[chunk])
            self.rows[lst] = append_rows(self.rows[lst], n, payload[chunk])
            self.sizes[lst] += chunk.size
        self._csr = None

    def csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start of each list and the end, positions, rows): the lists one after another.

        Built at the first search after an ``append`` and cached; the lists then become views
        of these arrays, so the vectors are not stored twice.
        """
        if self._csr is None:
            starts = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
            parts = [self.get(lst) for lst in range(len(self.pos))]
            positions = np.concatenate([p for p, _ in parts]).astype(np.int64)
            rows = np.ascontiguousarray(np.concatenate([r for _, r in parts]))
            for lst in range(len(self.pos)):
                self.pos[lst] = positions[starts[lst] : starts[lst + 1]]
                self.rows[lst] = rows[starts[lst] : starts[lst + 1]]
            self._csr = (starts, positions, rows)
        return self._csr

    def get(self, lst: int) -> tuple[np.ndarray, np.ndarray]:
        n = self.sizes[lst]
        return self.pos[lst][:n], self.rows[lst][:n]

    def to_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sizes, positions, rows) with the lists one after another (for saving)."""
        parts = [self.get(lst) for lst in range(len(self.pos))]
        return (self.sizes.copy(), np.concatenate([p for p, _ in parts]),
                np.concatenate([r for _, r in parts]))

    @classmethod
    def from_arrays(cls, sizes: np.ndarray, positions: np.ndarray, rows: np.ndarray, ntotal: int,
                    row_shape: tuple[int, ...], dtype: Any) -> _InvertedLists:
        nlist = sizes.shape[0]
        if (sizes.ndim != 1 or sizes.min(initial=0) < 0 or sizes.sum() != ntotal
                or positions.shape != (ntotal,) or rows.shape != (ntotal, *row_shape)
                or not np.array_equal(np.sort(positions), np.arange(ntotal))):
            raise ValueError("corrupt index file: the inverted lists do not fit together.")
        out = cls(nlist, row_shape, dtype)
        cuts = np.cumsum(sizes)[:-1]
        out.pos = [p.astype(np.int64) for p in np.split(positions, cuts)]
        out.rows = [np.ascontiguousarray(r, dtype=dtype) for r in np.split(rows, cuts)]
        out.sizes = sizes.astype(np.int64)
        out._csr = None
        return out


class _IVFBase(Index):
    """The coarse quantiser, the lists and the probing shared by IVF-Flat and IVF-PQ."""

    requires_training = True
    search_knobs: ClassVar[tuple[str, ...]] = ("nprobe",)
    _lists: _InvertedLists

    def __init__(self, d: int, nlist: int, metric: str = "ip", random_state: int | np.random.Generator | None = 0,
                 n_iter: int = 10) -> None:
        super().__init__(d, metric)
        self.nlist = check_int("nlist", nlist, 1, 2**24)
        self.n_iter = check_int("n_iter", n_iter, 1, 1000)
        self._seed = seed_param(random_state)
        self.random_state = random_state
        self.nprobe = 1
        self.centroids_ = np.zeros((self.nlist, self.d), dtype=np.float32)

    @property
    def nprobe(self) -> int:
        """How many lists a query scans (``1 <= nprobe``; values above ``nlist`` mean all)."""
        return self._nprobe

    @nprobe.setter
    def nprobe(self, value: int) -> None:
        self._nprobe = check_int("nprobe", value, 1)

    @property
    def list_sizes(self) -> npt.NDArray[np.int64]:
        """Number of vectors in each inverted list, shape (nlist,)."""
        return self._lists.sizes.copy()

    def _params(self) -> dict[str, Any]:
        return {"nlist": self.nlist, "random_state": self._seed, "n_iter": self.n_iter}

    @property
    def _spherical(self) -> bool:
        return self.metric != "l2"

    def _train_coarse(self, x: np.ndarray) -> None:
        check_training_size(x.shape[0], self.nlist, f"nlist={self.nlist}")
        km = KMeans(self.nlist, n_iter=self.n_iter, spherical=self._spherical, random_state=self.random_state)
        self.centroids_ = km.fit(x).cluster_centers_

    def _assign(self, x: np.ndarray) -> np.ndarray:
        return assign(x, self.centroids_, self._spherical, with_dist=False)[0]

    def _coarse_scores(self, q: np.ndarray) -> np.ndarray:
        """(n_queries, nlist): inner products (ip, cosine) or squared distances (l2) to the centroids."""
        S = q @ self.centroids_.T
        if self.metric == "l2":
            S *= np.float32(-2.0)
            S += np.einsum("ij,ij->i", self.centroids_, self.centroids_)
            S += np.einsum("ij,ij->i", q, q)[:, None]
            np.maximum(S, 0.0, out=S)
        return S

    def _probe(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray]:
        """Which lists each query scans: flat (query, list, slot) pairs, slots per query, scores.

        The ``nprobe`` lists of nearest centroid; a query whose lists hold fewer than ``k``
        vectors takes further lists in order of centroid score until they do.
        """
        S = self._coarse_scores(q)
        nprobe = min(self.nprobe, self.nlist)
        sizes = self._lists.sizes
        if nprobe == self.nlist:
            probe = np.broadcast_to(np.arange(self.nlist), S.shape)
        elif self.metric == "l2":
            probe = np.argpartition(S, nprobe - 1, axis=1)[:, :nprobe]
        else:
            probe = np.argpartition(S, self.nlist - nprobe, axis=1)[:, self.nlist - nprobe :]
        counts = np.full(q.shape[0], nprobe, dtype=np.int64)
        short = np.flatnonzero(sizes[probe].sum(axis=1) < k)
        if short.size == 0:
            pair_list = np.ascontiguousarray(probe).ravel()
        else:
            lists = list(probe)
            for i in short:  # widen: further lists, nearest centroids first, until k candidates
                order = np.argsort(S[i] if self.metric == "l2" else -S[i], kind="stable")
                need = int(np.searchsorted(np.cumsum(sizes[order]), k)) + 1
                lists[i] = order[: max(nprobe, need)]
                counts[i] = lists[i].size
            pair_list = np.concatenate(lists)
        pair_q = np.repeat(np.arange(q.shape[0]), counts)
        pair_slot = np.arange(pair_q.size) - np.repeat(np.cumsum(counts) - counts, counts)
        return pair_q, pair_list.astype(np.int64), pair_slot, int(counts.max()), S

    def _scan_lists(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``(D, positions)`` of shape (n_queries, k): the best of the probed lists.

        The Python loop runs over lists, not queries: each list is scored against all the
        queries (of a block) that probe it with one matrix product. A list scored against many
        queries keeps only its ``k`` best per query (one top-k on the list's block of scores);
        a small job keeps every score, which is cheaper than a top-k call. Either way the
        survivors land in one row of candidates per query, and one top-k per block of queries
        picks the answer. Queries are blocked by their number of candidates (within a factor of
        2), so that short rows are not padded to the length of the longest.
        """
        pair_q, pair_list, _, _, S = self._probe(q, k)
        nq = q.shape[0]
        largest = self.metric != "l2"
        sizes = self._lists.sizes
        jobs = np.bincount(pair_list, minlength=self.nlist) * sizes  # scores computed per list
        select = (sizes > k) & (jobs > SELECT_ABOVE)  # lists that keep only their k best per query
        pair_n = np.where(select[pair_list], k, sizes[pair_list])  # candidates each pair contributes
        n_pairs = np.bincount(pair_q, minlength=nq)
        first_pair = np.cumsum(n_pairs) - n_pairs
        width = np.bincount(pair_q, weights=pair_n, minlength=nq).astype(np.int64)
        pair_off = np.cumsum(pair_n) - pair_n - np.repeat(np.cumsum(width) - width, n_pairs)
        tiebreak = self._tiebreak()
        D = np.empty((nq, k), dtype=np.float32)
        P = np.empty((nq, k), dtype=np.int64)
        by_width = np.argsort(width, kind="stable")
        scale = np.floor(np.log2(np.maximum(width[by_width], 1))).astype(np.int64)
        b0 = 0
        while b0 < nq:  # a block: queries of the same width scale, whose rows fit in BLOCK_BYTES
            b1 = int(np.searchsorted(scale, scale[b0], side="right"))
            b1 = min(b1, b0 + max(1, BLOCK_BYTES // (4 * max(int(width[by_width[b1 - 1]]), 1))))
            block = by_width[b0:b1]
            local = np.empty(nq, dtype=np.int64)
            local[block] = np.arange(block.size)
            counts = n_pairs[block]
            mine = np.repeat(first_pair[block], counts) + (
                np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts))
            order = mine[np.argsort(pair_list[mine], kind="stable")]  # the block's pairs, grouped by list
            cand_D = np.full((block.size, int(width[block].max())), -np.inf if largest else np.inf, dtype=np.float32)
            cand_P = np.full(cand_D.shape, -1, dtype=np.int64)
            vals_out, pos_out = [], []
            for group in np.split(order, np.flatnonzero(np.diff(pair_list[order])) + 1):
                lst = int(pair_list[group[0]])
                if sizes[lst] == 0:
                    continue
                pos, rows = self._lists.get(lst)
                scores = self._score_list(q, pair_q[group], lst, rows, S)
                if select[lst]:
                    T = None if tiebreak is None else np.broadcast_to(tiebreak[pos], scores.shape)
                    scores, cols = _top_k(scores, k, largest, T)
                    pos_out.append(pos[cols].ravel())
                else:
                    pos_out.append(np.tile(pos, group.size))
                vals_out.append(scores.ravel())
            n_of = pair_n[order]
            if vals_out:
                within = np.arange(int(n_of.sum())) - np.repeat(np.cumsum(n_of) - n_of, n_of)
                r_idx = np.repeat(local[pair_q[order]], n_of)
                c_idx = np.repeat(pair_off[order], n_of) + within
                cand_D[r_idx, c_idx] = np.concatenate(vals_out)
                cand_P[r_idx, c_idx] = np.concatenate(pos_out)
            keys = np.where(cand_P >= 0, cand_P if tiebreak is None else tiebreak[cand_P], _NO_TIE)
            vals, cols = _top_k(cand_D, k, largest, keys)
            D[block], P[block] = vals, np.take_along_axis(cand_P, cols, axis=1)
            b0 = b1
        return D, P

    def _score_list(self, q: np.ndarray, R: np.ndarray, lst: int, rows: np.ndarray,
                    S: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError


class IVFIndex(_IVFBase):
    """Inverted-file index with vectors stored as is (faiss ``IndexIVFFlat``).

    Parameters
    ----------
    d : int
        Dimension of the vectors.
    nlist : int
        Number of inverted lists (k-means centroids); a common choice is about ``sqrt(n)``
        to ``4 * sqrt(n)`` for ``n`` vectors. Training needs at least ``nlist`` vectors
        (faiss recommends 39 or more per list).
    metric : {"ip", "l2", "cosine"}, default "ip"
        As for every index; "ip" and "cosine" use spherical k-means for the lists.
    random_state : int or numpy.random.Generator, default 0
        Seed of the k-means sample and initialisation.
    n_iter : int, default 10
        k-means iterations (faiss's default for IVF).

    Attributes
    ----------
    nprobe : int
        Lists scanned per query (default 1); set it between searches.
    centroids_ : numpy.ndarray of float32, shape (nlist, d)
        The coarse quantiser (unit rows for "ip" and "cosine").
    list_sizes : numpy.ndarray of int64, shape (nlist,)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(2000, 16)).astype(np.float32)
    >>> index = IVFIndex(16, nlist=32, metric="l2")
    >>> index.train(x)
    >>> index.add(x)
    >>> index.nprobe = 32  # every list: exact search
    >>> index.search(x[:3], k=1)[1].ravel().tolist()
    [0, 1, 2]

    Taught in: chapter 07.
    """

    def __init__(self, d: int, nlist: int, metric: str = "ip", random_state: int | np.random.Generator | None = 0,
                 n_iter: int = 10) -> None:
        super().__init__(d, nlist, metric, random_state, n_iter)
        self._reset()

    def _train(self, x: np.ndarray) -> None:
        self._train_coarse(x)

    def _add(self, x: np.ndarray) -> None:
        positions = np.arange(self.ntotal, self.ntotal + x.shape[0], dtype=np.int64)
        # each row carries its ||x||^2 in an extra column, for "l2"
        payload = np.hstack([x, np.einsum("ij,ij->i", x, x)[:, None]]) if self.metric == "l2" else x
        self._lists.append(self._assign(x), positions, payload)

    def _score_list(self, q: np.ndarray, R: np.ndarray, lst: int, rows: np.ndarray, S: np.ndarray) -> np.ndarray:
        if self.metric != "l2":
            return q[R] @ rows.T
        qR = q[R]
        scores = (qR * np.float32(-2.0)) @ rows[:, : self.d].T
        scores += rows[:, self.d]
        scores += np.einsum("ij,ij->i", qR, qR)[:, None]
        return np.maximum(scores, 0.0, out=scores)

    def _search(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The compiled scan (:mod:`embedcourse.ann._ivf_kernels`): same answer as ``_scan_lists``."""
        from embedcourse.ann._ivf_kernels import scan_ivf

        pair_q, pair_list, pair_slot, width, _ = self._probe(q, k)
        probe = np.zeros((q.shape[0], width), dtype=np.int64)
        probe[pair_q, pair_slot] = pair_list
        n_probe = np.bincount(pair_q, minlength=q.shape[0]).astype(np.int64)
        starts, positions, rows = self._lists.csr()
        tiebreak = self._tiebreak()
        keys = positions if tiebreak is None else tiebreak[positions]
        return scan_ivf(q, probe, n_probe, starts, rows, positions, keys, k, self.metric != "l2", self.metric == "l2")

    def _reset(self) -> None:
        self._lists = _InvertedLists(self.nlist, (self.d + (self.metric == "l2"),), np.float32)

    def _get_state(self) -> dict[str, np.ndarray]:
        sizes, positions, rows = self._lists.to_arrays()
        return {"centroids": self.centroids_, "list_sizes": sizes, "list_positions": positions, "list_rows": rows}

    def _set_state(self, arrays: dict[str, np.ndarray]) -> None:
        self.centroids_ = _centroids(arrays, self.nlist, self.d)
        self._lists = _InvertedLists.from_arrays(
            arrays["list_sizes"], arrays["list_positions"], arrays["list_rows"], self.ntotal,
            (self.d + (self.metric == "l2"),), np.float32)


def _centroids(arrays: dict[str, np.ndarray], nlist: int, d: int) -> np.ndarray:
    C = np.ascontiguousarray(arrays["centroids"], dtype=np.float32)
    if C.shape != (nlist, d) or not np.isfinite(C).all():
        raise ValueError(f"corrupt index file: centroids have shape {C.shape}, expected ({nlist}, {d}).")
    return C
