"""A small vector store built from scratch: what a database adds to a nearest-neighbour index.

An index (chapter 07) answers ``search(q, k)`` over vectors held in memory. A vector database
wraps one and adds:

* **records**: an id, a vector and a JSON *payload* (metadata) per item, fetched by id;
* **upsert and delete**: a write with a known id replaces the record (the old vector becomes a
  *tombstone* the index skips until compaction rebuilds it);
* **filtered search**: ``pre``-filtering evaluates the filter first and searches exactly among
  the matching records (always ``k`` results if ``k`` match); ``post``-filtering asks the index
  for ``k * overfetch`` candidates and drops those that fail the filter, which is fast with an
  approximate index but can return fewer than ``k`` when the filter is selective (the recall
  trap measured in chapter 06);
* **durability**: every write is appended to a write-ahead log and fsynced before ``upsert`` or
  ``delete`` returns; ``compact`` writes a snapshot by write-then-rename and empties the log;
  opening the folder again replays the log (see :mod:`embedcourse.store.wal`);
* **concurrency**: one lock serialises every operation, so several threads may write and read.

Ids are non-negative Python ints (int64), as in Milvus's INT64 primary keys and faiss's ids.
Internally each write gets a new *row*; the index stores rows, and ``_row_of`` maps an id to its
live row. With ``metric="cosine"`` vectors are stored at unit length.

Taught in: chapter 06.
"""

from __future__ import annotations

import json
import threading
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_choice, check_int
from embedcourse.ann import METRICS, Index, index_factory
from embedcourse.ann._checks import prepare_vectors
from embedcourse.ann.base import append_rows
from embedcourse.store._checks import check_ids, check_payloads
from embedcourse.store.filters import check_filter, filter_mask
from embedcourse.store.wal import (WriteAheadLog, atomic_write, encode_record, lock_folder, read_snapshot, repair_log,
                                   write_snapshot)
from embedcourse.topk import _top_k

__all__ = ["VectorStore", "STRATEGIES"]

STRATEGIES: tuple[str, ...] = ("pre", "post")
_FORMAT = "embedcourse.store"
_SNAPSHOT, _LOG, _LOCK = "snapshot.npz", "wal.log", "LOCK"
_REBUILD_DEAD_FRACTION = 0.25  # rebuild the index when this share of its rows are tombstones


