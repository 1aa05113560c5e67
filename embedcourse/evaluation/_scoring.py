"""How the harness scores one task: the texts it encodes, its metrics, its per-item scores.

Private helpers of :mod:`embedcourse.evaluation.harness` (see its table of tasks and metrics).
Taught in: chapter 09.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedcourse.evaluation._embed import Embedder, compact, row_dots, scores
from embedcourse.evaluation.tasks import ClusteringTask, RetrievalTask, SimilarityTask
from embedcourse.metrics.graded import ndcg_at_k
from embedcourse.metrics.ranking import mrr, ranked_ids_from_scores, recall_at_k

__all__: list[str] = []


def metric_names(task: Any) -> list[str]:
    """The metrics :func:`evaluate` reports for a task, in table order."""
    if isinstance(task, RetrievalTask):
        return ["MRR", f"Recall@{task.k}", f"NDCG@{task.k}"]
    if isinstance(task, SimilarityTask):
        return ["Spearman"]
    if isinstance(task, ClusteringTask):
        return ["ARI", "NMI"]
    return ["Accuracy"]


def task_texts(task: Any) -> list[list[str]]:
    """The texts a task encodes, in the order (and grouping) :func:`score_task` asks for them."""
    if isinstance(task, RetrievalTask):
        return [list(task.queries), list(task.corpus)]
    if isinstance(task, SimilarityTask):
        return [list(task.texts_a), list(task.texts_b)]
    if isinstance(task, ClusteringTask):
        return [list(task.texts)]
    return [list(task.train_texts) + list(task.test_texts)]


def score_task(task: Any, embed: Embedder, random_state: int) -> list[tuple[str, str, np.ndarray, np.ndarray | None]]:
    """(metric, kind, per-item values, truth) of one task."""
    if isinstance(task, RetrievalTask):
        S = scores(embed(task.queries), embed(task.corpus))
        ranked = ranked_ids_from_scores(S)
        rel = list(task.relevant)
        return [("MRR", "mean", mrr(ranked, rel, per_query=True), None),
                (f"Recall@{task.k}", "mean", recall_at_k(ranked, rel, task.k, per_query=True), None),
                (f"NDCG@{task.k}", "mean", ndcg_at_k(ranked, rel, task.k, per_query=True), None)]
    if isinstance(task, SimilarityTask):
        sims = row_dots(embed(task.texts_a), embed(task.texts_b))
        return [("Spearman", "spearman", sims, np.asarray(task.gold, np.float64))]
    if isinstance(task, ClusteringTask):
        from sklearn.cluster import KMeans

        E = compact(embed(task.texts))
        pred = KMeans(n_clusters=int(task.n_clusters or 2), n_init=10, random_state=random_state).fit_predict(E)
        truth = np.unique(np.asarray(task.labels), return_inverse=True)[1].reshape(-1).astype(np.int64)
        pred = pred.astype(np.int64)
        return [("ARI", "cluster", pred, truth), ("NMI", "cluster", pred, truth)]
    from sklearn.linear_model import LogisticRegression

    n_train = len(task.train_texts)
    E = compact(embed(list(task.train_texts) + list(task.test_texts)))
    clf = LogisticRegression(C=task.C, max_iter=task.max_iter).fit(E[:n_train], np.asarray(task.train_labels))
    correct = (clf.predict(E[n_train:]) == np.asarray(task.test_labels)).astype(np.float64)
    return [("Accuracy", "mean", correct, None)]
