"""Input checks shared by every module: clear errors that say what was wrong and what to do.

Every public function in :mod:`embedcourse` that takes arrays runs them through these helpers,
so a reader who passes a list of lists, a 1-d vector, a matrix with NaN or ``k`` larger than the
data gets one readable sentence instead of a broadcasting error three frames deep.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

__all__ = [
    "as_matrix",
    "as_vector",
    "check_k",
    "check_random_state",
    "require",
    "MissingDependencyError",
]


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


def as_matrix(
    x: Any,
    name: str = "X",
    *,
    dtype: Any = np.float32,
    allow_1d: bool = False,
    allow_empty: bool = False,
    finite: bool = True,
    n_features: int | None = None,
) -> np.ndarray:
    """Return ``x`` as a C-contiguous 2-d array of ``dtype``, or raise a clear ``ValueError``.

    Parameters
    ----------
    x : array-like, shape (n, d) (or (d,) when ``allow_1d``)
    name : str
        What to call the argument in error messages.
    dtype : numpy dtype, optional
        Target dtype; ``None`` keeps the input's numeric dtype.
    allow_1d : bool
        Promote a single vector of shape (d,) to shape (1, d).
    allow_empty : bool
        Accept n == 0 rows.
    finite : bool
        Reject NaN and infinity.
    n_features : int, optional
        Required number of columns d.
    """
    if x is None:
        raise ValueError(f"{name} is None; pass an array of shape (n, d).")
    try:
        arr = np.asarray(x)
    except ValueError:  # ragged nested lists (numpy >= 1.24 refuses them)
        raise ValueError(
            f"{name} could not be read as a numeric array (rows of different lengths?); "
            f"pass an array of shape (n, d)."
        ) from None
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} has complex dtype {arr.dtype}; expected real numbers.")
    if arr.dtype == object:
        raise TypeError(
            f"{name} could not be read as a numeric array (rows of different lengths or "
            f"non-numbers?); pass an array of shape (n, d)."
        )
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} has dtype {arr.dtype}; expected numbers.")
    if arr.ndim == 1 and allow_1d:
        arr = arr[None, :]
    if arr.ndim != 2:
        hint = " (a single vector? pass x[None, :] or a list of vectors)" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-d with shape (n, d); got shape {arr.shape}{hint}.")
    if arr.shape[0] == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {arr.shape}); pass at least one row.")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has zero columns (shape {arr.shape}).")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(
            f"{name} has {arr.shape[1]} columns but {n_features} were expected "
            f"(the dimension of the vectors it is compared with)."
        )
    if dtype is not None:
        arr = np.ascontiguousarray(arr, dtype=dtype)
    if finite and arr.size and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} contains NaN or infinity (first at row {bad[0]}, column {bad[1]}); "
            f"clean or drop those rows first."
        )
    return arr


def as_vector(x: Any, name: str = "x", *, dtype: Any = np.float32, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a 1-d array, or raise a clear error naming its shape."""
    arr = np.asarray(x)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-d vector; got shape {arr.shape}.")
    return as_matrix(arr, name, dtype=dtype, allow_1d=True, finite=finite)[0]


