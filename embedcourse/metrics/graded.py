"""Rank-aware metrics over the whole top of a ranking: average precision (MAP) and nDCG.

Recall@k and MRR look at *whether* and *where first* a relevant document appears. Two metrics
look at every relevant document and its position:

- **average precision** of a query, the mean of Precision@r over the ranks r of its relevant
  documents, divided by the number of relevant documents (a relevant document never retrieved
  contributes 0); its mean over queries is MAP (trec_eval ``map``; with a cut-off k, only the
  ranks r <= k count: ``map_cut_k``);
- **nDCG@k** with graded relevance: DCG@k = sum over r <= k of g(rel_r) / log2(r + 1), divided
  by the DCG of the ideal ranking of *all* the query's judged documents (so a query is not
  rewarded for a short list of judgements). The gain is **linear**, g(rel) = rel, by default:
  trec_eval's ``ndcg_cut_k`` (and scikit-learn's ``ndcg_score``) use the relevance value
  itself; ``gain="exponential"`` uses g(rel) = 2**rel - 1 (Burges et al. 2005), which weights
  the highly relevant documents more. With binary relevance the two are equal.

Relevance per query is an int, a collection of ints (gain 1) or a ``{id: gain}`` dict, as in
:mod:`~embedcourse.metrics.ranking`, whose input checks (and errors) these functions share.

Oracles in ``tests/test_ranking.py``: ``pytrec_eval`` (``map``, ``map_cut_k``, ``ndcg_cut_k``)
on random runs with graded qrels, to 1e-9.

Taught in: chapter 09.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_choice
from embedcourse.metrics.ranking import _as_gains, _as_ranked, _cut, _finish

__all__ = ["mean_average_precision", "ndcg_at_k"]


def mean_average_precision(ranked_ids: npt.ArrayLike | Sequence[Any], relevant_ids: Any, k: int | None = None, *,
                           per_query: bool = False) -> Any:
    """Mean over queries of average precision (MAP; MAP@k with a cut-off).

    AP = (1 / R) * sum over relevant documents at rank r (r <= k) of Precision@r, where R is the
    query's number of relevant documents (gain > 0), retrieved or not: trec_eval's ``map`` and,
    with ``k``, ``map_cut_k``.

    Parameters
    ----------
    ranked_ids : array-like of int, shape (n_queries, n_ranked), or a list of ranked lists
        Document ids, best first.
    relevant_ids : ints, collections of int or ``{id: gain}`` dicts, one per query
    k : int, optional
        Cut-off in ``[1, n_ranked]``; ``None`` uses the whole ranked list.
    per_query : bool
        Return the average precision of each query instead of their mean.

    Returns
    -------
    float in [0, 1], or numpy.ndarray of shape (n_queries,), float64, with ``per_query=True``

    Examples
    --------
    >>> mean_average_precision([[5, 1, 7, 2]], [{1, 2, 9}])  # (1/2 + 2/4) / 3
    0.3333333333333333

    Taught in: chapter 09.
    """
    ranked = _as_ranked(ranked_ids)
    gains = _as_gains(relevant_ids, len(ranked))
    if k is not None:
        ranked, k = _cut(ranked, k)
    out = []
    for r, g in zip(ranked, gains, strict=True):
        rel = {d for d, v in g.items() if v > 0}
        hit = np.isin(r, list(rel))
        ranks = np.flatnonzero(hit) + 1.0
        precision = np.cumsum(hit)[hit] / ranks
        out.append(float(precision.sum()) / len(rel))
    return _finish(out, per_query)


def ndcg_at_k(ranked_ids: npt.ArrayLike | Sequence[Any], relevant_ids: Any, k: int, *, gain: str = "linear",
              per_query: bool = False) -> Any:
    """Normalised discounted cumulative gain at ``k``, with graded relevance.

    DCG@k = sum_{r=1..k} g(rel of the document at rank r) / log2(r + 1); nDCG@k = DCG@k / IDCG@k,
    IDCG@k the DCG of the query's judged gains sorted from high to low and cut at ``k``.
    Unjudged documents have gain 0.

    Parameters
    ----------
    ranked_ids : array-like of int, shape (n_queries, n_ranked), or a list of ranked lists
    relevant_ids : ints, collections of int (gain 1) or ``{id: gain}`` dicts, one per query
    k : int
        Cut-off in ``[1, n_ranked]``.
    gain : {"linear", "exponential"}
        ``"linear"``: g = rel (trec_eval ``ndcg_cut_k``'s default, and scikit-learn's);
        ``"exponential"``: g = 2**rel - 1.
    per_query : bool
        Return the nDCG of each query instead of their mean.

    Returns
    -------
    float in [0, 1], or numpy.ndarray of shape (n_queries,), float64, with ``per_query=True``

    Examples
    --------
    >>> round(ndcg_at_k([[3, 1, 2]], [{1: 2, 2: 1}], 3), 6)  # (2/log2 3 + 1/2) / (2 + 1/log2 3)
    0.669672

    Taught in: chapter 09.
    """
    check_choice("gain", gain, ("linear", "exponential"))
    ranked = _as_ranked(ranked_ids)
    gains = _as_gains(relevant_ids, len(ranked))
    top, k = _cut(ranked, k)
    discount = 1.0 / np.log2(np.arange(2, k + 2, dtype=np.float64))
    out = []
    for r, g in zip(top, gains, strict=True):
        got = np.array([g.get(int(d), 0.0) for d in r], dtype=np.float64)
        ideal = np.sort(np.fromiter(g.values(), dtype=np.float64))[::-1][:k]
        if gain == "exponential":
            got, ideal = np.exp2(got) - 1.0, np.exp2(ideal) - 1.0
        out.append(float(got @ discount[: got.size]) / float(ideal @ discount[: ideal.size]))
    return _finish(out, per_query)
