"""Fuzz entries of embedcourse.metrics ranking, graded, correlation and clustering; see tests/test_fuzz.py."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import embedcourse.metrics as M
from test_fuzz import Mut, _close, _put, choice, entry, k_of, matrix, rng_matrix, vector


def _ranked() -> dict:
    return {"ranked_ids": np.array([[3, 1, 2, 0], [0, 2, 1, 3]]), "relevant_ids": [{1: 2, 2: 1}, [0, 3]]}


_RANKED = {
    "ranked_ids": [Mut("float", lambda v, d: v + 0.5), Mut("ndim1", lambda v, d: v[0]), Mut("empty", lambda v, d: []),
                   Mut("string", lambda v, d: "3120"), Mut("none", lambda v, d: None),
                   Mut("nan", lambda v, d: _put(v, d, math.nan)),
                   Mut("duplicate", lambda v, d: np.array([[3, 3, 2, 0], [0, 2, 1, 3]])),
                   Mut("padding", lambda v, d: np.array([[3, 1, -1, -1], [0, 2, 1, 3]]), "either")],
    "relevant_ids": [Mut("short", lambda v, d: v[:1]), Mut("empty_item", lambda v, d: [v[0], []]),
                     Mut("string", lambda v, d: "13"), Mut("float_item", lambda v, d: [1.5, [0]]),
                     Mut("none", lambda v, d: None), Mut("zero_gains", lambda v, d: [{1: 0}, [0]]),
                     Mut("negative_gain", lambda v, d: [{1: -1.0, 2: 1}, [0]]),
                     Mut("nan_gain", lambda v, d: [{1: math.nan}, [0]]),
                     Mut("string_gain", lambda v, d: [{1: "high"}, [0]])],
    "per_query": [Mut("string", lambda v, d: "yes"), Mut("int", lambda v, d: 2), Mut("true", lambda v, d: True, "either")],
}


def _by_hand(a: dict) -> tuple[list[list[int]], list[dict[int, float]]]:
    ranked = [[int(x) for x in r] for r in np.asarray(a["ranked_ids"])]
    rels = []
    for rel in a["relevant_ids"]:
        rels.append({int(k): float(g) for k, g in rel.items()} if isinstance(rel, dict)
                    else {int(x): 1.0 for x in np.atleast_1d(rel)})
    return ranked, rels


def _per_query_ref(f: Any) -> Any:
    def check(a: dict, r: Any) -> None:
        ranked, rels = _by_hand(a)
        ref = [f(rk, {d for d, g in rel.items() if g > 0}, rel, a.get("k")) for rk, rel in zip(ranked, rels, strict=True)]
        _close(np.mean(ref) if not a.get("per_query") else ref, r, rtol=1e-12, atol=1e-12)
    return check


def _p(rk: list, rel: set, g: dict, k: int) -> float:
    return sum(d in rel for d in rk[:k]) / k


def _hit(rk: list, rel: set, g: dict, k: int) -> float:
    return float(any(d in rel for d in rk[:k]))


def _ap(rk: list, rel: set, g: dict, k: int | None) -> float:
    top = rk if k is None else rk[:k]
    hits, total = 0, 0.0
    for i, d in enumerate(top, start=1):
        if d in rel:
            hits += 1
            total += hits / i
    return total / len(rel)


def _ndcg(rk: list, rel: set, g: dict, k: int) -> float:
    dcg = sum(g.get(d, 0.0) / math.log2(i + 1) for i, d in enumerate(rk[:k], start=1))
    ideal = sorted(g.values(), reverse=True)[:k]
    return dcg / sum(v / math.log2(i + 1) for i, v in enumerate(ideal, start=1))


for _name, _fn, _ref in (("precision_at_k", M.precision_at_k, _p), ("hits_at_k", M.hits_at_k, _hit),
                         ("ndcg_at_k", M.ndcg_at_k, _ndcg)):
    entry(f"metrics.{_name}", lambda ranked_ids, relevant_ids, k, per_query, _fn=_fn: _fn(
              ranked_ids, relevant_ids, k, per_query=per_query),
          lambda: {**_ranked(), "k": 2, "per_query": False}, muts={**_RANKED, "k": k_of(4)}, oracle=_per_query_ref(_ref))

entry("metrics.ndcg_at_k[gain]", lambda ranked_ids, relevant_ids, gain: M.ndcg_at_k(ranked_ids, relevant_ids, 3, gain=gain),
      lambda: {**_ranked(), "gain": "exponential"}, muts={"gain": choice()})
entry("metrics.mean_average_precision",
      lambda ranked_ids, relevant_ids, k, per_query: M.mean_average_precision(ranked_ids, relevant_ids, k, per_query=per_query),
      lambda: {**_ranked(), "k": None, "per_query": True}, muts={**_RANKED, "k": k_of(4, none="either")},
      oracle=_per_query_ref(_ap))
entry("metrics.recall_at_k[per_query]",
      lambda ranked_ids, relevant_ids, per_query: M.recall_at_k(ranked_ids, relevant_ids, 2, per_query=per_query),
      lambda: {**_ranked(), "per_query": True}, muts=_RANKED,
      oracle=lambda a, r: _close(r, [0.5, 0.5]) if a["per_query"] is True else None)


def _scores_ref(a: dict, r: Any) -> None:
    S = np.asarray(a["scores"], np.float64)
    for row, ids in zip(S, np.asarray(r), strict=True):
        key = sorted(range(S.shape[1]), key=lambda j: (-row[j], -j))
        assert list(ids) == key[: len(ids)], (list(ids), key)


entry("metrics.ranked_ids_from_scores", lambda scores, k: M.ranked_ids_from_scores(scores, k),
      lambda: {"scores": np.round(rng_matrix(4, 6), 1), "k": 4},
      muts={"scores": matrix(huge="either", ints="either", zero="either"), "k": k_of(6, none="either")},
      oracle=_scores_ref)


def _corr_args() -> dict:
    r = np.random.default_rng(1)
    a = r.normal(size=15)
    return {"a": a, "b": np.round(a + r.normal(0, 0.5, 15), 1)}


entry("metrics.spearman", lambda a, b: M.spearman(a, b), _corr_args,
      muts={"a": vector(zero="raise"), "b": vector(zero="raise")},
      oracle=lambda a, r: _close(r, __import__("scipy.stats").stats.spearmanr(a["a"], a["b"]).statistic, rtol=1e-9))
entry("metrics.pearson", lambda a, b: M.pearson(a, b), _corr_args,
      muts={"a": vector(zero="raise"), "b": vector(zero="raise")},
      oracle=lambda a, r: _close(r, __import__("scipy.stats").stats.pearsonr(
          np.asarray(a["a"], np.float64), np.asarray(a["b"], np.float64)).statistic, rtol=1e-6))


def _labels() -> list[Mut]:
    return [Mut("short", lambda v, d: v[:-1]), Mut("empty", lambda v, d: []), Mut("string", lambda v, d: "0011"),
            Mut("none", lambda v, d: None), Mut("ndim2", lambda v, d: np.asarray(v)[None]),
            Mut("nan", lambda v, d: np.r_[np.nan, np.asarray(v, np.float64)[1:]]),
            Mut("names", lambda v, d: [f"c{x}" for x in v], "either")]


def _lab() -> dict:
    return {"labels_true": [0, 0, 1, 1, 2, 2, 2, 0], "labels_pred": [1, 1, 0, 0, 0, 2, 2, 1]}


entry("metrics.adjusted_rand_index", lambda labels_true, labels_pred: M.adjusted_rand_index(labels_true, labels_pred),
      _lab, muts={"labels_true": _labels(), "labels_pred": _labels()},
      oracle=lambda a, r: _close(r, __import__("sklearn.metrics").metrics.adjusted_rand_score(
          a["labels_true"], a["labels_pred"]), rtol=1e-9, atol=1e-12))
entry("metrics.normalized_mutual_info",
      lambda labels_true, labels_pred, average_method: M.normalized_mutual_info(
          labels_true, labels_pred, average_method=average_method),
      lambda: {**_lab(), "average_method": "geometric"},
      muts={"labels_true": _labels(), "labels_pred": _labels(), "average_method": choice()},
      oracle=lambda a, r: _close(r, __import__("sklearn.metrics").metrics.normalized_mutual_info_score(
          a["labels_true"], a["labels_pred"], average_method=a["average_method"]), rtol=1e-9, atol=1e-12))


def _sil_ref(a: dict, r: Any) -> None:
    from sklearn.metrics import silhouette_score

    _close(r, silhouette_score(np.asarray(a["X"], np.float64), a["labels"], metric=a["metric"]), rtol=1e-6, atol=1e-9)


entry("metrics.silhouette", lambda X, labels, metric: M.silhouette(X, labels, metric=metric),
      lambda: {"X": rng_matrix(9, 4), "labels": [0, 0, 0, 1, 1, 1, 2, 2, 2], "metric": "cosine"},
      muts={"X": matrix(zero="raise", one_d="raise", huge="either"),
            "labels": _labels() + [Mut("one_cluster", lambda v, d: [0] * len(v))], "metric": choice()},
      oracle=_sil_ref)


def _tw_ref(a: dict, r: Any) -> None:
    from sklearn.manifold import trustworthiness

    _close(r, trustworthiness(np.asarray(a["X"], np.float64), np.asarray(a["X_embedded"], np.float64),
                              n_neighbors=a["n_neighbors"]), rtol=1e-9, atol=1e-12)


entry("metrics.trustworthiness",
      lambda X, X_embedded, n_neighbors: M.trustworthiness(X, X_embedded, n_neighbors=n_neighbors),
      lambda: {"X": rng_matrix(12, 5), "X_embedded": rng_matrix(12, 2, 3), "n_neighbors": 3},
      muts={"X": matrix(zero="either", one_d="raise", huge="either"),
            "X_embedded": matrix(zero="either", one_d="raise", huge="either") + [Mut("short", lambda v, d: v[:-1])],
            "n_neighbors": k_of(5, max_ok=True) + [Mut("half", lambda v, d: 6)]},
      oracle=_tw_ref)
