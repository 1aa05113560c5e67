"""The catalogue of the course's data: one table of every source, and a way to forget memos.

:func:`describe_sources` prints the registry (:data:`~embedcourse.data.SOURCES`) as a table:
what each source is, which package and version it comes from, its licence, how to cite it
and the exact command that installs it. :func:`clear_caches` forgets every memoised dataset
and model and every remembered file hash, so the next call reads the files again.

Taught in: chapter 01 (the set-up page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .files import _clear_memos
from .registry import SOURCES

if TYPE_CHECKING:  # pragma: no cover - imports for type hints only
    import pandas as pd

__all__ = ["describe_sources", "clear_caches"]


def describe_sources() -> pd.DataFrame:
    """One row per data source of the course: what it is, where it comes from, how to cite it.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``package``, ``version``, ``licence``, ``citation``, ``description``,
        ``n_files`` and ``install`` (the exact command), one row per entry of :data:`SOURCES`.

    Taught in: chapter 01 (the set-up page).
    """
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "name": s.name,
                "package": s.package,
                "version": s.version,
                "licence": s.licence,
                "citation": s.citation,
                "description": s.description,
                "n_files": len(s.paths),
                "install": s.install,
            }
            for s in SOURCES.values()
        ]
    )


def clear_caches() -> None:
    """Forget every memoised dataset and model (the next call reads the files again).

    Also forgets the remembered sha256 of every file, so the next :func:`locate` hashes it
    again. The on-disk cache of :mod:`embedcourse.cache` is not touched (delete its folder).

    Taught in: chapter 01 (the set-up page).
    """
    _clear_memos()
