"""Retrieval: exact cosine search and ways to fuse rankers (chapter 03; fusion in chapter 06).

``search(Q, X, k)`` returns faiss-style ``(D, I)`` from an exact :class:`embedcourse.ann.FlatIndex`;
:func:`zscore_rows` and :func:`reciprocal_rank_fusion` combine a sparse and a dense retriever.
Rank any score matrix with :func:`embedcourse.topk.top_k`; score rankings with
:mod:`embedcourse.metrics` (``recall_at_k``, ``mrr``, ``retrieval_report``).
"""

from embedcourse.retrieval import exact, fusion, negatives
from embedcourse.retrieval.exact import *  # noqa: F403
from embedcourse.retrieval.fusion import *  # noqa: F403
from embedcourse.retrieval.negatives import *  # noqa: F403

__all__ = [*exact.__all__, *fusion.__all__, *negatives.__all__]