class VectorStore:
    """A collection of records (id, vector, payload) with filtered search and a durable log.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A folder holding ``snapshot.npz`` and ``wal.log``. Opened if it holds a store (then
        ``d`` and ``metric`` may be omitted, and must match if given), created otherwise.
        None: an in-memory store, lost when the process ends.
    d : int, optional
        Dimension of the vectors (required for a new store).
    metric : {"cosine", "ip", "l2"}, optional
        As in :mod:`embedcourse.ann`; default "cosine" for a new store.
    index : str, default "Flat"
        A description for :func:`embedcourse.ann.index_factory` ("Flat" is exact; "HNSW32" or
        "IVF64,Flat" once chapter 07's indexes exist). Used by post-filtered search.
    sync : bool, default True
        fsync the log after every write (durable across power loss, slower).

    Attributes
    ----------
    recovery : dict
        What opening found: ``{"replayed": records applied from the log, "skipped": records
        already in the snapshot, "torn_bytes": bytes of a torn tail that were dropped}``.

    Examples
    --------
    >>> store = VectorStore(d=2, metric="l2")
    >>> store.upsert([7, 8], [[0.0, 0.0], [1.0, 1.0]], [{"lang": "en"}, {"lang": "fr"}])
    2
    >>> D, I = store.search([[0.9, 0.9]], k=1, filter={"lang": "en"})
    >>> I
    array([[7]])

    Taught in: chapter 06.
    """

    def __init__(self, path: str | PathLike[str] | None = None, d: int | None = None, metric: str | None = None,
                 *, index: str = "Flat", sync: bool = True) -> None:
        if path is not None and (not isinstance(path, (str, PathLike)) or (isinstance(path, str) and not path)):
            raise TypeError(f"path must be a folder path (a non-empty str or os.PathLike) or None; got {path!r}.")
        if d is not None:
            d = check_int("d", d, 1, 1 << 16)
        if metric is not None:
            check_choice("metric", metric, METRICS)
        if not isinstance(index, str):
            raise TypeError(f"index must be an index description str such as 'Flat' or 'HNSW32'; got {index!r}.")
        if not isinstance(sync, bool):
            raise TypeError(f"sync must be True or False; got {sync!r}.")
        self._lock = threading.RLock()
        self.path = None if path is None else Path(path)
        self.sync = sync
        self.description = index
        self.recovery = {"replayed": 0, "skipped": 0, "torn_bytes": 0}
        self._wal: WriteAheadLog | None = None
        self._lockfile: Any = None
        self._closed = False
        snapshot = self.path / _SNAPSHOT if self.path is not None else None
        if snapshot is not None and snapshot.exists():
            self._open(d, metric)
            try:
                self._check_index()
            except ValueError:
                self.close()
                raise
        else:
            if d is None:
                raise ValueError("d (the vector dimension) is required to create a new store.")
            self._init_state(d, metric or "cosine")
            self._check_index()  # before anything is written to disk
            if self.path is not None:
                self._create()

    def _check_index(self) -> None:
        try:
            index_factory(self.d, self.description, self.metric)
        except (ValueError, TypeError, NotImplementedError) as exc:
            raise ValueError(f"index={self.description!r} cannot be built: {exc}") from None

    # ------------------------------------------------------------------ state
    def _init_state(self, d: int, metric: str) -> None:
        self.d, self.metric = int(d), metric
        self._X = np.empty((0, self.d), np.float32)  # vectors by row (capacity doubles)
        self._row_id = np.empty(0, np.int64)  # id of each row
        self._alive = np.empty(0, bool)  # False: replaced or deleted (a tombstone)
        self._payloads: list[dict[str, Any]] = []
        self._nrows = 0
        self._row_of: dict[int, int] = {}  # id -> its live row
        self._index: Index | None = None
        self._indexed = 0  # rows [0, _indexed) are in the index
        self.lsn = 0  # sequence number of the last applied write

    def _apply(self, header: dict[str, Any], X: np.ndarray) -> None:
        """Apply one logged operation to memory (the same code path for live writes and replay)."""
        if header["op"] == "upsert":
            n0 = self._nrows
            for j, (i, p) in enumerate(zip(header["ids"], header["payloads"], strict=True)):
                old = self._row_of.get(i)
                if old is not None:
                    self._alive[old] = False
                self._row_of[i] = n0 + j
                self._payloads.append(p)
            n = len(header["ids"])
            self._X = append_rows(self._X, n0, X)
            self._row_id = append_rows(self._row_id, n0, np.asarray(header["ids"], np.int64))
            self._alive = append_rows(self._alive, n0, np.ones(n, bool))
            self._nrows += n
        else:  # delete
            for i in header["ids"]:
                row = self._row_of.pop(i, None)
                if row is not None:
                    self._alive[row] = False
        self.lsn = int(header["lsn"])

    # ------------------------------------------------------------------ files
    def _create(self) -> None:
        assert self.path is not None
        if self.path.exists() and (not self.path.is_dir() or any(self.path.iterdir())):
            raise ValueError(f"path={str(self.path)!r} exists and is not a vector store folder "
                             f"(no {_SNAPSHOT}); pass a new or empty folder.")
        self.path.mkdir(parents=True, exist_ok=True)
        self._lockfile = lock_folder(self.path / _LOCK)
        self._write_snapshot()
        self._wal = WriteAheadLog(self.path / _LOG, sync=self.sync)

    def _write_snapshot(self) -> None:
        assert self.path is not None
        rows = np.flatnonzero(self._alive[: self._nrows])
        header = {"format": _FORMAT, "d": self.d, "metric": self.metric, "lsn": self.lsn,
                  "payloads": [self._payloads[r] for r in rows]}
        write_snapshot(self.path / _SNAPSHOT, header, self._row_id[rows], self._X[rows])

    def _open(self, d: int | None, metric: str | None) -> None:
        assert self.path is not None
        self._lockfile = lock_folder(self.path / _LOCK)
        header, ids, X = read_snapshot(self.path / _SNAPSHOT)
        if header.get("format") != _FORMAT:
            raise ValueError(f"path={str(self.path)!r} is not an {_FORMAT} folder.")
        for name, given in (("d", d), ("metric", metric)):
            if given is not None and given != header[name]:
                raise ValueError(f"{name}={given!r} does not match the store at path={str(self.path)!r} "
                                 f"({name}={header[name]!r}); omit it to use the stored value.")
        self._init_state(header["d"], header["metric"])
        self._apply({"op": "upsert", "lsn": header["lsn"], "ids": ids.tolist(), "payloads": header["payloads"]},
                    np.asarray(X, np.float32).reshape(-1, self.d))
        log = self.path / _LOG
        scan = repair_log(log)  # a torn tail (a write never acknowledged) is cut off
        for head, vecs in scan.records:
            if head["lsn"] <= self.lsn:
                self.recovery["skipped"] += 1
                continue
            if head["lsn"] != self.lsn + 1:
                raise ValueError(f"{log}: record lsn {head['lsn']} follows lsn {self.lsn}; the log is corrupt.")
            self._apply(head, vecs)
            self.recovery["replayed"] += 1
        self.recovery["torn_bytes"] = scan.torn_bytes
        self._wal = WriteAheadLog(log, sync=self.sync)

    def _log(self, header: dict[str, Any], X: np.ndarray | None) -> None:
        """Log (durably) then apply one write; the caller holds the lock."""
        self._check_open()
        header = {"lsn": self.lsn + 1, **header}
        record = encode_record(header, X)
        if self._wal is not None:
            self._wal.append(record)  # durable before it is visible or acknowledged
        self._apply(header, np.zeros((0, self.d), np.float32) if X is None else X)

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("the store is closed; open it again with VectorStore(path).")

    # ------------------------------------------------------------------ writes
    def upsert(self, ids: npt.ArrayLike, X: npt.ArrayLike, payloads: list[dict[str, Any]] | None = None) -> int:
        """Insert records, replacing any with the same id; durable when it returns.

        Parameters
        ----------
        ids : sequence of int, length n
            Non-negative and unique within the call.
        X : array-like, shape (n, d)
            The vectors (finite; non-zero for "cosine").
        payloads : list of dict, length n, optional
            JSON metadata per record (default ``{}``).

        Returns
        -------
        int
            n, the number of records written.
        """
        id_list = check_ids(ids)
        Xp = prepare_vectors(X, "X", self.d, self.metric)
        if Xp.shape[0] != len(id_list):
            raise ValueError(f"X has {Xp.shape[0]} rows for {len(id_list)} ids; pass one vector per id.")
        with self._lock:
            self._log({"op": "upsert", "ids": id_list, "payloads": check_payloads(payloads, len(id_list))}, Xp)
        return len(id_list)

    def delete(self, ids: npt.ArrayLike) -> int:
        """Delete records by id; every id must exist (else KeyError, and nothing is deleted)."""
        id_list = check_ids(ids)
        with self._lock:
            missing = [i for i in id_list if i not in self._row_of]
            if missing:
                raise KeyError(f"ids: unknown id {missing[0]} ({len(missing)} of {len(id_list)} not in the store); "
                               f"nothing was deleted.")
            self._log({"op": "delete", "ids": id_list}, None)
        return len(id_list)

    # ------------------------------------------------------------------ reads
    def get(self, ids: npt.ArrayLike) -> list[dict[str, Any]]:
        """The records ``{"id", "vector", "payload"}`` of the given ids (KeyError for an unknown id)."""
        id_list = check_ids(ids)
        with self._lock:
            self._check_open()
            out = []
            for i in id_list:
                if i not in self._row_of:
                    raise KeyError(f"ids: unknown id {i}; it was never written or was deleted.")
                row = self._row_of[i]
                out.append({"id": i, "vector": self._X[row].copy(), "payload": json.loads(json.dumps(self._payloads[row]))})
            return out

    def __len__(self) -> int:
        with self._lock:
            return len(self._row_of)

    def count(self, filter: dict[str, Any] | None = None) -> int:
        """How many live records match ``filter`` (all of them for None)."""
        check_filter(filter)
        with self._lock:
            self._check_open()
            return int(self._live_mask(filter).sum())

    def ids(self) -> npt.NDArray[np.int64]:
        """The ids of the live records, sorted."""
        with self._lock:
            return np.array(sorted(self._row_of), dtype=np.int64)

    def _live_mask(self, filter: dict[str, Any] | None) -> np.ndarray:
        alive = self._alive[: self._nrows].copy()
        if filter is not None:
            rows = np.flatnonzero(alive)
            alive[rows] = filter_mask([self._payloads[r] for r in rows], filter)
        return alive

    def build_index(self) -> Index:
        """Bring the index up to date (add new rows; rebuild when many are tombstones) and return it.

        Set search-time knobs on the returned index (``nprobe``, ``ef_search``) as in faiss.
        """
        with self._lock:
            self._check_open()
            dead = int((~self._alive[: self._indexed]).sum())
            if self._index is None or dead > _REBUILD_DEAD_FRACTION * max(self._indexed, 1):
                self._index, self._indexed = index_factory(self.d, self.description, self.metric), 0
            rows = np.flatnonzero(self._alive[self._indexed : self._nrows]) + self._indexed
            if not self._index.is_trained and rows.size:
                self._index.train(self._X[rows])
            if rows.size:
                self._index.add(self._X[rows], ids=rows)
            self._indexed = self._nrows
            return self._index

    def search(self, q: npt.ArrayLike, k: int, *, filter: dict[str, Any] | None = None, strategy: str = "pre",
               overfetch: int = 4) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """The ``k`` best live records for each query that match ``filter``.

        Parameters
        ----------
        q : array-like, shape (n_queries, d)
        k : int
            Results per query (at least 1). Fewer records may match: the rest is padding.
        filter : dict, optional
            See :mod:`embedcourse.store.filters`.
        strategy : {"pre", "post"}, default "pre"
            "pre": filter, then exact search among the matches. "post": ``k * overfetch``
            candidates from the index, then the filter (may return fewer than ``k``).
        overfetch : int, default 4
            Candidate multiplier of "post".

        Returns
        -------
        D : numpy.ndarray of float32, shape (n_queries, k)
            Scores as in :mod:`embedcourse.ann`; padding is ``-inf`` ("ip", "cosine") or ``+inf`` ("l2").
        I : numpy.ndarray of int64, shape (n_queries, k)
            Record ids, best first; padding is -1 (faiss's "no result").
        """
        k = check_int("k", k, 1)
        strategy = check_choice("strategy", strategy, STRATEGIES)
        overfetch = check_int("overfetch", overfetch, 1, 1 << 20)
        check_filter(filter)
        Q = prepare_vectors(q, "q", self.d, self.metric)
        with self._lock:
            self._check_open()
            mask = self._live_mask(filter)
            largest = self.metric != "l2"
            D = np.full((Q.shape[0], k), -np.inf if largest else np.inf, np.float32)
            ids_out = np.full((Q.shape[0], k), -1, np.int64)
            if strategy == "pre":
                rows = np.flatnonzero(mask)
                if rows.size:
                    S = self._scores(Q, self._X[rows])
                    kk = min(k, rows.size)
                    D[:, :kk], pos = _top_k(S, kk, largest, np.broadcast_to(self._row_id[rows], S.shape))
                    ids_out[:, :kk] = self._row_id[rows[pos]]
                return D, ids_out
            index = self.build_index()
            if index.ntotal == 0:
                return D, ids_out
            Dc, rows_c = index.search(Q, min(k * overfetch, index.ntotal))
            for qi in range(Q.shape[0]):
                keep = np.flatnonzero(mask[rows_c[qi]])[:k]
                D[qi, : keep.size], ids_out[qi, : keep.size] = Dc[qi, keep], self._row_id[rows_c[qi, keep]]
            return D, ids_out

    def _scores(self, Q: np.ndarray, X: np.ndarray) -> np.ndarray:
        if self.metric != "l2":
            return Q @ X.T
        S = (Q * np.float32(-2.0)) @ X.T
        S += np.einsum("ij,ij->i", X, X)[None, :]
        S += np.einsum("ij,ij->i", Q, Q)[:, None]
        return np.maximum(S, 0.0)

    # ------------------------------------------------------------------ maintenance
    def compact(self) -> None:
        """Drop tombstones, write a snapshot atomically and empty the log (no-op in memory)."""
        with self._lock:
            self._check_open()
            rows = np.flatnonzero(self._alive[: self._nrows])
            X, ids, payloads, lsn = self._X[rows].copy(), self._row_id[rows], [self._payloads[r] for r in rows], self.lsn
            self._init_state(self.d, self.metric)
            self._apply({"op": "upsert", "lsn": lsn, "ids": ids.tolist(), "payloads": payloads}, X)
            if self.path is None or self._wal is None:
                return
            self._write_snapshot()  # the snapshot holds every write up to lsn ...
            self._wal.close()  # ... so the log can be emptied (a crash before this is harmless)
            atomic_write(self.path / _LOG, lambda fh: None)
            self._wal = WriteAheadLog(self.path / _LOG, sync=self.sync)

    def close(self) -> None:
        """Close the log and release the folder (idempotent); acknowledged writes are already durable."""
        with self._lock:
            if self._wal is not None:
                self._wal.close()
                self._wal = None
            if self._lockfile is not None:
                self._lockfile.close()
                self._lockfile = None
            self._closed = True

    def __enter__(self) -> VectorStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "memory" if self.path is None else str(self.path)
        return (f"VectorStore({where!r}, d={self.d}, metric={self.metric!r}, index={self.description!r}, "
                f"count={len(self._row_of)}, lsn={self.lsn})")
