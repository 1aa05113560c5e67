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
ClassificationTask   Accuracy                logistic regression (the task's ``C``,
                                             ``max_iter``); 0/1 per test item
===================  ======================  ====================================================

Sparse encodings (scipy.sparse, e.g. TF-IDF) stay sparse: normalised as sparse rows and
multiplied sparse by sparse. Rows wider than they are many (sparse or dense) reach k-means and
the logistic regression re-expressed in n coordinates with the same inner products (from the
n x n Gram matrix), which leaves both fits unchanged; other sparse rows (and more than 2,000
wide ones) go to scikit-learn as CSR. The fits run single-threaded (``threadpoolctl``): the
tasks are small, and threads only add overhead. ``metrics=`` limits :func:`evaluate` and
:func:`compare` to some figures.

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
from embedcourse.evaluation._embed import Embedder
from embedcourse.evaluation._scoring import metric_names, score_task, task_texts
from embedcourse.evaluation.tasks import ClassificationTask, ClusteringTask, RetrievalTask, SimilarityTask
from embedcourse.metrics.clustering import adjusted_rand_index, normalized_mutual_info
from embedcourse.metrics.correlation import spearman
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


def _check_metrics(metrics: Any) -> list[str] | None:
    """None (every metric), one metric name, or an iterable of names -> list of names."""
    if metrics is None:
        return None
    if isinstance(metrics, str):
        metrics = [metrics]
    if isinstance(metrics, bytes) or not hasattr(metrics, "__iter__"):
        raise TypeError(f"metrics must be None or a list of metric names such as ['MRR', 'Spearman']; got {metrics!r:.60}.")
    names = list(metrics)
    if not names:
        raise ValueError("metrics is empty; pass None for every metric, or at least one metric name.")
    for m in names:
        if not isinstance(m, str):
            raise TypeError(f"metrics must hold metric names (str) such as 'MRR'; got {m!r:.60}.")
    return names


def _unknown_metric(wanted: list[str], known: list[str], where: str) -> None:
    for m in wanted:
        if m not in known:
            raise ValueError(f"metrics: {m!r} is not a metric of {where}; known: {sorted(set(known))}.")


def evaluate(model: Any, tasks: Any, *, n_resamples: int = 1000, confidence: float = 0.95, random_state: int = 0,
             cache_name: str | None = None, metrics: Any = None) -> Results:
    """Score ``model`` on ``tasks``: every figure with a bootstrap percentile interval.

    Parameters
    ----------
    model : object with ``encode(list[str]) -> array (n, d)``
        A sentence-transformers model, :class:`~embedcourse.evaluation.TfidfEncoder`,
        :class:`~embedcourse.evaluation.AveragedWordVectors`, or anything alike. Torch and
        scipy.sparse outputs are accepted; rows are L2-normalised (similarity is cosine).
        Sparse rows stay sparse throughout (a wide TF-IDF is never densified; a
        :class:`~embedcourse.evaluation.TfidfEncoder` is asked for sparse rows).
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
    metrics : str or iterable of str, optional
        Only these figures (names as in the table's ``metric`` column: ``"MRR"``,
        ``"Recall@10"``, ``"NDCG@10"``, ``"Spearman"``, ``"ARI"``, ``"NMI"``, ``"Accuracy"``);
        a task with none of them is skipped (not even encoded). ``None`` (default): all.

    Returns
    -------
    Results
        ``.table()`` (columns task, metric, estimate, low, high, n) and ``.scores(task, metric)``.

    Taught in: chapter 09.
    """
    return _evaluate(model, tasks, n_resamples, confidence, random_state, cache_name, metrics, intervals=True)


