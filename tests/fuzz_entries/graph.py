"""Fuzz entries of embedcourse.graph (chapter 05); see tests/test_fuzz.py.

Valid inputs are a 6-node weighted graph (a triangle, a square and a pendant node) and random
triples over 6 entities and 3 relations; the oracles are the definitions written out in numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

import embedcourse.graph as GR
from test_fuzz import Mut, _close, choice, entry, posint, positive_float, seed


def _graph() -> np.ndarray:
    A = np.zeros((6, 6))
    for i, j, w in [(0, 1, 1.0), (1, 2, 2.0), (0, 2, 1.0), (2, 3, 1.0), (3, 4, 3.0), (4, 5, 1.0), (1, 4, 1.0)]:
        A[i, j] = A[j, i] = w
    return A


def _adj() -> list[Mut]:
    def put(v: Any, i: int, j: int, x: float) -> np.ndarray:
        a = np.array(v, dtype=np.float64)
        a[i, j] = x
        return a

    return [
        Mut("nan", lambda v, d: put(put(v, 0, 1, np.nan), 1, 0, np.nan)),
        Mut("negative", lambda v, d: put(put(v, 0, 1, -1.0), 1, 0, -1.0)),
        Mut("asymmetric", lambda v, d: put(v, 0, 5, 1.0)),
        Mut("self_loop", lambda v, d: put(v, 2, 2, 1.0)),
        Mut("isolated", lambda v, d: np.pad(np.asarray(v), ((0, 1), (0, 1)))),
        Mut("non_square", lambda v, d: np.asarray(v)[:, :4]),
        Mut("one_d", lambda v, d: np.asarray(v)[0]),
        Mut("string", lambda v, d: "graph"),
        Mut("ragged", lambda v, d: [[0.0, 1.0], [1.0]]),
        Mut("complex", lambda v, d: np.asarray(v) * (1 + 1j)),
        Mut("empty", lambda v, d: np.zeros((0, 0))),
        Mut("huge", lambda v, d: np.asarray(v) * 1e300, "either"),
    ]


def _pq() -> list[Mut]:
    return positive_float()


def _eig_ref(a: dict, r: Any) -> None:
    from scipy.linalg import eigh

    A = np.asarray(a["A"], np.float64)
    D = np.diag(A.sum(1))
    vals = eigh(D - A, D, eigvals_only=True)[1:a["n_components"] + 1]
    _close(r[1], vals, rtol=1e-8, atol=1e-10, what="eigenvalues")


entry("graph.laplacian_eigenmaps", lambda A, n_components: GR.laplacian_eigenmaps(A, n_components),
      lambda: {"A": _graph(), "n_components": 2},
      muts={"A": _adj(), "n_components": posint(big=5)}, oracle=_eig_ref)


def _probs_ref(a: dict, r: Any) -> None:
    A = np.asarray(a["A"], np.float64)
    cur, prev, p, q = a["cur"], a["prev"], a["p"], a["q"]
    w = np.array([A[cur, x] * (1 / p if x == prev else 1.0 if A[prev, x] > 0 else 1 / q) for x in range(len(A))])
    _close(r, w / w.sum(), rtol=1e-10, what="node2vec probabilities")


entry("graph.node2vec_probabilities", lambda A, cur, prev, p, q: GR.node2vec_probabilities(A, cur, prev, p, q),
      lambda: {"A": _graph(), "cur": 1, "prev": 0, "p": 0.5, "q": 2.0},
      muts={"A": _adj(), "cur": posint(zero="either", big=5), "prev": [Mut("not_neighbour", lambda v, d: 5),
                                                                       Mut("string", lambda v, d: "0")],
            "p": _pq(), "q": _pq()},
      oracle=_probs_ref)


def _walks_ref(a: dict, r: Any) -> None:
    A = np.asarray(a["A"])
    assert r.shape == (6 * a["n_walks"], a["walk_length"])
    assert (A[r[:, :-1], r[:, 1:]] > 0).all(), "a step that is not an edge"


entry("graph.random_walks", lambda A, n_walks, walk_length, p, q, random_state:
      GR.random_walks(A, n_walks, walk_length, p, q, random_state),
      lambda: {"A": _graph(), "n_walks": 3, "walk_length": 5, "p": 1.0, "q": 0.5, "random_state": 0},
      muts={"A": _adj(), "n_walks": posint(big=10_000), "walk_length": posint(big=10_000), "p": _pq(), "q": _pq(),
            "random_state": seed()},
      oracle=_walks_ref)

entry("graph.node2vec_embedding", lambda A, dimensions, n_walks, walk_length, random_state:
      GR.node2vec_embedding(A, dimensions, n_walks, walk_length, random_state=random_state),
      lambda: {"A": _graph(), "dimensions": 4, "n_walks": 2, "walk_length": 6, "random_state": 0},
      muts={"A": _adj(), "dimensions": posint(), "n_walks": posint(), "walk_length": posint(),
            "random_state": seed() + [Mut("none", lambda v, d: None)]},
      oracle=lambda a, r: _close(r.shape, (6, a["dimensions"])))


def _norm_ref(a: dict, r: Any) -> None:
    A = np.asarray(a["A"], np.float64) + np.eye(6)
    s = A.sum(1) ** -0.5
    _close(r.to_dense().numpy(), s[:, None] * A * s[None], rtol=1e-6, what="normalized adjacency")


entry("graph.normalized_adjacency", lambda A, dtype: GR.normalized_adjacency(A, dtype),
      lambda: {"A": _graph(), "dtype": "float64"}, muts={"A": _adj(), "dtype": choice()}, oracle=_norm_ref)
entry("graph.mean_adjacency", lambda A, dtype: GR.mean_adjacency(A, dtype),
      lambda: {"A": _graph(), "dtype": "float32"}, muts={"A": _adj(), "dtype": choice()},
      oracle=lambda a, r: _close(r.to_dense().numpy().sum(1), np.ones(6), what="row sums"))


def _x() -> torch.Tensor:
    return torch.as_tensor(np.random.default_rng(0).normal(size=(6, 3)))


def _x_muts() -> list[Mut]:
    return [Mut("numpy", lambda v, d: v.numpy()), Mut("wrong_cols", lambda v, d: v[:, :2]),
            Mut("nan", lambda v, d: torch.where(torch.arange(3) == 0, float("nan"), v)),
            Mut("int", lambda v, d: v.long()), Mut("one_d", lambda v, d: v[0]), Mut("float32", lambda v, d: v.float())]


def _p_muts() -> list[Mut]:
    return [Mut("wrong_n", lambda v, d: torch.eye(5, dtype=torch.float64)), Mut("numpy", lambda v, d: np.eye(6)),
            Mut("none", lambda v, d: None)]


for _cls, _prop in (("GCNLayer", GR.normalized_adjacency), ("SAGELayer", GR.mean_adjacency)):
    entry(f"graph.{_cls}", (lambda c: lambda in_features, out_features: getattr(GR, c)(in_features, out_features))(_cls),
          {"in_features": 3, "out_features": 2},
          muts={"in_features": posint(big=100_000), "out_features": posint(big=100_000)})
    entry(f"graph.{_cls}.forward", (lambda c: lambda X, P: getattr(GR, c)(3, 2)(X, P))(_cls),
          (lambda f: lambda: {"X": _x(), "P": f(_graph(), "float64")})(_prop),
          muts={"X": _x_muts(), "P": _p_muts()}, aliases={"P": ("A_hat", "A_mean")},
          oracle=lambda a, r: _close(tuple(r.shape), (6, 2)))


def _a_muts() -> list[Mut]:
    return [Mut("wrong_n", lambda v, d: torch.eye(5, dtype=torch.float64)), Mut("numpy", lambda v, d: np.eye(6)),
            Mut("none", lambda v, d: None), Mut("nan", lambda v, d: torch.full((6, 6), float("nan"))),
            Mut("one_d", lambda v, d: torch.ones(6))]


def _gat_x_muts() -> list[Mut]:
    """As for GCN and SAGE, except float32: the layer then computes in float32 (A holds only edges)."""
    return [m for m in _x_muts() if m.label != "float32"]


def _gat_ref(a: dict, r: Any) -> None:
    """One head, concatenated: the softmax over each node's neighbours and itself, written in numpy."""
    layer = GR.GATLayer(3, 2, random_state=0)
    X, A = np.asarray(a["X"], np.float64), np.asarray(a["A"]) != 0
    Z = X @ layer.weight.detach().numpy()
    s_src, s_dst = Z @ layer.att_src.detach().numpy()[0], Z @ layer.att_dst.detach().numpy()[0]
    out = np.zeros((6, 2))
    for i in range(6):
        nb = np.flatnonzero(A[i] | (np.arange(6) == i))
        e = s_dst[i] + s_src[nb]
        w = np.exp(np.where(e > 0, e, 0.2 * e))
        out[i] = (w / w.sum()) @ Z[nb]
    _close(r.detach().numpy(), out, rtol=1e-8, atol=1e-10, what="GAT output")


