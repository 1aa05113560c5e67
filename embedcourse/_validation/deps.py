"""Optional packages: import one, or say exactly how to install it.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["MissingDependencyError", "require"]


class MissingDependencyError(ImportError):
    """An optional package is not installed; the message holds the exact install command."""


def require(module: str, pip_name: str | None = None, *, extra: str = "") -> Any:
    """Import ``module`` or raise :class:`MissingDependencyError` with the command to install it.

    Parameters
    ----------
    module : str
        Importable module name, e.g. ``"faiss"``.
    pip_name : str, optional
        The name on PyPI when it differs from the module, with its pin, e.g. ``"faiss-cpu==1.15.1"``.
    extra : str
        Extra pip flags, e.g. ``"--no-deps"`` for data-only packages.
    """
    if not isinstance(module, str) or not module:
        raise TypeError(f"module must be a module name (a non-empty str); got {module!r}.")
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - exercised through the data loaders
        name = pip_name or module
        flags = f"{extra} " if extra else ""
        raise MissingDependencyError(
            f"This needs the package '{name}', which is not installed. "
            f"Install it with:  pip install {flags}{name}   "
            f"(or run `make install`, which installs everything the course uses)."
        ) from exc
