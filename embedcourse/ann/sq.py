"""Scalar quantisation to int8: one byte per dimension, every vector scanned (faiss ``IndexScalarQuantizer``).

Training records, for each dimension ``j``, the smallest and largest training value
``vmin_j`` and ``vmax_j`` (faiss's ``QT_8bit`` with its default ``RS_minmax``; the per-dimension
range, not one range for all dimensions as ``QT_8bit_uniform``). A value is stored as the byte

    ``code = floor(255 * t)``, with ``t = (x - vmin) / (vmax - vmin)`` clipped to [0, 1],

and stands for the centre of its bin, ``vmin + (code + 0.5) / 255 * (vmax - vmin)``: faiss's
``Codec8bit`` exactly. Values outside the training range are clipped, so train on data like
the data you add. Storage is ``d`` bytes per vector instead of ``4 d``; the error per dimension
is at most half a bin, ``(vmax - vmin) / 510``.

Search is asymmetric, as in faiss: the query stays in float32 and is scored against the
decoded vectors. The decoding folds into the product, ``q . x_hat = (q * scale) . (code + 0.5)
+ q . vmin`` with ``scale = (vmax - vmin) / 255``, so each block of codes is converted to
float32 and multiplied once; "l2" adds ``||x_hat||^2``, computed once when the vector is added.

Taught in: chapter 07.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse.ann.base import Index, append_rows
from embedcourse.topk import _top_k

__all__ = ["SQ8Index"]

#: rows of codes decoded per block (so the float32 copy stays small)
DB_BLOCK = 16384


class SQ8Index(Index):
    """Flat index of int8 (uint8) scalar-quantised vectors: 4x smaller than float32.

    Parameters
    ----------
    d : int
        Dimension of the vectors.
    metric : {"ip", "l2", "cosine"}, default "ip"
        "cosine" quantises the unit-length vectors.

    Attributes
    ----------
    vmin_, vdiff_ : numpy.ndarray of float32, shape (d,)
        Per-dimension minimum and range (``vmax - vmin``) of the training vectors.
    codes : numpy.ndarray of uint8, shape (ntotal, d)
        The stored codes, read-only.

    Notes
    -----
    ``D`` holds scores against the decoded vectors, as faiss returns them.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(500, 8)).astype(np.float32)
    >>> index = SQ8Index(8, metric="l2")
    >>> index.train(x)
    >>> index.add(x)
    >>> bool(np.abs(index.decode(index.codes) - x).max() <= index.vdiff_.max() / 510 * 1.001)
    True

    Taught in: chapter 07.
    """

    requires_training = True
    _codes_buf: np.ndarray  # the codes; rows beyond ntotal are spare capacity
    _sq_buf: np.ndarray  # ||x_hat||^2 of each decoded vector (metric="l2" only)

    def __init__(self, d: int, metric: str = "ip") -> None:
        super().__init__(d, metric)
        self.vmin_ = np.zeros(self.d, dtype=np.float32)
        self.vdiff_ = np.zeros(self.d, dtype=np.float32)
        self._reset()

    @property
    def codes(self) -> npt.NDArray[np.uint8]:
        """The stored codes, shape (ntotal, d), read-only."""
        view = self._codes_buf[: self.ntotal].view()
        view.flags.writeable = False
        return view

    def encode(self, x: npt.ArrayLike) -> npt.NDArray[np.uint8]:
        """The bytes of each row of ``x`` (n, d): ``floor(255 * t)``, ``t`` clipped to [0, 1]."""
        self._check_trained("encode")
        x = self._prepare(x, "x")
        return self._encode(x)

    def decode(self, codes: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """The vectors the codes stand for: ``vmin + (code + 0.5) / 255 * vdiff``, float32."""
        self._check_trained("decode")
        c = np.asarray(codes)
        if c.ndim != 2 or c.shape[1] != self.d or c.dtype != np.uint8:
            raise ValueError(f"codes must be a uint8 array of shape (n, {self.d}); got {c.dtype} {c.shape}.")
        return (self.vmin_ + (c.astype(np.float32) + np.float32(0.5)) * (self.vdiff_ / np.float32(255.0))).astype(np.float32)

    def _encode(self, x: np.ndarray) -> np.ndarray:
        span = np.where(self.vdiff_ > 0, self.vdiff_, np.float32(1.0))
        t = np.clip((x - self.vmin_) / span, 0.0, 1.0)
        return np.minimum(np.floor(t * np.float32(255.0)), 255).astype(np.uint8)

    def _train(self, x: np.ndarray) -> None:
        self.vmin_ = x.min(axis=0).astype(np.float32)
        self.vdiff_ = (x.max(axis=0) - self.vmin_).astype(np.float32)

    def _add(self, x: np.ndarray) -> None:
        codes = self._encode(x)
        self._codes_buf = append_rows(self._codes_buf, self.ntotal, codes)
        if self.metric == "l2":
            dec = self.decode(codes)
            self._sq_buf = append_rows(self._sq_buf, self.ntotal, np.einsum("ij,ij->i", dec, dec))

    def _search(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        codes = self._codes_buf[: self.ntotal]
        largest = self.metric != "l2"
        scale = self.vdiff_ / np.float32(255.0)
        qs = q * scale  # q . x_hat = qs . (code + 0.5) + q . vmin
        offset = q @ (self.vmin_ + np.float32(0.5) * scale)
        if self.metric == "l2":
            qs *= np.float32(-2.0)
            offset = np.einsum("ij,ij->i", q, q) - 2 * offset
        tiebreak = self._tiebreak()
        cand_D, cand_P = [], []
        for start in range(0, self.ntotal, DB_BLOCK):
            block = codes[start : start + DB_BLOCK].astype(np.float32)
            S = qs @ block.T
            S += offset[:, None]
            if self.metric == "l2":
                S += self._sq_buf[start : start + block.shape[0]]
                np.maximum(S, 0.0, out=S)
            kk = min(k, block.shape[0])
            T = None if tiebreak is None else np.broadcast_to(tiebreak[start : start + block.shape[0]], S.shape)
            vals, cols = _top_k(S, kk, largest, T)
            cand_D.append(vals)
            cand_P.append(cols + start)
        D_all, P_all = np.hstack(cand_D), np.hstack(cand_P)
        keys = P_all if tiebreak is None else tiebreak[P_all]
        vals, cols = _top_k(D_all, k, largest, keys)
        return vals, np.take_along_axis(P_all, cols, axis=1)

    def _reset(self) -> None:
        self._codes_buf = np.empty((0, self.d), dtype=np.uint8)
        self._sq_buf = np.empty(0, dtype=np.float32)

    def _get_state(self) -> dict[str, np.ndarray]:
        sq = self._sq_buf[: self.ntotal if self.metric == "l2" else 0]
        return {"vmin": self.vmin_, "vdiff": self.vdiff_, "codes": self.codes, "sqnorms": sq}

    def _set_state(self, arrays: dict[str, np.ndarray]) -> None:
        vmin = np.ascontiguousarray(arrays["vmin"], dtype=np.float32)
        vdiff = np.ascontiguousarray(arrays["vdiff"], dtype=np.float32)
        codes = np.ascontiguousarray(arrays["codes"], dtype=np.uint8)
        sq = np.ascontiguousarray(arrays["sqnorms"], dtype=np.float32)
        if (vmin.shape != (self.d,) or vdiff.shape != (self.d,) or codes.shape != (self.ntotal, self.d)
                or sq.shape != ((self.ntotal,) if self.metric == "l2" else (0,))):
            raise ValueError("corrupt index file: the SQ8 arrays do not fit together.")
        self.vmin_, self.vdiff_, self._codes_buf, self._sq_buf = vmin, vdiff, codes, sq

    def _params(self) -> dict[str, Any]:
        return {}
