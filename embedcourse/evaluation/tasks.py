"""Evaluation tasks: small frozen dataclasses holding the texts and the gold answers of one task.

- :class:`RetrievalTask`: queries, a corpus and the relevant corpus documents of each query;
  scored per query (MRR, Recall@k, nDCG@k);
- :class:`SimilarityTask`: text pairs with human similarity judgements; scored by Spearman's
  correlation of the model's cosine similarities with the judgements;
- :class:`ClusteringTask`: labelled texts; k-means on the embeddings scored by ARI and NMI;
- :class:`ClassificationTask`: a train and a test split of labelled texts; a logistic
  regression on the embeddings, scored by per-item correctness (accuracy).

Each validates its fields when built (clear errors for empty or misaligned data) and is consumed
by :func:`embedcourse.evaluation.evaluate`.

Taught in: chapter 09.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from embedcourse._validation import check_float, check_int, check_real_array, check_texts
from embedcourse.metrics.ranking import _as_gains

__all__ = ["RetrievalTask", "SimilarityTask", "ClusteringTask", "ClassificationTask"]


def _name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"name must be a non-empty str naming the task; got {name!r}.")
    return name


def _label_list(labels: Any, name: str, n: int, texts_name: str = "texts") -> tuple:
    if labels is None or isinstance(labels, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of labels, one per text; got {labels!r}.")
    try:
        out = tuple(np.asarray(labels).tolist())
    except ValueError:
        raise ValueError(f"{name} could not be read as a 1-d sequence of labels.") from None
    if np.asarray(labels).ndim != 1:
        raise ValueError(f"{name} must be 1-d (one label per text).")
    if len(out) != n:
        raise ValueError(f"{name} has {len(out)} labels for the {n} {texts_name}; label every text.")
    if any(v is None or (isinstance(v, float) and not np.isfinite(v)) for v in out):
        raise ValueError(f"{name} contains a missing (None/NaN) label.")
    return out


@dataclass(frozen=True)
class RetrievalTask:
    """Rank the ``corpus`` for each query; ``relevant[q]`` are the right documents of query q.

    Parameters
    ----------
    name : str
    queries : sequence of str, length n_queries (at least 2)
    corpus : sequence of str, length n_docs
    relevant : sequence, length n_queries
        Per query an int (index into ``corpus``), a collection of ints, or an ``{id: gain}``
        dict (graded, used by nDCG).
    k : int
        Cut-off of Recall@k and nDCG@k, in ``[1, n_docs]``.

    Taught in: chapter 09.
    """

    name: str
    queries: Sequence[str]
    corpus: Sequence[str]
    relevant: Sequence[Any]
    k: int = 10

    def __post_init__(self) -> None:
        _name(self.name)
        object.__setattr__(self, "queries", tuple(check_texts(self.queries, "queries")))
        object.__setattr__(self, "corpus", tuple(check_texts(self.corpus, "corpus")))
        if len(self.queries) < 2:
            raise ValueError(f"queries has {len(self.queries)} query; a bootstrap interval needs at least 2.")
        gains = _as_gains(self.relevant, len(self.queries), name="relevant")
        n = len(self.corpus)
        for q, g in enumerate(gains):
            bad = [d for d in g if not 0 <= d < n]
            if bad:
                raise ValueError(f"relevant[{q}] names document {bad[0]}, outside the corpus of {n} texts.")
        object.__setattr__(self, "relevant", tuple(gains))
        object.__setattr__(self, "k", check_int("k", self.k, 1, n, hint=" (the corpus size)"))


@dataclass(frozen=True, eq=False)
class SimilarityTask:
    """Pairs ``(texts_a[i], texts_b[i])`` with human judgements ``gold[i]`` (higher = more similar).

    Parameters
    ----------
    name : str
    texts_a, texts_b : sequence of str, length n_pairs (at least 3)
    gold : array-like of float, shape (n_pairs,), not constant

    Taught in: chapter 09.
    """

    name: str
    texts_a: Sequence[str]
    texts_b: Sequence[str]
    gold: Any

    def __post_init__(self) -> None:
        _name(self.name)
        a = tuple(check_texts(self.texts_a, "texts_a"))
        b = tuple(check_texts(self.texts_b, "texts_b"))
        g = check_real_array(self.gold, "gold", 1)
        if not len(a) == len(b) == g.size:
            raise ValueError(f"texts_a ({len(a)}), texts_b ({len(b)}) and gold ({g.size}) must have one entry per pair.")
        if g.size < 3:
            raise ValueError(f"gold has {g.size} pairs; a rank correlation needs at least 3.")
        if np.ptp(g) == 0:
            raise ValueError("gold is constant; a correlation with it is undefined.")
        g.setflags(write=False)
        object.__setattr__(self, "texts_a", a)
        object.__setattr__(self, "texts_b", b)
        object.__setattr__(self, "gold", g)


@dataclass(frozen=True)
class ClusteringTask:
    """Texts with reference ``labels``; k-means on the embeddings is scored against them.

    Parameters
    ----------
    name : str
    texts : sequence of str, length n
    labels : sequence of hashable labels, length n, at least 2 distinct
    n_clusters : int, optional
        Clusters for k-means; ``None`` uses the number of distinct labels.

    Taught in: chapter 09.
    """

    name: str
    texts: Sequence[str]
    labels: Sequence[Any]
    n_clusters: int | None = None

    def __post_init__(self) -> None:
        _name(self.name)
        texts = tuple(check_texts(self.texts, "texts"))
        labels = _label_list(self.labels, "labels", len(texts))
        n_labels = len(set(labels))
        if n_labels < 2:
            raise ValueError("labels has a single distinct value; a clustering task needs at least 2 classes.")
        k = n_labels if self.n_clusters is None else check_int("n_clusters", self.n_clusters, 2, len(texts),
                                                                 hint=" (the number of texts)")
        object.__setattr__(self, "texts", texts)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "n_clusters", k)


@dataclass(frozen=True)
class ClassificationTask:
    """A labelled train split and test split; a logistic regression on embeddings is scored.

    Parameters
    ----------
    name : str
    train_texts : sequence of str
    train_labels : sequence of labels, one per train text (at least 2 classes)
    test_texts : sequence of str
    test_labels : sequence of labels, one per test text
    C : float
        Inverse strength of the L2 penalty of scikit-learn's ``LogisticRegression`` (> 0;
        default 1.0, scikit-learn's default): larger ``C``, weaker penalty.
    max_iter : int
        Iterations allowed to the solver (lbfgs), at least 1; default 1000.

    Taught in: chapter 09.
    """

    name: str
    train_texts: Sequence[str]
    train_labels: Sequence[Any]
    test_texts: Sequence[str]
    test_labels: Sequence[Any]
    C: float = 1.0
    max_iter: int = 1000

    def __post_init__(self) -> None:
        _name(self.name)
        tr = tuple(check_texts(self.train_texts, "train_texts"))
        te = tuple(check_texts(self.test_texts, "test_texts"))
        ytr = _label_list(self.train_labels, "train_labels", len(tr), "train_texts")
        yte = _label_list(self.test_labels, "test_labels", len(te), "test_texts")
        if len(set(ytr)) < 2:
            raise ValueError("train_labels has a single class; a classifier needs at least 2.")
        if len(te) < 2:
            raise ValueError(f"test_texts has {len(te)} text(s); a bootstrap needs at least 2 test items.")
        object.__setattr__(self, "train_texts", tr)
        object.__setattr__(self, "test_texts", te)
        object.__setattr__(self, "train_labels", ytr)
        object.__setattr__(self, "test_labels", yte)
        object.__setattr__(self, "C", check_float("C", self.C, 0.0, None, low_open=True))
        object.__setattr__(self, "max_iter", check_int("max_iter", self.max_iter, 1))
