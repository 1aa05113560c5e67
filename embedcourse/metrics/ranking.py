"""Ranking metrics of ranked id lists: Recall@k, Precision@k, Hits@k, reciprocal rank, MRR.

The metrics take ranked lists of document ids, best first (the ``I`` output of any
:mod:`embedcourse.ann` index's ``search``, or of :func:`embedcourse.retrieval.search`; turn a
score matrix into one with :func:`ranked_ids_from_scores`), and, per query, the relevant
documents in one of three forms:

- an int (the one relevant id), or a collection of ints (binary relevance);
- a dict ``{id: gain}`` (graded relevance, as a TREC qrels line): the ids with ``gain > 0`` are
  the relevant ones for the binary metrics here (trec_eval's ``relevance_level=1``), and
  :mod:`~embedcourse.metrics.graded` uses the gains themselves.

Every metric returns the mean over queries, or with ``per_query=True`` a float64 array of one
score per query (what :func:`~embedcourse.metrics.bootstrap_ci` and
:func:`~embedcourse.metrics.paired_bootstrap` resample). Each is trec_eval's measure of the
same name (``recall_k``, ``P_k``, ``recip_rank``); ``hits_at_k`` is ir_measures' ``Success@k``.

Errors, not silent zeros: a query without any relevant document, a ranked list that repeats an
id (negative ids, faiss's ``-1`` padding for "no result", may repeat and never match), ``k < 1``
or ``k`` beyond the shortest ranked list.

Oracles in ``tests/test_ranking.py``: ``pytrec_eval`` (trec_eval) on random runs with graded
qrels, ``ir_measures``, and scikit-learn (``top_k_accuracy_score``,
``label_ranking_average_precision_score``).

Taught in: chapter 03 (recall@k, MRR), chapter 09 (all of them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_bool, check_k, check_real_array
from embedcourse.topk import top_k

__all__ = ["rank_of_relevant", "recall_at_k", "precision_at_k", "hits_at_k", "mrr", "retrieval_report",
           "ranked_ids_from_scores"]


def _as_ranked(ranked_ids: Any) -> list[np.ndarray]:
    if ranked_ids is None:
        raise ValueError("ranked_ids is None; pass one ranked list of document ids per query.")
    if isinstance(ranked_ids, (str, bytes)):
        raise TypeError(f"ranked_ids must be ranked lists of integer document ids; got the string {ranked_ids!r}.")
    if isinstance(ranked_ids, np.ndarray):
        if ranked_ids.ndim == 1:
            raise ValueError(
                f"ranked_ids must hold one ranked list per query, shape (n_queries, n_ranked); "
                f"got a 1-d array of shape {ranked_ids.shape} (one query? pass ids[None, :])."
            )
        rows = list(ranked_ids)
    else:
        try:
            rows = [np.asarray(r) for r in ranked_ids]
        except TypeError:
            raise TypeError(f"ranked_ids must be a list of ranked id lists; got {type(ranked_ids).__name__}.") from None
    if not rows:
        raise ValueError("ranked_ids is empty; pass at least one query's ranked list.")
    out = []
    for i, r in enumerate(rows):
        r = np.asarray(r)
        if r.ndim != 1:
            raise ValueError(f"ranked_ids[{i}] must be a 1-d list of ids; got shape {r.shape}.")
        if r.size and (r.dtype == bool or not np.issubdtype(r.dtype, np.integer)):
            raise TypeError(
                f"ranked_ids[{i}] has dtype {r.dtype}; expected integer document ids "
                f"(the ids `I` returned by search, not its scores)."
            )
        real = r[r >= 0]
        if np.unique(real).size != real.size:
            vals, cnt = np.unique(real, return_counts=True)
            raise ValueError(
                f"ranked_ids[{i}] ranks document {int(vals[cnt > 1][0])} more than once; a ranking "
                f"lists each document at most once (negative ids mark empty slots)."
            )
        out.append(r.astype(np.int64))
    return out


def _as_gains(relevant_ids: Any, n_queries: int, name: str = "relevant_ids") -> list[dict[int, float]]:
    """One ``{id: gain}`` dict per query, every gain finite and >= 0, at least one gain > 0."""
    if relevant_ids is None:
        raise ValueError(f"{name} is None; pass the relevant id(s) of every query.")
    if isinstance(relevant_ids, (str, bytes)) or not isinstance(relevant_ids, Iterable):
        raise TypeError(f"{name} must hold one relevant id, set of ids or {{id: gain}} dict per query; "
                        f"got {relevant_ids!r}.")
    if isinstance(relevant_ids, np.ndarray) and relevant_ids.ndim == 1:
        items: list[Any] = [[x] for x in relevant_ids.tolist()]
    else:
        items = [([x] if isinstance(x, (int, np.integer)) else x) for x in relevant_ids]
    if len(items) != n_queries:
        raise ValueError(
            f"ranked_ids has {n_queries} queries but {name} has {len(items)} entries; "
            f"pass one relevant id (or set of ids) per query, in the same order."
        )
    out = []
    for i, rel in enumerate(items):
        if isinstance(rel, (str, bytes)) or not isinstance(rel, Iterable):
            raise TypeError(f"{name}[{i}] must be an int, a collection of ints or an {{id: gain}} dict; got {rel!r}.")
        pairs = rel.items() if isinstance(rel, Mapping) else ((x, 1.0) for x in rel)
        gains: dict[int, float] = {}
        for x, g in pairs:
            if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
                raise TypeError(f"{name}[{i}] contains {x!r}; expected integer document ids.")
            if x < 0:
                raise ValueError(f"{name}[{i}] contains the negative id {int(x)}; document ids are >= 0 "
                                 f"(negative ids in ranked_ids mark empty slots and never match).")
            if isinstance(g, bool) or not isinstance(g, (int, float, np.integer, np.floating)):
                raise TypeError(f"{name}[{i}][{x}] has gain {g!r}; expected a number.")
            if not np.isfinite(g) or g < 0:
                raise ValueError(f"{name}[{i}][{x}] has gain {g!r}; gains must be finite and >= 0.")
            gains[int(x)] = float(g)
        if not any(g > 0 for g in gains.values()):
            raise ValueError(
                f"{name}[{i}] is empty (no document with gain > 0); every query needs at least one "
                f"relevant document (drop queries without judgements first)."
            )
        out.append(gains)
    return out


def _as_relevant(relevant_ids: Any, n_queries: int) -> list[set[int]]:
    return [{d for d, g in gains.items() if g > 0} for gains in _as_gains(relevant_ids, n_queries)]


def _cut(ranked: list[np.ndarray], k: Any) -> tuple[list[np.ndarray], int]:
    k = check_k(k, min(r.size for r in ranked), what="ids in the shortest ranked list")
    return [r[:k] for r in ranked], k


def _finish(per: list[float] | np.ndarray, per_query: Any) -> Any:
    arr = np.asarray(per, dtype=np.float64)
    return arr if check_bool("per_query", per_query) else float(arr.mean())


def rank_of_relevant(ranked_ids: npt.ArrayLike | Sequence[Any], relevant_ids: Any) -> npt.NDArray[np.float64]:
    """1-based rank of the first relevant document in each ranked list (``inf`` if absent).

    Parameters
    ----------
    ranked_ids : array-like of int, shape (n_queries, n_ranked), or a list of ranked lists
        Document ids, best first (the ``I`` output of a ``search``).
    relevant_ids : array-like of int, shape (n_queries,), or a list of ints, collections of int
        or ``{id: gain}`` dicts
        The relevant id of each query, or its set of relevant ids.

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


