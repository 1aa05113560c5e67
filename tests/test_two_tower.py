"""Tests of embedcourse.models.two_tower: towers, the in-batch softmax loss, training, the MovieLens task."""

from __future__ import annotations

import numpy as np
import pytest

from embedcourse.models import (
    PopularityRecommender,
    TwoTower,
    in_batch_softmax_loss,
    item_log_q,
    movielens_temporal_split,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _toy(seed: int = 0) -> dict:
    """20 users, 15 items, binary features; user u likes items near u mod 15 (a learnable pattern)."""
    r = np.random.default_rng(seed)
    users = r.integers(0, 20, 400)
    items = (users + r.integers(0, 3, 400)) % 15
    return {"X": np.stack([users, items], axis=1), "user_features": (r.random((20, 4)) < 0.5).astype(np.float32),
            "item_features": (r.random((15, 3)) < 0.5).astype(np.float32)}


def _fit(**kw) -> TwoTower:
    d = _toy()
    params = {"dim": 8, "hidden": 16, "batch_size": 32, "epochs": 3, "lr": 1e-2, "random_state": 0, **kw}
    return TwoTower(**params).fit(d["X"], user_features=d["user_features"], item_features=d["item_features"])


# ---- the loss ------------------------------------------------------------------------------------
def _unit(b: int, d: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(b, d, generator=g, dtype=torch.float64), dim=1).requires_grad_()


def test_loss_equals_cross_entropy_on_the_score_matrix():
    U, V = _unit(6, 5, 0), _unit(6, 5, 1)
    ours = in_batch_softmax_loss(U, V, temperature=0.1)
    ref = F.cross_entropy(U @ V.T / 0.1, torch.arange(6))
    assert abs(ours.item() - ref.item()) < 1e-12
    g_ours = torch.autograd.grad(ours, (U, V))
    g_ref = torch.autograd.grad(ref, (U, V))
    for a, b in zip(g_ours, g_ref, strict=True):
        assert torch.allclose(a, b, atol=1e-12)


def test_loss_equals_mnrl_on_unit_vectors():
    from embedcourse.losses import multiple_negatives_ranking_loss

    U, V = _unit(8, 4, 2), _unit(8, 4, 3)
    ours = in_batch_softmax_loss(U, V, temperature=0.05)
    ref = multiple_negatives_ranking_loss(U, V, scale=20.0, similarity="cosine")
    assert abs(ours.item() - ref.item()) < 1e-10


def test_logq_correction_and_accidental_hits():
    U, V = _unit(5, 4, 4), _unit(5, 4, 5)
    lq = torch.log(torch.tensor([0.4, 0.1, 0.2, 0.2, 0.1], dtype=torch.float64))
    ids = torch.tensor([7, 3, 7, 1, 2])
    logits = U @ V.T / 0.2 - lq[None, :]
    ref = F.cross_entropy(logits, torch.arange(5))
    assert abs(in_batch_softmax_loss(U, V, temperature=0.2, log_q=lq).item() - ref.item()) < 1e-12
    masked = logits.clone()
    masked[0, 2] = masked[2, 0] = float("-inf")                     # item 7 twice: not its own negative
    ref2 = F.cross_entropy(masked, torch.arange(5))
    assert abs(in_batch_softmax_loss(U, V, temperature=0.2, log_q=lq.numpy(), item_ids=ids).item() - ref2.item()) < 1e-12


@pytest.mark.parametrize(("kwargs", "err", "match"), [
    ({"item_emb": torch.zeros(3, 4)}, ValueError, "item_emb"),
    ({"temperature": 0.0}, ValueError, "temperature"),
    ({"log_q": np.zeros(3)}, ValueError, "log_q"),
    ({"log_q": np.array([0.0, np.nan, 0, 0])}, ValueError, "log_q"),
    ({"item_ids": np.zeros(4) + 0.5}, ValueError, "item_ids"),
    ({"user_emb": "abc"}, TypeError, "user_emb"),
])
def test_loss_bad_input(kwargs, err, match):
    args = {"user_emb": torch.randn(4, 4), "item_emb": torch.randn(4, 4), **kwargs}
    with pytest.raises(err, match=match):
        in_batch_softmax_loss(args.pop("user_emb"), args.pop("item_emb"), **args)


def test_item_log_q():
    lq = item_log_q([0, 0, 1], 3, smoothing=1.0)
    np.testing.assert_allclose(np.exp(lq), [3 / 6, 2 / 6, 1 / 6], rtol=1e-12)
    with pytest.raises(ValueError, match="items"):
        item_log_q([0, 5], 3)
    with pytest.raises(ValueError, match="smoothing"):
        item_log_q([0], 3, smoothing=0.0)


# ---- the towers ----------------------------------------------------------------------------------
def test_tower_forward_equals_hand_computation():
    model = _fit(epochs=1)
    d = _toy()
    sd = {k: v.detach().numpy().astype(np.float64) for k, v in model.net_.state_dict().items()}
    for tower, F_, n in (("user_tower", d["user_features"], 20), ("item_tower", d["item_features"], 15)):
        E = sd[f"{tower}.embedding.weight"]
        W1, b1 = sd[f"{tower}.mlp.0.weight"], sd[f"{tower}.mlp.0.bias"]
        W2, b2 = sd[f"{tower}.mlp.2.weight"], sd[f"{tower}.mlp.2.bias"]
        h = np.maximum(0, np.hstack([E, F_.astype(np.float64)]) @ W1.T + b1) @ W2.T + b2
        want = h / np.linalg.norm(h, axis=1, keepdims=True)
        got = model.user_embeddings() if tower == "user_tower" else model.item_embeddings()
        assert got.shape == (n, 8) and got.dtype == np.float32
        np.testing.assert_allclose(got, want, atol=1e-5)
    np.testing.assert_allclose(model.scores([0, 3]), model.user_embeddings([0, 3]) @ model.item_embeddings().T, atol=1e-6)


def test_ids_only_and_features_only():
    d = _toy()
    ids_only = TwoTower(dim=4, hidden=8, batch_size=32, epochs=1).fit(d["X"])
    assert ids_only.n_users_ == 20 and ids_only.n_items_ == 15
    feats = TwoTower(dim=4, hidden=8, batch_size=32, epochs=1, use_ids=False).fit(
        d["X"], user_features=d["user_features"], item_features=d["item_features"])
    U = feats.user_embeddings()
    same = np.flatnonzero((d["user_features"] == d["user_features"][0]).all(axis=1))
    np.testing.assert_allclose(U[same], np.repeat(U[:1], len(same), axis=0), atol=1e-6)  # same features, same vector


def test_training_lowers_the_loss_and_is_deterministic():
    a, b = _fit(epochs=6), _fit(epochs=6)
    assert a.loss_history_.shape == (6,) and a.loss_history_[-1] < a.loss_history_[0] - 0.1, a.loss_history_
    np.testing.assert_array_equal(a.user_embeddings(), b.user_embeddings())
    c = _fit(epochs=6, random_state=1)
    assert not np.allclose(a.user_embeddings(), c.user_embeddings())


def test_recommend_excludes_and_ranks():
    model = _fit()
    top = model.recommend([0, 1], k=5, exclude=[{0, 1, 2}, set()])
    assert top.shape == (2, 5) and top.dtype == np.int64
    assert not {0, 1, 2} & set(top[0])
    S = model.scores([1])[0]
    assert list(top[1]) == list(np.argsort(-S.astype(np.float64), kind="stable")[:5])


def test_save_load_roundtrip(tmp_path):
    model = _fit()
    model.save(tmp_path / "tt.pt")
    again = TwoTower.load(tmp_path / "tt.pt")
    np.testing.assert_array_equal(model.recommend(np.arange(20), k=5), again.recommend(np.arange(20), k=5))
    np.testing.assert_array_equal(model.loss_history_, again.loss_history_)
    assert again.dim == 8 and again.n_items_ == 15


@pytest.mark.parametrize(("params", "fit_kw", "err", "match"), [
    ({"dim": 0}, {}, ValueError, "dim"),
    ({"temperature": -1.0}, {}, ValueError, "temperature"),
    ({"batch_size": 1}, {}, ValueError, "batch_size"),
    ({"random_state": None}, {}, TypeError, "random_state"),
    ({"logq_correction": "yes"}, {}, TypeError, "logq_correction"),
    ({}, {"X": np.zeros((5, 3), dtype=np.int64)}, ValueError, "X must"),
    ({}, {"X": np.zeros((5, 2))}, ValueError, "X must"),
    ({}, {"X": np.array([[0, 99], [1, 2]])}, ValueError, "items"),
    ({}, {"user_features": np.ones((3, 2))}, ValueError, "users"),
    ({"use_ids": False}, {"item_features": None}, ValueError, "use_ids=False"),
])
def test_fit_bad_input(params, fit_kw, err, match):
    d = {**_toy(), **fit_kw}
    with pytest.raises(err, match=match):
        TwoTower(**{"epochs": 1, **params}).fit(d["X"], user_features=d["user_features"],
                                                item_features=d["item_features"])


def test_unfitted_and_bad_queries(tmp_path):
    with pytest.raises(ValueError, match="not fitted"):
        TwoTower().recommend([0])
    with pytest.raises(ValueError, match="not fitted"):
        TwoTower().save(tmp_path / "x.pt")
    model = _fit(epochs=1)
    with pytest.raises(ValueError, match="users"):
        model.recommend([25])
    with pytest.raises(ValueError, match="k"):
        model.recommend([0], k=16)
    with pytest.raises(ValueError, match="exclude"):
        model.recommend([0, 1], exclude=[{0}])
    with pytest.raises(TypeError, match="path"):
        model.save(3)


def test_popularity_recommender():
    X = np.array([[0, 2], [1, 2], [1, 0], [2, 3], [0, 3], [2, 2]])
    pop = PopularityRecommender().fit(X, n_items=5)
    np.testing.assert_array_equal(pop.counts_, [1, 0, 3, 2, 0])
    np.testing.assert_array_equal(pop.recommend([0, 1], k=3, exclude=[{2}, set()]), [[3, 0, 1], [2, 3, 0]])
    with pytest.raises(ValueError, match="not fitted"):
        PopularityRecommender().recommend([0])
    with pytest.raises(ValueError, match="users"):
        pop.recommend([], k=2)
    with pytest.raises(ValueError, match="items"):
        PopularityRecommender().fit(X, n_items=3)


# ---- the real task -----------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("by", ["user", "global"])
def test_movielens_temporal_split(by):
    d = movielens_temporal_split(by=by)
    assert d.user_features.shape[0] == 943 and d.item_features.shape == (1682, 19)
    np.testing.assert_allclose(d.user_features.sum(axis=1), 3.0)      # gender, occupation, age group
    assert d.train_pairs.shape[1] == 2 and len(d.test_users) == len(d.test_relevant)
    for u, rel in zip(d.test_users, d.test_relevant, strict=True):
        assert rel and not rel & d.train_seen[u]                     # no rating is both past and future
    np.testing.assert_allclose(d.user_history.sum(axis=1)[np.unique(d.train_pairs[:, 0])], 1.0, rtol=1e-5)
    import embedcourse as ec

    r = ec.data.load_movielens_100k()["ratings"]
    if by == "global":
        assert d.cutoff is not None and 50 < len(d.test_users) < 200
        assert (r.timestamp < d.cutoff).mean() == pytest.approx(0.8, abs=0.01)
    else:
        assert d.cutoff is None and len(d.test_users) > 800
        last_train = r.groupby("user_id").timestamp.apply(sorted)       # each user's test ratings are their latest
        u0 = int(d.test_users[0])
        times = np.array(last_train.loc[d.user_ids[u0]])
        n_test = int(np.ceil(0.2 * len(times)))
        assert times[: len(times) - n_test].max() <= times[len(times) - n_test:].min()
    with pytest.raises(ValueError, match="by"):
        movielens_temporal_split(by="random")
    with pytest.raises(ValueError, match="test_fraction"):
        movielens_temporal_split(test_fraction=1.0)


@pytest.mark.slow
def test_two_tower_beats_popularity_on_movielens():
    """The quality floor: NDCG@10 on the users' later ratings, default settings, seed 0 (about +0.03)."""
    import embedcourse as ec

    d = movielens_temporal_split()
    seen = [d.train_seen[u] for u in d.test_users]
    model = TwoTower(random_state=0).fit(d.train_pairs, user_features=d.user_features, item_features=d.item_features)
    ours = ec.metrics.ndcg_at_k(model.recommend(d.test_users, 10, seen), d.test_relevant, 10, per_query=True)
    pop = PopularityRecommender().fit(d.train_pairs, n_items=len(d.item_ids)).recommend(d.test_users, 10, seen)
    base = ec.metrics.ndcg_at_k(pop, d.test_relevant, 10, per_query=True)
    cmp = ec.metrics.paired_bootstrap(ours, base, random_state=0)
    assert cmp.diff > 0.015 and cmp.low > 0.0, cmp                    # better than popularity, interval above 0
