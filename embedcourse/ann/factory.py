"""Build an index from a faiss-style description string: ``index_factory(d, "Flat")``.

faiss names a whole index in one short string, read left to right: an optional *coarse
structure* that decides which stored vectors a query looks at (``IVF256``: 256 inverted lists;
``HNSW32``: a graph with 32 links per node) and then the *encoding* that says how each vector is
stored and compared (``Flat``: as is; ``PQ16``: 16 bytes of product-quantisation codes;
``SQ8``: one byte per dimension; ``LSH``: sign bits). ``"IVF256,PQ16"`` is both.

The grammar read here (a subset of faiss's)::

    description := [ "IDMap" "," ] [ coarse "," ] encoding  |  "HNSW" [M]
    coarse      := "IVF" nlist  |  "HNSW" [M]
    encoding    := "Flat"  |  "PQ" M [ "x" nbits ]  |  "SQ8"  |  "LSH"

``IDMap`` is accepted and ignored, because every index here takes ids in ``add`` (faiss needs
``IndexIDMap`` for that). Each component is parsed into a name and its numbers; a family is
added by one entry in ``_BUILDERS``. Families that are planned but not written yet raise
``NotImplementedError`` naming the chapter they arrive in (``PLANNED``).

Taught in: chapter 07.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Callable

from embedcourse.ann.base import Index
from embedcourse.ann.flat import FlatIndex

__all__ = ["index_factory", "parse_description", "Component", "PLANNED"]

_COMPONENT = re.compile(r"([A-Za-z]+)(\d+)?(?:x(\d+))?")

#: name -> (role, numbers it takes: (required, optional))
_KINDS: dict[str, tuple[str, int, int]] = {
    "IDMap": ("prefix", 0, 0),
    "IVF": ("coarse", 1, 0),
    "HNSW": ("coarse", 0, 1),
    "Flat": ("encoding", 0, 0),
    "PQ": ("encoding", 1, 1),
    "SQ": ("encoding", 1, 0),
    "LSH": ("encoding", 0, 0),
}

#: (coarse family, encoding family) -> where it arrives
PLANNED: dict[tuple[str | None, str], str] = {
    ("IVF", "Flat"): "IVFFlatIndex, chapter 07 (inverted lists)",
    (None, "PQ"): "PQIndex, chapter 07 (product quantisation)",
    ("IVF", "PQ"): "IVFPQIndex, chapter 07 (IVF with product-quantised lists)",
    ("HNSW", "Flat"): "HNSWIndex, chapter 07 (graph search)",
    (None, "LSH"): "LSHIndex, chapter 07 (random-hyperplane hashing)",
    (None, "SQ"): "SQ8FlatIndex, chapter 10 (int8 scalar quantisation)",
}

_ACCEPTED = ('"Flat" (now); planned: "IVF<nlist>,Flat", "PQ<M>[x<nbits>]", '
             '"IVF<nlist>,PQ<M>[x<nbits>]", "HNSW<M>", "LSH", "SQ8"; optional "IDMap," prefix')


@dataclass(frozen=True)
class Component:
    """One comma-separated part of a description: ``"PQ16x8"`` -> ``Component("PQ", (16, 8))``."""

    name: str
    numbers: tuple[int, ...] = ()

    def __str__(self) -> str:
        return self.name + "x".join(map(str, self.numbers))


def _fail(description: str, why: str) -> ValueError:
    return ValueError(f"cannot read index description {description!r}: {why}. Accepted: {_ACCEPTED}.")


def parse_description(description: str) -> tuple[Component | None, Component]:
    """Split a description into ``(coarse, encoding)`` components, checking the grammar.

    Examples
    --------
    >>> parse_description("IVF256,PQ16x8")
    (Component(name='IVF', numbers=(256,)), Component(name='PQ', numbers=(16, 8)))
    >>> parse_description("HNSW32")
    (Component(name='HNSW', numbers=(32,)), Component(name='Flat', numbers=()))
    """
    if not isinstance(description, str):
        raise TypeError(f"description must be a str such as 'Flat'; got {description!r}.")
    parts: list[Component] = []
    for raw in description.split(","):
        text = raw.strip()
        m = _COMPONENT.fullmatch(text)
        if not m or m.group(1) not in _KINDS:
            raise _fail(description, f"unknown component {text!r}")
        name = m.group(1)
        numbers = tuple(int(g) for g in m.groups()[1:] if g is not None)
        _, required, optional = _KINDS[name]
        if not required <= len(numbers) <= required + optional:
            takes = "no number" if required + optional == 0 else f"{required} to {required + optional} number(s)"
            raise _fail(description, f"{text!r}: {name} takes {takes}")
        if any(v < 1 for v in numbers):
            raise _fail(description, f"{text!r}: numbers must be at least 1")
        parts.append(Component(name, numbers))
    if parts and parts[0].name == "IDMap":
        parts = parts[1:]
    roles = [_KINDS[p.name][0] for p in parts]
    if roles == ["coarse"] and parts[0].name == "HNSW":
        return parts[0], Component("Flat")  # faiss: "HNSW32" means "HNSW32,Flat"
    if roles == ["encoding"]:
        return None, parts[0]
    if roles == ["coarse", "encoding"]:
        return parts[0], parts[1]
    raise _fail(description, "expected [coarse,]encoding, e.g. 'Flat' or 'IVF256,PQ16'")


#: (coarse family, encoding family) -> constructor(d, metric, coarse, encoding)
_BUILDERS: dict[tuple[str | None, str], Callable[[int, str, Component | None, Component], Index]] = {
    (None, "Flat"): lambda d, metric, coarse, encoding: FlatIndex(d, metric),
}


def index_factory(d: int, description: str, metric: str = "ip") -> Index:
    """Build an (untrained, empty) index from a faiss-style description.

    Parameters
    ----------
    d : int
        Dimension of the vectors.
    description : str
        A faiss factory string; only ``"Flat"`` (and ``"IDMap,Flat"``) can be built so far.
    metric : {"ip", "l2", "cosine"}, default "ip"
        Unlike faiss, whose default is L2, the course's default is the inner product.

    Returns
    -------
    Index

    Raises
    ------
    ValueError
        The description does not follow the grammar (the message lists what is accepted).
    NotImplementedError
        A valid description of a family that is not written yet (names its chapter).

    Examples
    --------
    >>> index_factory(50, "Flat", metric="l2")
    FlatIndex(d=50, metric='l2', ntotal=0, is_trained=True)

    Taught in: chapter 07.
    """
    coarse, encoding = parse_description(description)
    if encoding.name == "SQ" and encoding.numbers != (8,):
        raise _fail(description, f"only SQ8 (8-bit scalar quantisation) is planned, not {encoding}")
    key = (coarse.name if coarse else None, encoding.name)
    if key in _BUILDERS:
        return _BUILDERS[key](d, metric, coarse, encoding)
    if key in PLANNED:
        raise NotImplementedError(
            f"index_factory({description!r}): this index is not written yet; it arrives as "
            f"{PLANNED[key]}. Meanwhile use \"Flat\" (exact) or faiss.index_factory.")
    raise _fail(description, f"the combination {' + '.join(str(k) for k in key if k)} is not supported")
