"""Exact cosine search and the first ranking metrics: recall@k, reciprocal rank, MRR.

The interface mirrors faiss: ``search(queries, docs, k)`` returns ``(scores, ids)``, two arrays
of shape (n_queries, k), best first, exactly like ``faiss.IndexFlatIP.search`` on unit-length
vectors. The metrics take those ``ids`` (or any ranked lists of document ids) and, per query,
the set of relevant ids. Chapter 09 adds graded metrics (nDCG, MAP) next to these.

Taught in: chapter 03 (more metrics in chapter 09).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from embedcourse._validation import as_matrix, check_k, row_norms

__all__ = ["search", "top_k", "rank_of_relevant", "recall_at_k", "mrr"]


def search(query_emb: Any, doc_emb: Any, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Exact (brute-force) cosine top-``k`` search, like ``faiss.IndexFlatIP`` on unit vectors.

    Both sides are scaled to unit length row by row (an all-zero row, e.g. a text with no known
    word, keeps score 0 with everything), the full similarity matrix is one product, and each
    row is sorted by decreasing score; ties are broken by the smaller document id, so the
    result is deterministic.

    Parameters
    ----------
    query_emb : array-like, shape (n_queries, d) (or (d,) for one query)
    doc_emb : array-like, shape (n_docs, d)
    k : int
        How many documents to return per query, ``1 <= k <= n_docs``.

    Returns
    -------
    scores : numpy.ndarray, shape (n_queries, k), float32
        Cosine similarities, decreasing along each row.
    ids : numpy.ndarray, shape (n_queries, k), int64
        Row indices into ``doc_emb``; ``ids[i, 0]`` is the best match for query ``i``.

    Examples
    --------
    >>> import numpy as np
    >>> docs = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> search(np.array([1.0, 0.1]), docs, k=2)[1]
    array([[0, 2]])

    Taught in: chapter 03.
    """
    D = as_matrix(doc_emb, "doc_emb", dtype=np.float32)
    Q = as_matrix(query_emb, "query_emb", dtype=np.float32, allow_1d=True)
    if Q.shape[1] != D.shape[1]:
        raise ValueError(
            f"query_emb has {Q.shape[1]} columns but doc_emb has {D.shape[1]}; queries and documents "
            f"must be embedded in the same space (same dimension d)."
        )
    k = check_k(k, D.shape[0], what="documents in doc_emb")
    return top_k(_unit(Q) @ _unit(D).T, k)


def top_k(scores: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` highest scores of each row and their column ids, best first (ties: lower id).

    Use it to rank from any score matrix (max-sim over chunks, BM25, a cross-encoder).

    Parameters
    ----------
    scores : array-like, shape (n_queries, n_docs) (or (n_docs,) for one query)
    k : int, ``1 <= k <= n_docs``

    Returns
    -------
    scores : numpy.ndarray, shape (n_queries, k), float32
    ids : numpy.ndarray, shape (n_queries, k), int64

    Taught in: chapter 03.
    """
    S = as_matrix(scores, "scores", dtype=np.float32, allow_1d=True)
    k = check_k(k, S.shape[1], what="documents (columns of scores)")
    # stable sort on -S: equal scores keep increasing document id
    order = np.argsort(-S, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(S, order, axis=1), order.astype(np.int64)


def _unit(M: np.ndarray) -> np.ndarray:
    norms = row_norms(M)[:, None]  # == np.linalg.norm(M, axis=1), safe for huge float32 rows
    return M / np.where(norms > 0, norms, 1.0)


# --------------------------------------------------------------------------------------------
# metrics on ranked lists
# --------------------------------------------------------------------------------------------
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
                f"(the `ids` returned by search, not its `scores`)."
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


def rank_of_relevant(ranked_ids: Any, relevant_ids: Any) -> np.ndarray:
    """1-based rank of the first relevant document in each ranked list (``inf`` if absent).

    Parameters
    ----------
    ranked_ids : array-like of int, shape (n_queries, n_ranked), or a list of ranked lists
        Document ids, best first (the ``ids`` output of :func:`search`).
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
    for i, (r, rel) in enumerate(zip(ranked, relevant)):
        hits = np.flatnonzero(np.isin(r, list(rel)))
        if hits.size:
            ranks[i] = hits[0] + 1
    return ranks


def recall_at_k(ranked_ids: Any, relevant_ids: Any, k: int) -> float:
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
    scores = [len(rel.intersection(r[:k].tolist())) / len(rel) for r, rel in zip(ranked, relevant)]
    return float(np.mean(scores))


def mrr(ranked_ids: Any, relevant_ids: Any, k: int | None = None) -> float:
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
