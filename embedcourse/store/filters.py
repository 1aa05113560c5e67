"""A small metadata filter language, the kind every vector database puts beside its search.

A filter is a JSON-like ``dict`` evaluated against each stored payload (itself a ``dict``). It
is the MongoDB-style subset that Chroma and Qdrant's JSON filters resemble (Milvus writes the
same ideas as a string expression, ``source == "bbc" and day >= 40``):

* ``{"source": "bbc"}``: the field equals the value (several fields: all must hold);
* ``{"day": {"$gte": 40, "$lt": 60}}``: comparison operators ``$eq``, ``$ne``, ``$gt``,
  ``$gte``, ``$lt``, ``$lte``; ``$in`` / ``$nin`` take a list; ``$exists`` takes a bool;
* ``{"$and": [f1, f2]}``, ``{"$or": [f1, f2]}``, ``{"$not": f}``: logic on whole filters;
* ``{}`` matches every payload; ``"a.b"`` reaches into a nested dict.

Values are JSON scalars: str, int, float (finite), bool and None. ``$gt``-style comparisons take
a number or a str and never match a payload value of the other kind (``"10" > 9`` is simply
false, as in MongoDB); bools are not numbers here (``True`` does not equal ``1``). When the
payload value is a list (say ``"tags": ["eu", "trade"]``), equality and ``$in`` match if any
element matches.

A malformed filter (an unknown ``$operator``, ``$in`` without a list, a NaN, a non-dict) raises
a ValueError or TypeError naming the place in the filter, before any payload is looked at.

Taught in: chapter 06.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["check_filter", "matches", "filter_mask", "FILTER_OPERATORS"]

#: field operators, then logical operators
FILTER_OPERATORS: tuple[str, ...] = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists",
                                     "$and", "$or", "$not")
_ORDER = ("$gt", "$gte", "$lt", "$lte")
_MISSING = object()


def _is_scalar(v: Any) -> bool:
    if isinstance(v, float):
        return math.isfinite(v)
    return v is None or isinstance(v, (str, bool, int))


def _check_scalar(v: Any, where: str) -> None:
    if not _is_scalar(v):
        what = "a NaN or infinity" if isinstance(v, float) else f"a {type(v).__name__}"
        raise TypeError(f"filter: {where} must be a JSON scalar (str, int, finite float, bool or None); "
                        f"got {what}: {v!r}.")


def _check_field(field: str, cond: Any, where: str) -> None:
    if not isinstance(cond, dict):
        _check_scalar(cond, where)
        return
    if not cond:
        raise ValueError(f"filter: {where} is an empty operator dict; write e.g. {{'$eq': value}}.")
    for op, value in cond.items():
        at = f"{where}[{op!r}]"
        if op in ("$in", "$nin"):
            if not isinstance(value, (list, tuple)) or not value:
                raise TypeError(f"filter: {at} must be a non-empty list of values; got {value!r}.")
            for v in value:
                _check_scalar(v, at)
        elif op in _ORDER:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)) or not _is_scalar(value):
                raise TypeError(f"filter: {at} compares with a number or a str; got {value!r}.")
        elif op == "$exists":
            if not isinstance(value, bool):
                raise TypeError(f"filter: {at} must be True or False; got {value!r}.")
        elif op in ("$eq", "$ne"):
            _check_scalar(value, at)
        else:
            raise ValueError(f"filter: unknown operator {op!r} at {where}; field operators are "
                             f"{', '.join(FILTER_OPERATORS[:9])}.")


def _check(f: Any, where: str) -> None:
    if not isinstance(f, dict):
        raise TypeError(f"filter: {where} must be a dict such as {{'source': 'bbc'}}; got {type(f).__name__}: {f!r}.")
    for key, cond in f.items():
        at = f"{where}[{key!r}]"
        if not isinstance(key, str) or not key:
            raise TypeError(f"filter: field names must be non-empty str; got {key!r} in {where}.")
        if key in ("$and", "$or"):
            if not isinstance(cond, (list, tuple)) or not cond:
                raise TypeError(f"filter: {at} must be a non-empty list of filters; got {cond!r}.")
            for i, sub in enumerate(cond):
                _check(sub, f"{at}[{i}]")
        elif key == "$not":
            _check(cond, at)
        elif key.startswith("$"):
            raise ValueError(f"filter: unknown operator {key!r} at {where}; at this level use a field "
                             f"name or one of $and, $or, $not.")
        else:
            _check_field(key, cond, at)


def check_filter(filter: Any) -> dict[str, Any] | None:
    """Check that ``filter`` is a well-formed filter (or None); returns it unchanged.

    Parameters
    ----------
    filter : dict or None
        See the module docstring for the language.

    Raises
    ------
    TypeError, ValueError
        Naming where in the filter the problem is, e.g. ``filter['day']['$in']``.

    Examples
    --------
    >>> check_filter({"source": {"$in": ["bbc", "cnn"]}, "day": {"$gte": 40}})
    {'source': {'$in': ['bbc', 'cnn']}, 'day': {'$gte': 40}}

    Taught in: chapter 06.
    """
    if filter is None:
        return None
    _check(filter, "filter")
    return filter


def _lookup(payload: dict[str, Any], field: str) -> Any:
    value: Any = payload
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(type(a) is type(b) or (isinstance(a, (int, float)) and isinstance(b, (int, float)))) and a == b


def _compare(op: str, value: Any, bound: Any) -> bool:
    numeric = isinstance(bound, (int, float))
    if isinstance(value, bool) or not (isinstance(value, (int, float)) if numeric else isinstance(value, str)):
        return False  # a str is never compared with a number, nor a bool with anything
    if op == "$gt":
        return bool(value > bound)
    if op == "$gte":
        return bool(value >= bound)
    if op == "$lt":
        return bool(value < bound)
    return bool(value <= bound)


def _field_matches(value: Any, cond: Any) -> bool:
    if not isinstance(cond, dict):
        cond = {"$eq": cond}
    items = value if isinstance(value, list) else [value]
    for op, arg in cond.items():
        if op == "$exists":
            ok = (value is not _MISSING) == arg
        elif value is _MISSING:
            ok = op in ("$ne", "$nin")
        elif op == "$eq":
            ok = any(_equal(v, arg) for v in items)
        elif op == "$ne":
            ok = not any(_equal(v, arg) for v in items)
        elif op == "$in":
            ok = any(_equal(v, a) for v in items for a in arg)
        elif op == "$nin":
            ok = not any(_equal(v, a) for v in items for a in arg)
        else:
            ok = any(_compare(op, v, arg) for v in items)
        if not ok:
            return False
    return True


def _matches(payload: dict[str, Any], f: dict[str, Any]) -> bool:
    for key, cond in f.items():
        if key == "$and":
            ok = all(_matches(payload, sub) for sub in cond)
        elif key == "$or":
            ok = any(_matches(payload, sub) for sub in cond)
        elif key == "$not":
            ok = not _matches(payload, cond)
        else:
            ok = _field_matches(_lookup(payload, key), cond)
        if not ok:
            return False
    return True


def matches(payload: dict[str, Any], filter: dict[str, Any] | None) -> bool:
    """Whether one ``payload`` satisfies ``filter`` (None matches everything).

    Parameters
    ----------
    payload : dict
        A record's metadata, e.g. ``{"source": "bbc", "day": 41}``.
    filter : dict or None
        Checked with :func:`check_filter` first.

    Examples
    --------
    >>> matches({"source": "bbc", "day": 41}, {"day": {"$gte": 40}, "source": {"$ne": "cnn"}})
    True

    Taught in: chapter 06.
    """
    if not isinstance(payload, dict):
        raise TypeError(f"payload must be a dict; got {type(payload).__name__}.")
    f = check_filter(filter)
    return True if f is None else _matches(payload, f)


def filter_mask(payloads: Sequence[dict[str, Any]], filter: dict[str, Any] | None) -> npt.NDArray[np.bool_]:
    """``matches`` for every payload at once: a boolean mask of shape (n,).

    Taught in: chapter 06.
    """
    if isinstance(payloads, (str, bytes, dict)) or not isinstance(payloads, Sequence):
        raise TypeError(f"payloads must be a list of dicts; got {type(payloads).__name__}.")
    f = check_filter(filter)
    for i, p in enumerate(payloads):
        if not isinstance(p, dict):
            raise TypeError(f"payloads[{i}] must be a dict; got {type(p).__name__}.")
    if f is None:
        return np.ones(len(payloads), dtype=bool)
    return np.fromiter((_matches(p, f) for p in payloads), dtype=bool, count=len(payloads))
