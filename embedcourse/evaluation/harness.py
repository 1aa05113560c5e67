"""The evaluation harness: a model and tasks in, a results table with confidence intervals out.

:func:`evaluate` encodes every text a task needs with ``model.encode(list_of_str)`` (each
distinct text once per call, so a corpus shared by several tasks is encoded once; optionally
cached on disk with :mod:`embedcourse.cache`), L2-normalises the rows, scores each task and
attaches a bootstrap percentile interval to every figure:

===================  ======================  ====================================================
task                 metrics                 per item / interval
===================  ======================  ====================================================
RetrievalTask        MRR, Recall@k, NDCG@k   per query (full cosine ranking, trec_eval's tie
                                             rule); bootstrap of the mean over queries
SimilarityTask       Spearman                cosine of each pair; bootstrap over pairs (a model
                                             giving every pair the same score scores 0)
ClusteringTask       ARI, NMI                k-means (``n_init=10``, ``random_state``) run once;
                                             items of that fixed clustering resampled (the
                                             interval leaves out k-means' seed variance)
ClassificationTask   Accuracy                logistic regression; 0/1 per test item
===================  ======================  ====================================================

:func:`compare` scores two models on the same items and runs
:func:`embedcourse.metrics.paired_bootstrap` (or its clustering analogue) per figure; its
``verdict`` column is what a chapter may assert.

Taught in: chapter 09 (and every later chapter that compares models).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_float, check_int, check_seed
from embedcourse.cache import cache_array, content_hash
from embedcourse.evaluation.tasks import ClassificationTask, ClusteringTask, RetrievalTask, SimilarityTask
from embedcourse.metrics.clustering import adjusted_rand_index, normalized_mutual_info
from embedcourse.metrics.correlation import spearman
from embedcourse.metrics.graded import ndcg_at_k
from embedcourse.metrics.ranking import mrr, ranked_ids_from_scores, recall_at_k
from embedcourse.metrics.stats import PairedComparison, bootstrap_ci, paired_bootstrap

__all__ = ["Results", "evaluate", "compare"]

_TASKS = (RetrievalTask, SimilarityTask, ClusteringTask, ClassificationTask)


def _spearman0(truth: np.ndarray, values: np.ndarray) -> float:
    """Spearman's correlation, 0 when the values (or the truth) are constant: no ranking information."""
    if np.ptp(values) == 0 or np.ptp(truth) == 0:
        return 0.0
    return spearman(values, truth)


_CUSTOM_STATS = {"ARI": adjusted_rand_index, "NMI": normalized_mutual_info, "Spearman": _spearman0}


def _custom(kind: str, values: np.ndarray) -> bool:
    """Figures resampled here rather than by ec.metrics.stats: clusterings, and constant similarities."""
    return kind == "cluster" or (kind == "spearman" and np.ptp(values) == 0)


@dataclass(frozen=True, eq=False)
class _Record:
    task: str
    metric: str
    kind: str  # "mean" | "spearman" | "cluster"
    values: np.ndarray
    truth: np.ndarray | None
    estimate: float
    low: float
    high: float


class Results:
    """The figures of one model on some tasks, with their intervals and per-item scores.

    Built by :func:`evaluate`; pass it to :func:`compare` to reuse its scores.

    Taught in: chapter 09.
    """

    def __init__(self, records: Sequence[_Record], confidence: float, n_resamples: int, random_state: int) -> None:
        self._records = list(records)
        self.confidence = confidence
        self.n_resamples = n_resamples
        self.random_state = random_state

    def table(self) -> Any:
        """The results table: a pandas DataFrame with columns task, metric, estimate, low, high, n."""
        import pandas as pd

        return pd.DataFrame([{"task": r.task, "metric": r.metric, "estimate": r.estimate, "low": r.low,
                              "high": r.high, "n": int(r.values.size)} for r in self._records],
                            columns=["task", "metric", "estimate", "low", "high", "n"])

    def scores(self, task: str, metric: str) -> npt.NDArray[Any]:
        """Per-item scores of one figure (a copy).

        Per query for retrieval (reciprocal rank, recall, nDCG), the cosine similarity of each
        pair for a similarity task, 0/1 correctness per test item for classification, and the
        predicted cluster of each item (int64) for ``"ARI"`` / ``"NMI"``.
        """
        return self._record(task, metric).values.copy()

    def _record(self, task: Any, metric: Any) -> _Record:
        for r in self._records:
            if r.task == task and r.metric == metric:
                return r
        known = sorted({(r.task, r.metric) for r in self._records})
        if not any(r.task == task for r in self._records):
            raise KeyError(f"task {task!r} is not in these results; known (task, metric): {known}.")
        raise KeyError(f"metric {metric!r} is not in these results for task {task!r}; known: {known}.")

    def __repr__(self) -> str:
        return f"Results({len(self._records)} figures)\n{self.table().to_string(index=False)}"


