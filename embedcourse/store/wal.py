"""Durable storage for the vector store: a write-ahead log plus snapshots written by rename.

**The log.** Every acknowledged write is one *record* appended to ``wal.log`` before the store
answers. A record is framed so that a reader can tell a whole record from a torn one::

    | length: uint32 | crc32: uint32 | body: length bytes |
    body = | header length: uint32 | header: UTF-8 JSON | vectors: n*d float32 |

The header holds the operation (``{"lsn": 7, "op": "upsert", "ids": [...], "payloads": [...],
"n": 2, "d": 384}``); ``lsn`` is the log sequence number, one more than the previous record's.
:meth:`WriteAheadLog.append` writes the bytes, flushes Python's buffer and calls ``os.fsync``,
so the record is on the disk (not only in the operating system's cache) when it returns.

A process killed mid-write leaves a *torn tail*: a frame whose length runs past the end of the
file, or whose CRC does not match the body. :func:`read_log` reads records until the first such
frame and reports where the good part ends; the store truncates the file there. A torn record
was never acknowledged (its ``append`` had not returned), so dropping it loses nothing.

**Snapshots.** Replaying a long log is slow, so the store periodically writes its whole state
to ``snapshot.npz`` and empties the log (compaction). The snapshot must never be half-written
either: :func:`atomic_write` writes to a temporary file, fsyncs it, renames it over the old one
with ``os.replace`` (atomic on POSIX: a reader sees the old file or the new, never a mixture)
and fsyncs the directory so the rename itself is durable. The snapshot records the last ``lsn``
it contains; on reopen, log records at or below it are skipped, so a crash between writing
the snapshot and emptying the log replays nothing twice.

Taught in: chapter 06.
"""

from __future__ import annotations

import io
import json
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

try:  # POSIX advisory lock: one process at a time may open a store folder
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from embedcourse._validation import as_matrix

__all__ = ["encode_record", "decode_record", "read_log", "repair_log", "LogScan", "WriteAheadLog", "atomic_write",
           "fsync_dir", "write_snapshot", "read_snapshot", "lock_folder"]

_FRAME = struct.Struct("<II")  # body length, crc32(body)
_HLEN = struct.Struct("<I")  # header length inside the body
MAX_RECORD_BYTES = 1 << 31  # a frame claiming more than this is garbage, not a record


def encode_record(header: dict[str, Any], vectors: npt.ArrayLike | None = None) -> bytes:
    """One framed log record: length, CRC32, then a JSON header and the raw float32 vectors.

    Parameters
    ----------
    header : dict
        JSON-serialisable operation (no NaN); ``"n"`` and ``"d"`` are added from ``vectors``.
    vectors : array-like, shape (n, d), optional
        Stored as little-endian float32 bytes after the header.

    Returns
    -------
    bytes
        ``8 + 4 + len(header JSON) + 4 * n * d`` bytes.

    Taught in: chapter 06.
    """
    if not isinstance(header, dict):
        raise TypeError(f"header must be a dict; got {type(header).__name__}.")
    if vectors is None:
        vecs = np.zeros((0, 0), "<f4")
    else:  # finite, 2-d, real: errors name "vectors"
        vecs = as_matrix(vectors, "vectors", dtype=np.float32, allow_empty=True).astype("<f4", copy=False)
    try:
        text = json.dumps({**header, "n": int(vecs.shape[0]), "d": int(vecs.shape[1])},
                          allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"header must be JSON-serialisable without NaN: {exc}") from None
    body = _HLEN.pack(len(text)) + text + np.ascontiguousarray(vecs).tobytes()
    return _FRAME.pack(len(body), zlib.crc32(body)) + body


def decode_record(body: bytes) -> tuple[dict[str, Any], npt.NDArray[np.float32]]:
    """The ``(header, vectors)`` of one record body (the bytes after the 8-byte frame).

    Taught in: chapter 06.
    """
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError(f"body must be bytes; got {type(body).__name__}.")
    body = bytes(body)
    if len(body) < _HLEN.size:
        raise ValueError(f"body is too short to be a record ({len(body)} bytes).")
    (hlen,) = _HLEN.unpack_from(body)
    try:
        header = json.loads(body[_HLEN.size : _HLEN.size + hlen])
        n, d = int(header["n"]), int(header["d"])
    except (ValueError, KeyError, TypeError):
        raise ValueError("body does not hold a valid record header.") from None
    raw = body[_HLEN.size + hlen :]
    if len(raw) != 4 * n * d:
        raise ValueError(f"body holds {len(raw)} vector bytes; the header says {n} x {d} float32.")
    return header, np.frombuffer(raw, dtype="<f4").reshape(n, d).astype(np.float32)


