"""Fuzz entries of embedcourse.metrics.stats (bootstrap intervals); see tests/test_fuzz.py."""

from __future__ import annotations

from typing import Any

import numpy as np

import embedcourse.metrics as M
from test_fuzz import Mut, _close, _cls_entry, choice, entry, seed, vector


def _scores() -> dict:
    r = np.random.default_rng(0)
    a = r.random(12)
    return {"a": a, "b": a - 0.1 + r.normal(0, 0.05, 12), "truth": a + r.normal(0, 0.2, 12)}


def _paired_oracle(args: dict, r: Any) -> None:
    a = np.asarray(args["a"], np.float64)
    b = np.asarray(args["b"], np.float64)
    _close(r.diff, a.mean() - b.mean(), rtol=1e-9, atol=1e-12, what="diff")
    assert r.low <= r.diff + 1e-12 or r.high >= r.diff - 1e-12


def _resamples() -> list[Mut]:
    return [Mut("too_few", lambda v, d: 10), Mut("float", lambda v, d: 500.5),
            Mut("string", lambda v, d: "many"), Mut("none", lambda v, d: None)]


def _confidence() -> list[Mut]:
    return [Mut("one", lambda v, d: 1.0), Mut("percent", lambda v, d: 95),
            Mut("nan", lambda v, d: float("nan")), Mut("string", lambda v, d: "0.95")]


def _truth() -> list[Mut]:
    return [Mut("short", lambda v, d: np.asarray(v)[:-1]), Mut("constant", lambda v, d: np.ones(len(v))),
            Mut("nan", lambda v, d: np.r_[np.nan, np.asarray(v)[1:]]), Mut("string", lambda v, d: "truth")]


entry("metrics.paired_bootstrap",
      lambda a, b, n_resamples, confidence, random_state: M.paired_bootstrap(
          a, b, n_resamples=n_resamples, confidence=confidence, random_state=random_state),
      lambda: {**{k: v for k, v in _scores().items() if k != "truth"}, "n_resamples": 200,
               "confidence": 0.9, "random_state": 0},
      muts={"a": vector(zero="either"), "b": vector(zero="either"), "n_resamples": _resamples(),
            "confidence": _confidence(), "random_state": seed()},
      aliases={"a": ("scores_a",), "b": ("scores_b",)},
      oracle=_paired_oracle, covers=("metrics.PairedComparison",))

entry("metrics.paired_bootstrap[spearman]",
      lambda a, b, truth, statistic: M.paired_bootstrap(a, b, truth=truth, statistic=statistic, n_resamples=200),
      lambda: {**_scores(), "statistic": "spearman"},
      muts={"truth": _truth(), "statistic": choice(), "a": vector(zero="raise"), "b": vector(zero="raise")},
      aliases={"a": ("scores_a",), "b": ("scores_b",)})

entry("metrics.bootstrap_ci",
      lambda scores, truth, statistic: M.bootstrap_ci(scores, truth=truth, statistic=statistic, n_resamples=200),
      lambda: {"scores": _scores()["a"], "truth": _scores()["truth"], "statistic": "pearson"},
      muts={"scores": vector(zero="raise"), "truth": _truth(), "statistic": choice()},
      covers=("metrics.Interval",))

_cls_entry("metrics.Interval[record]", M.Interval, {"estimate": 0.5, "low": 0.4, "high": 0.6, "confidence": 0.95, "n": 10})
