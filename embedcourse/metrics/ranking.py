"""Ranking metrics: where does the relevant document land? Recall@k, reciprocal rank, MRR.

The metrics take ranked lists of document ids, best first (the ``I`` output of any
:mod:`embedcourse.ann` index's ``search``, or of :func:`embedcourse.retrieval.search`), and,
per query, the relevant id or set of ids. :func:`retrieval_report` gathers the usual figures
of a retrieval table in one dict. Chapter 09 adds graded metrics (nDCG, MAP) next to these.

Oracles in ``tests/test_ranking.py``: ``sklearn.metrics.top_k_accuracy_score`` (recall@k
with one relevant document) and ``label_ranking_average_precision_score`` (MRR).

Taught in: chapter 03 (more metrics in chapter 09).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_k

__all__ = ["rank_of_relevant", "recall_at_k", "mrr", "retrieval_report"]


def _as_ranked(ranked_ids: Any) -> list[np.ndarray]:
    if ranked_ids is None:
        raise ValueError("ranked_ids is None; pass one ranked list of document ids per query.")
    if isinstance(ranked_ids, np.ndarray):
        if ranked_ids.ndim == 1:
            raise ValueError(
                f"ranked_ids must hold one ranked list per query, shape (n_queries, n_ranked); "
                f"got a 1-d array of shape {ranked_ids.shape} (one query? pass ids[None, :])."
            )
        rows = list(ranked_ids)
    else:
        rows = [np.asarray(r) for r in ranked_ids]
    if not rows:
        raise ValueError("ranked_ids is empty; pass at least one query's ranked list.")
    out = []
    for i, r in enumerate(rows):
        r = np.asarray(r)
        if r.ndim != 1:
            raise ValueError(f"ranked_ids[{i}] must be a 1-d list of ids; got shape {r.shape}.")
        if r.size and not np.issubdtype(r.dtype, np.integer):
            raise TypeError(
                f"ranked_ids[{i}] has dtype {r.dtype}; expected integer document ids "
                f"(the ids `I` returned by search, not its scores)."
            )
        out.append(r)
    return out


def _as_relevant(relevant_ids: Any, n_queries: int) -> list[set[int]]:
    if relevant_ids is None:
        raise ValueError("relevant_ids is None; pass the relevant id(s) of every query.")
    if isinstance(relevant_ids, np.ndarray) and relevant_ids.ndim == 1:
        items: list[Any] = [[x] for x in relevant_ids.tolist()]
    else:
        items = [([x] if isinstance(x, (int, np.integer)) else x) for x in relevant_ids]
    if len(items) != n_queries:
        raise ValueError(
            f"ranked_ids has {n_queries} queries but relevant_ids has {len(items)} entries; "
            f"pass one relevant id (or set of ids) per query, in the same order."
        )
    out = []
    for i, rel in enumerate(items):
        if isinstance(rel, (str, bytes)) or not isinstance(rel, Iterable):
            raise TypeError(f"relevant_ids[{i}] must be an int or a collection of ints; got {rel!r}.")
        s = set()
        for x in rel:
            if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
                raise TypeError(f"relevant_ids[{i}] contains {x!r}; expected integer document ids.")
            s.add(int(x))
        if not s:
            raise ValueError(
                f"relevant_ids[{i}] is empty; every query needs at least one relevant document "
                f"(drop queries without judgements first)."
            )
        out.append(s)
    return out


def rank_of_relevant(ranked_ids: npt.ArrayLike | Sequence[Any], relevant_ids: Any) -> npt.NDArray[np.float64]:
    """1-based rank of the first relevant document in each ranked list (``inf`` if absent).

    Parameters
    ----------
    ranked_ids : array-like of int, shape (n_queries, n_ranked), or a list of ranked lists
        Document ids, best first (the ``I`` output of a ``search``).
    relevant_ids : array-like of int, shape (n_queries,), or a list of collections of int
        The relevant id of each query, or a set of relevant ids per query.

    Returns
    -------
    numpy.ndarray, shape (n_queries,), float64
        ``1.0`` when the top result is relevant; ``inf`` when no relevant id was ranked (so
        ``1 / rank`` is then 0).

    Taught in: chapter 03.
    """
    ranked = _as_ranked(ranked_ids)
    relevant = _as_relevant(relevant_ids, len(ranked))
    ranks = np.full(len(ranked), np.inf)
    for i, (r, rel) in enumerate(zip(ranked, relevant, strict=True)):
        hits = np.flatnonzero(np.isin(r, list(rel)))
        if hits.size:
            ranks[i] = hits[0] + 1
    return ranks


def recall_at_k(ranked_ids: npt.ArrayLike | Sequence[Any], relevant_ids: Any, k: int) -> float:
    """Mean over queries of the fraction of relevant documents found in the top ``k``.

    With one relevant document per query this is the hit rate ("was the right article in the
    first k results?"), the same number as ``sklearn.metrics.top_k_accuracy_score``.

    Parameters
    ----------
    ranked_ids : array-like of int, shape (n_queries, n_ranked), or a list of ranked lists
        Document ids, best first; ``n_ranked >= k``.
    relevant_ids : array-like of int, shape (n_queries,), or a list of collections of int
    k : int
        Cut-off, at least 1 and at most the length of the shortest ranked list.

    Returns
    -------
    float in [0, 1]

    Taught in: chapter 03.
    """
    ranked = _as_ranked(ranked_ids)
    relevant = _as_relevant(relevant_ids, len(ranked))
    k = check_k(k, min(r.size for r in ranked), what="ids in the shortest ranked list")
    scores = [len(rel.intersection(r[:k].tolist())) / len(rel) for r, rel in zip(ranked, relevant, strict=True)]
    return float(np.mean(scores))


def mrr(ranked_ids: npt.ArrayLike | Sequence[Any], relevant_ids: Any, k: int | None = None) -> float:
    """Mean reciprocal rank: the average of ``1 / rank`` of the first relevant document.

    Parameters
    ----------
    ranked_ids : array-like of int, shape (n_queries, n_ranked), or a list of ranked lists
    relevant_ids : array-like of int, shape (n_queries,), or a list of collections of int
    k : int, optional
        Count only the top ``k`` (MRR@k): a first hit below rank ``k`` scores 0.
        ``None`` uses the whole ranked list (pass the full ranking for the exact MRR).

    Returns
    -------
    float in [0, 1]

    Taught in: chapter 03.
    """
    ranked = _as_ranked(ranked_ids)
    if k is not None:
        k = check_k(k, min(r.size for r in ranked), what="ids in the shortest ranked list")
        ranked = [r[:k] for r in ranked]
    ranks = rank_of_relevant(ranked, relevant_ids)
    return float(np.mean(1.0 / ranks))


def retrieval_report(
    ranked_ids: npt.ArrayLike | Sequence[Any], relevant_ids: Any, ks: Iterable[int] = (1, 10)
) -> dict[str, float]:
    """Recall@k for each ``k`` in ``ks`` and the MRR of the whole ranked lists, in one dict.

    The row of a retrieval table: ``{"R@1": ..., "R@10": ..., "MRR": ...}``, the same numbers
    as :func:`recall_at_k` and :func:`mrr` (pass the full ranking for the exact MRR).

    Parameters
    ----------
    ranked_ids : array-like of int, shape (n_queries, n_ranked), or a list of ranked lists
    relevant_ids : array-like of int, shape (n_queries,), or a list of collections of int
    ks : iterable of int
        Cut-offs for recall, each in ``[1, n_ranked]``; reported in the given order.

    Returns
    -------
    dict of str -> float
        Keys ``"R@k"`` for each ``k``, then ``"MRR"``.

    Examples
    --------
    >>> retrieval_report([[2, 0, 1], [1, 2, 0]], [0, 1], ks=(1, 2))
    {'R@1': 0.5, 'R@2': 1.0, 'MRR': 0.75}

    Taught in: chapter 03.
    """
    if isinstance(ks, (str, bytes)) or not isinstance(ks, Iterable):
        raise TypeError(f"ks must be a list of cut-offs (ints), e.g. (1, 10); got {ks!r}.")
    cutoffs = list(ks)
    if not cutoffs:
        raise ValueError("ks is empty; pass at least one cut-off, e.g. ks=(1, 10).")
    shortest = min(r.size for r in _as_ranked(ranked_ids))
    cutoffs = [check_k(k, shortest, name=f"ks[{i}]", what="ids in the shortest ranked list")
               for i, k in enumerate(cutoffs)]
    report = {f"R@{k}": recall_at_k(ranked_ids, relevant_ids, k) for k in cutoffs}
    report["MRR"] = mrr(ranked_ids, relevant_ids)
    return report
