"""Nearest-neighbour indexes with faiss's interface: ``train``, ``add``, ``search(q, k) -> (D, I)``.

Every index here is a :class:`Index` (``d``, ``metric``, ``ntotal``, ``is_trained``, ``train``,
``add``, ``search``, ``reset``, ``save``/``load``), so ours and faiss's can be swapped in one
line, and :func:`index_factory` builds them from faiss-style strings (``"Flat"``, later
``"IVF256,PQ16"``, ``"HNSW32"``). Only the exact :class:`FlatIndex` exists so far; IVF, PQ,
IVF-PQ, HNSW, LSH and an int8 scalar-quantised flat index arrive with chapter 07 and later,
behind the same interface.

Taught in: chapter 07 (and used in chapters 06, 10 and 11).
"""

from embedcourse.ann.base import FORMAT_VERSION, METRICS, Index, read_index, write_index
from embedcourse.ann.factory import PLANNED, index_factory
from embedcourse.ann.flat import FlatIndex

__all__ = [
    "Index",
    "FlatIndex",
    "index_factory",
    "read_index",
    "write_index",
    "METRICS",
    "FORMAT_VERSION",
    "PLANNED",
]
