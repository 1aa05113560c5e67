"""Fuzz entries of the chapter 03 additions (PV-DBOW from scratch); see tests/test_fuzz.py."""

from __future__ import annotations

from typing import Any

import numpy as np

import embedcourse.sentence as S
from test_fuzz import SENTENCES, Mut, _close, entry, posint, positive_float, seed


def _step_args() -> dict:
    r = np.random.default_rng(0)
    return {"d": r.normal(size=4), "U": r.normal(size=(6, 4)), "words": np.array([0, 2, 5]),
            "noise": np.array([[1, 3], [4, 4], [0, 1]]), "lr": 0.1}


def _step_oracle(a: dict, r: Any) -> None:
    # the batch's loss written out word by word, on fresh copies (the step updates d and U in place)
    fresh = _step_args()
    d0, U0 = fresh["d"], fresh["U"]

    def sig(x: Any) -> Any:
        return 1.0 / (1.0 + np.exp(-x))

    ref = -sum(np.log(sig(U0[w] @ d0)) + np.log(sig(-U0[n] @ d0)).sum()
               for w, n in zip(a["words"], a["noise"], strict=True))
    _close(r, ref, rtol=1e-9)


def _ids_muts(n: int) -> list[Mut]:
    return [Mut("out_of_range", lambda v, d: np.asarray(v) + n), Mut("negative", lambda v, d: -np.asarray(v) - 1),
            Mut("float", lambda v, d: np.asarray(v, float) + 0.5), Mut("empty", lambda v, d: np.zeros((0,), int)),
            Mut("none", lambda v, d: None)]


entry("sentence.pv_dbow_step", lambda d, U, words, noise, lr: S.pv_dbow_step(d, U, words, noise, lr),
      _step_args,
      muts={"d": [Mut("float32", lambda v, d: np.asarray(v, np.float32)), Mut("list", lambda v, d: list(v)),
                  Mut("two_d", lambda v, d: np.asarray(v)[None])],
            "U": [Mut("float32", lambda v, d: np.asarray(v, np.float32)), Mut("wrong_dim", lambda v, d: np.asarray(v)[:, :3])],
            "words": _ids_muts(6), "noise": _ids_muts(6)[:3] + [Mut("one_d", lambda v, d: np.asarray(v)[:, 0])],
            "lr": positive_float()},
      oracle=_step_oracle)


def _pv_args() -> dict:
    return {"X": SENTENCES, "vector_size": 4, "epochs": 2, "random_state": 0}


entry("sentence.PVDBOW",
      lambda X, vector_size, epochs, random_state: S.PVDBOW(vector_size=vector_size, epochs=epochs, min_count=1,
                                                             random_state=random_state).fit(X).dv_,
      _pv_args,
      muts={"X": [Mut("bare_string", lambda v, d: "the king"), Mut("list_of_str", lambda v, d: ["the king"]),
                  Mut("empty", lambda v, d: []), Mut("none", lambda v, d: None)],
            "vector_size": posint(), "epochs": posint(), "random_state": seed()},
      covers=("sentence.PVDBOW.fit",))
entry("sentence.PVDBOW.infer",
      lambda X, epochs: S.PVDBOW(vector_size=4, epochs=2, min_count=1).fit(SENTENCES).infer(X, epochs=epochs),
      {"X": SENTENCES[:2], "epochs": 2},
      muts={"X": [Mut("bare_string", lambda v, d: "the king"), Mut("empty", lambda v, d: []),
                  Mut("none", lambda v, d: None)],
            "epochs": posint()})