def _evaluate(model: Any, tasks: Any, n_resamples: Any, confidence: Any, random_state: Any, cache_name: Any,
              metrics: Any, *, intervals: bool) -> Results:
    """evaluate; ``intervals=False`` skips the bootstrap (compare only needs the per-item scores)."""
    if not callable(getattr(model, "encode", None)):
        raise TypeError(f"model must have an encode(list_of_str) -> array method; got {type(model).__name__}.")
    tasks = _check_tasks(tasks)
    n_resamples, confidence, random_state = _check_options(n_resamples, confidence, random_state)
    if cache_name is not None and (not isinstance(cache_name, str) or not cache_name):
        raise TypeError(f"cache_name must be None or a non-empty str naming the model; got {cache_name!r}.")
    wanted = _check_metrics(metrics)
    if wanted is not None:
        _unknown_metric(wanted, [m for t in tasks for m in metric_names(t)], "these tasks")
    from threadpoolctl import threadpool_limits

    embed = Embedder(model, cache_name)
    records = []
    for task in tasks:
        if wanted is not None and not set(metric_names(task)) & set(wanted):
            continue
        for texts in task_texts(task):  # encode first, with the model's own threads
            embed(texts)
        with threadpool_limits(limits=1):  # small fits: threads only add overhead (5-10x on a shared machine)
            scored = score_task(task, embed, random_state)
        for metric, kind, values, truth in scored:
            if wanted is not None and metric not in wanted:
                continue
            if intervals:
                est, low, high = _interval(kind, values, truth, metric, n_resamples, confidence, random_state)
            else:
                est = low = high = np.nan
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


def _select(res: Results, name: str, task_names: list[str] | None, wanted: list[str] | None) -> list[_Record]:
    """The records of ``res`` on the given tasks (by name) and metrics; None keeps all."""
    recs = res._records
    if task_names is not None:
        have = {r.task for r in recs}
        for t in task_names:
            if t not in have:
                raise ValueError(f"tasks: task {t!r} is not in the Results given as {name}; it has {sorted(have)}.")
        recs = [r for r in recs if r.task in task_names]
    if wanted is not None:
        _unknown_metric(wanted, [r.metric for r in recs], f"the Results given as {name}")
        recs = [r for r in recs if r.metric in wanted]
    return recs


def compare(model_a: Any, model_b: Any, tasks: Any = None, *, n_resamples: int = 1000, confidence: float = 0.95,
            random_state: int = 0, cache_names: tuple[str | None, str | None] = (None, None),
            metrics: Any = None) -> Any:
    """Model A against model B on the same items: the difference of every figure, paired.

    Parameters
    ----------
    model_a, model_b : model with ``encode``, or :class:`Results`
        A :class:`Results` from :func:`evaluate` on the same tasks is reused (no re-encoding).
    tasks : task or list of tasks, optional
        Needed unless both are :class:`Results`. Given with a :class:`Results`, only these
        tasks (matched by name) of it are compared.
    n_resamples, confidence, random_state
        As in :func:`evaluate`; the paired resamples are drawn once per figure and shared.
    cache_names : (str or None, str or None)
        ``cache_name`` of each model (see :func:`evaluate`).
    metrics : str or iterable of str, optional
        Only these figures (e.g. ``["MRR"]``: no Spearman bootstrap is run); names as in the
        ``metric`` column. ``None`` (default): every figure.

    Returns
    -------
    pandas.DataFrame
        Columns task, metric, estimate_a, estimate_b, diff (A - B), low, high, p_value and
        verdict ("significantly better" when the interval of A - B lies above zero,
        "significantly worse", or "indistinguishable on this data"). Read the difference as
        ``df["diff"]`` or ``row["diff"]``: ``df.diff`` and ``row.diff`` are pandas' ``diff``
        method, not this column.

    Taught in: chapter 09.
    """
    import pandas as pd

    n_resamples, confidence, random_state = _check_options(n_resamples, confidence, random_state)
    if not isinstance(cache_names, (tuple, list)) or len(cache_names) != 2:
        raise TypeError(f"cache_names must be a pair (name_a, name_b) of str or None; got {cache_names!r}.")
    wanted = _check_metrics(metrics)
    task_names = None if tasks is None else [t.name for t in _check_tasks(tasks)]
    records = []
    for name, m, cache in (("model_a", model_a, cache_names[0]), ("model_b", model_b, cache_names[1])):
        if isinstance(m, Results):
            records.append(_select(m, name, task_names, wanted))
            continue
        if not callable(getattr(m, "encode", None)):
            raise TypeError(f"{name} must have an encode(list_of_str) method or be a Results; got {type(m).__name__}.")
        if tasks is None:
            raise ValueError(f"tasks is None; pass the tasks to evaluate {name} on.")
        records.append(_evaluate(m, tasks, n_resamples, confidence, random_state, cache, wanted,
                                 intervals=False)._records)
    ra, rb = records
    keys_a = [(r.task, r.metric) for r in ra]
    if keys_a != [(r.task, r.metric) for r in rb]:
        raise ValueError("model_a and model_b were scored on different tasks or metrics; compare them on the same tasks.")
    rows = []
    for x, y in zip(ra, rb, strict=True):
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
