"""Tests of embedcourse.retrieval.negatives: BM25 scores, hard-negative mining, random negatives."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from conftest import oracle
from embedcourse.retrieval import bm25_scores, mine_hard_negatives, negative_report, random_negatives

DOCS = ["the cat sat on the mat", "dogs chase cats in the park", "a cat food review: cats love fish",
        "stock markets fell sharply on monday", "the central bank raised interest rates",
        "football fans celebrate the cup final", "new cat cafe opens in the city centre"]
QUERIES = ["cat food", "interest rates rise", "cup final football", "cats and dogs", "nothing matches zzz"]


def _scores(n_q: int = 30, n_docs: int = 40, d: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit query and document vectors, query i near document i; scores in float32 as a model gives."""
    r = np.random.default_rng(seed)
    X = r.normal(size=(n_docs, d)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    Q = X[:n_q] + 0.8 * r.normal(size=(n_q, d)).astype(np.float32)
    Q /= np.linalg.norm(Q, axis=1, keepdims=True)
    return Q, X, Q @ X.T


# ---- BM25 ------------------------------------------------------------------------------------
def test_bm25_scores_equal_bm25s_robertson():
    bm25s = oracle("bm25s")
    S = bm25_scores(QUERIES, DOCS)
    assert S.shape == (len(QUERIES), len(DOCS)) and S.dtype == np.float64 and (S >= 0).all()
    ref = bm25s.BM25(method="robertson", k1=1.5, b=0.75)
    ref.index(bm25s.tokenize(DOCS, stopwords="en", show_progress=False), show_progress=False)
    vocab = set(ref.vocab_dict)
    for i, toks in enumerate(bm25s.tokenize(QUERIES, stopwords="en", return_ids=False, show_progress=False)):
        toks = [t for t in toks if t in vocab]                       # bm25s refuses unknown tokens
        want = ref.get_scores(toks) if toks else np.zeros(len(DOCS))
        np.testing.assert_allclose(S[i], want, rtol=1e-5, atol=1e-6)
    assert (S[-1] == 0).all()                                        # no known token: every score 0


@pytest.mark.slow
def test_bm25_ranking_equals_bm25s_on_news():
    bm25s = oracle("bm25s")
    import embedcourse as ec

    news = ec.data.load_news_sample(300)
    titles, leads = news.title.tolist(), news.lead.tolist()
    S = bm25_scores(titles, leads)
    ref = bm25s.BM25(method="robertson")
    ref.index(bm25s.tokenize(leads, stopwords="en", show_progress=False), show_progress=False)
    docs, scores = ref.retrieve(bm25s.tokenize(titles, stopwords="en", show_progress=False, return_ids=False), k=10,
                                show_progress=False, n_threads=1)
    ours = np.sort(S, axis=1)[:, ::-1][:, :10]
    np.testing.assert_allclose(ours, scores, rtol=1e-5, atol=1e-5)   # the same top-10 scores
    # and bm25s's documents have those scores under ours: the same ranking, up to the order of ties
    np.testing.assert_allclose(np.take_along_axis(S, docs.astype(np.int64), axis=1), scores, rtol=1e-5, atol=1e-5)
    distinct = [i for i in range(len(titles)) if ours[i, 9] > np.sort(S[i])[::-1][10] + 1e-4]
    agree = np.mean([set(np.argsort(-S[i], kind="stable")[:10]) == set(docs[i]) for i in distinct])
    assert len(distinct) > 100 and agree == 1.0, (len(distinct), agree)  # no tie at the cut: same documents


def test_bm25_parameters():
    S0 = bm25_scores(["cat"], DOCS, k1=0.0)                          # k1 = 0: presence only, idf per document
    hits = S0[0] > 0
    assert np.allclose(S0[0][hits], S0[0][hits][0])
    Sb0 = bm25_scores(["cat"], DOCS, b=0.0)
    assert Sb0.shape == (1, len(DOCS))
    keep = bm25_scores(["the cat"], DOCS, stopwords=None)
    drop = bm25_scores(["the cat"], DOCS)
    assert not np.allclose(keep, drop)                               # "the" counts only when kept


def test_bm25_repeated_query_token_counts_twice():
    once, twice = bm25_scores(["cat"], DOCS), bm25_scores(["cat cat"], DOCS)
    np.testing.assert_allclose(twice, 2 * once, rtol=1e-12)


@pytest.mark.parametrize(("kwargs", "err", "match"), [
    ({"queries": "cat"}, TypeError, "queries"),
    ({"corpus": []}, ValueError, "corpus"),
    ({"corpus": ["the a", "of"]}, ValueError, "corpus has no tokens"),
    ({"k1": -1.0}, ValueError, "k1"),
    ({"b": 2.0}, ValueError, "b must"),
    ({"stopwords": "de"}, ValueError, "stopwords"),
])
def test_bm25_bad_input(kwargs, err, match):
    args = {"queries": QUERIES, "corpus": DOCS, **kwargs}
    with pytest.raises(err, match=match):
        bm25_scores(args.pop("queries"), args.pop("corpus"), **args)


# ---- mining ------------------------------------------------------------------------------------
def test_mining_equals_brute_force_topk():
    _, _, S = _scores()
    pos = np.arange(S.shape[0])
    neg = mine_hard_negatives(S, pos, n_negatives=5)
    for i in range(S.shape[0]):
        order = [j for j in np.argsort(-S[i].astype(np.float64), kind="stable") if j != pos[i]]
        assert list(neg[i]) == order[:5]
    skipped = mine_hard_negatives(S, pos, n_negatives=5, skip_top=3)
    for i in range(S.shape[0]):
        order = [j for j in np.argsort(-S[i].astype(np.float64), kind="stable") if j != pos[i]]
        assert list(skipped[i]) == order[3:8]


def test_margins_and_max_score_drop_candidates():
    _, _, S = _scores()
    S = S.astype(np.float64)
    pos = np.arange(S.shape[0])
    p = S[pos, pos]
    for kw, bound in [({"relative_margin": 0.2}, p - np.abs(p) * 0.2), ({"absolute_margin": 0.1}, p - 0.1),
                      ({"max_score": 0.3}, np.full_like(p, 0.3))]:
        neg = mine_hard_negatives(S, pos, n_negatives=3, **kw)
        present = neg >= 0
        assert present.any()
        vals = np.take_along_axis(S, np.where(present, neg, 0), axis=1)
        assert (vals[present] <= np.broadcast_to(bound[:, None], neg.shape)[present] + 1e-12).all(), kw
        assert not (neg == pos[:, None]).any()


def test_pads_with_minus_one_when_guards_leave_too_few():
    S = np.array([[0.9, 0.95, 0.94, 0.1]])
    neg = mine_hard_negatives(S, [0], n_negatives=3, max_score=0.5)
    assert neg.tolist() == [[3, -1, -1]]
    rep = negative_report(S, [0], neg)
    assert rep["frac_missing"] == pytest.approx(2 / 3) and rep["frac_above_positive"] == 0.0


def test_random_sampling_draws_from_the_survivors_and_is_seeded():
    _, _, S = _scores()
    pos = np.arange(S.shape[0])
    pool = mine_hard_negatives(S, pos, n_negatives=10, skip_top=1, max_rank=11)
    a = mine_hard_negatives(S, pos, n_negatives=3, skip_top=1, max_rank=11, sampling="random", random_state=0)
    b = mine_hard_negatives(S, pos, n_negatives=3, skip_top=1, max_rank=11, sampling="random", random_state=0)
    c = mine_hard_negatives(S, pos, n_negatives=3, skip_top=1, max_rank=11, sampling="random", random_state=1)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    for i in range(S.shape[0]):
        assert set(a[i]) <= set(pool[i])
        assert (np.diff(S[i, a[i]]) <= 0).all()                      # best first


def test_random_negatives():
    pos = np.array([0, 3, 3, 9])
    neg = random_negatives(pos, 10, n_negatives=4, random_state=0)
    assert neg.shape == (4, 4) and neg.dtype == np.int64
    assert not (neg == pos[:, None]).any() and ((0 <= neg) & (neg < 10)).all()
    assert all(len(set(r)) == 4 for r in neg)
    assert np.array_equal(neg, random_negatives(pos, 10, n_negatives=4, random_state=0))
    full = random_negatives(pos, 10, n_negatives=9, random_state=1)   # every other document, once
    assert all(set(r) == set(range(10)) - {p} for r, p in zip(full, pos, strict=True))


def test_negative_report():
    S = np.array([[0.9, 0.95, 0.1], [0.2, 0.8, 0.5]])
    rep = negative_report(S, [0, 1], [[1], [2]])
    assert rep == pytest.approx({"mean_positive_score": 0.85, "mean_negative_score": 0.725,
                                 "frac_above_positive": 0.5, "frac_missing": 0.0})


@pytest.mark.parametrize(("kwargs", "err", "match"), [
    ({"scores": np.ones((2, 1))}, ValueError, "at least 2 documents"),
    ({"positives": [0]}, ValueError, "one positive per query"),
    ({"positives": [0, 9]}, ValueError, "positives"),
    ({"positives": [0.0, 1.0]}, TypeError, "positives"),
    ({"n_negatives": 0}, ValueError, "n_negatives"),
    ({"n_negatives": 3}, ValueError, "n_negatives"),
    ({"skip_top": -1}, ValueError, "skip_top"),
    ({"max_rank": 1, "n_negatives": 2}, ValueError, "max_rank"),
    ({"relative_margin": 1.5}, ValueError, "relative_margin"),
    ({"absolute_margin": float("nan")}, ValueError, "absolute_margin"),
    ({"max_score": "0.5"}, TypeError, "max_score"),
    ({"sampling": "hard"}, ValueError, "sampling"),
    ({"random_state": "a"}, TypeError, "random_state"),
    ({"scores": np.array([[np.nan, 1.0, 0.0], [0.0, 1.0, 2.0]])}, ValueError, "scores"),
])
def test_mining_bad_input(kwargs, err, match):
    args = {"scores": np.array([[0.9, 0.5, 0.1], [0.2, 0.8, 0.3]]), "positives": [0, 1], **kwargs}
    with pytest.raises(err, match=match):
        mine_hard_negatives(args.pop("scores"), args.pop("positives"), **args)


def test_random_negatives_bad_input():
    with pytest.raises(ValueError, match="n_docs"):
        random_negatives([0], 1)
    with pytest.raises(ValueError, match="positives"):
        random_negatives([5], 3)
    with pytest.raises(ValueError, match="n_negatives"):
        random_negatives([0], 3, n_negatives=3)


# ---- the oracle: sentence-transformers' util.mine_hard_negatives -----------------------------------
class _Dataset:
    """Just enough of ``datasets.Dataset`` for mine_hard_negatives (``datasets`` is not installed)."""

    def __init__(self, data: dict) -> None:
        self.data = data

    @classmethod
    def from_dict(cls, data: dict) -> _Dataset:
        return cls(data)

    @property
    def column_names(self) -> list[str]:
        return list(self.data)

    def __len__(self) -> int:
        return len(next(iter(self.data.values())))

    def __getitem__(self, key: str) -> list:
        return self.data[key]

    def to_pandas(self):
        import pandas as pd

        return pd.DataFrame(self.data)


class _FixedModel:
    """A 'model' whose embeddings are given: the library's mining logic runs on our vectors."""

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        import torch

        self.table, self.device = table, torch.device("cpu")

    def encode_document(self, texts, **kwargs):
        return np.stack([self.table[t] for t in texts])

    encode_query = encode_document

    def similarity(self, a, b):
        import torch

        return torch.as_tensor(a) @ torch.as_tensor(b).T

    def similarity_pairwise(self, a, b):
        import torch

        return (torch.as_tensor(a) * torch.as_tensor(b)).sum(-1)


@pytest.mark.parametrize("settings", [
    {"n_negatives": 3},
    {"n_negatives": 2, "skip_top": 3},
    {"n_negatives": 4, "max_rank": 12},
    {"n_negatives": 3, "relative_margin": 0.05},
    {"n_negatives": 2, "absolute_margin": 0.1, "skip_top": 1},
    {"n_negatives": 3, "max_score": 0.4},
])
def test_mining_equals_sentence_transformers(settings, monkeypatch):
    oracle("sentence_transformers")
    from sentence_transformers.util import hard_negatives as hn

    monkeypatch.setattr(hn, "is_datasets_available", lambda: True)
    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(Dataset=_Dataset))
    Q, X, S = _scores()
    queries, docs = [f"query {i}" for i in range(len(Q))], [f"doc {j}" for j in range(len(X))]
    model = _FixedModel({**dict(zip(queries, Q, strict=True)), **dict(zip(docs, X, strict=True))})
    st_names = {"n_negatives": "num_negatives", "skip_top": "range_min", "max_rank": "range_max"}
    out = hn.mine_hard_negatives(_Dataset({"anchor": queries, "positive": docs[:len(Q)]}), model, corpus=docs,
                                 **{st_names.get(k, k): v for k, v in settings.items()}, verbose=False,
                                 output_format="triplet")
    theirs: dict[int, list[int]] = {i: [] for i in range(len(Q))}
    for a, n in zip(out["anchor"], out["negative"], strict=True):
        theirs[queries.index(a)].append(docs.index(n))
    ours = mine_hard_negatives(S, np.arange(len(Q)), **settings)
    for i in range(len(Q)):
        assert [j for j in ours[i] if j >= 0] == theirs[i], (i, settings)