entry("graph.GATLayer", lambda in_features, out_features, heads, negative_slope, random_state:
      GR.GATLayer(in_features, out_features, heads, negative_slope=negative_slope, random_state=random_state),
      {"in_features": 3, "out_features": 2, "heads": 2, "negative_slope": 0.2, "random_state": 0},
      muts={"in_features": posint(big=100_000), "out_features": posint(big=100_000), "heads": posint(big=64),
            "negative_slope": [Mut("one", lambda v, d: 1.0), Mut("negative", lambda v, d: -0.1),
                               Mut("string", lambda v, d: "0.2"), Mut("nan", lambda v, d: float("nan"))],
            "random_state": seed()})
entry("graph.GATLayer.forward", lambda X, A: GR.GATLayer(3, 2, random_state=0)(X, A),
      lambda: {"X": _x(), "A": torch.as_tensor(_graph())},
      muts={"X": _gat_x_muts(), "A": _a_muts()}, oracle=_gat_ref)
entry("graph.GATLayer.attention", lambda X, A: GR.GATLayer(3, 2, heads=3, random_state=0).attention(X, A),
      lambda: {"X": _x(), "A": torch.as_tensor(_graph())},
      muts={"X": _gat_x_muts(), "A": _a_muts()},
      oracle=lambda a, r: _close(r.detach().sum(-1).numpy(), np.ones((3, 6)), rtol=1e-10, what="attention row sums"))