class _Embedder:
    """Encode each distinct text once (per evaluate call), check the output, L2-normalise rows."""

    def __init__(self, model: Any, cache_name: str | None) -> None:
        self.model, self.cache_name = model, cache_name
        self.rows: dict[str, np.ndarray] = {}
        self.dim: int | None = None

    def _raw(self, texts: list[str]) -> np.ndarray:
        out = self.model.encode(texts)
        if hasattr(out, "toarray"):
            out = out.toarray()
        if hasattr(out, "detach"):
            out = out.detach().cpu().numpy()
        try:
            X = np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"model.encode returned {type(out).__name__}, not an array of numbers; "
                            f"it must return an array of shape (n_texts, d).") from None
        if X.ndim != 2 or X.shape[0] != len(texts) or X.shape[1] == 0:
            raise ValueError(f"model.encode returned shape {X.shape} for {len(texts)} texts; "
                             f"expected (n_texts, d) = ({len(texts)}, d).")
        if not np.isfinite(X).all():
            raise ValueError("model.encode returned NaN or infinity; the model must give finite vectors.")
        return X

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.rows))
        if missing:
            if self.cache_name is None:
                X = self._raw(missing)
            else:
                # the model's class is part of the key: two kinds of model given one name by mistake
                # must not read each other's vectors
                kind = f"{type(self.model).__module__}.{type(self.model).__qualname__}"
                key = content_hash("evaluation-encode", self.cache_name, kind, missing)
                X = np.asarray(cache_array(key, lambda: self._raw(missing), namespace="evaluation"), np.float64)
            if self.dim is not None and X.shape[1] != self.dim:
                raise ValueError(f"model.encode returned vectors of dimension {X.shape[1]} after {self.dim}; "
                                 f"it must always return the same dimension.")
            self.dim = X.shape[1]
            scale = np.abs(X).max(axis=1, keepdims=True)
            Y = X / np.where(scale > 0, scale, 1.0)   # scale first: huge values must not overflow
            norms = np.linalg.norm(Y, axis=1, keepdims=True)
            Y = Y / np.where(norms > 0, norms, 1.0)
            for t, y in zip(missing, Y, strict=True):
                self.rows[t] = y
        return np.stack([self.rows[t] for t in texts])


def _interval(kind: str, values: np.ndarray, truth: np.ndarray | None, metric: str, n_resamples: int,
              confidence: float, random_state: int) -> tuple[float, float, float]:
    if _custom(kind, values):
        stat = _CUSTOM_STATS[metric]
        assert truth is not None
        est = stat(truth, values)
        rng = np.random.default_rng(random_state)
        boot = np.array([stat(truth[i], values[i]) for i in rng.integers(0, values.size, (n_resamples, values.size))])
        alpha = (1 - confidence) / 2
        low, high = np.quantile(boot, [alpha, 1 - alpha])
        return est, float(low), float(high)
    iv = bootstrap_ci(values, truth=truth, statistic=kind, n_resamples=n_resamples, confidence=confidence,
                      random_state=random_state)
    return iv.estimate, iv.low, iv.high


def _score_task(task: Any, embed: _Embedder, random_state: int) -> list[tuple[str, str, np.ndarray, np.ndarray | None]]:
    """(metric, kind, per-item values, truth) of one task."""
    if isinstance(task, RetrievalTask):
        S = embed(task.queries) @ embed(task.corpus).T
        ranked = ranked_ids_from_scores(S)
        rel = list(task.relevant)
        return [("MRR", "mean", mrr(ranked, rel, per_query=True), None),
                (f"Recall@{task.k}", "mean", recall_at_k(ranked, rel, task.k, per_query=True), None),
                (f"NDCG@{task.k}", "mean", ndcg_at_k(ranked, rel, task.k, per_query=True), None)]
    if isinstance(task, SimilarityTask):
        sims = (embed(task.texts_a) * embed(task.texts_b)).sum(axis=1)
        return [("Spearman", "spearman", sims, np.asarray(task.gold, np.float64))]
    if isinstance(task, ClusteringTask):
        from sklearn.cluster import KMeans

        E = _compact(embed(task.texts))
        pred = KMeans(n_clusters=int(task.n_clusters or 2), n_init=10, random_state=random_state).fit_predict(E)
        truth = np.unique(np.asarray(task.labels), return_inverse=True)[1].reshape(-1).astype(np.int64)
        pred = pred.astype(np.int64)
        return [("ARI", "cluster", pred, truth), ("NMI", "cluster", pred, truth)]
    from sklearn.linear_model import LogisticRegression

    n_train = len(task.train_texts)
    E = _compact(embed(list(task.train_texts) + list(task.test_texts)))
    clf = LogisticRegression(max_iter=1000).fit(E[:n_train], np.asarray(task.train_labels))
    correct = (clf.predict(E[n_train:]) == np.asarray(task.test_labels)).astype(np.float64)
    return [("Accuracy", "mean", correct, None)]


