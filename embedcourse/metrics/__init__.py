"""Metrics on embeddings: similarity and distance, neighbourhoods, rankings, clustering, benchmarks, bias.

- :mod:`~embedcourse.metrics.similarity`: single pairs of vectors (``cosine_similarity(a, b)``
  returns a float) and whole matrices (``pairwise_distances(A, B, metric="euclidean")`` returns
  an (n, m) array), checked against scipy and scikit-learn (chapter 01);
- :mod:`~embedcourse.metrics.neighbours`: kNN label accuracy and neighbourhood preservation of
  a projection (chapter 01);
- :mod:`~embedcourse.metrics.ranking`: Recall@k, Precision@k, Hits@k, reciprocal rank, MRR of
  ranked ids, and ranked ids from scores with trec_eval's tie rule (chapters 03, 09);
- :mod:`~embedcourse.metrics.graded`: MAP (MAP@k) and nDCG@k with graded relevance (chapter 09);
- :mod:`~embedcourse.metrics.correlation`: Pearson and Spearman (average ranks for ties);
- :mod:`~embedcourse.metrics.clustering`: ARI, NMI, silhouette, trustworthiness (chapter 09);
- :mod:`~embedcourse.metrics.benchmarks`: analogy accuracy and WordSim353 / SimLex-999
  Spearman in one call, and the per-section analogy table (chapters 01, 02);
- :mod:`~embedcourse.metrics.bias`: the Word Embedding Association Test (chapter 01);
- :mod:`~embedcourse.metrics.stats`: bootstrap confidence intervals, single and paired, for every
  comparison a chapter asserts (chapter 03 onwards).
"""

from embedcourse.metrics import (benchmarks, bias, clustering, correlation, graded, neighbours, ranking, similarity,
                                 stats)
from embedcourse.metrics.bias import *  # noqa: F403
from embedcourse.metrics.neighbours import *  # noqa: F403
from embedcourse.metrics.ranking import *  # noqa: F403
from embedcourse.metrics.graded import *  # noqa: F403
from embedcourse.metrics.correlation import *  # noqa: F403
from embedcourse.metrics.clustering import *  # noqa: F403
from embedcourse.metrics.similarity import *  # noqa: F403
from embedcourse.metrics.benchmarks import *  # noqa: F403
from embedcourse.metrics.stats import *  # noqa: F403

__all__ = [*similarity.__all__, *neighbours.__all__, *ranking.__all__, *graded.__all__, *correlation.__all__,
           *clustering.__all__, *benchmarks.__all__, *bias.__all__, *stats.__all__]
