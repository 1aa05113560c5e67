"""Hard negatives for contrastive training: mined from BM25 or a model's scores, guarded, or random.

A contrastive loss learns only from negatives it can still confuse with the positive. In-batch
negatives are mostly easy; a *hard negative* is a document the current retriever ranks high for
the query although it is not the query's positive. Mining them is a ranking problem:

1. score every document for every query, with a lexical scorer (:func:`bm25_scores`) or with
   an embedding model (``ec.metrics.pairwise_similarity(Q, X)`` on its embeddings);
2. take the best-ranked documents, skipping the query's own positive;
3. guard against **false negatives**: the top of the ranking also holds documents that are
   relevant but unlabelled (a second report of the same event, a near-duplicate lead). Pushing
   them away teaches the model the wrong thing. The usual guards: skip the top ``skip_top``
   ranks, and drop candidates that score too close to the positive (``relative_margin``,
   ``absolute_margin``) or too high in absolute terms (``max_score``).

:func:`mine_hard_negatives` follows sentence-transformers' ``util.mine_hard_negatives`` step by
step (``range_min``, ``range_max``, ``relative_margin``, ``absolute_margin``, ``max_score``,
``sampling_strategy``) on a precomputed score matrix; :func:`random_negatives` is the control.

Taught in: chapter 08.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import (
    as_matrix,
    check_choice,
    check_float,
    check_ids,
    check_int,
    check_random_state,
    check_seed,
    check_texts,
    require,
)

__all__ = ["bm25_scores", "mine_hard_negatives", "random_negatives", "negative_report"]


def _tokenize(texts: list[str], stopwords: str | None) -> list[list[str]]:
    bm25s = require("bm25s")
    return bm25s.tokenize(texts, stopwords=stopwords, return_ids=False, show_progress=False)


def bm25_scores(queries: Any, corpus: Any, *, k1: float = 1.5, b: float = 0.75,
                stopwords: str | None = "en") -> npt.NDArray[np.float64]:
    """BM25 score of every corpus document for every query (Robertson's variant), as a dense matrix.

    With ``tf`` a term's count in document d, ``|d|`` the document's length in tokens, ``avgdl``
    the mean length, ``N`` the number of documents and ``df`` the number containing the term::

        score(q, d) = sum over query tokens t of idf(t) tf / (tf + k1 (1 - b + b |d| / avgdl))
        idf(t) = log(max(1, (N - df + 0.5) / (df + 0.5)))

    A query token that occurs twice counts twice, and tokens absent from the corpus add nothing.
    This is ``bm25s.BM25(method="robertson")``; ``rank_bm25``'s ``BM25Okapi`` is the same
    score times ``k1 + 1`` (same ranking). Tokens come from ``bm25s.tokenize`` (lower case,
    words of two or more characters, English stop words removed unless ``stopwords=None``).

    Parameters
    ----------
    queries : list of str, length n_q
    corpus : list of str, length n_docs
    k1 : float
        Term-frequency saturation, ``k1 >= 0`` (0 = presence only).
    b : float
        Length normalisation, in [0, 1] (0 = none).
    stopwords : {"en", None}
        Remove English stop words (``"en"``) or keep every token.

    Returns
    -------
    numpy.ndarray, shape (n_q, n_docs), float64
        Non-negative scores; rank a row with :func:`embedcourse.topk.top_k`.

    Examples
    --------
    >>> S = bm25_scores(["cat food"], ["a cat", "dog food and cat food", "a dog"])
    >>> int(S.argmax())
    1

    Taught in: chapter 08 (hard negatives from BM25; BM25 itself is chapter 06's).
    """
    import scipy.sparse as sp

    queries = check_texts(queries, "queries")
    corpus = check_texts(corpus, "corpus")
    k1 = check_float("k1", k1, 0, 100)
    b = check_float("b", b, 0, 1)
    if stopwords is not None:
        stopwords = check_choice("stopwords", stopwords, ("en",))
    docs = _tokenize(corpus, stopwords)
    vocab: dict[str, int] = {}
    rows = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in docs]
    if not vocab:
        raise ValueError("corpus has no tokens left after tokenisation (every document empty or only stop words).")
    n_docs = len(docs)
    lengths = np.array([len(r) for r in rows], dtype=np.float64)
    cols = np.fromiter((t for r in rows for t in r), dtype=np.int64, count=int(lengths.sum()))
    tf = sp.csr_matrix((np.ones(cols.size), cols, np.concatenate([[0], np.cumsum([len(r) for r in rows])])),
                       shape=(n_docs, len(vocab)))
    tf.sum_duplicates()                                                   # counts per (document, term)
    df = np.bincount(tf.indices, minlength=len(vocab)).astype(np.float64)
    idf = np.log(np.maximum(1.0, (n_docs - df + 0.5) / (df + 0.5)))
    norm = k1 * (1 - b + b * lengths / lengths.mean())                    # per document
    W = tf.astype(np.float64)
    W.data = W.data / (W.data + np.repeat(norm, np.diff(W.indptr))) * idf[W.indices]
    q_rows = [[vocab[t] for t in q if t in vocab] for q in _tokenize(queries, stopwords)]
    q_len = np.array([len(r) for r in q_rows], dtype=np.int64)
    q_cols = np.fromiter((t for r in q_rows for t in r), dtype=np.int64, count=int(q_len.sum()))
    Qt = sp.csr_matrix((np.ones(q_cols.size), q_cols, np.concatenate([[0], np.cumsum(q_len)])),
                       shape=(len(queries), len(vocab)))                  # a repeated query token counts twice
    return np.asarray((Qt @ W.T).toarray(), dtype=np.float64)


def _check_scores(scores: Any, positives: Any) -> tuple[np.ndarray, np.ndarray]:
    S = as_matrix(scores, "scores", dtype=np.float64)
    if S.shape[1] < 2:
        raise ValueError(f"scores has {S.shape[1]} column(s); a negative needs a corpus of at least 2 documents.")
    pos = check_ids(positives, "positives", S.shape[1], allow_empty=False)
    if pos.shape[0] != S.shape[0]:
        raise ValueError(f"positives has {pos.shape[0]} entries but scores has {S.shape[0]} rows; one positive per query.")
    return S, pos


def mine_hard_negatives(scores: Any, positives: Any, *, n_negatives: int = 1, skip_top: int = 0,
                        max_rank: int | None = None, relative_margin: float | None = None,
                        absolute_margin: float | None = None, max_score: float | None = None,
                        sampling: str = "top", random_state: int | np.random.Generator | None = 0,
                        ) -> npt.NDArray[np.int64]:
    """Hard negatives per query from a score matrix, with the usual false-negative guards.

    The steps of sentence-transformers' ``util.mine_hard_negatives`` (``range_min=skip_top``,
    ``range_max=max_rank``, same margins, ``sampling_strategy=sampling``), on scores you give:

    1. the ``max_rank + 1`` best-scored documents of each query are the candidates (ties to the
       smaller index);
    2. the query's positive is removed;
    3. a candidate with score ``s`` is dropped when ``s > pos - |pos| * relative_margin``,
       when ``s + absolute_margin > pos``, or when ``s > max_score``, where ``pos`` is the
       query's score with its positive;
    4. the survivors, best first, are cut to ``max_rank`` and their first ``skip_top`` skipped
       (``skip_top`` counts survivors, as ``range_min`` does);
    5. ``sampling="top"`` keeps the next ``n_negatives``; ``"random"`` draws ``n_negatives``
       of the remaining survivors without replacement and sorts them best first.

    Parameters
    ----------
    scores : array-like, shape (n_q, n_docs)
        Similarity of every query with every document (higher = more similar): BM25 scores
        from :func:`bm25_scores`, or cosines ``ec.metrics.pairwise_similarity(Q, X)``.
    positives : array-like of int, shape (n_q,)
        The corpus index of each query's positive.
    n_negatives : int
        Negatives per query, ``1 <= n_negatives < n_docs``.
    skip_top : int
        Surviving candidates skipped at the top (a guard against unlabelled positives).
    max_rank : int, optional
        Depth of the candidate list. Default as sentence-transformers:
        ``skip_top + n_negatives + 1``, or ``skip_top + 10 n_negatives + 1`` when a margin or
        ``max_score`` is set (so candidates remain after the guards).
    relative_margin : float, optional
        In [0, 1]; 0.05 keeps a candidate only if it scores at least 5% of ``|pos|`` below the
        positive ("TopK-PercPos 95%" of NV-Retriever, Moreira et al., 2024).
    absolute_margin : float, optional
        Keep a candidate only if it scores at least this much below the positive.
    max_score : float, optional
        Drop candidates scoring above this.
    sampling : {"top", "random"}
    random_state : int, numpy Generator or None
        Seed of ``sampling="random"`` (unused for ``"top"``).

    Returns
    -------
    numpy.ndarray of int64, shape (n_q, n_negatives)
        Corpus indices, best-scored first; ``-1`` pads a row whose guards left fewer than
        ``n_negatives`` candidates (mask those before training).

    Examples
    --------
    >>> S = np.array([[0.9, 0.8, 0.3, 0.7], [0.2, 0.9, 0.85, 0.1]])
    >>> mine_hard_negatives(S, [0, 1], n_negatives=2)
    array([[1, 3],
           [2, 0]])
    >>> mine_hard_negatives(S, [0, 1], n_negatives=1, relative_margin=0.2)
    array([[3],
           [0]])

    Taught in: chapter 08.
    """
    from embedcourse.topk import top_k

    S, pos = _check_scores(scores, positives)
    n_q, n_docs = S.shape
    n_negatives = check_int("n_negatives", n_negatives, 1, n_docs - 1)
    skip_top = check_int("skip_top", skip_top, 0, n_docs - 2)
    guarded = relative_margin is not None or absolute_margin is not None or max_score is not None
    if max_rank is None:
        max_rank = skip_top + (10 if guarded else 1) * n_negatives + 1
    else:
        max_rank = check_int("max_rank", max_rank, 1)
        if n_negatives > max_rank - skip_top:
            raise ValueError(f"max_rank={max_rank} leaves only {max_rank - skip_top} candidates after skip_top={skip_top}, "
                             f"fewer than n_negatives={n_negatives}; raise max_rank.")
    sampling = check_choice("sampling", sampling, ("top", "random"))
    check_seed("random_state", random_state)
    rng = check_random_state(random_state)

    vals, idx = top_k(S, min(max_rank + 1, n_docs))                     # 1. candidates, best first
    vals = vals.copy()
    pos_score = S[np.arange(n_q), pos][:, None]
    vals[idx == pos[:, None]] = -np.inf                                   # 2. never the positive
    if relative_margin is not None:                                       # 3. false-negative guards
        relative_margin = check_float("relative_margin", relative_margin, 0, 1)
        vals[vals > pos_score - np.abs(pos_score) * relative_margin] = -np.inf
    if absolute_margin is not None:
        absolute_margin = check_float("absolute_margin", absolute_margin)
        vals[vals + absolute_margin > pos_score] = -np.inf
    if max_score is not None:
        vals[vals > check_float("max_score", max_score)] = -np.inf
    order = np.argsort(-vals, axis=1, kind="stable")[:, :max_rank]       # 4. survivors first, cut
    vals = np.take_along_axis(vals, order, axis=1)[:, skip_top:]
    idx = np.take_along_axis(idx, order, axis=1)[:, skip_top:]
    out = np.full((n_q, n_negatives), -1, dtype=np.int64)
    for i in range(n_q):                                                  # 5. top or random
        alive = np.flatnonzero(np.isfinite(vals[i]))
        if sampling == "random" and alive.size > n_negatives:
            alive = np.sort(rng.choice(alive, n_negatives, replace=False))
        chosen = idx[i, alive[:n_negatives]]
        out[i, :chosen.size] = chosen
    return out


def random_negatives(positives: Any, n_docs: int, *, n_negatives: int = 1,
                     random_state: int | np.random.Generator | None = 0) -> npt.NDArray[np.int64]:
    """Negatives drawn uniformly from the corpus: the control for hard negatives.

    Parameters
    ----------
    positives : array-like of int, shape (n_q,)
        The corpus index of each query's positive (never drawn for that query).
    n_docs : int
        Corpus size, at least 2.
    n_negatives : int
        Negatives per query, ``1 <= n_negatives < n_docs``; distinct within a row.
    random_state : int, numpy Generator or None

    Returns
    -------
    numpy.ndarray of int64, shape (n_q, n_negatives)

    Examples
    --------
    >>> neg = random_negatives([0, 1, 2], 10, n_negatives=2, random_state=0)
    >>> neg.shape, bool((neg != np.array([[0], [1], [2]])).all())
    ((3, 2), True)

    Taught in: chapter 08.
    """
    n_docs = check_int("n_docs", n_docs, 2)
    pos = check_ids(positives, "positives", n_docs, allow_empty=False)
    n_negatives = check_int("n_negatives", n_negatives, 1, n_docs - 1)
    check_seed("random_state", random_state)
    rng = check_random_state(random_state)
    out = np.empty((pos.shape[0], n_negatives), dtype=np.int64)
    for i, p in enumerate(pos):
        draw = rng.choice(n_docs - 1, n_negatives, replace=False)          # from the n_docs - 1 others
        out[i] = draw + (draw >= p)                                        # skip over the positive
    return out


def negative_report(scores: Any, positives: Any, negatives: Any) -> dict[str, float]:
    """How hard mined negatives are, and how many look like false negatives.

    Parameters
    ----------
    scores : array-like, shape (n_q, n_docs)
        The scores the negatives are judged by (e.g. the model's cosines).
    positives : array-like of int, shape (n_q,)
    negatives : array-like of int, shape (n_q, n_negatives)
        As returned by :func:`mine_hard_negatives` (``-1`` = missing).

    Returns
    -------
    dict of str to float
        ``"mean_positive_score"``; ``"mean_negative_score"`` (over present negatives; NaN if
        none); ``"frac_above_positive"``: the share of present negatives that score at least as
        high as their query's positive (suspects for the false-negative trap); ``"frac_missing"``:
        the share of ``-1`` entries.

    Examples
    --------
    >>> S = np.array([[0.9, 0.95, 0.1], [0.2, 0.8, 0.5]])
    >>> negative_report(S, [0, 1], [[1], [2]])["frac_above_positive"]
    0.5

    Taught in: chapter 08.
    """
    S, pos = _check_scores(scores, positives)
    N = as_matrix(negatives, "negatives", dtype=None)
    if N.dtype == bool or not np.issubdtype(N.dtype, np.integer):
        raise TypeError(f"negatives must hold int corpus indices; got dtype {N.dtype}.")
    if N.shape[0] != S.shape[0]:
        raise ValueError(f"negatives has {N.shape[0]} rows but scores has {S.shape[0]}; one row per query.")
    if N.size and (N.min() < -1 or N.max() >= S.shape[1]):
        raise ValueError(f"negatives must lie in [-1, {S.shape[1]}) (-1 = missing); got {N.min()} to {N.max()}.")
    present = N >= 0
    neg_scores = np.take_along_axis(S, np.where(present, N, 0), axis=1)[present]
    pos_scores = S[np.arange(S.shape[0]), pos]
    above = (neg_scores >= np.broadcast_to(pos_scores[:, None], N.shape)[present])
    return {
        "mean_positive_score": float(pos_scores.mean()),
        "mean_negative_score": float(neg_scores.mean()) if neg_scores.size else float("nan"),
        "frac_above_positive": float(above.mean()) if above.size else 0.0,
        "frac_missing": float(1.0 - present.mean()),
    }
