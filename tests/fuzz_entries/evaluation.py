"""Fuzz entries of embedcourse.evaluation (tasks, harness, encoders, standard tasks); see tests/test_fuzz.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

import embedcourse.evaluation as EV
from test_fuzz import Mut, _close, choice, entry, k_of, posint, positive_float, seed, texts

_WORDS = ["cat", "dog", "fish", "bird", "tree", "rock", "car", "boat"]


class _Fake:
    """A deterministic encoder: each word of a text adds a fixed random vector."""

    def encode(self, items: list[str]) -> np.ndarray:
        out = np.zeros((len(items), 6))
        for i, t in enumerate(items):
            for w in t.split():
                out[i] += np.random.default_rng(sum(map(ord, w))).normal(size=6)
        out[out.sum(1) == 0, 0] = 1.0
        return out


def _retrieval() -> dict:
    return {"name": "r", "queries": ["cat dog", "fish", "bird tree"], "corpus": ["dog", "fish rock", "tree", "car"],
            "relevant": [0, {1: 2, 3: 1}, [2]], "k": 2}


def _relevant() -> list[Mut]:
    return [Mut("short", lambda v, d: v[:-1]), Mut("out_of_range", lambda v, d: [9, 1, 2]),
            Mut("empty_item", lambda v, d: [0, set(), 2]), Mut("string", lambda v, d: "012"),
            Mut("none", lambda v, d: None), Mut("negative_gain", lambda v, d: [{0: -1}, 1, 2])]


def _name() -> list[Mut]:
    return [Mut("empty", lambda v, d: ""), Mut("none", lambda v, d: None), Mut("int", lambda v, d: 3)]


entry("evaluation.RetrievalTask", lambda **a: EV.RetrievalTask(**a), _retrieval,
      muts={"name": _name(), "queries": texts(empty_doc="either") + [Mut("one", lambda v, d: v[:1])],
            "corpus": texts(empty_doc="either"), "relevant": _relevant(), "k": k_of(4)})


def _similarity() -> dict:
    return {"name": "s", "texts_a": ["cat", "dog", "fish", "bird"], "texts_b": ["dog", "tree", "boat", "rock"],
            "gold": np.array([3.0, 1.0, 2.0, 0.5])}


_GOLD = [Mut("short", lambda v, d: v[:-1]), Mut("constant", lambda v, d: np.ones(len(v))),
         Mut("nan", lambda v, d: np.r_[np.nan, v[1:]]), Mut("string", lambda v, d: "gold"),
         Mut("ndim2", lambda v, d: v[None])]
entry("evaluation.SimilarityTask", lambda **a: EV.SimilarityTask(**a), _similarity,
      muts={"name": _name(), "texts_a": texts(empty_doc="either"), "texts_b": texts(empty_doc="either"), "gold": _GOLD})


def _labels(one_class: str = "raise") -> list[Mut]:
    return [Mut("short", lambda v, d: v[:-1]), Mut("none", lambda v, d: None), Mut("string", lambda v, d: "aabb"),
            Mut("one_class", lambda v, d: [v[0]] * len(v), one_class), Mut("none_item", lambda v, d: [None, *v[1:]]),
            Mut("ndim2", lambda v, d: [list(v)])]


def _clustering() -> dict:
    return {"name": "c", "texts": ["cat", "dog", "fish", "car", "boat", "rock"], "labels": ["a", "a", "a", "b", "b", "b"],
            "n_clusters": None}


entry("evaluation.ClusteringTask", lambda **a: EV.ClusteringTask(**a), _clustering,
      muts={"name": _name(), "texts": texts(empty_doc="either"), "labels": _labels(),
            "n_clusters": posint(big=6, none="either") + [Mut("one", lambda v, d: 1)]})


def _classification() -> dict:
    return {"name": "k", "train_texts": ["cat", "dog", "car", "boat"], "train_labels": [0, 0, 1, 1],
            "test_texts": ["fish", "rock bird", "tree"], "test_labels": [0, 1, 1], "C": 1.0, "max_iter": 1000}


entry("evaluation.ClassificationTask", lambda **a: EV.ClassificationTask(**a), _classification,
      muts={"name": _name(), "train_texts": texts(empty_doc="either"), "train_labels": _labels(),
            "test_texts": texts(empty_doc="either") + [Mut("one", lambda v, d: v[:1])], "test_labels": _labels(one_class="either"),
            "C": positive_float() + [Mut("none", lambda v, d: None)], "max_iter": posint()})


def _tasks() -> list:
    return [EV.RetrievalTask(**_retrieval()), EV.SimilarityTask(**_similarity()), EV.ClusteringTask(**_clustering()),
            EV.ClassificationTask(**_classification())]


def _models() -> list[Mut]:
    return [Mut("no_encode", lambda v, d: object()), Mut("none", lambda v, d: None),
            Mut("wrong_rows", lambda v, d: SimpleNamespace(encode=lambda t: np.ones((len(t) + 1, 3))), names=("model.encode",)),
            Mut("one_d", lambda v, d: SimpleNamespace(encode=lambda t: np.ones(len(t))), names=("model.encode",)),
            Mut("nan", lambda v, d: SimpleNamespace(encode=lambda t: np.full((len(t), 3), np.nan)), names=("model.encode",)),
            Mut("strings", lambda v, d: SimpleNamespace(encode=lambda t: [["x"]] * len(t)), names=("model.encode",)),
            Mut("zeros", lambda v, d: SimpleNamespace(encode=lambda t: np.zeros((len(t), 3))), "either")]


def _task_muts() -> list[Mut]:
    return [Mut("empty", lambda v, d: []), Mut("string", lambda v, d: "lee"), Mut("none", lambda v, d: None),
            Mut("dict", lambda v, d: [{"name": "x"}]), Mut("duplicate", lambda v, d: [v[0], v[0]]),
            Mut("single", lambda v, d: v[0], "either")]


def _metrics() -> list[Mut]:
    return [Mut("empty", lambda v, d: []), Mut("unknown", lambda v, d: ["MRR", "MAP"]), Mut("int", lambda v, d: 3),
            Mut("int_item", lambda v, d: ["MRR", 3]), Mut("bytes", lambda v, d: b"MRR"),
            Mut("one_name", lambda v, d: "Spearman", "either"), Mut("subset", lambda v, d: ("ARI", "Accuracy"), "either")]


_OPTS = {"n_resamples": posint(big=None) + [Mut("too_few", lambda v, d: 10)],
         "confidence": [Mut("one", lambda v, d: 1.0), Mut("percent", lambda v, d: 95), Mut("string", lambda v, d: "0.9")],
         "random_state": seed()}


def _eval_ref(a: dict, r: Any) -> None:
    t = r.table()
    assert list(t.columns) == ["task", "metric", "estimate", "low", "high", "n"]
    assert (t.low <= t.estimate + 1e-9).all() and (t.high >= t.estimate - 1e-9).all(), t


entry("evaluation.evaluate",
      lambda model, tasks, n_resamples, confidence, random_state, cache_name, metrics: EV.evaluate(
          model, tasks, n_resamples=n_resamples, confidence=confidence, random_state=random_state, cache_name=cache_name,
          metrics=metrics),
      lambda: {"model": _Fake(), "tasks": _tasks(), "n_resamples": 100, "confidence": 0.9, "random_state": 0,
               "cache_name": None, "metrics": None},
      muts={"model": _models(), "tasks": _task_muts(), **_OPTS,
            "cache_name": [Mut("int", lambda v, d: 3), Mut("empty", lambda v, d: "")], "metrics": _metrics()},
      oracle=_eval_ref, covers=("evaluation.Results", "evaluation.Results.table"))


entry("evaluation.Results.scores",
      lambda task, metric: EV.evaluate(_Fake(), _tasks()[:1], n_resamples=100).scores(task, metric),
      {"task": "r", "metric": "MRR"},
      muts={"task": [Mut("unknown", lambda v, d: "zz"), Mut("none", lambda v, d: None)],
            "metric": [Mut("unknown", lambda v, d: "MAP"), Mut("int", lambda v, d: 3)]})


def _cmp_ref(a: dict, r: Any) -> None:
    assert list(r.columns)[-1] == "verdict" and set(r.verdict) <= {
        "significantly better", "significantly worse", "indistinguishable on this data"}


entry("evaluation.compare",
      lambda model_a, model_b, tasks, n_resamples, random_state, metrics: EV.compare(
          model_a, model_b, tasks, n_resamples=n_resamples, random_state=random_state, metrics=metrics),
      lambda: {"model_a": _Fake(), "model_b": SimpleNamespace(encode=lambda t: np.asarray(
          [[len(x), x.count("o") + 1.0] for x in t], float)), "tasks": _tasks(), "n_resamples": 100, "random_state": 0,
          "metrics": None},
      muts={"model_a": _models(), "model_b": _models(), "tasks": _task_muts() + [Mut("none_ok", lambda v, d: None)],
            "n_resamples": _OPTS["n_resamples"], "random_state": seed(), "metrics": _metrics()},
      oracle=_cmp_ref)

_CORPUS = ["the cat sat on the mat", "the dog ate my homework", "a cat and a dog"]
entry("evaluation.TfidfEncoder",
      lambda X, items: EV.TfidfEncoder(sublinear_tf=True).fit(X).encode(items),
      {"X": _CORPUS, "items": ["cat dog", "unknown words"]},
      muts={"X": texts(empty_doc="either"), "items": texts(empty_doc="either")},
      aliases={"items": ("texts",)},
      oracle=lambda a, r: _close(np.linalg.norm(r, axis=1), [1.0, 0.0], atol=1e-12),
      covers=("evaluation.TfidfEncoder.fit", "evaluation.TfidfEncoder.encode"))
entry("evaluation.TfidfEncoder[sparse]",
      lambda sparse, encode_sparse: EV.TfidfEncoder(sparse=sparse).fit(_CORPUS).encode(["cat dog", "zebra"], sparse=encode_sparse),
      {"sparse": True, "encode_sparse": None},
      muts={"sparse": [Mut("int", lambda v, d: 1), Mut("string", lambda v, d: "yes"), Mut("none", lambda v, d: None)],
            "encode_sparse": [Mut("int", lambda v, d: 0), Mut("string", lambda v, d: "no"),
                              Mut("false", lambda v, d: False, "either")]},
      aliases={"encode_sparse": ("sparse",)},
      oracle=lambda a, r: _close(np.sqrt(np.asarray(r.multiply(r).sum(axis=1)).ravel()) if hasattr(r, "multiply")
                                 else np.linalg.norm(r, axis=1), [1.0, 0.0], atol=1e-12))
entry("evaluation.TfidfEncoder[kwargs]", lambda norm: EV.TfidfEncoder(norm=norm).fit(_CORPUS), {"norm": "l2"},
      muts={"norm": [Mut("l1", lambda v, d: "l1"), Mut("none", lambda v, d: None)]}, aliases={"norm": ("tfidf_kwargs",)})

_KV = SimpleNamespace(key_to_index={"cat": 0, "dog": 1}, vectors=np.array([[1.0, 0.0], [0.0, 3.0]], np.float32))
entry("evaluation.AveragedWordVectors",
      lambda keyed_vectors, items: EV.AveragedWordVectors(keyed_vectors).encode(items),
      {"keyed_vectors": _KV, "items": ["cat dog", "zebra"]},
      muts={"keyed_vectors": [Mut("int", lambda v, d: 3), Mut("none", lambda v, d: None),
                              Mut("dict", lambda v, d: {"cat": [1.0]})],
            "items": texts(empty_doc="either")},
      aliases={"items": ("texts", "X")},
      oracle=lambda a, r: _close(r, [[0.5, 1.5], [0.0, 0.0]]),
      covers=("evaluation.AveragedWordVectors.encode",))

entry("evaluation.load_task", lambda name, random_state: EV.load_task(name, random_state=random_state),
      {"name": "lee", "random_state": 0},
      muts={"name": choice() + [Mut("news", lambda v, d: "news_headline_lead", "either")], "random_state": seed()},
      slow=True, examples=1)
entry("evaluation.list_tasks", lambda: EV.list_tasks(), {})
