"""Nearest-neighbour indexes with faiss's interface: ``train``, ``add``, ``search(q, k) -> (D, I)``.

Every index here is a :class:`Index` (``d``, ``metric``, ``ntotal``, ``is_trained``, ``train``,
``add``, ``search``, ``reset``, ``save``/``load``), so ours and faiss's can be swapped in one
line, and :func:`index_factory` builds them from faiss-style strings (``"Flat"``, later
``"IVF256,PQ16"``, ``"HNSW32"``). Only the exact :class:`FlatIndex` exists so far; IVF, PQ,
IVF-PQ, HNSW, LSH and an int8 scalar-quantised flat index arrive with chapter 07 and later,
behind the same interface.

Taught in: chapter 07 (and used in chapters 06, 10 and 11).
"""

from embedcourse.ann import base, factory, flat
from embedcourse.ann.base import *  # noqa: F403
from embedcourse.ann.factory import *  # noqa: F403
from embedcourse.ann.flat import *  # noqa: F403

__all__ = [*base.__all__, *flat.__all__, *factory.__all__]
