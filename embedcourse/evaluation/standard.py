"""Standard tasks built from the course's offline data: ``load_task("lee")`` and friends.

=============================  ====================  ===============================================
name                           task                  data
=============================  ====================  ===============================================
``"lee"``                      SimilarityTask        the 1,225 pairs of the 50 Lee documents, mean
                                                     human similarity (ec.data.load_lee_similarity)
``"wordsim353"``               SimilarityTask        353 word pairs, relatedness (0-10)
``"simlex999"``                SimilarityTask        999 word pairs, similarity (0-10)
``"news_headline_lead"``       RetrievalTask         headline -> the lead of its own article, among
                                                     the ``n`` leads (ec.data.load_news_sample), k=10
``"news_outlet_clustering"``   ClusteringTask        the ``n`` leads labelled by outlet (9 outlets)
``"news_outlet_classification"``  ClassificationTask  leads -> outlet, stratified half/half split
=============================  ====================  ===============================================

The news tasks take ``n`` (articles, default 1,000) and ``random_state`` (the sample, and the
split); the leads have their wire-service datelines removed (they name the outlet).

Taught in: chapter 09.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from embedcourse._validation import check_choice, check_seed
from embedcourse.evaluation.tasks import ClassificationTask, ClusteringTask, RetrievalTask, SimilarityTask

__all__ = ["load_task", "list_tasks"]

_NAMES = ("lee", "wordsim353", "simlex999", "news_headline_lead", "news_outlet_clustering",
          "news_outlet_classification")


def list_tasks() -> list[str]:
    """Names accepted by :func:`load_task`.

    Taught in: chapter 09.
    """
    return list(_NAMES)


def load_task(name: str, *, n: int = 1000, random_state: int = 0) -> Any:
    """A standard evaluation task on real data (offline).

    Parameters
    ----------
    name : str
        One of :func:`list_tasks`.
    n : int
        Articles for the news tasks (ignored by the others).
    random_state : int
        Seed of the news sample and of the classification split (ignored by the others).

    Returns
    -------
    RetrievalTask, SimilarityTask, ClusteringTask or ClassificationTask

    Examples
    --------
    >>> task = load_task("wordsim353")  # doctest: +SKIP
    >>> len(task.gold)  # doctest: +SKIP
    353

    Taught in: chapter 09.
    """
    from embedcourse import data

    check_choice("name", name, _NAMES)
    check_seed("random_state", random_state)
    if name == "lee":
        docs = data.load_lee_corpus("test")
        S = data.load_lee_similarity()
        i, j = np.triu_indices(len(docs), 1)
        return SimilarityTask("lee", [docs[a] for a in i], [docs[b] for b in j], S[i, j])
    if name in ("wordsim353", "simlex999"):
        df = data.load_wordsim353() if name == "wordsim353" else data.load_simlex999()
        return SimilarityTask(name, df.word1.tolist(), df.word2.tolist(), df.score.to_numpy(np.float64))
    news = data.load_news_sample(n, random_state=random_state)
    if name == "news_headline_lead":
        return RetrievalTask(name, news.title.tolist(), news.lead.tolist(), list(range(len(news))), k=min(10, len(news)))
    if name == "news_outlet_clustering":
        return ClusteringTask(name, news.lead.tolist(), news.source.tolist())
    from sklearn.model_selection import train_test_split

    try:
        tr, te = train_test_split(np.arange(len(news)), test_size=0.5, stratify=news.source,
                                  random_state=random_state)
    except ValueError as exc:
        raise ValueError(f"n={n} is too small for a stratified split of the outlets ({exc}).") from None
    return ClassificationTask(name, news.lead.iloc[tr].tolist(), news.source.iloc[tr].tolist(),
                              news.lead.iloc[te].tolist(), news.source.iloc[te].tolist())
