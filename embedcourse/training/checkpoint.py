"""Checkpoints of :func:`~embedcourse.training.fit`: one file, written atomically after each epoch.

A crash (or a kernel restart) in the middle of a write must never leave a half-written
checkpoint behind: :func:`save_checkpoint` writes to a temporary file in the same directory and
then renames it over the old one with :func:`os.replace`, which is atomic on POSIX and Windows.
The file holds only tensors, numbers, strings, lists and dicts, so :func:`load_checkpoint` reads
it with ``torch.load(weights_only=True)`` (no arbitrary code is unpickled).

Taught in: chapter 08.
"""

from __future__ import annotations

import os
import pathlib
import tempfile
from typing import Any

import torch

__all__ = ["save_checkpoint", "load_checkpoint"]


def _path(path: Any) -> pathlib.Path:
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or pathlib.Path; got {type(path).__name__}.")
    if str(path) == "":
        raise ValueError("path is empty; give a file name such as 'runs/model.pt'.")
    return pathlib.Path(path)


def save_checkpoint(path: str | os.PathLike, state: dict) -> None:
    """Write ``state`` to ``path`` atomically (temporary file, then ``os.replace``).

    Parameters
    ----------
    path : str or pathlib.Path
        Destination; its directory is created if needed.
    state : dict
        Tensors, numbers, strings, lists and dicts (``state_dict()`` output qualifies).

    Returns
    -------
    None

    Examples
    --------
    >>> save_checkpoint("run.pt", {"epoch": 3, "model": model.state_dict()})  # doctest: +SKIP

    Taught in: chapter 08.
    """
    p = _path(path)
    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict; got {type(state).__name__}.")
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=p.name + ".", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    dict

    Notes
    -----
    Read with ``torch.load(weights_only=True)``: a file from an untrusted source cannot run code
    when loaded (only tensors and plain containers are unpickled), though its *values* are
    whatever the file says.

    Examples
    --------
    >>> state = load_checkpoint("run.pt")  # doctest: +SKIP

    Taught in: chapter 08.
    """
    p = _path(path)
    if not p.is_file():
        raise FileNotFoundError(f"path {str(p)!r} is not a checkpoint file (it does not exist).")
    try:
        state = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:  # any unpickling failure means the same thing here
        raise ValueError(f"path {str(p)!r} is not a readable checkpoint ({type(exc).__name__}: {exc}).") from None
    if not isinstance(state, dict):
        raise ValueError(f"path {str(p)!r} does not hold a checkpoint dict.")
    return state