def _compact(E: np.ndarray) -> np.ndarray:
    """Rows with the same inner products (so the same distances) in at most n dimensions.

    Wide embeddings (TF-IDF: tens of thousands of columns) make k-means and the logistic
    regression slow; both depend on the rows only through distances and inner products (the
    L2-penalised regression's weights lie in the span of its rows), so the rows' coordinates in
    an orthonormal basis of their span, from the eigendecomposition of the Gram matrix, give
    the same fit.
    """
    if E.shape[1] <= E.shape[0]:
        return E
    w, V = np.linalg.eigh(E @ E.T)
    return np.ascontiguousarray(V * np.sqrt(np.clip(w, 0.0, None)))


def _check_tasks(tasks: Any) -> list[Any]:
    if isinstance(tasks, _TASKS):
        tasks = [tasks]
    if tasks is None or isinstance(tasks, (str, bytes)) or not hasattr(tasks, "__iter__"):
        raise TypeError(f"tasks must be a task or a list of tasks (RetrievalTask, SimilarityTask, ...); got {tasks!r:.60}.")
    tasks = list(tasks)
    if not tasks:
        raise ValueError("tasks is empty; pass at least one task.")
    for i, t in enumerate(tasks):
        if not isinstance(t, _TASKS):
            raise TypeError(f"tasks[{i}] is a {type(t).__name__}; expected RetrievalTask, SimilarityTask, "
                            f"ClusteringTask or ClassificationTask (see ec.evaluation.load_task).")
    names = [t.name for t in tasks]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError(f"tasks: two tasks share the name {sorted(dup)[0]!r}; names must be unique.")
    return tasks


def _check_options(n_resamples: Any, confidence: Any, random_state: Any) -> tuple[int, float, int]:
    n_resamples = check_int("n_resamples", n_resamples, 100)
    confidence = check_float("confidence", confidence, 0.5, 0.999)
    check_seed("random_state", random_state)
    return n_resamples, confidence, int(random_state)


def evaluate(model: Any, tasks: Any, *, n_resamples: int = 1000, confidence: float = 0.95, random_state: int = 0,
             cache_name: str | None = None) -> Results:
    """Score ``model`` on ``tasks``: every figure with a bootstrap percentile interval.

    Parameters
    ----------
    model : object with ``encode(list[str]) -> array (n, d)``
        A sentence-transformers model, :class:`~embedcourse.evaluation.TfidfEncoder`,
        :class:`~embedcourse.evaluation.AveragedWordVectors`, or anything alike. Sparse and
        torch outputs are accepted; rows are L2-normalised (similarity is cosine).
    tasks : task or list of tasks
        :class:`RetrievalTask`, :class:`SimilarityTask`, :class:`ClusteringTask`,
        :class:`ClassificationTask` (or from :func:`~embedcourse.evaluation.load_task`), with
        distinct names.
    n_resamples : int
        Bootstrap resamples per figure (at least 100).
    confidence : float
        Nominal coverage of the intervals, in [0.5, 0.999].
    random_state : int
        Seed of the bootstrap and of k-means.
    cache_name : str, optional
        A name identifying the model: encodings are then cached on disk (:mod:`embedcourse.cache`,
        keyed by this name, the model's class and the texts). Give a new name whenever the
        model's weights or settings change (a TF-IDF fitted on another corpus, a fine-tuned
        checkpoint): the cache cannot see them. ``None`` (default): no disk cache.

    Returns
    -------
    Results
        ``.table()`` (columns task, metric, estimate, low, high, n) and ``.scores(task, metric)``.

    Taught in: chapter 09.
    """
    if not callable(getattr(model, "encode", None)):
        raise TypeError(f"model must have an encode(list_of_str) -> array method; got {type(model).__name__}.")
    tasks = _check_tasks(tasks)
    n_resamples, confidence, random_state = _check_options(n_resamples, confidence, random_state)
    if cache_name is not None and (not isinstance(cache_name, str) or not cache_name):
        raise TypeError(f"cache_name must be None or a non-empty str naming the model; got {cache_name!r}.")
    embed = _Embedder(model, cache_name)
    records = []
    for task in tasks:
        for metric, kind, values, truth in _score_task(task, embed, random_state):
            est, low, high = _interval(kind, values, truth, metric, n_resamples, confidence, random_state)
            records.append(_Record(task.name, metric, kind, values, truth, float(est), low, high))
    return Results(records, confidence, n_resamples, random_state)