def _gnn(kind: str = "gcn", epochs: int = 5, hidden: int = 4, lr: float = 0.01, dropout: float = 0.5) -> Any:
    return GR.GNNClassifier(kind, hidden=hidden, epochs=epochs, lr=lr, dropout=dropout)


_Y = np.array([0, 0, 0, 1, 1, 1])
entry("graph.GNNClassifier", lambda kind, epochs, hidden, lr, dropout, random_state, heads:
      GR.GNNClassifier(kind, hidden, epochs, lr, dropout=dropout, random_state=random_state, heads=heads)
      .fit(_graph(), _Y, [0, 5]),
      {"kind": "gat", "epochs": 5, "hidden": 4, "lr": 0.01, "dropout": 0.5, "random_state": 0, "heads": 2},
      muts={"kind": choice(), "epochs": posint(), "hidden": posint(), "lr": positive_float(), "heads": posint(big=64),
            "dropout": [Mut("one", lambda v, d: 1.0), Mut("negative", lambda v, d: -0.1), Mut("string", lambda v, d: "0.5")],
            "random_state": seed()})
entry("graph.GNNClassifier.fit", lambda A, y, train_idx, X=None: _gnn().fit(A, y, train_idx, X),
      lambda: {"A": _graph(), "y": _Y.copy(), "train_idx": np.array([0, 5]), "X": None},
      muts={"A": _adj(), "y": [Mut("short", lambda v, d: v[:-1]), Mut("float", lambda v, d: v + 0.5),
                               Mut("string", lambda v, d: "labels")],
            "train_idx": [Mut("empty", lambda v, d: np.zeros(0, np.int64)), Mut("out_of_range", lambda v, d: np.array([9])),
                          Mut("float", lambda v, d: v + 0.5)],
            "X": [Mut("wrong_rows", lambda v, d: np.ones((4, 2))), Mut("nan", lambda v, d: np.full((6, 2), np.nan))]},
      oracle=lambda a, r: _close(r.embeddings_.shape, (6, 4)))
entry("graph.GNNClassifier.predict", lambda fitted: (_gnn().fit(_graph(), _Y, [0, 5]) if fitted else _gnn()).predict(),
      {"fitted": True}, muts={"fitted": [Mut("unfitted", lambda v, d: False)]}, aliases={"fitted": ("fitted", "fit")},
      oracle=lambda a, r: _close(r.shape, (6,)))


def _hrt() -> dict:
    r = np.random.default_rng(0)
    return {"h": r.normal(size=(4, 5)), "r": r.normal(size=(4, 5)), "t": r.normal(size=(4, 5))}


def _vec_muts() -> list[Mut]:
    return [Mut("nan", lambda v, d: np.where(np.arange(5) == 0, np.nan, v)), Mut("string", lambda v, d: "king"),
            Mut("wrong_d", lambda v, d: np.asarray(v)[:, :3]), Mut("complex", lambda v, d: np.asarray(v) * 1j),
            Mut("none", lambda v, d: None), Mut("scalar", lambda v, d: 3.0)]


entry("graph.transe_score", lambda h, r, t, p: GR.transe_score(h, r, t, p), lambda: {**_hrt(), "p": 1},
      muts={"h": _vec_muts(), "r": _vec_muts(), "t": _vec_muts(), "p": posint() + [Mut("three", lambda v, d: 3)]},
      oracle=lambda a, r: _close(r.numpy(), -np.abs(a["h"] + a["r"] - a["t"]).sum(-1), rtol=1e-10))