def _hits(ranked: list[np.ndarray], relevant: list[set[int]]) -> list[int]:
    return [int(np.isin(r, list(rel)).sum()) for r, rel in zip(ranked, relevant, strict=True)]


def recall_at_k(ranked_ids: npt.ArrayLike | Sequence[Any], relevant_ids: Any, k: int, *,
                per_query: bool = False) -> Any:
    """Fraction of a query's relevant documents found in its top ``k`` (trec_eval ``recall_k``).

    With one relevant document per query this is the hit rate ("was the right article in the
    first k results?"), the same number as ``sklearn.metrics.top_k_accuracy_score``.

    Parameters
    ----------
    ranked_ids : array-like of int, shape (n_queries, n_ranked), or a list of ranked lists
        Document ids, best first; ``n_ranked >= k``.
    relevant_ids : array-like of int, shape (n_queries,), or a list of ints, collections of int
        or ``{id: gain}`` dicts (gain > 0 is relevant)
    k : int
        Cut-off, at least 1 and at most the length of the shortest ranked list.
    per_query : bool
        Return one score per query instead of their mean.

    Returns
    -------
    float in [0, 1], or numpy.ndarray of shape (n_queries,), float64, with ``per_query=True``

    Taught in: chapter 03.
    """
    ranked = _as_ranked(ranked_ids)
    relevant = _as_relevant(relevant_ids, len(ranked))
    top, k = _cut(ranked, k)
    return _finish([h / len(rel) for h, rel in zip(_hits(top, relevant), relevant, strict=True)], per_query)


