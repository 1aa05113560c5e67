"""Memory of embedding tables: bytes of a ``rows x dim`` table, and a readable size.

Taught in: chapter 02.
"""

from __future__ import annotations


import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_float, check_int

__all__ = ["table_bytes", "format_bytes"]

_DTYPE_BYTES = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int8": 1, "uint8": 1}


def table_bytes(rows: int, dim: int, dtype: npt.DTypeLike = "float32") -> int:
    """Bytes taken by an embedding table of ``rows x dim`` numbers of ``dtype``.

    ``dtype`` may be a numpy dtype or one of ``"float64", "float32", "float16", "bfloat16",
    "int8"``; optimizer state (e.g. Adam's two moments) multiplies this again.

    Taught in: chapter 02.
    """
    for name, v in (("rows", rows), ("dim", dim)):
        try:
            check_int(name, v, 0, None)
        except ValueError:
            raise ValueError(f"rows and dim must be >= 0; got {rows} and {dim}.") from None
    if dtype is None:
        raise TypeError("dtype must be a numpy dtype or a name such as 'float32'; got None.")
    key = str(dtype)
    size = _DTYPE_BYTES.get(key)
    if size is None:
        size = np.dtype(dtype).itemsize
    return int(rows) * int(dim) * size


def format_bytes(n: float) -> str:
    """``1_500_000_000 -> '1.5 GB'`` (powers of 1000); ``n`` must be a finite number.

    Taught in: chapter 02.
    """
    n = check_float("n", n)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1000.0
    return f"{n} B"  # pragma: no cover
