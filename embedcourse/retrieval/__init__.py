"""Retrieval: exact cosine search and ranking metrics (chapter 03; more metrics in chapter 09).

``search(queries, docs, k)`` returns faiss-style ``(scores, ids)``; ``recall_at_k`` and ``mrr``
score the ranked ``ids`` against the relevant documents of each query.
"""

from embedcourse.retrieval.ranking import mrr, rank_of_relevant, recall_at_k, search, top_k

__all__ = ["search", "top_k", "rank_of_relevant", "recall_at_k", "mrr"]
