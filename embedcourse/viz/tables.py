"""Nearest-neighbour tables: the first thing to look at in any set of word vectors.

A thin, validated layer over gensim's ``most_similar`` verb, returning a pandas
``DataFrame`` that renders as a table in the notebook and in the static book.

Taught in: chapter 01 (what the neighbours of a word say about its vector), chapter 02.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from embedcourse._validation import check_int, check_words

__all__ = ["neighbour_table", "neighbour_table_long"]


def _check_query(wv: Any, words: Any, topn: Any) -> list[str]:
    words = check_words([words] if isinstance(words, str) else words, "words")
    check_int("topn", topn, 1, None, hint=" (neighbours per word)")
    missing = [w for w in dict.fromkeys(words) if w not in wv]
    if missing:
        raise KeyError(
            f"Not in the vocabulary: {', '.join(map(repr, missing))}. Check the spelling (GloVe is "
            f"lower-case) or drop those words; `word in wv` tells whether a word is known."
        )
    return list(dict.fromkeys(words))  # each query once, in the given order


def neighbour_table_long(wv: Any, words: Sequence[str] | str, topn: int = 5) -> Any:
    """The ``topn`` nearest neighbours (by cosine) of each query word, one row per (query, rank).

    Parameters
    ----------
    wv : embedcourse.vectors.WordVectors or gensim.models.KeyedVectors
        Word vectors with gensim's ``most_similar`` verb.
    words : sequence of str, length q (or one str)
    topn : int

    Returns
    -------
    pandas.DataFrame, shape (q * topn, 4)
        Columns ``query``, ``rank`` (1 = nearest), ``neighbour``, ``cosine``.

    Taught in: chapter 01.
    """
    import pandas as pd

    words = _check_query(wv, words, topn)
    rows = [
        (q, rank, str(w), float(s))
        for q in words
        for rank, (w, s) in enumerate(wv.most_similar(q, topn=int(topn)), start=1)
    ]
    return pd.DataFrame(rows, columns=["query", "rank", "neighbour", "cosine"])


def neighbour_table(wv: Any, words: Sequence[str] | str, topn: int = 5, *, decimals: int = 2) -> Any:
    """A table with one row per query word and its ``topn`` nearest neighbours as "word (cosine)".

    Parameters
    ----------
    wv : embedcourse.vectors.WordVectors or gensim.models.KeyedVectors
        Word vectors with gensim's ``most_similar`` verb.
    words : sequence of str, length q (or one str)
        Query words; they must all be in the vocabulary (the error lists those that are not).
    topn : int
        Number of neighbours per word.
    decimals : int
        Digits of the cosine shown in each cell.

    Returns
    -------
    pandas.DataFrame, shape (q, topn)
        Index: the query words (named ``query``); columns: ranks 1..topn (named ``rank``);
        cells like ``"queen (0.78)"``. For the numbers use :func:`neighbour_table_long`.

    Examples
    --------
    >>> neighbour_table(wv, ["king", "paris"], topn=3)  # doctest: +SKIP
    rank              1               2              3
    query
    king     prince (0.82)   queen (0.78)  ii (0.77)
    paris    france (0.87)  ...

    Taught in: chapter 01.
    """
    long = neighbour_table_long(wv, words, topn)
    long["cell"] = [f"{w} ({s:.{decimals}f})" for w, s in zip(long["neighbour"], long["cosine"], strict=True)]
    queries = list(dict.fromkeys(long["query"]))
    table = long.pivot(index="query", columns="rank", values="cell").reindex(queries)
    table.columns.name = "rank"
    table.index.name = "query"
    return table
