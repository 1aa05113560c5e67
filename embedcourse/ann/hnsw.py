"""HNSW: approximate nearest neighbours by walking a layered proximity graph (Malkov & Yashunin, 2018).

Every stored vector is a node of a graph whose edges join close vectors. A search starts at a
fixed *entry point* and keeps moving to the neighbour closest to the query; to make the long
jumps cheap, the graph has *layers*, like a skip list:

* **levels.** Each node gets a level ``l = floor(-ln(U) * mL)`` with ``U`` uniform in (0, 1]
  and ``mL = 1 / ln(M)``: it lives in layers ``0 .. l``. So every node is in layer 0, about a
  share ``1/M`` of them in layer 1, ``1/M**2`` in layer 2, ... (a geometric law); the entry
  point is a node of the highest level.
* **search** (``search``): in each upper layer, a *greedy descent*: move to a closer neighbour
  while there is one, and enter the layer below at the node reached. In layer 0, a *beam
  search* (the paper's Algorithm 2) keeps the ``ef`` closest nodes seen so far and expands the
  closest unexpanded one until no candidate is closer than the worst of the ``ef``; the best
  ``k`` of them are returned. ``ef = max(ef_search, k)``, as in hnswlib: a larger ``ef_search``
  visits more nodes, for a higher recall and a lower speed.
* **insertion** (``add``, Algorithm 1): a new node descends like a query down to its own level;
  then in each of its layers a beam search with ``ef_construction`` finds candidates, of which
  at most ``M`` become its neighbours by the **selection heuristic** (Algorithm 4): walking the
  candidates from the closest, keep one only if it is closer to the new node than to every
  neighbour kept so far (this spreads the links over directions, and keeps far "bridges"
  between clusters). Links are made in both directions; a neighbour whose list is already full
  (``M`` in upper layers, ``M0 = 2 * M`` in layer 0) shrinks it back with the same heuristic.

Layout (flat arrays, for the numba kernels in :mod:`embedcourse.ann._hnsw_kernels`):
``links0`` (ntotal, M0) int32 holds each node's layer-0 neighbours (``-1`` pads) and ``deg0``
their counts; the few nodes above layer 0 have their upper rows in ``ulinks`` (rows, M) with
counts ``udeg``: node ``i`` at layer ``l >= 1`` is row ``uoff[i] + l - 1``. Nodes are
inserted one after the other, so the graph (and every result) depends only on the vectors,
their order and ``random_state``: adding in one batch or in several gives the same graph.

Results. Rows are sorted by score with equal scores by the smaller id, as for every index
here; but the index is approximate: a true neighbour may be missed (recall@10 is typically
0.9 to 0.99), so only the neighbours found obey the order. If the graph search reaches fewer
than ``k`` nodes (a tiny index), the remaining nodes are scanned exactly: ``I`` never holds
``-1``. Scores are computed in float32 by the kernel and may differ from ``FlatIndex``'s in the
last bits.

Speed, measured on GloVe 400k x 50 (cosine, k=10, one thread): see ``benchmarks/ann_hnsw.py``
and ``benchmarks/results/ann_hnsw.json``, which compare with hnswlib and faiss.

Taught in: chapter 07.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_int, check_random_state, check_seed
from embedcourse.ann.base import Index, append_rows

__all__ = ["HNSWIndex", "hnsw_levels"]

# X, levels, links0, deg0, ulinks, udeg, uoff, state: the arrays every kernel takes, in this order
_Graph = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def hnsw_levels(n: int, M: int, random_state: int | np.random.Generator | None = 0) -> npt.NDArray[np.int32]:
    """Levels of ``n`` new nodes: ``floor(-ln(U) * mL)`` with ``mL = 1 / ln(M)``, ``U`` uniform in (0, 1].

    The share of nodes at level ``>= l`` is ``M**-l`` (a geometric law). Draws exactly ``n``
    doubles from the generator, so drawing ``n1`` then ``n2`` levels from one Generator gives
    the same levels as drawing ``n1 + n2`` at once.

    Parameters
    ----------
    n : int
        Number of nodes, ``>= 0``.
    M : int
        Links per node of the index, ``>= 2``.
    random_state : int, numpy Generator or None, default 0

    Returns
    -------
    numpy.ndarray of int32, shape (n,)

    Examples
    --------
    >>> levels = hnsw_levels(100_000, 16, random_state=0)
    >>> round(float((levels >= 1).mean()), 3), round(1 / 16, 3)
    (0.062, 0.062)

    Taught in: chapter 07.
    """
    n = check_int("n", n, 0, np.iinfo(np.int32).max)
    M = check_int("M", M, 2, 512)
    check_seed("random_state", random_state)
    u = 1.0 - check_random_state(random_state).random(n)  # in (0, 1]
    return np.floor(-np.log(u) / math.log(M)).astype(np.int32)


class HNSWIndex(Index):
    """Hierarchical navigable small-world graph (hnswlib's and faiss ``IndexHNSWFlat``'s algorithm).

    Parameters
    ----------
    d : int
        Dimension of the vectors.
    metric : {"ip", "l2", "cosine"}, default "ip"
        As for every :class:`~embedcourse.ann.base.Index`.
    M : int, default 16
        Links per node in the upper layers (``2 * M`` in layer 0); ``2 <= M <= 512``. More
        links: higher recall, larger index, slower build.
    ef_construction : int, default 200
        Beam width while inserting (at least ``M`` is used, as hnswlib); ``1 <= ef_construction``.
    random_state : int, numpy Generator or None, default 0
        Seed of the node levels.

    Attributes
    ----------
    ef_search : int, default 16
        Beam width of a search (``max(ef_search, k)`` is used); set it between searches.
    max_level : int
        The highest level (of the entry point); -1 when empty.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(500, 8))
    >>> index = HNSWIndex(8, "l2", M=8)
    >>> index.add(x)
    >>> index.ef_search = 32
    >>> index.search(x[:3], 1)[1].ravel().tolist()
    [0, 1, 2]

    Taught in: chapter 07.
    """

    search_knobs = ("ef_search",)

    # the graph, in buffers whose rows beyond ntotal (beyond _n_upper for the upper rows) are spare capacity
    _xb_buf: np.ndarray  # (capacity, d) float32: the vectors (unit length with "cosine")
    _levels_buf: np.ndarray  # (capacity,) int32: the level of each node
    _links0_buf: np.ndarray  # (capacity, M0) int32: layer-0 neighbours, -1 pads
    _deg0_buf: np.ndarray  # (capacity,) int32: how many of them
    _uoff_buf: np.ndarray  # (capacity,) int64: first upper row of each node (-1 at level 0)
    _ulinks_buf: np.ndarray  # (rows, M) int32: neighbours in layers >= 1, one row per (node, layer)
    _udeg_buf: np.ndarray  # (rows,) int32: how many of them
    _n_upper: int  # upper rows in use
    _state: np.ndarray  # [entry point, its level], [-1, -1] when empty
    _rng: np.random.Generator

    def __init__(self, d: int, metric: str = "ip", *, M: int = 16, ef_construction: int = 200,
                 random_state: int | np.random.Generator | None = 0) -> None:
        super().__init__(d, metric)
        self.M = check_int("M", M, 2, 512)
        self.M0 = 2 * self.M
        self.ef_construction = check_int("ef_construction", ef_construction, 1, 1_000_000)
        check_seed("random_state", random_state)
        self.random_state = random_state
        self._ef_search = 16
        self._reset()

    # ---------------------------------------------------------------- knobs and state
    @property
    def ef_search(self) -> int:
        """Beam width of a search at layer 0 (``max(ef_search, k)`` nodes are kept)."""
        return self._ef_search

    @ef_search.setter
    def ef_search(self, value: int) -> None:
        self._ef_search = check_int("ef_search", value, 1, 1_000_000)

    @property
    def max_level(self) -> int:
        """The level of the entry point, the top layer of the graph (-1 when empty)."""
        return int(self._state[1])

    @property
    def levels(self) -> npt.NDArray[np.int32]:
        """The level of each stored vector, by position (read-only)."""
        return self._readonly(self._levels_buf[: self.ntotal])

    def neighbours(self, position: int, layer: int = 0) -> npt.NDArray[np.int64]:
        """Positions of the neighbours of the node at ``position`` in ``layer`` (a copy).

        Positions are the order vectors were added in (``index.ids[position]`` is the id).
        """
        position = check_int("position", position, 0, self.ntotal - 1)
        layer = check_int("layer", layer, 0, max(int(self._levels_buf[position]), 0))
        if layer == 0:
            return self._links0_buf[position, : self._deg0_buf[position]].astype(np.int64)
        row = int(self._uoff_buf[position]) + layer - 1
        return self._ulinks_buf[row, : self._udeg_buf[row]].astype(np.int64)

    def _params(self) -> dict[str, Any]:
        rs = self.random_state if isinstance(self.random_state, (int, np.integer)) else None
        return {"M": self.M, "ef_construction": self.ef_construction, "random_state": None if rs is None else int(rs)}

    @staticmethod
    def _readonly(a: np.ndarray) -> np.ndarray:
        view = a.view()
        view.flags.writeable = False
        return view

    def _metric_code(self) -> int:
        from embedcourse.ann import _hnsw_kernels as K

        return K.L2 if self.metric == "l2" else K.IP

    def _graph(self) -> _Graph:
        """The arrays the kernels take, in their order (spare capacity included)."""
        return (self._xb_buf, self._levels_buf, self._links0_buf, self._deg0_buf,
                self._ulinks_buf[: self._n_upper], self._udeg_buf[: self._n_upper], self._uoff_buf, self._state)

    # ---------------------------------------------------------------- the verbs
    def _add(self, x: np.ndarray) -> None:
        from embedcourse.ann import _hnsw_kernels as K

        n0, n = self.ntotal, x.shape[0]
        if n0 + n > np.iinfo(np.int32).max:
            raise ValueError(f"x: an HNSWIndex holds at most {np.iinfo(np.int32).max} vectors.")
        levels = hnsw_levels(n, self.M, self._rng)
        n_rows = levels.astype(np.int64)  # upper-layer rows of each new node
        uoff = np.where(levels > 0, self._n_upper + np.cumsum(n_rows) - n_rows, -1)
        self._xb_buf = append_rows(self._xb_buf, n0, x)
        self._levels_buf = append_rows(self._levels_buf, n0, levels)
        self._links0_buf = append_rows(self._links0_buf, n0, np.full((n, self.M0), -1, np.int32))
        self._deg0_buf = append_rows(self._deg0_buf, n0, np.zeros(n, np.int32))
        self._uoff_buf = append_rows(self._uoff_buf, n0, uoff.astype(np.int64))
        extra = int(n_rows.sum())
        self._ulinks_buf = append_rows(self._ulinks_buf, self._n_upper, np.full((extra, self.M), -1, np.int32))
        self._udeg_buf = append_rows(self._udeg_buf, self._n_upper, np.zeros(extra, np.int32))
        self._n_upper += extra
        graph = self._graph()
        _check_arrays(*graph, self.M, self.M0)
        done = K.build(*graph, n0, n0 + n, self.M, self.ef_construction, self._metric_code())
        if done != n:  # pragma: no cover - check_arrays makes this impossible
            raise RuntimeError(f"the HNSW build kernel refused its arrays (returned {done}).")

    def _search(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        from embedcourse.ann import _hnsw_kernels as K

        D = np.empty((q.shape[0], k), dtype=np.float32)
        P = np.empty((q.shape[0], k), dtype=np.int64)
        graph = self._graph()
        _check_arrays(*graph, self.M, self.M0)
        done = K.search(*graph, self.ntotal, q, k, self.ef_search, self._metric_code(), self._ids, D, P)
        if done != q.shape[0]:  # pragma: no cover - check_arrays makes this impossible
            raise RuntimeError(f"the HNSW search kernel refused its arrays (returned {done}).")
        return D, P

    def _reset(self) -> None:
        self._rng = check_random_state(self.random_state)
        self._xb_buf = np.empty((0, self.d), np.float32)
        self._levels_buf = np.empty(0, np.int32)
        self._links0_buf = np.empty((0, self.M0), np.int32)
        self._deg0_buf = np.empty(0, np.int32)
        self._uoff_buf = np.empty(0, np.int64)
        self._ulinks_buf = np.empty((0, self.M), np.int32)
        self._udeg_buf = np.empty(0, np.int32)
        self._n_upper = 0
        self._state = np.array([-1, -1], np.int64)  # [entry point, its level]

    # ---------------------------------------------------------------- persistence
    def _get_state(self) -> dict[str, np.ndarray]:
        n, u = self.ntotal, self._n_upper
        return {"xb": self._xb_buf[:n], "levels": self._levels_buf[:n], "links0": self._links0_buf[:n],
                "deg0": self._deg0_buf[:n], "ulinks": self._ulinks_buf[:u], "udeg": self._udeg_buf[:u],
                "entry": self._state.copy(), "rng": np.array(json.dumps(self._rng.bit_generator.state))}

    def _set_state(self, arrays: dict[str, np.ndarray]) -> None:
        n = self.ntotal
        got = _check_graph(arrays, n, self.d, self.M)
        self._xb_buf, self._levels_buf, self._links0_buf, self._deg0_buf = got[:4]
        self._ulinks_buf, self._udeg_buf, self._uoff_buf, self._state = got[4:8]
        self._n_upper = self._ulinks_buf.shape[0]
        try:
            state = json.loads(str(arrays["rng"]))
            bitgen = {"PCG64": np.random.PCG64, "PCG64DXSM": np.random.PCG64DXSM, "Philox": np.random.Philox,
                      "MT19937": np.random.MT19937, "SFC64": np.random.SFC64}[state["bit_generator"]]()
            bitgen.state = state
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"corrupt index file: the random generator state cannot be read ({exc!r}).") from None
        self._rng = np.random.Generator(bitgen)


# ------------------------------------------------------------------------------------------------
# checks of the arrays handed to the kernels (so that no kernel can be driven outside an array)
def _check_arrays(X: np.ndarray, levels: np.ndarray, links0: np.ndarray, deg0: np.ndarray, ulinks: np.ndarray,
                 udeg: np.ndarray, uoff: np.ndarray, state: np.ndarray, M: int, M0: int) -> None:
    """Raise ``ValueError`` unless the graph arrays have the dtypes and shapes the kernels expect."""
    n = X.shape[0]
    expect = {"X": (X, np.float32, 2), "levels": (levels, np.int32, 1), "links0": (links0, np.int32, 2),
              "deg0": (deg0, np.int32, 1), "ulinks": (ulinks, np.int32, 2), "udeg": (udeg, np.int32, 1),
              "uoff": (uoff, np.int64, 1), "state": (state, np.int64, 1)}
    for name, (a, dtype, ndim) in expect.items():
        if not isinstance(a, np.ndarray) or a.dtype != dtype or a.ndim != ndim or not a.flags.c_contiguous:
            raise ValueError(f"HNSW array {name} must be a C-contiguous {ndim}-d {np.dtype(dtype).name} array.")
    if min(levels.shape[0], links0.shape[0], deg0.shape[0], uoff.shape[0]) < n:
        raise ValueError("HNSW arrays levels, links0, deg0 and uoff must have a row per vector.")
    if links0.shape[1] != M0 or ulinks.shape[1] != M or udeg.shape[0] != ulinks.shape[0] or state.shape[0] != 2:
        raise ValueError(f"HNSW link arrays must have widths M0={M0} and M={M} and state 2 entries.")


def _check_graph(arrays: dict[str, np.ndarray], n: int, d: int, M: int) -> _Graph:
    """The graph arrays of a saved index, checked link by link (``ValueError`` names what is corrupt).

    Returns ``(X, levels, links0, deg0, ulinks, udeg, uoff, state)`` with ``uoff`` recomputed
    from the levels: after this, no stored number can send a kernel outside an array.
    """
    from embedcourse.ann._hnsw_kernels import MAX_LEVEL

    def get(name: str, dtype: type, shape: tuple[int, ...]) -> np.ndarray:
        if name not in arrays:
            raise ValueError(f"corrupt index file: no array {name!r}.")
        a = np.asarray(arrays[name])
        if a.shape != shape or a.dtype != dtype:  # exactly as saved: no silent casts
            raise ValueError(f"corrupt index file: {name} has dtype {a.dtype} and shape {a.shape}, expected {shape}.")
        return np.ascontiguousarray(a, dtype=dtype)

    X = get("xb", np.float32, (n, d))
    if not np.isfinite(X).all():
        raise ValueError("corrupt index file: xb holds NaN or infinite values.")
    levels = get("levels", np.int32, (n,))
    if n and (levels.min() < 0 or levels.max() > MAX_LEVEL):
        raise ValueError(f"corrupt index file: levels must lie in [0, {MAX_LEVEL}].")
    n_rows = levels.astype(np.int64)
    uoff = np.where(levels > 0, np.cumsum(n_rows) - n_rows, -1).astype(np.int64)
    links0, deg0 = get("links0", np.int32, (n, 2 * M)), get("deg0", np.int32, (n,))
    rows = int(n_rows.sum())
    ulinks, udeg = get("ulinks", np.int32, (rows, M)), get("udeg", np.int32, (rows,))
    row_layer = (np.arange(rows) - np.repeat(uoff[levels > 0], levels[levels > 0]) + 1) if rows else np.zeros(0, int)
    for name, links, deg, layer in (("links0", links0, deg0, np.zeros(n, int)), ("ulinks", ulinks, udeg, row_layer)):
        if deg.size and (deg.min() < 0 or deg.max() > links.shape[1]):
            raise ValueError(f"corrupt index file: link counts of {name} must lie in [0, {links.shape[1]}].")
        used = np.arange(links.shape[1]) < deg[:, None]
        ends = links[used]
        if ends.size and (ends.min() < 0 or ends.max() >= n):
            raise ValueError(f"corrupt index file: {name} links must be positions in [0, {n}).")
        if ends.size and (levels[ends] < np.broadcast_to(layer[:, None], links.shape)[used]).any():
            raise ValueError(f"corrupt index file: {name} links to a node that is not in that layer.")
    state = get("entry", np.int64, (2,))
    expected_top = int(levels.max()) if n else -1
    if (n == 0 and state.tolist() != [-1, -1]) or (n and not (0 <= state[0] < n and state[1] == expected_top
                                                               and levels[state[0]] == expected_top)):
        raise ValueError(f"corrupt index file: entry point {state.tolist()} is not a node of the top level.")
    return X, levels, links0, deg0, ulinks, udeg, uoff, state
