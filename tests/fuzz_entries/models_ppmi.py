"""Fuzz entries of embedcourse.models.ppmi and models.sgns_epoch (chapter 02); see tests/test_fuzz.py."""

from __future__ import annotations

from typing import Any

import numpy as np

import embedcourse.models as MO
from test_fuzz import SENTENCES, Mut, _close, entry, int_ids, matrix, posint, positive_float, rng_matrix, seed


def _counts() -> np.ndarray:
    r = np.random.default_rng(0)
    X = r.integers(0, 4, size=(6, 6)).astype(np.float64)
    return X + X.T


def _ppmi_ref(a: dict, r: Any) -> None:
    X = np.asarray(a["counts"], np.float64)
    col = X.sum(0) ** a["alpha"]
    with np.errstate(divide="ignore"):
        pmi = np.log(X * col.sum() / np.outer(X.sum(1), col)) - np.log(a["shift"])
    _close(r.toarray(), np.where(X > 0, np.maximum(pmi, 0), 0.0), rtol=1e-9, atol=1e-12, what="ppmi")


_COUNT_MUTS = [
    Mut("nan_inf", lambda v, d: np.where(np.arange(v.size).reshape(v.shape) == 0, np.nan, v)),
    Mut("negative", lambda v, d: v - 10.0),
    Mut("all_zero", lambda v, d: np.zeros_like(v)),
    Mut("ndim3", lambda v, d: np.asarray(v)[None]),
    Mut("string", lambda v, d: "1 2 3"),
    Mut("ragged", lambda v, d: [[1.0, 2.0], [3.0]]),
    Mut("complex", lambda v, d: np.asarray(v) * (1 + 1j)),
    Mut("empty", lambda v, d: np.zeros((0, 6))),
]
_ALPHA = positive_float() + [Mut("too_big", lambda v, d: 1.5)]
_SHIFT = [Mut("below_one", lambda v, d: 0.5), Mut("nan", lambda v, d: float("nan")), Mut("string", lambda v, d: "5")]

entry("models.ppmi_matrix", lambda counts, alpha, shift: MO.ppmi_matrix(counts, alpha=alpha, shift=shift),
      lambda: {"counts": _counts(), "alpha": 0.75, "shift": 2.0},
      muts={"counts": _COUNT_MUTS, "alpha": _ALPHA, "shift": _SHIFT}, oracle=_ppmi_ref)


def _svd_ref(a: dict, r: Any) -> None:
    vecs, S = r
    ref = np.linalg.svd(np.asarray(a["M"], np.float64), compute_uv=False)[: a["n_components"]]
    _close(S, ref, rtol=1e-2, atol=1e-6, what="singular values")
    assert vecs.shape == (np.shape(a["M"])[0], a["n_components"])


entry("models.svd_embedding",
      lambda M, n_components, eig_power, algorithm, random_state: MO.svd_embedding(
          M, n_components, eig_power, algorithm, random_state),
      lambda: {"M": rng_matrix(8, 6), "n_components": 2, "eig_power": 0.5, "algorithm": "arpack", "random_state": 0},
      muts={"M": matrix(), "n_components": posint(big=5), "eig_power": positive_float(zero="either") + [Mut("too_big", lambda v, d: 2.0)],
            "algorithm": [Mut("unknown", lambda v, d: "lanczos"), Mut("int", lambda v, d: 3)], "random_state": seed()},
      oracle=_svd_ref)

_PPMI_OK = {"vector_size": 3, "window": 2, "min_count": 1, "alpha": 0.75, "shift": 1.0, "eig_power": 0.5}
entry("models.PPMISVD", lambda X, **p: MO.PPMISVD(**p, random_state=0).fit(X),
      lambda: {"X": SENTENCES, **_PPMI_OK},
      muts={"X": [Mut("bare_string", lambda v, d: "the king"), Mut("list_of_str", lambda v, d: ["the king", "a queen"]),
                  Mut("empty", lambda v, d: [])],
            "vector_size": posint(big=10), "window": posint(), "min_count": posint(big=100),
            "alpha": _ALPHA, "shift": _SHIFT, "eig_power": [Mut("negative", lambda v, d: -0.5), Mut("string", lambda v, d: "1")]},
      covers=("models.PPMISVD.fit",), examples=1)


def _sgns_args() -> dict:
    r = np.random.default_rng(0)
    return {"W": r.normal(0, 0.3, (5, 4)), "U": r.normal(0, 0.3, (5, 4)), "centres": np.array([0, 1, 2]),
            "contexts": np.array([1, 2, 3]), "negatives": np.array([[4, 0], [3, 3], [1, 0]]), "alpha": 0.05}


def _sgns_ref(a: dict, r: Any) -> None:
    W, U = np.array(a["W"], np.float64), np.array(a["U"], np.float64)
    losses = []
    for t, (w, c) in enumerate(zip(a["centres"], a["contexts"], strict=True)):
        tg = np.r_[c, a["negatives"][t]]
        s = U[tg] @ W[w]
        losses.append(np.logaddexp(0, -s[0]) + np.logaddexp(0, s[1:]).sum())
        g = a["alpha"] * (np.r_[1.0, np.zeros(len(tg) - 1)] - 1 / (1 + np.exp(-s)))
        gw = g @ U[tg]
        np.add.at(U, tg, np.outer(g, W[w]))
        W[w] += gw
    _close(r, np.array(losses), rtol=1e-9, what="sgns_epoch losses")


def _copy(x: Any) -> Any:
    return x.copy() if isinstance(x, np.ndarray) else x  # sgns_epoch works in place: keep the inputs for the oracle


entry("models.sgns_epoch", lambda W, U, centres, contexts, negatives, alpha: MO.sgns_epoch(
          _copy(W), _copy(U), centres, contexts, negatives, alpha),
      _sgns_args,
      muts={"W": matrix(zero="either"), "U": matrix(zero="either", ncols=True), "centres": int_ids(5),
            "contexts": int_ids(5), "negatives": [Mut("one_d", lambda v, d: np.asarray(v)[:, 0]),
                                                   Mut("out_of_range", lambda v, d: np.asarray(v) + 10),
                                                   Mut("float", lambda v, d: np.asarray(v) + 0.5)],
            "alpha": positive_float() + [Mut("too_big", lambda v, d: 2.0)]},
      oracle=_sgns_ref)