@dataclass
class LogScan:
    """What :func:`read_log` found: the whole records, and where the good part of the file ends.

    Attributes
    ----------
    records : list of (dict, numpy.ndarray)
        Each record's header and vectors, in log order.
    valid_bytes : int
        Length of the prefix made of whole records; the rest is a torn tail.
    total_bytes : int
        Size of the file.

    Taught in: chapter 06.
    """

    records: list[tuple[dict[str, Any], npt.NDArray[np.float32]]] = field(default_factory=list)
    valid_bytes: int = 0
    total_bytes: int = 0

    @property
    def torn_bytes(self) -> int:
        """Bytes after the last whole record (0 for a clean log)."""
        return self.total_bytes - self.valid_bytes


def read_log(path: str | PathLike[str]) -> LogScan:
    """Read every whole record of a log file, stopping at the first torn or corrupt frame.

    A missing file is an empty log.

    Taught in: chapter 06.
    """
    if not isinstance(path, (str, PathLike)) or (isinstance(path, str) and not path):
        raise TypeError(f"path must be a file path (a non-empty str or os.PathLike); got {path!r}.")
    p = Path(path)
    if not p.exists():
        return LogScan()
    data = p.read_bytes()
    scan = LogScan(total_bytes=len(data))
    pos = 0
    while pos + _FRAME.size <= len(data):
        length, crc = _FRAME.unpack_from(data, pos)
        end = pos + _FRAME.size + length
        if length > MAX_RECORD_BYTES or end > len(data):
            break  # the frame runs past the end: torn
        body = data[pos + _FRAME.size : end]
        if zlib.crc32(body) != crc:
            break  # the bytes are not the ones written: torn or corrupt
        try:
            scan.records.append(decode_record(body))
        except ValueError:
            break
        pos = end
    scan.valid_bytes = pos
    return scan


def repair_log(path: str | PathLike[str]) -> LogScan:
    """:func:`read_log`, then cut the file after the last whole record (fsynced), ready to append.

    Taught in: chapter 06.
    """
    scan = read_log(path)
    if scan.torn_bytes:
        with open(path, "r+b") as fh:
            fh.truncate(scan.valid_bytes)
            fh.flush()
            os.fsync(fh.fileno())
    return scan


def fsync_dir(path: str | PathLike[str]) -> None:
    """fsync a directory, so a rename or a new file in it survives a power cut (POSIX only).

    Taught in: chapter 06.
    """
    if not isinstance(path, (str, PathLike)) or (isinstance(path, str) and not path):
        raise TypeError(f"path must be a directory path; got {path!r}.")
    if not Path(path).is_dir():
        raise FileNotFoundError(f"path={str(path)!r} is not a directory.")
    if os.name != "posix":  # pragma: no cover - Windows cannot open a directory
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str | PathLike[str], write: Callable[[IO[bytes]], Any]) -> Path:
    """Replace the file ``path`` all at once: write a temporary file, fsync, rename, fsync the folder.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create or replace; its folder must exist.
    write : callable
        Called with a binary file object open for writing; writes the new content.

    Returns
    -------
    pathlib.Path

    Taught in: chapter 06.
    """
    if not isinstance(path, (str, PathLike)) or (isinstance(path, str) and not path):
        raise TypeError(f"path must be a file path (a non-empty str or os.PathLike); got {path!r}.")
    if not callable(write):
        raise TypeError(f"write must be a callable taking a file object; got {write!r}.")
    p = Path(path)
    if not p.parent.is_dir():
        raise FileNotFoundError(f"path={str(p)!r}: the folder {str(p.parent)!r} does not exist.")
    tmp = p.with_name(p.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)  # atomic: readers see the old file or the new one
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(p.parent)
    return p


