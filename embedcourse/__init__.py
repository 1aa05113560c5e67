"""embedcourse: the helper package of the embedcourse book.

Every chapter notebook does ``import embedcourse as ec`` and reaches the subpackages as
attributes (``ec.data``, ``ec.vectors``, ``ec.metrics``, ``ec.viz``, ...). Subpackages are
imported lazily on first access, so ``import embedcourse`` is cheap and has no side effects:
it seeds nothing, sets no plotting theme, opens no socket and imports no heavy library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_SUBPACKAGES = (
    "data",
    "metrics",
    "vectors",
    "viz",
    "text",
    "models",
    "sentence",
    "retrieval",
    "ann",
    "ops",
    "topk",
    "cache",
    "reduction",
    "features",
    "timing",
    "store",
    "losses",
    "graph",
    "image",
    "training",
    "evaluation",
)

__all__ = [*_SUBPACKAGES, "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from . import (  # noqa: F401
        ann,
        cache,
        data,
        evaluation,
        features,
        graph,
        image,
        losses,
        metrics,
        models,
        ops,
        reduction,
        retrieval,
        sentence,
        store,
        text,
        timing,
        topk,
        training,
        vectors,
        viz,
    )


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'embedcourse' has no attribute {name!r}; "
                         f"the subpackages are: {', '.join(_SUBPACKAGES)}")


def __dir__() -> list[str]:
    return sorted(__all__)
