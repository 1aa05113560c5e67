"""Fuzz entries of embedcourse.models.two_tower (two-tower recommender, chapter 08); see tests/test_fuzz.py."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

import embedcourse.models as MO
from test_fuzz import Mut, _close, _cls_entry, choice, entry, int_ids, k_of, matrix, positive_float, posint, seed


def _toy() -> dict:
    r = np.random.default_rng(0)
    users = r.integers(0, 6, 40)
    return {"X": np.stack([users, (users + r.integers(0, 2, 40)) % 5], axis=1),
            "user_features": (r.random((6, 3)) < 0.5).astype(np.float32),
            "item_features": (r.random((5, 2)) < 0.5).astype(np.float32)}


@functools.cache
def _model() -> Any:
    t = _toy()
    return MO.TwoTower(dim=4, hidden=8, batch_size=16, epochs=1).fit(
        t["X"], user_features=t["user_features"], item_features=t["item_features"])


def _pairs_muts() -> list[Mut]:
    return [Mut("floats", lambda v, d: np.asarray(v, np.float64)), Mut("three_cols", lambda v, d: np.hstack([v, v[:, :1]])),
            Mut("one_d", lambda v, d: np.asarray(v)[:, 0]), Mut("negative", lambda v, d: np.asarray(v) - 10),
            Mut("string", lambda v, d: "0 1"), Mut("empty", lambda v, d: np.zeros((0, 2), np.int64)),
            Mut("none", lambda v, d: None)]


def _feature_muts() -> list[Mut]:
    return [Mut("nan", lambda v, d: np.where(np.arange(v.size).reshape(v.shape) == 0, np.nan, v)),
            Mut("wrong_rows", lambda v, d: np.asarray(v)[:2]), Mut("one_d", lambda v, d: np.asarray(v)[:, 0]),
            Mut("string", lambda v, d: "a b")]


entry("models.TwoTower",
      lambda X, user_features, item_features, dim, temperature, batch_size, epochs, lr, random_state: MO.TwoTower(
          dim=dim, hidden=8, temperature=temperature, batch_size=batch_size, epochs=epochs, lr=lr,
          random_state=random_state).fit(X, user_features=user_features, item_features=item_features),
      lambda: {**_toy(), "dim": 4, "temperature": 0.1, "batch_size": 16, "epochs": 1, "lr": 1e-2, "random_state": 0},
      muts={"X": _pairs_muts(), "user_features": _feature_muts(), "item_features": _feature_muts(),
            "dim": posint(big=4096), "temperature": positive_float(), "batch_size": posint(),
            "epochs": posint(), "lr": positive_float(), "random_state": seed()},
      aliases={"X": ("users", "items"), "user_features": ("users",), "item_features": ("items",)},
      covers=("models.TwoTower.fit",), examples=1)


def _rec_ref(a: dict, r: Any) -> None:
    S = _model().scores(a["users"]).astype(np.float64)
    assert [list(row) for row in r] == [list(np.argsort(-s, kind="stable")[: a["k"]]) for s in S]


entry("models.TwoTower.recommend", lambda users, k: _model().recommend(users, k=k),
      {"users": np.array([0, 2, 5]), "k": 3},
      muts={"users": int_ids(6) + [Mut("empty", lambda v, d: np.zeros(0, np.int64))], "k": k_of(5)},
      oracle=_rec_ref)
entry("models.TwoTower.scores", lambda users: _model().scores(users), {"users": np.array([1, 4])},
      muts={"users": int_ids(6)},
      oracle=lambda a, r: _close(r, _model().user_embeddings(a["users"]) @ _model().item_embeddings().T, rtol=1e-5))
entry("models.TwoTower.user_embeddings", lambda users: _model().user_embeddings(users), {"users": np.array([0, 5])},
      muts={"users": int_ids(6)},
      oracle=lambda a, r: _close(np.linalg.norm(r, axis=1), np.ones(len(a["users"])), rtol=1e-5))
entry("models.TwoTower.item_embeddings", lambda items: _model().item_embeddings(items), {"items": np.array([0, 4])},
      muts={"items": int_ids(5)},
      oracle=lambda a, r: _close(np.linalg.norm(r, axis=1), np.ones(len(a["items"])), rtol=1e-5))


def _roundtrip(path: Any) -> Any:
    if not isinstance(path, (str, Path)):
        return _model().save(path)
    _model().save(path)
    return MO.TwoTower.load(path).recommend([0, 1], k=2)


entry("models.TwoTower.save", lambda path: _roundtrip(path),
      lambda: {"path": str(Path(tempfile.mkdtemp()) / "tt.pt")},
      muts={"path": [Mut("int", lambda v, d: 3), Mut("none", lambda v, d: None)]},
      covers=("models.TwoTower.load",),
      oracle=lambda a, r: _close(r, _model().recommend([0, 1], k=2)))


def _pop_ref(a: dict, r: Any) -> None:
    counts = np.bincount(np.asarray(a["X"])[:, 1], minlength=5)
    assert list(r[0]) == list(np.argsort(-counts, kind="stable")[: a["k"]])


entry("models.PopularityRecommender",
      lambda X, k: MO.PopularityRecommender().fit(X, n_items=5).recommend([0, 1], k=k),
      lambda: {"X": _toy()["X"], "k": 3},
      muts={"X": _pairs_muts(), "k": k_of(5)}, aliases={"X": ("items",)},
      covers=("models.PopularityRecommender.fit", "models.PopularityRecommender.recommend"), oracle=_pop_ref)


def _lq_ref(a: dict, r: Any) -> None:
    c = np.bincount(np.asarray(a["items"]), minlength=a["n_items"]) + a["smoothing"]
    _close(r, np.log(c / c.sum()), rtol=1e-12)


entry("models.item_log_q", lambda items, n_items, smoothing: MO.item_log_q(items, n_items, smoothing=smoothing),
      {"items": np.array([0, 0, 2, 3]), "n_items": 5, "smoothing": 1.0},
      muts={"items": int_ids(5), "n_items": posint(), "smoothing": positive_float()}, oracle=_lq_ref)


def _loss_args() -> dict:
    r = np.random.default_rng(1)
    U, V = r.normal(size=(4, 3)), r.normal(size=(4, 3))
    return {"user_emb": U / np.linalg.norm(U, axis=1, keepdims=True), "item_emb": V / np.linalg.norm(V, axis=1, keepdims=True),
            "temperature": 0.1}


def _loss_ref(a: dict, r: Any) -> None:
    import torch

    logits = torch.as_tensor(np.asarray(a["user_emb"], np.float64) @ np.asarray(a["item_emb"], np.float64).T / a["temperature"])
    _close(float(r), float(torch.nn.functional.cross_entropy(logits, torch.arange(4))), rtol=1e-4)


entry("models.in_batch_softmax_loss",
      lambda user_emb, item_emb, temperature: MO.in_batch_softmax_loss(user_emb, item_emb, temperature=temperature),
      _loss_args,
      muts={"user_emb": [m for m in matrix(ncols=True) if m.label != "zero_row"] + [Mut("none", lambda v, d: None)],
            "item_emb": [m for m in matrix(ncols=True) if m.label != "zero_row"],
            "temperature": positive_float()},
      aliases={"user_emb": ("item_emb",), "item_emb": ("user_emb",)}, oracle=_loss_ref)

entry("models.movielens_temporal_split",
      lambda test_fraction, min_rating, by: MO.movielens_temporal_split(test_fraction=test_fraction,
                                                                        min_rating=min_rating, by=by),
      {"test_fraction": 0.2, "min_rating": 4, "by": "user"},
      muts={"test_fraction": positive_float() + [Mut("one", lambda v, d: 1.0)], "min_rating": posint(big=5),
            "by": choice()},
      slow=True, examples=1)
_cls_entry("models.TwoTowerData", MO.TwoTowerData, {k: None for k in MO.TwoTowerData.__dataclass_fields__})