class WriteAheadLog:
    """An append-only log file; each :meth:`append` is durable when it returns.

    Parameters
    ----------
    path : str or os.PathLike
        The log file (created if missing; its folder must exist).
    sync : bool, default True
        ``os.fsync`` after every append. With False a record survives the process being
        killed (it is in the operating system's cache) but not a power cut.

    Taught in: chapter 06.
    """

    def __init__(self, path: str | PathLike[str], *, sync: bool = True) -> None:
        if not isinstance(path, (str, PathLike)) or (isinstance(path, str) and not path):
            raise TypeError(f"path must be a file path (a non-empty str or os.PathLike); got {path!r}.")
        if not isinstance(sync, bool):
            raise TypeError(f"sync must be True or False; got {sync!r}.")
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise FileNotFoundError(f"path={str(self.path)!r}: the folder does not exist.")
        self.sync = sync
        created = not self.path.exists()
        self._fh: IO[bytes] | None = open(self.path, "ab")
        if created and sync:
            fsync_dir(self.path.parent)  # the new file's directory entry must survive a power cut too

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._fh is None

    def append(self, record: bytes) -> int:
        """Append one framed record (from :func:`encode_record`); returns the file size after it."""
        if self._fh is None:
            raise ValueError("the log is closed; open a new WriteAheadLog.")
        if not isinstance(record, (bytes, bytearray)) or len(record) < _FRAME.size:
            raise TypeError(f"record must be the bytes of encode_record(...); got {type(record).__name__}.")
        self._fh.write(record)
        self._fh.flush()  # Python's buffer -> the operating system
        if self.sync:
            os.fsync(self._fh.fileno())  # the operating system's cache -> the disk
        return self._fh.tell()

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def write_snapshot(path: str | PathLike[str], header: dict[str, Any], ids: npt.ArrayLike, X: npt.ArrayLike) -> Path:
    """Write a store's whole state to one ``.npz`` file with :func:`atomic_write`.

    Parameters
    ----------
    path : str or os.PathLike
        The snapshot file (replaced at once).
    header : dict
        JSON-serialisable description (dimension, metric, last lsn, payloads).
    ids : array-like of int, shape (n,)
    X : array-like, shape (n, d)

    Taught in: chapter 06.
    """
    if not isinstance(header, dict):
        raise TypeError(f"header must be a dict; got {type(header).__name__}.")
    try:
        text = json.dumps(header, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"header must be JSON-serialisable without NaN: {exc}") from None
    vecs = as_matrix(X, "X", dtype=np.float32, allow_empty=True)
    id_arr = np.asarray(ids)
    if id_arr.ndim != 1 or id_arr.shape[0] != vecs.shape[0] or not np.issubdtype(id_arr.dtype, np.integer):
        raise ValueError(f"ids must be {vecs.shape[0]} ints, one per row of X; got {id_arr.dtype} {id_arr.shape}.")
    buf = io.BytesIO()
    np.savez(buf, header=np.array(text), ids=id_arr.astype(np.int64), X=vecs)
    return atomic_write(path, lambda fh: fh.write(buf.getvalue()))


def read_snapshot(path: str | PathLike[str]) -> tuple[dict[str, Any], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """``(header, ids, X)`` from a file written by :func:`write_snapshot`.

    Taught in: chapter 06.
    """
    if not isinstance(path, (str, PathLike)) or (isinstance(path, str) and not path):
        raise TypeError(f"path must be a file path (a non-empty str or os.PathLike); got {path!r}.")
    if not Path(path).is_file():
        raise FileNotFoundError(f"no snapshot file at path={str(path)!r}.")
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            ids, X = data["ids"].astype(np.int64), data["X"].astype(np.float32)
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as exc:
        raise ValueError(f"path={str(path)!r} is not a readable snapshot: {exc}") from None
    if not isinstance(header, dict) or X.ndim != 2 or ids.shape != (X.shape[0],):
        raise ValueError(f"path={str(path)!r} is not a readable snapshot (bad header or shapes).")
    return header, ids, X


def lock_folder(path: str | PathLike[str]) -> IO[str]:
    """Open ``path`` (a lock file) and take an exclusive advisory lock on it, without waiting.

    Returns the open file: the lock lasts until it is closed, or the process ends (also when
    killed). A second holder, in this process or another, gets a RuntimeError.

    Taught in: chapter 06.
    """
    if not isinstance(path, (str, PathLike)) or (isinstance(path, str) and not path):
        raise TypeError(f"path must be a file path (a non-empty str or os.PathLike); got {path!r}.")
    if not Path(path).parent.is_dir():
        raise FileNotFoundError(f"path={str(path)!r}: the folder does not exist.")
    fh = open(path, "a")
    if fcntl is not None:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise RuntimeError(f"path={str(path)!r} is locked: the store is open in another VectorStore "
                               f"(this or another process); close it first.") from None
    return fh
