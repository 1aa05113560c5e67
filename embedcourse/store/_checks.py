"""Input checks of the vector store: ids and payloads (errors name the argument).

Taught in: chapter 06.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

__all__ = ["check_ids", "check_payloads"]


def check_ids(ids: Any, name: str = "ids") -> list[int]:
    arr = np.asarray(ids)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-d sequence of ints; got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; pass at least one id.")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be non-negative ints (int64); got dtype {arr.dtype}.")
    if arr.min() < 0 or (arr.dtype == np.uint64 and arr.max() > np.iinfo(np.int64).max):
        raise ValueError(f"{name} must be non-negative int64 values; got {int(arr.min())}.")
    out = [int(i) for i in arr]
    if len(set(out)) != len(out):
        seen: set[int] = set()
        dup = next(i for i in out if i in seen or seen.add(i))  # type: ignore[func-returns-value]
        raise ValueError(f"{name} must be unique within one call; {dup} appears more than once.")
    return out


def check_payloads(payloads: Any, n: int) -> list[dict[str, Any]]:
    if payloads is None:
        return [{} for _ in range(n)]
    if isinstance(payloads, (dict, str, bytes)) or not isinstance(payloads, (list, tuple)):
        raise TypeError(f"payloads must be a list of dicts, one per id; got {type(payloads).__name__}.")
    if len(payloads) != n:
        raise ValueError(f"payloads has {len(payloads)} items for {n} ids; pass one dict per id.")
    out = []
    for i, p in enumerate(payloads):
        if not isinstance(p, dict) or not all(isinstance(k, str) for k in p):
            raise TypeError(f"payloads[{i}] must be a dict with str keys; got {p!r}.")
        try:  # a round trip through JSON: what is stored is what the log holds
            out.append(json.loads(json.dumps(p, allow_nan=False)))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"payloads[{i}] must be JSON-serialisable without NaN: {exc}") from None
    return out