def check_k(k: int, n: int, *, name: str = "k", what: str = "items in the index") -> int:
    """Check that ``1 <= k <= n``; returns ``int(k)``."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number; got {k!r}.")
    if k < 1:
        raise ValueError(f"{name} must be at least 1; got {k}.")
    if k > n:
        raise ValueError(
            f"{name}={k} is larger than the {n} {what}; ask for at most {n}."
        )
    return int(k)


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


# --------------------------------------------------------------------------------------------
# Hyperparameter and corpus checks for the estimators (embedcourse.models).
#
# Each returns the value converted to a plain Python type, or raises a TypeError (wrong type:
# bool where a number is expected, str, None, a float where an int is expected) or a
# ValueError (NaN, infinity, out of range), naming the argument and its valid range. The
# models call them at ``fit`` time, before anything reaches a compiled (numba) kernel: a NaN
# learning rate or a negative window there would not raise, it would read or write outside
# the arrays.

__all__ += ["check_int", "check_float", "check_bool", "check_seed", "check_sentences", "check_real_array", "check_ids"]


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


def check_sentences(sentences: Any, name: str = "sentences") -> list:
    """Check a tokenised corpus: a non-empty list (or iterable) of token lists; returns it as a list.

    A bare ``str`` or a list of ``str`` (untokenised text, which would otherwise be trained on
    its characters) raises ``TypeError`` naming ``name``; an empty corpus or one whose sentences
    are all empty raises ``ValueError``. Tokens are checked to be ``str`` by
    :meth:`embedcourse.text.Vocabulary.build`.
    """
    if isinstance(sentences, (str, bytes)):
        raise TypeError(
            f"{name} must be a list of token lists (e.g. [['the', 'cat'], ['a', 'dog']]), not one "
            f"{type(sentences).__name__}; run embedcourse.text.tokenize (or sentences_from_texts) first."
        )
    if isinstance(sentences, np.ndarray) and sentences.dtype != object:
        raise TypeError(f"{name} must be a list of token lists; got a numpy array of dtype {sentences.dtype}.")
    try:
        sentences = list(sentences)
    except TypeError:
        raise TypeError(
            f"{name} must be a list of token lists; got {type(sentences).__name__}."
        ) from None
    if not sentences:
        raise ValueError(f"{name} is empty; pass at least one tokenised sentence.")
    for i, s in enumerate(sentences):
        if isinstance(s, (str, bytes)):
            raise TypeError(
                f"{name} must be a list of token lists, but sentence {i} is a {type(s).__name__} "
                f"({s[:30]!r}); tokenise each text first, e.g. [tokenize(t) for t in texts]."
            )
        if not isinstance(s, (list, tuple)):
            raise TypeError(f"{name}: sentence {i} is a {type(s).__name__}; each sentence must be a list of str tokens.")
    if not any(len(s) for s in sentences):
        raise ValueError(f"{name} holds no tokens (all {len(sentences)} sentences are empty); pass tokenised, non-empty text.")
    return sentences


def check_real_array(x: Any, name: str, ndim: int, *, allow_empty: bool = False, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a float64 array with ``ndim`` dimensions, or raise naming ``name``.

    Rejects strings, ragged or object input, bools, complex numbers (``TypeError``), the
    wrong number of dimensions, an empty array (unless ``allow_empty``) and NaN/infinity
    (unless ``finite=False``) (``ValueError``).
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a {ndim}-d array of real numbers; got {type(x).__name__}.")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError):
        raise TypeError(f"{name} must be a {ndim}-d array of real numbers (ragged input?).") from None
    if arr.dtype == object or arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must be a {ndim}-d array of real numbers; got dtype {arr.dtype}.")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-d; got shape {arr.shape}.")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {arr.shape}).")
    arr = arr.astype(np.float64)
    if finite and arr.size and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    return arr


def check_ids(x: Any, name: str, n: int, *, allow_empty: bool = True) -> np.ndarray:
    """Return ``x`` as a 1-d int64 array of ids in ``[0, n)``, or raise naming ``name``."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a 1-d array of int ids in [0, {n}); got {type(x).__name__}.")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError):
        raise TypeError(f"{name} must be a 1-d array of int ids (ragged input?).") from None
    if arr.size == 0 and arr.ndim == 1:
        arr = arr.astype(np.int64)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be a 1-d array of int ids in [0, {n}); got dtype {arr.dtype}.")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-d; got shape {arr.shape}.")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty.")
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise ValueError(f"{name} must lie in [0, {n}); got values from {arr.min()} to {arr.max()}.")
    return arr.astype(np.int64)


# --- fuzz-driven checks ---
# Added from tests/test_fuzz.py (a property-based walk of the whole public API with bad input).
# Policy, shared by every module:
# * bad input raises ValueError/TypeError/KeyError with the argument's name and what is allowed;
# * a bare str where a list of str is expected is a TypeError (never read as its characters);
# * a zero vector has no direction: cosine with it raises (scikit-learn returns 0, scipy NaN;
#   we refuse to guess), while dot/euclidean/manhattan/hamming define a value and return it;
# * NaN/inf in the input raises; a result that would overflow (float32 values near 1e20
#   squared) is computed safely (norms by scaling) or raises, never returns NaN/inf.

__all__ += ["check_texts", "check_text", "check_words", "check_choice", "check_counts",
            "row_norms", "check_finite_result"]


