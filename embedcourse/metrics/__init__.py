"""Metrics on embeddings: similarity and distance, neighbourhoods, rankings, word benchmarks, bias.

- :mod:`~embedcourse.metrics.similarity`: single pairs of vectors (``cosine_similarity(a, b)``
  returns a float) and whole matrices (``pairwise_distances(A, B, metric="euclidean")`` returns
  an (n, m) array), checked against scipy and scikit-learn (chapter 01);
- :mod:`~embedcourse.metrics.neighbours`: kNN label accuracy and neighbourhood preservation of
  a projection (chapter 01);
- :mod:`~embedcourse.metrics.ranking`: recall@k, reciprocal rank, MRR of ranked ids (chapter 03);
- :mod:`~embedcourse.metrics.benchmarks`: analogy accuracy and WordSim353 / SimLex-999
  Spearman in one call, and the per-section analogy table (chapters 01, 02);
- :mod:`~embedcourse.metrics.bias`: the Word Embedding Association Test (chapter 01);
- :mod:`~embedcourse.metrics.stats`: bootstrap confidence intervals, single and paired, for every
  comparison a chapter asserts (chapter 03 onwards).
"""

from embedcourse.metrics import benchmarks, bias, neighbours, ranking, similarity, stats
from embedcourse.metrics.bias import *  # noqa: F403
from embedcourse.metrics.neighbours import *  # noqa: F403
from embedcourse.metrics.ranking import *  # noqa: F403
from embedcourse.metrics.similarity import *  # noqa: F403
from embedcourse.metrics.benchmarks import *  # noqa: F403
from embedcourse.metrics.stats import *  # noqa: F403

__all__ = [*similarity.__all__, *neighbours.__all__, *ranking.__all__, *benchmarks.__all__, *bias.__all__,
           *stats.__all__]
