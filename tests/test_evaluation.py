"""Tests for embedcourse.evaluation: tasks, the harness (evaluate, compare, Results), encoders,
standard tasks.

A fake encoder with known vectors gives hand-computed tables; compare's verdicts are checked on
a case where model A is clearly better; bad models and bad tasks raise clear errors.
Oracles: scikit-learn (TfidfVectorizer, KMeans + adjusted_rand_score, LogisticRegression),
scipy.stats.spearmanr, and ec.metrics.paired_bootstrap for the paired figures.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import embedcourse as ec
from embedcourse.evaluation import (AveragedWordVectors, ClassificationTask, ClusteringTask, Results, RetrievalTask,
                                    SimilarityTask, TfidfEncoder, compare, evaluate, list_tasks, load_task)

from conftest import oracle


class Fake:
    """encode looks each text up in a dict of vectors; counts the texts it was asked for."""

    def __init__(self, table):
        self.table = {k: np.asarray(v, dtype=np.float64) for k, v in table.items()}
        self.calls: list[list[str]] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        return np.stack([self.table[t] for t in texts])


def _retrieval():
    table = {"q0": [1, 0], "q1": [0, 1], "d0": [1, 0], "d1": [0.6, 0.8], "d2": [0, 2]}
    return Fake(table), RetrievalTask("r", ["q0", "q1"], ["d0", "d1", "d2"], [1, {2: 1}], k=2)


def test_hand_computed_retrieval_table():
    model, task = _retrieval()
    # q0: scores d0 1, d1 0.6, d2 0 -> ranking 0 1 2, relevant 1 at rank 2; q1: ranking 2 1 0, relevant 2 at rank 1
    res = evaluate(model, task, n_resamples=200)
    t = res.table().set_index("metric")
    assert list(res.table().columns) == ["task", "metric", "estimate", "low", "high", "n"]
    assert t.loc["MRR", "estimate"] == pytest.approx(0.75)
    assert t.loc["Recall@2", "estimate"] == pytest.approx(1.0)
    assert t.loc["NDCG@2", "estimate"] == pytest.approx((1 / np.log2(3) + 1) / 2)
    np.testing.assert_allclose(res.scores("r", "MRR"), [0.5, 1.0])
    assert (t["n"] == 2).all() and (t["low"] <= t["estimate"] + 1e-12).all() and (t["high"] >= t["estimate"] - 1e-12).all()


def test_hand_computed_similarity_clustering_classification():
    table = {"a0": [1, 0], "a1": [1, 0], "a2": [1, 0], "a3": [1, 0],
             "b0": [1, 0], "b1": [1, 1], "b2": [0, 1], "b3": [-1, 1]}
    sim = SimilarityTask("s", ["a0", "a1", "a2", "a3"], ["b0", "b1", "b2", "b3"], [9.0, 7.0, 3.0, 1.0])
    res = evaluate(Fake(table), sim, n_resamples=200)
    np.testing.assert_allclose(res.scores("s", "Spearman"), [1, 1 / np.sqrt(2), 0, -1 / np.sqrt(2)])
    assert res.table().estimate.iloc[0] == pytest.approx(1.0)

    pts = {f"x{i}": [1, 0.1 * i] for i in range(4)} | {f"y{i}": [0.1 * i, 1] for i in range(4)}
    clu = ClusteringTask("c", list(pts), ["x"] * 4 + ["y"] * 4)
    cls = ClassificationTask("k", ["x0", "x1", "y0", "y1"], ["x", "x", "y", "y"], ["x2", "x3", "y2", "y3"],
                             ["x", "y", "y", "y"])  # x3 is labelled y on purpose: 3 of 4 right
    res = evaluate(Fake(pts), [clu, cls], n_resamples=200)
    t = res.table().set_index("metric")
    assert t.loc["ARI", "estimate"] == pytest.approx(1.0) and t.loc["NMI", "estimate"] == pytest.approx(1.0)
    assert t.loc["Accuracy", "estimate"] == pytest.approx(0.75)
    np.testing.assert_array_equal(res.scores("k", "Accuracy"), [1, 0, 1, 1])
    pred = res.scores("c", "ARI")
    assert pred.dtype == np.int64 and len(set(pred[:4])) == 1 and len(set(pred[4:])) == 1


def test_constant_similarities_score_zero():
    table = {"a": [1, 0], "b": [0, 1], "c": [0, 1], "d": [1, 0]}
    res = evaluate(Fake(table), SimilarityTask("s", ["a", "b", "a"], ["b", "a", "c"], [1.0, 2.0, 3.0]), n_resamples=100)
    row = res.table().iloc[0]
    assert (row.estimate, row.low, row.high) == (0.0, 0.0, 0.0)


def _two_models(n=200, seed=0):
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=(n, 16))
    good = {f"q{i}": truth[i] + 0.3 * rng.normal(size=16) for i in range(n)} | {f"d{i}": truth[i] for i in range(n)}
    bad = {f"q{i}": rng.normal(size=16) for i in range(n)} | {f"d{i}": truth[i] for i in range(n)}
    task = RetrievalTask("r", [f"q{i}" for i in range(n)], [f"d{i}" for i in range(n)], list(range(n)), k=10)
    return Fake(good), Fake(bad), task


def test_compare_verdicts_when_a_is_clearly_better():
    good, bad, task = _two_models()
    df = compare(good, bad, task, n_resamples=500)
    assert list(df.columns) == ["task", "metric", "estimate_a", "estimate_b", "diff", "low", "high", "p_value", "verdict"]
    assert (df.verdict == "significantly better").all(), df
    assert (df["diff"] > 0.5).all()
    back = compare(bad, good, task, n_resamples=500)
    assert (back.verdict == "significantly worse").all()
    np.testing.assert_allclose(back["diff"], -df["diff"])
    same = compare(good, good, task, n_resamples=500)
    assert (same.verdict == "indistinguishable on this data").all()
    # the figures are ec.metrics.paired_bootstrap's on the per-query scores
    ra, rb = evaluate(good, task, n_resamples=500), evaluate(bad, task, n_resamples=500)
    ref = ec.metrics.paired_bootstrap(ra.scores("r", "MRR"), rb.scores("r", "MRR"), n_resamples=500, random_state=0)
    row = df.set_index("metric").loc["MRR"]
    assert (row["diff"], row["low"], row["high"], row["p_value"]) == pytest.approx((ref.diff, ref.low, ref.high, ref.p_value))
    # Results are reused without re-encoding
    pd_testing = oracle("pandas.testing")
    pd_testing.assert_frame_equal(compare(ra, rb, n_resamples=500), df)


def test_compare_clustering_and_similarity_paired():
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(3, 8)) * 5
    labels = np.repeat([0, 1, 2], 30)
    X = centres[labels] + rng.normal(size=(90, 8))
    good = Fake({f"t{i}": X[i] for i in range(90)})
    noise = Fake({f"t{i}": rng.normal(size=8) for i in range(90)})
    task = ClusteringTask("c", [f"t{i}" for i in range(90)], labels.tolist())
    df = compare(good, noise, task, n_resamples=300).set_index("metric")
    assert df.loc["ARI", "verdict"] == "significantly better" and df.loc["NMI", "verdict"] == "significantly better"
    skm = oracle("sklearn.metrics")
    ra = evaluate(good, task, n_resamples=300)
    assert ra.table().set_index("metric").loc["ARI", "estimate"] == pytest.approx(
        skm.adjusted_rand_score(labels, ra.scores("c", "ARI")))


def test_similarity_spearman_equals_scipy():
    stats = oracle("scipy.stats")
    rng = np.random.default_rng(2)
    A, B = rng.normal(size=(50, 5)), rng.normal(size=(50, 5))
    gold = (A * B).sum(1) + rng.normal(size=50)
    model = Fake({f"a{i}": A[i] for i in range(50)} | {f"b{i}": B[i] for i in range(50)})
    task = SimilarityTask("s", [f"a{i}" for i in range(50)], [f"b{i}" for i in range(50)], gold)
    res = evaluate(model, task, n_resamples=300)
    cos = (A * B).sum(1) / np.linalg.norm(A, axis=1) / np.linalg.norm(B, axis=1)
    assert res.table().estimate.iloc[0] == pytest.approx(stats.spearmanr(cos, gold).statistic, abs=1e-12)


def test_determinism_and_seed():
    _, bad, task = _two_models(80)
    t1 = evaluate(bad, task, n_resamples=300, random_state=4).table()
    t2 = evaluate(bad, task, n_resamples=300, random_state=4).table()
    assert t1.equals(t2)
    t3 = evaluate(bad, task, n_resamples=300, random_state=5).table()
    assert (t3.estimate == t1.estimate).all() and not (t3.low == t1.low).all()


def test_shared_texts_are_encoded_once_and_disk_cache(tmp_path, monkeypatch):
    model, task = _retrieval()
    other = RetrievalTask("r2", ["q1", "q0"], ["d0", "d1", "d2"], [2, 0], k=1)
    evaluate(model, [task, other], n_resamples=100)
    encoded = [t for call in model.calls for t in call]
    assert sorted(encoded) == ["d0", "d1", "d2", "q0", "q1"]  # each distinct text once
    monkeypatch.setenv("EMBEDCOURSE_CACHE", str(tmp_path))
    first = evaluate(model, task, n_resamples=100, cache_name="fake").table()
    fresh, _ = _retrieval()
    second = evaluate(fresh, task, n_resamples=100, cache_name="fake").table()
    assert fresh.calls == [] and first.equals(second)
    assert list((tmp_path / "evaluation").glob("*.npy"))

    class OtherKind:                     # another model given the same name by mistake: no stale vectors
        calls = 0

        def encode(self, texts):
            OtherKind.calls += 1
            return np.ones((len(texts), 3))

    evaluate(OtherKind(), task, n_resamples=100, cache_name="fake")
    assert OtherKind.calls > 0            # encoded, not read from "fake"'s cache


def test_bad_models():
    _, task = _retrieval()
    with pytest.raises(TypeError, match="model must have an encode"):
        evaluate(object(), task)
    wrong_shape = SimpleNamespace(encode=lambda texts: np.ones((len(texts) + 1, 3)))
    with pytest.raises(ValueError, match=r"model.encode returned shape \(3, 3\) for 2 texts"):
        evaluate(wrong_shape, task)
    one_d = SimpleNamespace(encode=lambda texts: np.ones(len(texts)))
    with pytest.raises(ValueError, match="model.encode returned shape"):
        evaluate(one_d, task)
    nan = SimpleNamespace(encode=lambda texts: np.full((len(texts), 3), np.nan))
    with pytest.raises(ValueError, match="model.encode returned NaN"):
        evaluate(nan, task)
    strings = SimpleNamespace(encode=lambda texts: [["a"]] * len(texts))
    with pytest.raises(TypeError, match="model.encode returned"):
        evaluate(strings, task)
    dims = iter([3, 4])
    changing = SimpleNamespace(encode=lambda texts: np.ones((len(texts), next(dims))))
    with pytest.raises(ValueError, match="dimension 4 after 3"):
        evaluate(changing, task)
    with pytest.raises(TypeError, match="model_b must have an encode"):
        compare(_retrieval()[0], 3, task)


def test_bad_tasks_and_options():
    model, task = _retrieval()
    with pytest.raises(ValueError, match="queries is empty"):
        RetrievalTask("r", [], ["d0"], [])
    with pytest.raises(ValueError, match="queries has 1 query"):
        RetrievalTask("r", ["q0"], ["d0"], [0])
    with pytest.raises(ValueError, match=r"relevant\[0\] names document 5, outside the corpus of 3"):
        RetrievalTask("r", ["q0", "q1"], ["d0", "d1", "d2"], [5, 0])
    with pytest.raises(ValueError, match=r"relevant\[1\] is empty"):
        RetrievalTask("r", ["q0", "q1"], ["d0", "d1", "d2"], [0, set()])
    with pytest.raises(ValueError, match="k must be"):
        RetrievalTask("r", ["q0", "q1"], ["d0"], [0, 0], k=2)
    with pytest.raises(TypeError, match="name must be a non-empty str"):
        SimilarityTask("", ["a", "b", "c"], ["a", "b", "c"], [1, 2, 3])
    with pytest.raises(ValueError, match="gold is constant"):
        SimilarityTask("s", ["a", "b", "c"], ["a", "b", "c"], [1, 1, 1])
    with pytest.raises(ValueError, match=r"texts_a \(2\), texts_b \(3\) and gold \(3\)"):
        SimilarityTask("s", ["a", "b"], ["a", "b", "c"], [1, 2, 3])
    with pytest.raises(ValueError, match="labels has 2 labels for the 3 texts"):
        ClusteringTask("c", ["a", "b", "c"], [0, 1])
    with pytest.raises(ValueError, match="single distinct value"):
        ClusteringTask("c", ["a", "b", "c"], [0, 0, 0])
    with pytest.raises(ValueError, match="train_labels has a single class"):
        ClassificationTask("k", ["a", "b"], [0, 0], ["c", "d"], [0, 1])
    with pytest.raises(ValueError, match="tasks is empty"):
        evaluate(model, [])
    with pytest.raises(TypeError, match=r"tasks\[0\] is a str"):
        evaluate(model, ["lee"])
    with pytest.raises(ValueError, match="share the name 'r'"):
        evaluate(model, [task, task])
    with pytest.raises(ValueError, match="n_resamples must be"):
        evaluate(model, task, n_resamples=10)
    with pytest.raises(ValueError, match="confidence must be"):
        evaluate(model, task, confidence=95)
    with pytest.raises(TypeError, match="cache_name must be None or a non-empty str"):
        evaluate(model, task, cache_name=3)
    res = evaluate(model, task, n_resamples=100)
    assert isinstance(res, Results)
    with pytest.raises(KeyError, match="task 'x' is not in these results"):
        res.scores("x", "MRR")
    with pytest.raises(KeyError, match="metric 'MAP' is not in these results"):
        res.scores("r", "MAP")
    other = RetrievalTask("other", ["q0", "q1"], ["d0", "d1"], [0, 1], k=1)
    with pytest.raises(ValueError, match="different tasks or metrics"):
        compare(res, evaluate(model, other, n_resamples=100))


def test_tfidf_encoder_equals_sklearn():
    text = oracle("sklearn.feature_extraction.text")
    corpus = ["the cat sat on the mat", "the dog ate my homework", "a cat and a dog"]
    enc = TfidfEncoder(sublinear_tf=True).fit(corpus)
    ref = text.TfidfVectorizer(sublinear_tf=True).fit(corpus).transform(["cat dog", "unseen words"]).toarray()
    np.testing.assert_allclose(enc.encode(["cat dog", "unseen words"]), ref, atol=1e-12)
    with pytest.raises(ValueError, match="not fitted yet"):
        TfidfEncoder().encode(["a"])
    with pytest.raises(ValueError, match="norm must be 'l2'"):
        TfidfEncoder(norm="l1")
    with pytest.raises(TypeError, match="X must be a list"):
        TfidfEncoder().fit("the cat")


def test_averaged_word_vectors_is_the_mean_vector():
    kv = SimpleNamespace(key_to_index={"cat": 0, "dog": 1}, vectors=np.array([[1.0, 0.0], [0.0, 3.0]], np.float32))
    enc = AveragedWordVectors(kv)
    np.testing.assert_allclose(enc.encode(["cat dog", "cat", "zebra"]), [[0.5, 1.5], [1, 0], [0, 0]])
    ref = ec.sentence.AverageWordVectors(kv).fit().transform(["cat dog"])
    np.testing.assert_array_equal(enc.encode(["cat dog"]), ref)
    with pytest.raises(TypeError, match="keyed_vectors"):
        AveragedWordVectors(3)


def test_standard_tasks_load():
    assert list_tasks() == ["lee", "wordsim353", "simlex999", "news_headline_lead", "news_outlet_clustering",
                            "news_outlet_classification"]
    lee = load_task("lee")
    assert isinstance(lee, SimilarityTask) and len(lee.texts_a) == 1225 and lee.gold.shape == (1225,)
    ws = load_task("wordsim353")
    assert len(ws.gold) == 353 and ws.texts_a[0].isalpha()
    assert len(load_task("simlex999").gold) == 999
    r = load_task("news_headline_lead", n=200)
    assert isinstance(r, RetrievalTask) and len(r.queries) == len(r.corpus) == 200 and r.k == 10
    c = load_task("news_outlet_clustering", n=200)
    assert isinstance(c, ClusteringTask) and c.n_clusters == len(set(c.labels)) >= 5
    k = load_task("news_outlet_classification", n=200)
    assert len(k.train_texts) == len(k.test_texts) == 100
    with pytest.raises(ValueError, match="name must be one of"):
        load_task("sts-b")


def test_tfidf_on_real_news_retrieval():
    task = load_task("news_headline_lead", n=300)
    enc = TfidfEncoder(sublinear_tf=True).fit(list(task.corpus) + list(task.queries))
    t = evaluate(enc, task, n_resamples=300).table().set_index("metric")
    assert 0.5 < t.loc["MRR", "estimate"] <= 1.0, t
    assert t.loc["MRR", "low"] < t.loc["MRR", "estimate"] < t.loc["MRR", "high"]


# --------------------------------------------------------------------------------------------
# sparse encodings, metric selection, classifier settings (issue: harness speed-ups)
# --------------------------------------------------------------------------------------------
class SparseFake(Fake):
    """Fake, returning the same vectors as a scipy.sparse CSR matrix."""

    def encode(self, texts):
        sp = oracle("scipy.sparse")
        return sp.csr_matrix(super().encode(texts))


def _wide_tasks(seed=0):
    """Sparse-ish, wide vectors (d = 60 > the 24 texts): the dense path compacts, the sparse path does not."""
    rng = np.random.default_rng(seed)
    n, d = 24, 60
    labels = np.repeat([0, 1, 2], n // 3)
    centres = rng.random((3, d)) * (rng.random((3, d)) < 0.3)
    X = centres[labels] + rng.random((n, d)) * (rng.random((n, d)) < 0.15)
    X[5] = 0.0                                                          # a zero row (cosine 0 with everything)
    X[7] *= 1e12                                                        # a huge row: normalised by scaling first
    table = {f"t{i}": X[i] for i in range(n)}
    names = list(table)
    tasks = [RetrievalTask("r", names[:8], names[8:], [0, 1, 2, 3, {4: 2, 5: 1}, 6, 7, 8], k=5),
             SimilarityTask("s", names[:12], names[12:], rng.random(12)),
             ClusteringTask("c", names, labels.tolist()),
             ClassificationTask("k", names[::2], labels[::2].tolist(), names[1::2], labels[1::2].tolist())]
    return table, tasks


def test_sparse_path_equals_dense_path():
    table, tasks = _wide_tasks()
    dense = evaluate(Fake(table), tasks, n_resamples=300)
    sparse = evaluate(SparseFake(table), tasks, n_resamples=300)
    td, ts = dense.table(), sparse.table()
    assert list(td.metric) == list(ts.metric) == ["MRR", "Recall@5", "NDCG@5", "Spearman", "ARI", "NMI", "Accuracy"]
    np.testing.assert_allclose(ts[["estimate", "low", "high"]].to_numpy(), td[["estimate", "low", "high"]].to_numpy(),
                               rtol=0, atol=1e-12)
    for task, metric in zip(td.task, td.metric, strict=True):
        np.testing.assert_allclose(sparse.scores(task, metric), dense.scores(task, metric), rtol=0, atol=1e-12)
    # the harness's internals keep the rows sparse (never densified) and unit-norm
    from embedcourse.evaluation._embed import Embedder
    sp = oracle("scipy.sparse")
    rows = Embedder(SparseFake(table), None)(list(table))
    assert sp.issparse(rows) and rows.shape == (24, 60)
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, [0.0 if i == 5 else 1.0 for i in range(24)], atol=1e-12)
    # the paired comparison is the same too
    pd_testing = oracle("pandas.testing")
    other = Fake({k: np.roll(v, 1) for k, v in table.items()})
    pd_testing.assert_frame_equal(compare(SparseFake(table), other, tasks, n_resamples=300),
                                  compare(Fake(table), other, tasks, n_resamples=300), rtol=0, atol=1e-12)


def test_sparse_bad_outputs_and_mixed():
    sp = oracle("scipy.sparse")
    _, task = _retrieval()
    nan = SimpleNamespace(encode=lambda t: sp.csr_matrix(np.full((len(t), 3), np.nan)))
    with pytest.raises(ValueError, match="model.encode returned NaN"):
        evaluate(nan, task, n_resamples=100)
    rows = SimpleNamespace(encode=lambda t: sp.csr_matrix(np.ones((len(t) + 1, 3))))
    with pytest.raises(ValueError, match=r"model.encode returned shape \(3, 3\) for 2 texts"):
        evaluate(rows, task, n_resamples=100)
    model, task = _retrieval()
    calls = iter(range(10))
    mixed = SimpleNamespace(encode=lambda t: (sp.csr_matrix if next(calls) % 2 else np.asarray)(model.encode(t)))
    ref = evaluate(_retrieval()[0], task, n_resamples=100).table()
    assert evaluate(mixed, task, n_resamples=100).table().equals(ref)


def test_tfidf_sparse_option_and_harness_on_real_news():
    sp = oracle("scipy.sparse")
    corpus = ["the cat sat on the mat", "the dog ate my homework", "a cat and a dog"]
    enc = TfidfEncoder(sublinear_tf=True).fit(corpus)
    X = enc.encode(["cat dog", "unseen words"], sparse=True)
    assert sp.issparse(X) and X.dtype == np.float64
    np.testing.assert_allclose(X.toarray(), enc.encode(["cat dog", "unseen words"]), atol=1e-15)
    assert isinstance(enc.encode(["cat"]), np.ndarray)                          # default unchanged: dense
    assert sp.issparse(TfidfEncoder(sparse=True).fit(corpus).encode(["cat"]))
    assert isinstance(TfidfEncoder(sparse=True).fit(corpus).encode(["cat"], sparse=False), np.ndarray)
    with pytest.raises(TypeError, match="sparse must be True or False"):
        TfidfEncoder(sparse="yes")
    with pytest.raises(TypeError, match="sparse must be True or False"):
        enc.encode(["cat"], sparse=1)
    # the harness takes TF-IDF sparse; same figures as a dense wrapper of the same encoder
    tasks = [load_task("news_headline_lead", n=200), load_task("news_outlet_clustering", n=200),
             load_task("news_outlet_classification", n=200)]
    enc = TfidfEncoder(sublinear_tf=True).fit(list(tasks[0].corpus) + list(tasks[0].queries))
    dense = SimpleNamespace(encode=lambda t: enc.encode(t, sparse=False))
    a, b = evaluate(enc, tasks, n_resamples=200).table(), evaluate(dense, tasks, n_resamples=200).table()
    np.testing.assert_allclose(a[["estimate", "low", "high"]].to_numpy(), b[["estimate", "low", "high"]].to_numpy(),
                               rtol=0, atol=1e-12)


def test_sparse_disk_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDCOURSE_CACHE", str(tmp_path))
    table, tasks = _wide_tasks(1)
    first = evaluate(SparseFake(table), tasks, n_resamples=100, cache_name="sparse-fake")
    again = SparseFake(table)
    second = evaluate(again, tasks, n_resamples=100, cache_name="sparse-fake")
    assert again.calls == [] and first.table().equals(second.table())
    corpus = ["the cat sat on the mat", "the dog ate my homework", "a cat and a dog"]
    task = RetrievalTask("t", ["cat", "dog"], corpus, [0, 1], k=2)
    enc = TfidfEncoder().fit(corpus)
    t1 = evaluate(enc, task, n_resamples=100, cache_name="tfidf").table()
    assert t1.equals(evaluate(enc, task, n_resamples=100, cache_name="tfidf").table())
    assert t1.equals(evaluate(enc, task, n_resamples=100).table())


def test_metrics_selection():
    table, tasks = _wide_tasks()
    full = evaluate(Fake(table), tasks, n_resamples=200).table()
    model = Fake(table)
    only = evaluate(model, tasks, n_resamples=200, metrics=["MRR", "NMI"]).table()
    assert list(only.metric) == ["MRR", "NMI"]
    pd_testing = oracle("pandas.testing")
    pd_testing.assert_frame_equal(only.reset_index(drop=True),
                                  full[full.metric.isin(["MRR", "NMI"])].reset_index(drop=True))
    # the similarity and classification tasks were skipped: their texts never encoded
    encoded = {t for call in model.calls for t in call}
    assert encoded == set(tasks[0].queries) | set(tasks[0].corpus) | set(tasks[2].texts)
    assert list(evaluate(Fake(table), tasks, n_resamples=200, metrics="Spearman").table().metric) == ["Spearman"]
    with pytest.raises(ValueError, match=r"metrics: 'MAP' is not a metric of these tasks; known: \["):
        evaluate(Fake(table), tasks, metrics=["MRR", "MAP"])
    with pytest.raises(ValueError, match="metrics is empty"):
        evaluate(Fake(table), tasks, metrics=[])
    with pytest.raises(TypeError, match="metrics must hold metric names"):
        evaluate(Fake(table), tasks, metrics=[3])
    with pytest.raises(TypeError, match="metrics must be None or a list"):
        evaluate(Fake(table), tasks, metrics=3)


def test_compare_metrics_and_task_subsets(monkeypatch):
    table, tasks = _wide_tasks()
    other = Fake({k: np.roll(v, 1) for k, v in table.items()})
    full = compare(Fake(table), other, tasks, n_resamples=200)
    import embedcourse.evaluation.harness as H
    calls = []
    real = H._paired_custom
    monkeypatch.setattr(H, "_paired_custom", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    mrr_only = compare(Fake(table), other, tasks, n_resamples=200, metrics=["MRR"])
    assert list(mrr_only.metric) == ["MRR"] and calls == []       # no Spearman / clustering resampling run
    pd_testing = oracle("pandas.testing")
    pd_testing.assert_frame_equal(mrr_only, full[full.metric == "MRR"].reset_index(drop=True))
    # Results reused, limited to some tasks (by name) and metrics
    ra, rb = evaluate(Fake(table), tasks, n_resamples=200), evaluate(other, tasks, n_resamples=200)
    sub = compare(ra, rb, tasks[2:], n_resamples=200)
    pd_testing.assert_frame_equal(sub, full[full.task.isin(["c", "k"])].reset_index(drop=True))
    pd_testing.assert_frame_equal(compare(ra, other, tasks[:1], n_resamples=200, metrics="NDCG@5"),
                                  full[full.metric == "NDCG@5"].reset_index(drop=True))
    with pytest.raises(ValueError, match="metrics: 'Accuracy' is not a metric of the Results given as model_a"):
        compare(ra, rb, tasks[:1], metrics=["Accuracy"])
    with pytest.raises(ValueError, match="tasks: task 'r' is not in the Results given as model_b"):
        compare(ra, evaluate(other, tasks[1:], n_resamples=200), tasks[:2])
    # the difference column is "diff" (row["diff"]); row.diff would be pandas' method
    assert 'row["diff"]' in compare.__doc__


def test_classification_settings():
    lm = oracle("sklearn.linear_model")
    table, tasks = _wide_tasks(2)
    base = tasks[3]
    assert (base.C, base.max_iter) == (1.0, 1000)
    strong = ClassificationTask("k", base.train_texts, base.train_labels, base.test_texts, base.test_labels, C=0.01,
                                max_iter=50)
    got = evaluate(Fake(table), strong, n_resamples=100).scores("k", "Accuracy")
    unit = {k: v / (np.linalg.norm(v) or 1.0) for k, v in table.items()}
    E = lambda texts: np.stack([unit[t] for t in texts])  # noqa: E731
    clf = lm.LogisticRegression(C=0.01, max_iter=50).fit(E(base.train_texts), base.train_labels)
    np.testing.assert_array_equal(got, clf.predict(E(base.test_texts)) == np.asarray(base.test_labels))
    default = evaluate(Fake(table), base, n_resamples=100).scores("k", "Accuracy")
    ref = lm.LogisticRegression(max_iter=1000).fit(E(base.train_texts), base.train_labels)
    np.testing.assert_array_equal(default, ref.predict(E(base.test_texts)) == np.asarray(base.test_labels))
    with pytest.raises(ValueError, match="C must be a finite float"):
        ClassificationTask("k", ["a", "b"], [0, 1], ["c", "d"], [0, 1], C=0.0)
    with pytest.raises(TypeError, match="C must be a finite float"):
        ClassificationTask("k", ["a", "b"], [0, 1], ["c", "d"], [0, 1], C="1")
    with pytest.raises(ValueError, match="max_iter must be"):
        ClassificationTask("k", ["a", "b"], [0, 1], ["c", "d"], [0, 1], max_iter=0)


def test_sparse_rows_to_sklearn_directly(monkeypatch):
    """Sparse rows not compacted (more rows than columns, or over the size limit) give sklearn's own fit."""
    cluster, sp = oracle("sklearn.cluster"), oracle("scipy.sparse")
    import embedcourse.evaluation._embed as EM
    table, tasks = _wide_tasks(3)
    monkeypatch.setattr(EM, "_SPARSE_COMPACT_MAX", 10)
    rows = EM.Embedder(SparseFake(table), None)(list(tasks[2].texts))
    assert sp.issparse(EM.compact(rows))
    got = evaluate(SparseFake(table), tasks[2], n_resamples=100).scores("c", "ARI")
    unit = np.stack([v / (np.linalg.norm(v) or 1.0) for v in (table[t] for t in tasks[2].texts)])
    ref = cluster.KMeans(3, n_init=10, random_state=0).fit_predict(unit)
    np.testing.assert_array_equal(got, ref)
    narrow = {k: v[:10] for k, v in table.items()}          # 10 columns < 24 rows: never compacted
    a = evaluate(SparseFake(narrow), tasks, n_resamples=100).table()
    b = evaluate(Fake(narrow), tasks, n_resamples=100).table()
    np.testing.assert_allclose(a[["estimate", "low", "high"]].to_numpy(), b[["estimate", "low", "high"]].to_numpy(),
                               rtol=0, atol=1e-12)
