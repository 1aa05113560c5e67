"""The interface every nearest-neighbour index in :mod:`embedcourse.ann` shares, faiss's.

An index holds ``ntotal`` vectors of dimension ``d``, each with an int64 id, and answers
``search(q, k) -> (D, I)``: for each query row the ``k`` best scores ``D`` and the ids ``I`` of the
vectors that scored them, both of shape (n_queries, k), best first. The verbs are faiss's, so
``ec.ann.FlatIndex(d, "ip")`` and ``faiss.IndexFlatIP(d)`` can be swapped in one line:

* ``train(x)``: learn whatever the index needs from sample vectors (centroids, codebooks);
  a no-op for exact indexes, which are born trained (``is_trained`` is True);
* ``add(x, ids=None)``: store vectors; ids default to ``ntotal, ntotal + 1, ...`` (faiss's
  ``add``), or pass unique int64 ids (faiss's ``add_with_ids``);
* ``search(q, k)``: the ``k`` nearest stored vectors of each query row;
* ``reset()``: forget the vectors (a trained index stays trained);
* ``save(path)`` / ``Index.load(path)``: one ``.npz`` file (arrays plus a JSON header).

Search-time knobs (``nprobe`` for IVF, ``ef_search`` for HNSW) are plain attributes, set
between searches as in faiss: ``index.nprobe = 8``.

Metrics (``D`` is float32, as in faiss):

* ``"ip"``: inner product ``q . x``, larger is better (``faiss.METRIC_INNER_PRODUCT``);
* ``"l2"``: **squared** Euclidean distance ``||q - x||^2``, smaller is better (``faiss.METRIC_L2``);
* ``"cosine"``: the inner product of unit vectors. Stored vectors are scaled to unit length
  once, when added, and each query when searched: faiss's ``normalize_L2`` + ``IndexFlatIP``.

Equal scores are ordered by **the smaller id**, also when they compete for the last of the
``k`` places (through :func:`embedcourse.topk.top_k`), so a search is deterministic and does not
depend on the order the vectors were added or stored in. Floating point decides what is equal:
exact duplicates of a vector may score a last-bit apart in a BLAS product, depending on where
they sit in memory, and are then not tied.

Taught in: chapter 07 (the interface), chapter 06 (persistence).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from os import PathLike
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from embedcourse.ann._checks import check_new_ids, check_path, check_search_k, prepare_vectors

__all__ = ["Index", "METRICS", "FORMAT_VERSION", "read_index", "write_index"]

METRICS: tuple[str, ...] = ("ip", "l2", "cosine")
FORMAT_VERSION = 1
_FORMAT = "embedcourse.ann"

# class name -> class; filled by Index.__init_subclass__, read by Index.load
_REGISTRY: dict[str, type[Index]] = {}


class Index(ABC):
    """Abstract base: a collection of ``ntotal`` vectors of dimension ``d`` with int64 ids.

    Subclasses implement ``_add``, ``_search``, ``_reset`` and the two state methods (and
    ``_train`` if ``requires_training``); the public methods here check every input, scale
    vectors for ``metric="cosine"`` and map internal positions to ids, once for all indexes.

    Parameters
    ----------
    d : int
        Dimension of the vectors, ``>= 1``.
    metric : {"ip", "l2", "cosine"}, default "ip"
        How a query is compared with a stored vector (see the module docstring).

    Attributes
    ----------
    d : int
    metric : str
    ntotal : int
        Number of stored vectors.
    is_trained : bool
        Whether ``add`` and ``search`` may be called.

    Taught in: chapter 07.
    """

    #: whether ``train`` must be called before ``add`` (IVF, PQ: yes; Flat, HNSW: no)
    requires_training: ClassVar[bool] = False
    #: names of search-time attributes saved with the index (e.g. ``("nprobe",)``)
    search_knobs: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    def __init__(self, d: int, metric: str = "ip") -> None:
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"d (the vector dimension) must be an int >= 1; got {d!r}.")
        if d < 1:
            raise ValueError(f"d (the vector dimension) must be an int >= 1; got {d!r}.")
        if not isinstance(metric, str) or metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(map(repr, METRICS))}.")
        self.d = int(d)
        self.metric = metric
        self._trained = not self.requires_training
        self._ntotal = 0
        self._id_buf = np.empty(0, dtype=np.int64)  # ids by position; capacity grows by doubling
        self._ids_increasing = True  # then position order is id order: no tiebreak needed

    # ---------------------------------------------------------------- state
    @property
    def ntotal(self) -> int:
        """Number of stored vectors."""
        return self._ntotal

    @property
    def _ids(self) -> npt.NDArray[np.int64]:
        return self._id_buf[: self._ntotal]

    @property
    def is_trained(self) -> bool:
        """True when the index can ``add`` and ``search`` (always True for exact indexes)."""
        return self._trained

    @property
    def ids(self) -> npt.NDArray[np.int64]:
        """The ids of the stored vectors, in the order they were added (read-only view)."""
        view = self._ids.view()
        view.flags.writeable = False
        return view

    def __len__(self) -> int:
        return self.ntotal

    def __repr__(self) -> str:
        knobs = "".join(f", {name}={getattr(self, name)!r}" for name in self.search_knobs)
        params = "".join(f", {k}={v!r}" for k, v in self._params().items())
        return (f"{type(self).__name__}(d={self.d}, metric={self.metric!r}{params}{knobs}, "
                f"ntotal={self.ntotal}, is_trained={self.is_trained})")

    # ---------------------------------------------------------------- the verbs
    def train(self, x: npt.ArrayLike) -> None:
        """Learn the index's parameters from sample vectors (a no-op for exact indexes).

        Parameters
        ----------
        x : array-like, shape (n, d)
            Training vectors (checked like ``add``'s; not stored).
        """
        x = self._prepare(x, "x")
        if self.requires_training:
            self._train(x)
            self._trained = True

    def add(self, x: npt.ArrayLike, ids: npt.ArrayLike | None = None) -> None:
        """Store vectors, with ids ``ntotal, ntotal + 1, ...`` or the given ones.

        Parameters
        ----------
        x : array-like, shape (n, d)
            Vectors to store; copied (as float32; unit length for ``metric="cosine"``).
        ids : array-like of int, shape (n,), optional
            One non-negative id per row, unique and not already in the index: faiss's
            ``add_with_ids``. ``search`` returns these ids instead of positions.
        """
        self._check_trained("add")
        x = self._prepare(x, "x")
        new_ids = check_new_ids(ids, x.shape[0], self._ids, sorted_=self._ids_increasing)
        self._add(x)  # stores at positions ntotal .. ntotal + n - 1
        self._ids_increasing = self._ids_increasing and bool(
            np.all(np.diff(np.concatenate([self._ids[-1:], new_ids])) > 0))
        self._id_buf = append_rows(self._id_buf, self._ntotal, new_ids)
        self._ntotal += new_ids.size

    def search(self, q: npt.ArrayLike, k: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """The ``k`` nearest stored vectors of each query, best first.

        Parameters
        ----------
        q : array-like, shape (n_queries, d)
            Query vectors (a single query is ``q[None, :]``).
        k : int
            Neighbours per query, ``1 <= k <= ntotal``.

        Returns
        -------
        D : numpy.ndarray of float32, shape (n_queries, k)
            Scores: inner products for "ip" and "cosine" (decreasing along a row), squared L2
            distances for "l2" (increasing).
        I : numpy.ndarray of int64, shape (n_queries, k)
            Ids of the neighbours; ``I[i, 0]`` is the best match of query ``i``.
        """
        self._check_trained("search")
        k = check_search_k(k, self.ntotal)
        q = self._prepare(q, "q")
        D, positions = self._search(q, k)
        return np.ascontiguousarray(D, dtype=np.float32), self._ids[positions]

    def reset(self) -> None:
        """Remove every stored vector (ntotal becomes 0); a trained index stays trained."""
        self._ntotal = 0
        self._id_buf = np.empty(0, dtype=np.int64)
        self._ids_increasing = True
        self._reset()

    # ---------------------------------------------------------------- persistence
    def save(self, path: str | PathLike[str]) -> Path:
        """Write the index to one ``.npz`` file (a JSON header plus arrays, no pickle).

        Returns the path written (``.npz`` is appended if missing, as ``np.savez`` does).
        """
        header = {"format": _FORMAT, "version": FORMAT_VERSION, "class": type(self).__name__,
                  "d": self.d, "metric": self.metric, "is_trained": self.is_trained,
                  "params": self._params(),
                  "knobs": {name: getattr(self, name) for name in self.search_knobs}}
        arrays = self._get_state()
        clash = {"header", "ids"} & set(arrays)
        if clash:  # pragma: no cover - a subclass bug
            raise RuntimeError(f"{type(self).__name__}._get_state uses reserved names {clash}.")
        path = check_path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        if not path.parent.is_dir():
            raise FileNotFoundError(f"cannot save the index to {str(path)!r}: the folder {str(path.parent)!r} "
                                    f"does not exist (path={str(path)!r}); create it first.")
        payload: dict[str, Any] = {"header": np.array(json.dumps(header)), "ids": self._ids, **arrays}
        np.savez(path, **payload)
        return path

    @classmethod
    def load(cls, path: str | PathLike[str]) -> Index:
        """Read an index written by :meth:`save`; ``Index.load`` returns whichever class it was."""
        path = check_path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no index file at path={str(path)!r}.")
        try:
            data = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as exc:  # not a numpy file at all
            raise ValueError(f"path={str(path)!r} is not an embedcourse.ann index file ({exc}).") from None
        if not isinstance(data, np.lib.npyio.NpzFile) or "header" not in data.files:
            raise ValueError(f"path={str(path)!r} is not an embedcourse.ann index file (no header).")
        with data:
            header = json.loads(str(data["header"]))
            arrays = {name: data[name] for name in data.files if name != "header"}
        if header.get("format") != _FORMAT:
            raise ValueError(f"{path} is not an embedcourse.ann index file.")
        if header.get("version") != FORMAT_VERSION:
            raise ValueError(f"{path} has format version {header.get('version')}; this embedcourse "
                             f"reads version {FORMAT_VERSION}.")
        name = header["class"]
        if name not in _REGISTRY:
            raise ValueError(f"{path} holds a {name}, which this embedcourse does not know; "
                             f"known: {', '.join(sorted(_REGISTRY))}.")
        klass = _REGISTRY[name]
        if not issubclass(klass, cls):
            raise TypeError(f"{path} holds a {name}, not a {cls.__name__}; use Index.load.")
        index = klass(header["d"], metric=header["metric"], **header["params"])
        for knob, value in header["knobs"].items():
            setattr(index, knob, value)
        index._trained = bool(header["is_trained"])
        index._id_buf = np.ascontiguousarray(arrays.pop("ids"), dtype=np.int64)
        index._ntotal = index._id_buf.size
        index._ids_increasing = bool(np.all(np.diff(index._ids) > 0))
        index._set_state(arrays)
        return index

    def _tiebreak(self) -> npt.NDArray[np.int64] | None:
        """Ids by position, for ``top_k(..., tiebreak=)``; None when positions already sort as ids."""
        return None if self._ids_increasing else self._ids

    # ---------------------------------------------------------------- checks
    def _check_trained(self, verb: str) -> None:
        if not self.is_trained:
            raise RuntimeError(f"{type(self).__name__} must be trained before {verb}: "
                               f"call train(x) with sample vectors first.")

    def _prepare(self, x: Any, name: str) -> npt.NDArray[np.float32]:
        return prepare_vectors(x, name, self.d, self.metric)

    # ---------------------------------------------------------------- for subclasses
    def _params(self) -> dict[str, Any]:
        """Constructor arguments besides ``d`` and ``metric`` (JSON types), e.g. ``{"nlist": 256}``."""
        return {}

    def _train(self, x: np.ndarray) -> None:  # pragma: no cover - indexes that need training
        raise NotImplementedError

    @abstractmethod
    def _add(self, x: np.ndarray) -> None:
        """Store checked vectors ``x`` (n, d) float32 at positions ``ntotal .. ntotal + n - 1``."""

    @abstractmethod
    def _search(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``(D, positions)`` of shape (n_queries, k) for checked queries; positions index ``_ids``."""

    @abstractmethod
    def _reset(self) -> None:
        """Drop the stored vectors (not the trained parameters)."""

    @abstractmethod
    def _get_state(self) -> dict[str, np.ndarray]:
        """The arrays to save (trained parameters and stored vectors or codes)."""

    @abstractmethod
    def _set_state(self, arrays: dict[str, np.ndarray]) -> None:
        """Restore the arrays written by ``_get_state``."""


def append_rows(buf: np.ndarray, n_used: int, new: np.ndarray) -> np.ndarray:
    """``buf[:n_used]`` then ``new``, in a buffer whose capacity doubles when full.

    Many small ``add`` calls then cost amortised O(1) per row (faiss's ``std::vector``), not a
    copy of everything stored so far each time. The first ``add`` allocates exactly its size.
    """
    need = n_used + new.shape[0]
    if need > buf.shape[0]:
        grown = np.empty((max(need, 2 * buf.shape[0]), *buf.shape[1:]), dtype=buf.dtype)
        grown[:n_used] = buf[:n_used]
        buf = grown
    buf[n_used:need] = new
    return buf


def write_index(index: Index, path: str | PathLike[str]) -> Path:
    """``index.save(path)``, spelled as faiss's ``faiss.write_index(index, path)``."""
    return index.save(path)


def read_index(path: str | PathLike[str]) -> Index:
    """``Index.load(path)``, spelled as faiss's ``faiss.read_index(path)``."""
    return Index.load(path)
