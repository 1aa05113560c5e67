"""Similarity and distance between embeddings (chapter 01), and kNN label accuracy.

Single pairs of vectors (``cosine_similarity(a, b)`` returns a float) and whole matrices
(``pairwise_distances(A, B, metric="euclidean")`` returns an (n, m) array), checked against
scipy and scikit-learn in ``tests/test_metrics.py``.
"""

from embedcourse.metrics.bias import WEATResult, weat, weat_scores
from embedcourse.metrics.neighbours import knn_label_accuracy
from embedcourse.metrics.similarity import (
    DISTANCE_METRICS,
    SIMILARITY_METRICS,
    cosine_similarity,
    dot_similarity,
    euclidean_distance,
    hamming_distance,
    manhattan_distance,
    pairwise_distances,
    pairwise_similarity,
)

__all__ = [
    "cosine_similarity",
    "dot_similarity",
    "euclidean_distance",
    "manhattan_distance",
    "hamming_distance",
    "pairwise_similarity",
    "pairwise_distances",
    "SIMILARITY_METRICS",
    "DISTANCE_METRICS",
    "knn_label_accuracy",
    "weat_scores",
    "weat",
    "WEATResult",
]