def check_texts(texts: Any, name: str = "texts", *, allow_empty: bool = False) -> list[str]:
    """A list of str documents; a bare str, None, a non-str item or (by default) no text raises."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            f"{name} must be a list of strings (one per document), not a single "
            f"{type(texts).__name__}; wrap it: [text]."
        )
    if texts is None:
        raise TypeError(f"{name} is None; pass a list of strings (one per document).")
    if isinstance(texts, np.ndarray) and texts.ndim != 1:
        raise ValueError(f"{name} must be a 1-d list of strings; got an array of shape {texts.shape}.")
    try:
        out = list(texts)
    except TypeError:
        raise TypeError(f"{name} must be a list of strings; got {type(texts).__name__}.") from None
    if not out and not allow_empty:
        raise ValueError(f"{name} is empty; pass at least one document.")
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(f"{name}[{i}] is {type(t).__name__} ({t!r:.40}); every document must be a str.")
    return [str(t) for t in out]


def check_text(text: Any, name: str = "text") -> str:
    """One str (not bytes, not a list of str)."""
    if not isinstance(text, str):
        hint = "; pass one string (for several texts, call it once per text)" if isinstance(text, (list, tuple)) else ""
        raise TypeError(f"{name} must be a str; got {type(text).__name__}{hint}.")
    return text


def check_words(words: Any, name: str = "words", *, allow_empty: bool = False) -> list[str]:
    """A list of str words; a bare str (which would be read letter by letter) is a TypeError."""
    if isinstance(words, str):
        raise TypeError(f"{name} must be a list of words, not one str {words!r:.40}; wrap it: [{words!r:.40}].")
    if words is None:
        raise TypeError(f"{name} is None; pass a list of words.")
    try:
        out = list(words)
    except TypeError:
        raise TypeError(f"{name} must be a list of words; got {type(words).__name__}.") from None
    if not out and not allow_empty:
        raise ValueError(f"{name} is empty; pass at least one word.")
    for i, w in enumerate(out):
        if not isinstance(w, str):
            raise TypeError(f"{name}[{i}] is {w!r:.40} ({type(w).__name__}); every word must be a str.")
    return out


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """``value`` is one of ``choices`` (strings)."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}.")
    return value


def check_counts(counts: Any, name: str = "counts") -> np.ndarray:
    """A non-empty 1-d array of finite, positive counts, as float64."""
    if isinstance(counts, (str, bytes)):
        raise TypeError(f"{name} must be a 1-d array of positive word counts; got a {type(counts).__name__}.")
    c = np.asarray(counts)
    if c.ndim != 1 or c.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array of word counts; got shape {c.shape}.")
    if c.dtype == bool or not (np.issubdtype(c.dtype, np.integer) or np.issubdtype(c.dtype, np.floating)):
        raise TypeError(f"{name} has dtype {c.dtype}; expected positive numbers (one per vocabulary word).")
    c = c.astype(np.float64)
    if not np.isfinite(c).all():
        raise ValueError(f"{name} contains NaN or infinity (first at {int(np.flatnonzero(~np.isfinite(c))[0])}).")
    if (c <= 0).any():
        raise ValueError(
            f"{name} must be positive numbers (one per vocabulary word); "
            f"entry {int(np.flatnonzero(c <= 0)[0])} is {c[c <= 0][0]:g}."
        )
    return c


def row_norms(M: np.ndarray) -> np.ndarray:
    """Euclidean length of every row of a finite 2-d array, in M's dtype, without overflow.

    Equal to ``np.linalg.norm(M, axis=1)`` (bit for bit) on ordinary rows; a row whose squares
    overflow or underflow in float32/float64 (e.g. values near 1e20 in float32, whose norm is
    representable) is rescaled by its largest entry first, so it gets its true length instead
    of ``inf`` or 0.
    """
    norms = np.linalg.norm(M, axis=1)
    bad = ~np.isfinite(norms) | ((norms == 0) & (M != 0).any(axis=1))
    if bad.any():
        R = M[bad].astype(np.float64)
        scale = np.abs(R).max(axis=1, keepdims=True)
        fixed = np.linalg.norm(R / scale, axis=1) * scale[:, 0]
        with np.errstate(over="ignore"):
            norms[bad] = fixed.astype(norms.dtype)
        if not np.isfinite(norms).all():
            raise ValueError(
                f"a row's length overflows {norms.dtype} (values up to {np.abs(M).max():.3g}); "
                f"rescale the vectors or pass float64."
            )
    return norms


def check_finite_result(out: np.ndarray, names: str, *, what: str = "the result") -> np.ndarray:
    """Raise a clear ValueError if computing from finite inputs overflowed to inf/NaN."""
    if out.size and not np.isfinite(out).all():
        raise ValueError(
            f"{what} overflowed {out.dtype} (the values in {names} are too large: their squares "
            f"or products exceed {np.finfo(out.dtype).max:.3g}); rescale them or pass float64 arrays."
        )
    return out


__all__ += ["as_array"]


def as_array(x: Any, name: str) -> np.ndarray:
    """``np.asarray(x)``, but ragged nested lists and complex numbers raise errors naming ``name``."""
    try:
        arr = np.asarray(x)
    except ValueError:
        raise ValueError(
            f"{name} could not be read as a numeric array (rows of different lengths?)."
        ) from None
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} has complex dtype {arr.dtype}; expected real numbers.")
    return arr
