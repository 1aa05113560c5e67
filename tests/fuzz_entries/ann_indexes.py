"""Fuzz entries of the approximate indexes of embedcourse.ann (KMeans, IVF, PQ, IVF-PQ, SQ8, LSH).

The searched indexes hold 40 vectors in 5 dimensions (4 lists for IVF, so ``nprobe = 4`` makes
IVF exact and FlatIndex its oracle); the quantised ones are checked for shape and finiteness,
since their scores are approximate by design.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import embedcourse.ann as AN
from test_fuzz import Mut, _close, choice, entry, k_of, matrix, posint, rng_matrix, seed

N, DIM = 40, 5


def _x() -> np.ndarray:
    return rng_matrix(N, DIM, 21).astype(np.float32)


def _flat_ref(metric: str) -> Any:
    def check(a: dict, r: Any) -> None:
        flat = AN.FlatIndex(DIM, metric)
        flat.add(_x())
        D_ref, _ = flat.search(a["q"], int(a["k"]))
        _close(r[0], D_ref, rtol=1e-4, atol=1e-4, what=f"{metric} scores")
    return check


def _shape_ref(a: dict, r: Any) -> None:
    scores, labels = r
    n_q = np.asarray(a["q"]).shape[0]
    assert scores.shape == labels.shape == (n_q, int(a["k"])), (scores.shape, labels.shape)
    assert ((labels >= 0) & (labels < N)).all() and all(len(set(row)) == row.size for row in labels), labels


def _built(kind: str, metric: str) -> Any:
    index = {
        "IVFIndex": lambda: AN.IVFIndex(DIM, 4, metric=metric),
        "PQIndex": lambda: AN.PQIndex(DIM, 5, nbits=3, metric=metric),
        "IVFPQIndex": lambda: AN.IVFPQIndex(DIM, 4, 5, nbits=3, metric=metric, rerank=2),
        "SQ8Index": lambda: AN.SQ8Index(DIM, metric),
        "LSHIndex": lambda: AN.LSHIndex(DIM, 3, 2, metric=metric),
    }[kind]()
    index.train(_x())
    index.add(_x())
    if hasattr(index, "nprobe"):
        index.nprobe = 4
    return index


for _kind in ("IVFIndex", "PQIndex", "IVFPQIndex", "SQ8Index", "LSHIndex"):
    for _metric in AN.METRICS:
        exact = _kind in ("IVFIndex", "LSHIndex")  # nprobe = nlist, or LSH's exact re-ranking of its buckets
        entry(f"ann.{_kind}.search[{_metric}]", (lambda kd, m: lambda q, k: _built(kd, m).search(q, k))(_kind, _metric),
              lambda: {"q": rng_matrix(3, DIM, 22).astype(np.float32), "k": 3},
              muts={"q": matrix(ncols=True, zero="raise" if _metric == "cosine" else "either", one_d="raise"),
                    "k": k_of(N)},
              oracle=_flat_ref(_metric) if _kind == "IVFIndex" else _shape_ref)

entry("ann.IVFIndex", lambda d, nlist, metric, random_state: AN.IVFIndex(d, nlist, metric=metric, random_state=random_state),
      {"d": DIM, "nlist": 4, "metric": "l2", "random_state": 0},
      muts={"d": posint(), "nlist": posint(), "metric": choice(), "random_state": seed()},
      oracle=lambda a, r: _close([r.d, r.nlist, r.nprobe, r.ntotal], [a["d"], a["nlist"], 1, 0]))
entry("ann.PQIndex", lambda d, m, nbits, metric: AN.PQIndex(d, m, nbits=nbits, metric=metric),
      {"d": 6, "m": 3, "nbits": 4, "metric": "ip"},
      muts={"d": posint(), "m": posint() + [Mut("not_divisor", lambda v, d: 4)], "nbits": posint(big=8),
            "metric": choice()},
      oracle=lambda a, r: _close([r.d, r.m, r.nbits, r.pq.ksub], [a["d"], a["m"], a["nbits"], 2 ** a["nbits"]]))
entry("ann.IVFPQIndex", lambda d, nlist, m, rerank: AN.IVFPQIndex(d, nlist, m, nbits=4, rerank=rerank),
      {"d": 6, "nlist": 4, "m": 2, "rerank": 2},
      muts={"d": posint(), "nlist": posint(), "m": posint() + [Mut("not_divisor", lambda v, d: 4)],
            "rerank": [Mut("negative", lambda v, d: -1), Mut("float", lambda v, d: 1.5), Mut("string", lambda v, d: "2"),
                       Mut("zero", lambda v, d: 0, "either")]},
      oracle=lambda a, r: _close([r.nlist, r.m, r.rerank, r.keeps_vectors], [a["nlist"], a["m"], a["rerank"], a["rerank"] > 0]))
entry("ann.SQ8Index", lambda d, metric: AN.SQ8Index(d, metric), {"d": DIM, "metric": "cosine"},
      muts={"d": posint(), "metric": choice()}, oracle=lambda a, r: _close([r.d, r.ntotal], [a["d"], 0]))
entry("ann.LSHIndex", lambda d, nbits, ntables, random_state: AN.LSHIndex(d, nbits, ntables, random_state=random_state),
      {"d": DIM, "nbits": 6, "ntables": 2, "random_state": 0},
      muts={"d": posint(), "nbits": posint(big=62), "ntables": posint(), "random_state": seed()},
      oracle=lambda a, r: _close(r.planes_.shape, (a["ntables"], a["d"], a["nbits"])))


def _train(kind: str) -> Any:
    def run(x: Any) -> Any:
        index = {"IVFIndex": lambda: AN.IVFIndex(DIM, 3), "PQIndex": lambda: AN.PQIndex(DIM, 5, nbits=2),
                 "IVFPQIndex": lambda: AN.IVFPQIndex(DIM, 2, 5, nbits=2), "SQ8Index": lambda: AN.SQ8Index(DIM, "l2"),
                 "LSHIndex": lambda: AN.LSHIndex(DIM, 3, 2)}[kind]()
        index.train(x)
        index.add(x)
        return index.search(np.asarray(x, np.float32)[:2], 1)
    return run


for _kind in ("IVFIndex", "PQIndex", "IVFPQIndex", "SQ8Index", "LSHIndex"):
    entry(f"ann.{_kind}.train[train]", _train(_kind), lambda: {"x": rng_matrix(8, DIM, 23).astype(np.float32)},
          muts={"x": matrix(ncols=True, one_d="raise", empty="raise")})


# ---- KMeans ------------------------------------------------------------------------------------
def _km(n_clusters: Any = 3, n_iter: Any = 10, init: Any = "random", random_state: Any = 0) -> Any:
    return AN.KMeans(n_clusters, n_iter=n_iter, init=init, random_state=random_state).fit(rng_matrix(20, 4, 24))


def _km_ref(a: dict, r: Any) -> None:
    X = rng_matrix(20, 4, 24)
    diff = X - r.cluster_centers_[r.labels_]
    _close(r.inertia_, (diff**2).sum(), rtol=1e-4, what="inertia")
    d2 = ((X[:, None] - r.cluster_centers_[None]) ** 2).sum(-1)
    _close(d2[np.arange(20), r.labels_], d2.min(1), rtol=1e-4, atol=1e-5, what="nearest centroid")


entry("ann.KMeans", _km, {"n_clusters": 3, "n_iter": 10, "init": "k-means++", "random_state": 0},
      muts={"n_clusters": posint(big=20), "n_iter": posint(), "init": choice(), "random_state": seed()},
      oracle=_km_ref)
entry("ann.KMeans.fit", lambda X: AN.KMeans(2, random_state=0).fit(X), lambda: {"X": rng_matrix(12, 4, 25)},
      muts={"X": matrix(one_d="raise")},
      oracle=lambda a, r: _close(r.cluster_centers_.shape, (2, np.asarray(a["X"]).shape[1])))
entry("ann.KMeans.predict", lambda X: _km().predict(X), lambda: {"X": rng_matrix(5, 4, 26)},
      muts={"X": matrix(ncols=True, one_d="raise")},
      oracle=lambda a, r: _close(r, _km().predict(np.asarray(a["X"], np.float32))))


# ---- the codecs --------------------------------------------------------------------------------
def _pq() -> Any:
    return AN.ProductQuantizer(6, 3, nbits=2).train(rng_matrix(30, 6, 27))


entry("ann.ProductQuantizer", lambda d, m, nbits, random_state: AN.ProductQuantizer(d, m, nbits, random_state),
      {"d": 6, "m": 2, "nbits": 8, "random_state": 0},
      muts={"d": posint(), "m": posint() + [Mut("not_divisor", lambda v, d: 4)], "nbits": posint(big=8),
            "random_state": seed()},
      oracle=lambda a, r: _close([r.dsub, r.ksub], [a["d"] // a["m"], 2 ** a["nbits"]]))
entry("ann.ProductQuantizer.train", lambda x: AN.ProductQuantizer(6, 3, nbits=2).train(x), lambda: {"x": rng_matrix(30, 6, 28)},
      muts={"x": matrix(ncols=True, one_d="raise")},
      oracle=lambda a, r: _close(r.codebooks_.shape, (3, 4, 2)))
entry("ann.ProductQuantizer.encode", lambda x: _pq().encode(x), lambda: {"x": rng_matrix(4, 6, 29)},
      muts={"x": matrix(ncols=True, one_d="raise")},
      oracle=lambda a, r: _close(r.shape, (np.asarray(a["x"]).shape[0], 3)))
entry("ann.ProductQuantizer.decode", lambda codes: _pq().decode(codes), {"codes": np.array([[0, 1, 3], [2, 2, 0]])},
      muts={"codes": [Mut("too_big", lambda v, d: v + 4), Mut("negative", lambda v, d: v - 3), Mut("float", lambda v, d: v + 0.5),
                      Mut("ndim1", lambda v, d: v[0]), Mut("wrong_m", lambda v, d: v[:, :2]), Mut("string", lambda v, d: "0 1 2")]},
      oracle=lambda a, r: _close(r, _pq().codebooks_[np.arange(3), np.asarray(a["codes"])].reshape(-1, 6)))
entry("ann.ProductQuantizer.lookup_tables", lambda q, metric: _pq().lookup_tables(q, metric),
      lambda: {"q": rng_matrix(2, 6, 30), "metric": "l2"},
      muts={"q": matrix(ncols=True, one_d="raise"), "metric": choice()},
      oracle=lambda a, r: _close(r.shape, (np.asarray(a["q"]).shape[0], 3, 4)))


def _sq() -> Any:
    index = AN.SQ8Index(DIM, "l2")
    index.train(_x())
    return index


entry("ann.SQ8Index.encode", lambda x: _sq().encode(x), lambda: {"x": rng_matrix(3, DIM, 31)},
      muts={"x": matrix(ncols=True, one_d="raise")},
      oracle=lambda a, r: _close(np.abs(_sq().decode(r) - np.clip(np.asarray(a["x"]), _x().min(0), _x().max(0))).max()
                                 <= (_x().max(0) - _x().min(0)).max() / 255, True))
entry("ann.SQ8Index.decode", lambda codes: _sq().decode(codes), {"codes": np.array([[0, 255, 3, 9, 100]], np.uint8)},
      muts={"codes": [Mut("int64", lambda v, d: v.astype(np.int64)), Mut("ndim1", lambda v, d: v[0]),
                      Mut("wrong_d", lambda v, d: v[:, :3]), Mut("string", lambda v, d: "0 1")]},
      oracle=lambda a, r: _close(r.shape, (1, DIM)))