def precision_at_k(ranked_ids: npt.ArrayLike | Sequence[Any], relevant_ids: Any, k: int, *,
                   per_query: bool = False) -> Any:
    """Fraction of the top ``k`` that is relevant (trec_eval ``P_k``): hits in the top k over k.

    Parameters
    ----------
    ranked_ids : array-like of int, shape (n_queries, n_ranked), or a list of ranked lists
    relevant_ids : ints, collections of int or ``{id: gain}`` dicts, one per query
    k : int
        Cut-off in ``[1, n_ranked]``.
    per_query : bool
        Return one score per query instead of their mean.

    Returns
    -------
    float in [0, 1], or numpy.ndarray of shape (n_queries,), float64, with ``per_query=True``

    Notes
    -----
    A query with fewer than ``k`` relevant documents cannot reach 1 (as in trec_eval).

    Taught in: chapter 09.
    """
    ranked = _as_ranked(ranked_ids)
    relevant = _as_relevant(relevant_ids, len(ranked))
    top, k = _cut(ranked, k)
    return _finish([h / k for h in _hits(top, relevant)], per_query)


def hits_at_k(ranked_ids: npt.ArrayLike | Sequence[Any], relevant_ids: Any, k: int, *,
              per_query: bool = False) -> Any:
    """1 if any relevant document is in the top ``k``, else 0 (ir_measures ``Success@k``).

    Parameters
    ----------
    ranked_ids : array-like of int, shape (n_queries, n_ranked), or a list of ranked lists
    relevant_ids : ints, collections of int or ``{id: gain}`` dicts, one per query
    k : int
        Cut-off in ``[1, n_ranked]``.
    per_query : bool
        Return one 0/1 score per query instead of their mean (the hit rate).

    Returns
    -------
    float in [0, 1], or numpy.ndarray of shape (n_queries,), float64, with ``per_query=True``

    Taught in: chapter 09.
    """
    ranked = _as_ranked(ranked_ids)
    relevant = _as_relevant(relevant_ids, len(ranked))
    top, k = _cut(ranked, k)
    return _finish([float(h > 0) for h in _hits(top, relevant)], per_query)


def mrr(ranked_ids: npt.ArrayLike | Sequence[Any], relevant_ids: Any, k: int | None = None, *,
        per_query: bool = False) -> Any:
    """Mean reciprocal rank: the average of ``1 / rank`` of the first relevant document.

    Per query this is trec_eval's ``recip_rank``.

    Parameters
    ----------
    ranked_ids : array-like of int, shape (n_queries, n_ranked), or a list of ranked lists
    relevant_ids : ints, collections of int or ``{id: gain}`` dicts, one per query
    k : int, optional
        Count only the top ``k`` (MRR@k): a first hit below rank ``k`` scores 0.
        ``None`` uses the whole ranked list (pass the full ranking for the exact MRR).
    per_query : bool
        Return the reciprocal rank of each query instead of their mean.

    Returns
    -------
    float in [0, 1], or numpy.ndarray of shape (n_queries,), float64, with ``per_query=True``

    Taught in: chapter 03.
    """
    ranked = _as_ranked(ranked_ids)
    if k is not None:
        ranked, k = _cut(ranked, k)
    ranks = rank_of_relevant(ranked, relevant_ids)
    return _finish(1.0 / ranks, per_query)


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


def ranked_ids_from_scores(scores: npt.ArrayLike, k: int | None = None) -> npt.NDArray[np.int64]:
    """Rank the documents of each query by score, best first; ties go to the larger document id.

    The tie rule is trec_eval's: it sorts a run by score, then by document id *descending*
    (so between two equally scored documents 7 and 3, document 7 is ranked first). trec_eval
    compares docnos as *strings*: name documents with zero-padded numbers (``d007``) when
    checking against it, so that string and numeric order agree. Stating a rule
    matters: with many tied scores (a bag-of-words model, rounded scores) any metric depends on it.

    Parameters
    ----------
    scores : array-like of float, shape (n_queries, n_docs)
        ``scores[q, j]`` is the score of document ``j`` for query ``q`` (higher is better).
    k : int, optional
        Keep the top ``k`` of each ranking (``None``: all ``n_docs``).

    Returns
    -------
    numpy.ndarray of int64, shape (n_queries, k or n_docs)

    Examples
    --------
    >>> ranked_ids_from_scores([[0.2, 0.9, 0.2]]).tolist()
    [[1, 2, 0]]

    Taught in: chapter 09.
    """
    S = check_real_array(scores, "scores", 2)
    n_docs = S.shape[1]
    keep = n_docs if k is None else check_k(k, n_docs, what="documents (columns of scores)")
    # ec.topk breaks ties by the smaller tiebreak label: label n - 1 - j puts the larger id first
    _, ids = top_k(S, keep, tiebreak=np.arange(n_docs - 1, -1, -1, dtype=np.int64))
    return np.ascontiguousarray(ids, dtype=np.int64)
