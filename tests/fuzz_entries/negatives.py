"""Fuzz entries of embedcourse.retrieval.negatives (hard-negative mining, chapter 08); see tests/test_fuzz.py."""

from __future__ import annotations

from typing import Any

import numpy as np

import embedcourse.retrieval as R
from test_fuzz import Mut, _close, choice, entry, int_ids, matrix, positive_float, posint, seed, texts

DOCS = ["the cat sat on the mat", "dogs chase cats in the park", "cat food review: cats love fish",
        "stock markets fell on monday", "the central bank raised interest rates"]


def _scores() -> dict:
    r = np.random.default_rng(0)
    return {"scores": r.normal(size=(4, 6)), "positives": np.array([0, 1, 2, 3])}


def _brute(a: dict, r: Any) -> None:
    S = np.asarray(a["scores"], np.float64)
    for i, p in enumerate(a["positives"]):
        order = [j for j in np.argsort(-S[i], kind="stable") if j != p]
        assert list(r[i]) == order[a["skip_top"]:a["skip_top"] + a["n_negatives"]], (i, r[i], order)


def _fraction() -> list[Mut]:
    return [Mut("too_big", lambda v, d: 1.5), Mut("negative", lambda v, d: -0.1), Mut("nan", lambda v, d: float("nan")),
            Mut("string", lambda v, d: "0.05")]


entry("retrieval.mine_hard_negatives",
      lambda scores, positives, n_negatives, skip_top, sampling, random_state: R.mine_hard_negatives(
          scores, positives, n_negatives=n_negatives, skip_top=skip_top, sampling=sampling, random_state=random_state),
      lambda: {**_scores(), "n_negatives": 2, "skip_top": 1, "sampling": "top", "random_state": 0},
      muts={"scores": matrix(zero="either", huge="either", ints="either"), "positives": int_ids(6),
            "n_negatives": posint(big=5), "skip_top": [Mut("negative", lambda v, d: -1), Mut("float", lambda v, d: 1.5),
                                                       Mut("too_big", lambda v, d: 9)],
            "sampling": choice(), "random_state": seed()},
      oracle=_brute)
entry("retrieval.mine_hard_negatives[guards]",
      lambda scores, positives, relative_margin, absolute_margin, max_score: R.mine_hard_negatives(
          scores, positives, n_negatives=2, relative_margin=relative_margin, absolute_margin=absolute_margin,
          max_score=max_score),
      lambda: {**_scores(), "relative_margin": 0.05, "absolute_margin": 0.0, "max_score": 2.0},
      muts={"relative_margin": _fraction(),
            "absolute_margin": [Mut("nan", lambda v, d: float("nan")), Mut("string", lambda v, d: "0.1")],
            "max_score": [Mut("inf", lambda v, d: float("inf")), Mut("string", lambda v, d: "1")]})


def _random_ref(a: dict, r: Any) -> None:
    assert r.shape == (len(a["positives"]), a["n_negatives"])
    assert not (r == np.asarray(a["positives"])[:, None]).any() and r.min() >= 0 and r.max() < a["n_docs"]


entry("retrieval.random_negatives",
      lambda positives, n_docs, n_negatives, random_state: R.random_negatives(
          positives, n_docs, n_negatives=n_negatives, random_state=random_state),
      {"positives": np.array([0, 3, 5]), "n_docs": 8, "n_negatives": 3, "random_state": 0},
      muts={"positives": int_ids(8), "n_docs": posint(), "n_negatives": posint(big=7), "random_state": seed()},
      oracle=_random_ref)


def _bm25_ref(a: dict, r: Any) -> None:
    assert r.shape == (len(a["queries"]), len(a["corpus"])) and (r >= 0).all()


entry("retrieval.bm25_scores",
      lambda queries, corpus, k1, b: R.bm25_scores(queries, corpus, k1=k1, b=b),
      {"queries": ["cat food", "interest rates"], "corpus": DOCS, "k1": 1.5, "b": 0.75},
      muts={"queries": texts(), "corpus": texts(), "k1": positive_float(zero="either"),
            "b": positive_float(zero="either") + [Mut("too_big", lambda v, d: 1.5)]},
      oracle=_bm25_ref)


def _report_ref(a: dict, r: Any) -> None:
    S = np.asarray(a["scores"], np.float64)
    _close(r["mean_positive_score"], S[np.arange(4), a["positives"]].mean(), rtol=1e-9)


entry("retrieval.negative_report",
      lambda scores, positives, negatives: R.negative_report(scores, positives, negatives),
      lambda: {**_scores(), "negatives": np.array([[1, 2], [0, -1], [5, 4], [0, 1]])},
      muts={"scores": matrix(zero="either", huge="either", ints="either"), "positives": int_ids(6),
            "negatives": [Mut("float", lambda v, d: np.asarray(v) + 0.5), Mut("out_of_range", lambda v, d: np.asarray(v) + 10),
                          Mut("below_minus_one", lambda v, d: np.asarray(v) - 5), Mut("one_d", lambda v, d: np.asarray(v)[:, 0]),
                          Mut("wrong_rows", lambda v, d: np.asarray(v)[:2]), Mut("string", lambda v, d: "1 2")]},
      oracle=_report_ref)