def _paired_custom(metric: str, a: np.ndarray, b: np.ndarray, truth: np.ndarray, n_resamples: int,
                    confidence: float, random_state: int) -> PairedComparison:
    stat = _CUSTOM_STATS[metric]
    est_a, est_b = stat(truth, a), stat(truth, b)
    rng = np.random.default_rng(random_state)
    diffs = np.array([stat(truth[i], a[i]) - stat(truth[i], b[i])
                      for i in rng.integers(0, a.size, (n_resamples, a.size))])
    alpha = (1 - confidence) / 2
    low, high = np.quantile(diffs, [alpha, 1 - alpha])
    p = min(1.0, max(2.0 * min(float(np.mean(diffs <= 0)), float(np.mean(diffs >= 0))), 1.0 / n_resamples))
    return PairedComparison(est_a, est_b, est_a - est_b, float(low), float(high), confidence, int(a.size), p)


def compare(model_a: Any, model_b: Any, tasks: Any = None, *, n_resamples: int = 1000, confidence: float = 0.95,
            random_state: int = 0, cache_names: tuple[str | None, str | None] = (None, None)) -> Any:
    """Model A against model B on the same items: the difference of every figure, paired.

    Parameters
    ----------
    model_a, model_b : model with ``encode``, or :class:`Results`
        A :class:`Results` from :func:`evaluate` on the same tasks is reused (no re-encoding).
    tasks : task or list of tasks, optional
        Needed unless both are :class:`Results`.
    n_resamples, confidence, random_state
        As in :func:`evaluate`; the paired resamples are drawn once per figure and shared.
    cache_names : (str or None, str or None)
        ``cache_name`` of each model (see :func:`evaluate`).

    Returns
    -------
    pandas.DataFrame
        Columns task, metric, estimate_a, estimate_b, diff (A - B), low, high, p_value and
        verdict ("significantly better" when the interval of A - B lies above zero,
        "significantly worse", or "indistinguishable on this data").

    Taught in: chapter 09.
    """
    import pandas as pd

    n_resamples, confidence, random_state = _check_options(n_resamples, confidence, random_state)
    if not isinstance(cache_names, (tuple, list)) or len(cache_names) != 2:
        raise TypeError(f"cache_names must be a pair (name_a, name_b) of str or None; got {cache_names!r}.")
    results = []
    for name, m, cache in (("model_a", model_a, cache_names[0]), ("model_b", model_b, cache_names[1])):
        if isinstance(m, Results):
            results.append(m)
            continue
        if not callable(getattr(m, "encode", None)):
            raise TypeError(f"{name} must have an encode(list_of_str) method or be a Results; got {type(m).__name__}.")
        if tasks is None:
            raise ValueError(f"tasks is None; pass the tasks to evaluate {name} on.")
        results.append(evaluate(m, tasks, n_resamples=n_resamples, confidence=confidence,
                                random_state=random_state, cache_name=cache))
    ra, rb = results
    keys_a = [(r.task, r.metric) for r in ra._records]
    if keys_a != [(r.task, r.metric) for r in rb._records]:
        raise ValueError("model_a and model_b were scored on different tasks or metrics; compare them on the same tasks.")
    rows = []
    for x, y in zip(ra._records, rb._records, strict=True):
        same_truth = (x.truth is None and y.truth is None) or (
            x.truth is not None and y.truth is not None and np.array_equal(x.truth, y.truth))
        if x.values.size != y.values.size or not same_truth:
            raise ValueError(f"task {x.task!r} differs between model_a and model_b (different items); "
                             f"a paired comparison needs the same items.")
        if _custom(x.kind, x.values) or _custom(y.kind, y.values):
            assert x.truth is not None
            c = _paired_custom(x.metric, x.values, y.values, x.truth, n_resamples, confidence, random_state)
        else:
            c = paired_bootstrap(x.values, y.values, truth=x.truth, statistic=x.kind, n_resamples=n_resamples,
                                 confidence=confidence, random_state=random_state)
        rows.append({"task": x.task, "metric": x.metric, "estimate_a": c.estimate_a, "estimate_b": c.estimate_b,
                     "diff": c.diff, "low": c.low, "high": c.high, "p_value": c.p_value, "verdict": c.verdict})
    return pd.DataFrame(rows, columns=["task", "metric", "estimate_a", "estimate_b", "diff", "low", "high",
                                       "p_value", "verdict"])