entry("graph.distmult_score", lambda h, r, t: GR.distmult_score(h, r, t), _hrt,
      muts={"h": _vec_muts(), "r": _vec_muts(), "t": _vec_muts()},
      oracle=lambda a, r: _close(r.numpy(), (a["h"] * a["r"] * a["t"]).sum(-1), rtol=1e-10))


def _chrt() -> dict:
    r = np.random.default_rng(0)
    return {"h": r.normal(size=(4, 5)) + 1j * r.normal(size=(4, 5)), "r": np.exp(1j * r.uniform(0, 6.3, size=(4, 5))),
            "t": r.normal(size=(4, 5)) + 1j * r.normal(size=(4, 5)), "p": 2}


def _cvec_muts() -> list[Mut]:
    return [Mut("nan", lambda v, d: np.where(np.arange(5) == 0, np.nan, v)), Mut("string", lambda v, d: "king"),
            Mut("wrong_d", lambda v, d: np.asarray(v)[:, :3]), Mut("none", lambda v, d: None),
            Mut("scalar", lambda v, d: 3.0), Mut("bool", lambda v, d: np.ones((4, 5), bool))]


entry("graph.rotate_score", lambda h, r, t, p: GR.rotate_score(h, r, t, p), _chrt,
      muts={"h": _cvec_muts(), "r": _cvec_muts() + [Mut("not_unit", lambda v, d: 2 * np.asarray(v))], "t": _cvec_muts(),
            "p": posint() + [Mut("three", lambda v, d: 3)]},
      oracle=lambda a, r: _close(r.numpy(), -(np.abs(a["h"] * a["r"] - a["t"]) ** a["p"]).sum(-1) ** (1 / a["p"]),
                                 rtol=1e-10, what="RotatE score"))


def _triples() -> np.ndarray:
    r = np.random.default_rng(0)
    return np.unique(r.integers(0, [6, 3, 6], size=(30, 3)), axis=0)


def _tr_muts() -> list[Mut]:
    return [Mut("out_of_range", lambda v, d: np.vstack([v, [[0, 0, 99]]])), Mut("negative", lambda v, d: -v - 1),
            Mut("float", lambda v, d: v + 0.5), Mut("two_cols", lambda v, d: v[:, :2]), Mut("string", lambda v, d: "h r t"),
            Mut("empty", lambda v, d: np.zeros((0, 3), np.int64))]


entry("graph.KGEModel", lambda model, dim, epochs, lr, num_negatives, margin, random_state:
      GR.KGEModel(model, dim, epochs, 8, lr, num_negatives, margin, random_state=random_state).fit(_triples(), 6, 3),
      {"model": "distmult", "dim": 4, "epochs": 2, "lr": 0.01, "num_negatives": 2, "margin": 1.0, "random_state": 0},
      muts={"model": choice(), "dim": posint(), "epochs": posint(), "lr": positive_float(), "num_negatives": posint(),
            "margin": positive_float(), "random_state": seed()})
entry("graph.KGEModel.fit", lambda triples, n_entities, n_relations:
      GR.KGEModel(dim=4, epochs=2).fit(triples, n_entities, n_relations),
      lambda: {"triples": _triples(), "n_entities": 6, "n_relations": 3},
      muts={"triples": _tr_muts(), "n_entities": posint(), "n_relations": posint()},
      oracle=lambda a, r: _close(np.linalg.norm(r.entity_embeddings_, axis=1), np.ones(6), rtol=1e-4))
entry("graph.KGEModel.score_hrt", lambda triples: GR.KGEModel(dim=4, epochs=1).fit(_triples(), 6, 3).score_hrt(triples),
      lambda: {"triples": _triples()[:5]}, muts={"triples": _tr_muts()[:5]},
      oracle=lambda a, r: _close(r.shape, (5,)))


def _rank_ref(a: dict, r: Any) -> None:
    assert r.shape == (len(a["test"]), 2) and (r >= 1).all() and (r <= a["n_entities"]).all()


def _score(T: np.ndarray) -> np.ndarray:
    return np.sin(T[:, 0] * 1.3 + T[:, 1] * 0.7 - T[:, 2] * 0.9)


entry("graph.filtered_ranks", lambda score_hrt, test, known, n_entities: GR.filtered_ranks(score_hrt, test, known, n_entities),
      lambda: {"score_hrt": _score, "test": _triples()[:5], "known": _triples(), "n_entities": 6},
      muts={"score_hrt": [Mut("string", lambda v, d: "transe"), Mut("wrong_length", lambda v, d: lambda T: np.zeros(2)),
                          Mut("nan", lambda v, d: lambda T: np.full(len(T), np.nan))],
            "test": _tr_muts(), "known": _tr_muts()[:5], "n_entities": posint() + [Mut("too_small", lambda v, d: 3)]},
      oracle=_rank_ref)
