"""Build an index from a faiss-style description string: ``index_factory(d, "IVF256,PQ16")``.

faiss names a whole index in one short string, read left to right: an optional *coarse
structure* that decides which stored vectors a query looks at (``IVF256``: 256 inverted lists;
``HNSW32``: a graph with 32 links per node), then the *encoding* that says how each vector is
stored and compared (``Flat``: as is; ``PQ16``: 16 bytes of product-quantisation codes;
``SQ8``: one byte per dimension; ``LSH``: hash buckets), and optionally a *refinement* that
re-ranks the candidates exactly (``Refine(Flat)``). ``"IVF256,PQ16"`` is a coarse structure
and an encoding.

The grammar read here (a subset of faiss's, plus our LSH)::

    description := [ "IDMap" "," ] [ coarse "," ] encoding [ "," refine ]  |  "HNSW" [M]
    coarse      := "IVF" nlist  |  "HNSW" [M]
    encoding    := "Flat"  |  "PQ" M [ "x" nbits ]  |  "SQ8"  |  "LSH" [ nbits [ "x" ntables ] ]
    refine      := "Refine(Flat)"  |  "RFlat"          (after "IVF<nlist>,PQ<M>" only)

What each builds (``metric`` is passed to all):

========================================  ===============================================
``"Flat"``                                :class:`FlatIndex`
``"IVF256,Flat"``                         ``IVFIndex(d, nlist=256)``
``"PQ16"``, ``"PQ16x8"``                  ``PQIndex(d, m=16, nbits=8)``
``"IVF256,PQ16"``                         ``IVFPQIndex(d, nlist=256, m=16, nbits=8)``
``"IVF256,PQ16,Refine(Flat)"``            the same with ``rerank=1`` (keeps the vectors;
                                          raise ``index.rerank`` like faiss's ``k_factor``)
``"SQ8"``                                 ``SQ8Index(d)``
``"LSH"``, ``"LSH16"``, ``"LSH16x8"``     ``LSHIndex(d, nbits=16, ntables=8)`` (defaults 16, 8)
``"HNSW"``, ``"HNSW32"``, ``"HNSW32,Flat"`` ``HNSWIndex(d, M=32)`` (faiss's default M is 32)
========================================  ===============================================

``IDMap`` is accepted and ignored, because every index here takes ids in ``add`` (faiss needs
``IndexIDMap`` for that). ``LSH`` differs from faiss's: faiss's ``"LSH256"`` is one table of
256-bit codes ranked by Hamming distance, ours hashes into buckets (at most 62 bits per key,
several tables) and re-ranks exactly; ``"LSH256"`` is therefore refused with a pointer to
``"LSH<nbits>x<ntables>"``. Each component is parsed into a name and its numbers; a family is
added by one entry in ``_BUILDERS``.

Taught in: chapter 07.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from collections.abc import Callable

from embedcourse.ann.base import Index
from embedcourse.ann.flat import FlatIndex
from embedcourse.ann.ivf import IVFIndex
from embedcourse.ann.ivfpq import IVFPQIndex
from embedcourse.ann.lsh import MAX_BITS, LSHIndex
from embedcourse.ann.pq import PQIndex
from embedcourse.ann.sq import SQ8Index

__all__ = ["index_factory", "parse_description", "Component", "PLANNED"]

_COMPONENT = re.compile(r"([A-Za-z]+)(\d+)?(?:x(\d+))?")
_REFINE = ("Refine(Flat)", "RFlat")

#: name -> (role, numbers it takes: (required, optional))
_KINDS: dict[str, tuple[str, int, int]] = {
    "IDMap": ("prefix", 0, 0),
    "IVF": ("coarse", 1, 0),
    "HNSW": ("coarse", 0, 1),
    "Flat": ("encoding", 0, 0),
    "PQ": ("encoding", 1, 1),
    "SQ": ("encoding", 1, 0),
    "LSH": ("encoding", 0, 2),
    "Refine": ("refine", 0, 0),
}

#: (coarse family, encoding family) -> where it arrives (families not written yet; empty now)
PLANNED: dict[tuple[str | None, str], str] = {}

_ACCEPTED = ('"Flat", "IVF<nlist>,Flat", "PQ<M>[x<nbits>]", "IVF<nlist>,PQ<M>[x<nbits>][,Refine(Flat)]", '
             '"SQ8", "LSH[<nbits>[x<ntables>]]", "HNSW[<M>][,Flat]"; optional "IDMap," prefix')


@dataclass(frozen=True)
class Component:
    """One comma-separated part of a description: ``"PQ16x8"`` -> ``Component("PQ", (16, 8))``."""

    name: str
    numbers: tuple[int, ...] = ()

    def __str__(self) -> str:
        if self.name == "Refine":
            return "Refine(Flat)"
        return self.name + "x".join(map(str, self.numbers))


def _fail(description: object, why: str) -> ValueError:
    return ValueError(f"cannot read index description {description!r}: {why}. Accepted: {_ACCEPTED}.")


def parse_description(description: str) -> tuple[Component | None, Component, Component | None]:
    """Split a description into ``(coarse, encoding, refine)`` components, checking the grammar.

    ``coarse`` and ``refine`` are None when absent.

    Examples
    --------
    >>> parse_description("IVF256,PQ16x8")
    (Component(name='IVF', numbers=(256,)), Component(name='PQ', numbers=(16, 8)), None)
    >>> parse_description("HNSW32")
    (Component(name='HNSW', numbers=(32,)), Component(name='Flat', numbers=()), None)
    >>> parse_description("IVF1024,PQ10,Refine(Flat)")[2]
    Component(name='Refine', numbers=())
    """
    if not isinstance(description, str):
        raise TypeError(f"description must be a str such as 'Flat'; got {description!r}.")
    parts: list[Component] = []
    for raw in description.split(","):
        text = raw.strip()
        if text in _REFINE:
            parts.append(Component("Refine"))
            continue
        m = _COMPONENT.fullmatch(text)
        if not m or m.group(1) not in _KINDS or m.group(1) == "Refine":
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
    refine = None
    if parts and parts[-1].name == "Refine":
        refine, parts = parts[-1], parts[:-1]
    roles = [_KINDS[p.name][0] for p in parts]
    if roles == ["coarse"] and parts[0].name == "HNSW" and refine is None:
        return parts[0], Component("Flat"), None  # faiss: "HNSW32" means "HNSW32,Flat"
    if roles == ["encoding"]:
        return None, parts[0], refine
    if roles == ["coarse", "encoding"]:
        return parts[0], parts[1], refine
    raise _fail(description, "expected [coarse,]encoding[,refine], e.g. 'Flat' or 'IVF256,PQ16'")


def _hnsw(d: int, metric: str, coarse: Component | None, encoding: Component, refine: bool) -> Index:
    try:  # imported when first used: the graph index lives in its own module
        module = importlib.import_module("embedcourse.ann.hnsw")
    except ImportError as exc:  # pragma: no cover - the module ships with the package
        raise NotImplementedError(f"HNSWIndex is not available ({exc}).") from None
    M = coarse.numbers[0] if coarse and coarse.numbers else 32
    index: Index = module.HNSWIndex(d, metric=metric, M=M)
    return index


def _lsh(d: int, metric: str, coarse: Component | None, encoding: Component, refine: bool) -> Index:
    nbits, ntables = (*encoding.numbers, 16, 8)[: 2] if len(encoding.numbers) != 1 else (encoding.numbers[0], 8)
    if nbits > MAX_BITS:
        raise _fail(f"LSH{nbits}", f"LSH{nbits}: our LSHIndex keys buckets with at most {MAX_BITS} bits per "
                    f"table (faiss's LSH{nbits} is one table of {nbits}-bit codes ranked by Hamming "
                    f"distance); use several tables instead, e.g. 'LSH16x8'")
    return LSHIndex(d, nbits=nbits, ntables=ntables, metric=metric)


def _nbits(encoding: Component) -> int:
    return encoding.numbers[1] if len(encoding.numbers) > 1 else 8


_Builder = Callable[[int, str, "Component | None", Component, bool], Index]

#: (coarse family, encoding family) -> constructor(d, metric, coarse, encoding, refine)
_BUILDERS: dict[tuple[str | None, str], _Builder] = {
    (None, "Flat"): lambda d, metric, c, e, r: FlatIndex(d, metric),
    ("IVF", "Flat"): lambda d, metric, c, e, r: IVFIndex(d, c.numbers[0] if c else 1, metric=metric),
    (None, "PQ"): lambda d, metric, c, e, r: PQIndex(d, e.numbers[0], nbits=_nbits(e), metric=metric),
    ("IVF", "PQ"): lambda d, metric, c, e, r: IVFPQIndex(d, c.numbers[0] if c else 1, e.numbers[0], nbits=_nbits(e),
                                                         metric=metric, rerank=int(r)),
    (None, "SQ"): lambda d, metric, c, e, r: SQ8Index(d, metric),
    (None, "LSH"): _lsh,
    ("HNSW", "Flat"): _hnsw,
}


def index_factory(d: int, description: str, metric: str = "ip") -> Index:
    """Build an (untrained, empty) index from a faiss-style description.

    Parameters
    ----------
    d : int
        Dimension of the vectors.
    description : str
        A factory string (see the module docstring for the grammar), e.g. ``"IVF1024,Flat"``,
        ``"PQ10"``, ``"IVF1024,PQ10,Refine(Flat)"``, ``"SQ8"``, ``"LSH16x8"``, ``"HNSW32"``.
    metric : {"ip", "l2", "cosine"}, default "ip"
        Unlike faiss, whose default is L2, the course's default is the inner product.

    Returns
    -------
    Index

    Raises
    ------
    ValueError
        The description does not follow the grammar (the message lists what is accepted), or
        its numbers do not fit ``d`` (e.g. ``m`` must divide ``d``).

    Examples
    --------
    >>> index_factory(50, "Flat", metric="l2")
    FlatIndex(d=50, metric='l2', ntotal=0, is_trained=True)
    >>> index_factory(50, "IVF256,PQ10", metric="cosine").nlist
    256

    Taught in: chapter 07.
    """
    coarse, encoding, refine = parse_description(description)
    if encoding.name == "SQ" and encoding.numbers != (8,):
        raise _fail(description, f"only SQ8 (8-bit scalar quantisation) is available, not {encoding}")
    key = (coarse.name if coarse else None, encoding.name)
    if refine is not None and key != ("IVF", "PQ"):
        raise _fail(description, "Refine(Flat) is available after 'IVF<nlist>,PQ<M>' only")
    if key in _BUILDERS:
        return _BUILDERS[key](d, metric, coarse, encoding, refine is not None)
    if key in PLANNED:  # pragma: no cover - nothing is planned now
        raise NotImplementedError(f"index_factory({description!r}): this index is not written yet; it "
                                  f"arrives as {PLANNED[key]}.")
    raise _fail(description, f"the combination {' + '.join(str(k) for k in key if k)} is not supported")
