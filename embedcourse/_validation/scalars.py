"""Scalar checks: whole numbers, finite floats, bools, seeds, choices, k.

Hyperparameter and corpus checks for the estimators (embedcourse.models).

Each returns the value converted to a plain Python type, or raises a TypeError (wrong type:
bool where a number is expected, str, None, a float where an int is expected) or a
ValueError (NaN, infinity, out of range), naming the argument and its valid range. The
models call them at ``fit`` time, before anything reaches a compiled (numba) kernel: a NaN
learning rate or a negative window there would not raise, it would read or write outside
the arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_int", "check_float", "check_bool", "check_seed", "check_random_state", "check_k", "check_choice"]


def _fmt_num(x: float) -> str:
    # 1000 -> "1000", 0.001 -> "0.001", 2**32 -> "2**32", 2**63 - 1 -> "2**63 - 1", 10**8 -> "10**8"
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() and abs(x) < 1e6 else f"{x:g}"
    import math

    x = int(x)
    if abs(x) > 100_000:
        a = abs(x)
        sign = "-" if x < 0 else ""
        for base in (2, 10):
            for off, tail in ((0, ""), (1, " - 1")):
                k = round(math.log(a + off, base))
                if base**k == a + off:
                    return f"{sign}{base}**{k}{tail}"
    return str(x)


def _range_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is None and high is None:
        return ""
    if high is None:
        assert low is not None
        return f" {'>' if low_open else '>='} {_fmt_num(low)}"
    if low is None:
        return f" {'<' if high_open else '<='} {_fmt_num(high)}"
    return f" in {'(' if low_open else '['}{_fmt_num(low)}, {_fmt_num(high)}{')' if high_open else ']'}"


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None, *, hint: str = "") -> int:
    """Check that ``value`` is an integer (not a bool, not a float) in ``[low, high]``; returns ``int(value)``.

    ``None`` for ``low`` or ``high`` leaves that side open. Raises ``TypeError`` for the wrong
    type and ``ValueError`` for a value out of range; both messages give the name and the range
    (followed by ``hint``, e.g. ``" (1 = skip-gram, 0 = CBOW)"``).

    Examples
    --------
    >>> check_int("window", 5, 1, 1000)
    5
    >>> check_int("window", 0, 1, 1000)
    Traceback (most recent call last):
    ...
    ValueError: window must be an int in [1, 1000]; got 0.
    """
    what = f"{name} must be an int{_range_text(low, high, False, False)}{hint}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what}; got {value!r} ({type(value).__name__}).")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        raise ValueError(f"{what}; got {v}.")
    return v


def check_float(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    hint: str = "",
) -> float:
    """Check that ``value`` is a finite real number in the given interval; returns ``float(value)``.

    Ints and numpy scalars are accepted; bools, strings, None and complex numbers are not
    (``TypeError``). NaN, infinity and values outside ``[low, high]`` (open at an end when
    ``low_open`` / ``high_open``) raise ``ValueError``; both messages give the name and range
    (followed by ``hint``).

    Examples
    --------
    >>> check_float("ns_exponent", float("nan"), -10, 10)
    Traceback (most recent call last):
    ...
    ValueError: ns_exponent must be a finite float in [-10, 10]; got nan.
    """
    what = f"{name} must be a finite float{_range_text(low, high, low_open, high_open)}{hint}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what}; got {value!r} ({type(value).__name__}).")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{what}; got {v}.")
    if low is not None and (v < low or (low_open and v == low)):
        raise ValueError(f"{what}; got {v!r}.")
    if high is not None and (v > high or (high_open and v == high)):
        raise ValueError(f"{what}; got {v!r}.")
    return v


def check_bool(name: str, value: Any) -> bool:
    """Check that ``value`` is a bool (``True``/``False`` or a numpy bool); returns ``bool(value)``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r} ({type(value).__name__}).")
    return bool(value)


def check_seed(name: str, value: Any) -> None:
    """Check a ``random_state`` argument: ``None``, an int in ``[0, 2**63 - 1]`` or a numpy ``Generator``.

    The value itself is turned into a generator later by :func:`check_random_state`.
    """
    if value is None or isinstance(value, np.random.Generator):
        return
    what = f"{name} must be None, an int in [0, 2**63 - 1] or a numpy Generator"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what}; got {value!r} ({type(value).__name__}).")
    if not 0 <= int(value) <= 2**63 - 1:
        raise ValueError(f"{what}; got {int(value)}.")


def check_random_state(random_state: int | np.random.Generator | None) -> np.random.Generator:
    """Turn ``random_state`` into a :class:`numpy.random.Generator` without touching global state.

    ``None`` gives a fresh unseeded generator (non-deterministic); course code always passes an int.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or (isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool)):
        if random_state is not None and random_state < 0:
            raise ValueError(f"random_state must be a non-negative int (a seed); got {random_state}.")
        return np.random.default_rng(random_state)
    raise TypeError(f"random_state must be an int, a numpy Generator or None; got {random_state!r}.")


def check_k(k: int, n: int, *, name: str = "k", what: str = "items in the index") -> int:
    """Check that ``1 <= k <= n``; returns ``int(k)`` (the message says how many ``what`` there are)."""
    k = check_int(name, k, 1)
    if k > n:
        raise ValueError(
            f"{name}={k} is larger than the {n} {what}; ask for at most {n}."
        )
    return int(k)


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """Check that ``value`` is one of the strings ``choices``; returns it (ValueError naming ``name`` otherwise)."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}.")
    return value
