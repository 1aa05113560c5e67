"""Fuzz entries of embedcourse.ann.hnsw (HNSWIndex, hnsw_levels); see tests/test_fuzz.py.

The searched index holds the 8 vectors of the FlatIndex entries: with M=16 every node links to
every other, so a search is exact and faiss's flat index is the oracle.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import embedcourse.ann as AN
from test_fuzz import Mut, _close, _faiss_ref, choice, entry, k_of, matrix, posint, rng_matrix, seed


def _hnsw(metric: str, n: int = 8, d: int = 5) -> Any:
    index = AN.HNSWIndex(d, metric, M=16, ef_construction=20)
    index.add(rng_matrix(n, d, 11).astype(np.float32))
    return index


def _one() -> list[Mut]:
    return [Mut("one", lambda v, d: 1)]


entry("ann.HNSWIndex", lambda d, metric, M, ef_construction, random_state:
      AN.HNSWIndex(d, metric, M=M, ef_construction=ef_construction, random_state=random_state),
      {"d": 5, "metric": "cosine", "M": 8, "ef_construction": 40, "random_state": 0},
      muts={"d": posint(), "metric": choice(), "M": posint() + _one(), "ef_construction": posint(),
            "random_state": seed()},
      oracle=lambda a, r: _close([r.d, r.M, r.M0, r.ntotal, r.ef_search, r.max_level], [a["d"], a["M"], 2 * a["M"], 0, 16, -1]))

for _metric in AN.METRICS:
    entry(f"ann.HNSWIndex.search[{_metric}]", (lambda m: lambda q, k: _hnsw(m).search(q, k))(_metric),
          lambda: {"q": rng_matrix(3, 5, 12).astype(np.float32), "k": 3},
          muts={"q": matrix(ncols=True, zero="raise" if _metric == "cosine" else "either", one_d="raise"),
                "k": k_of(8)},
          oracle=_faiss_ref(_metric))


def _add(x: Any) -> Any:
    index = _hnsw("l2", n=3)
    index.add(x)
    return index


def _added_oracle(a: dict, r: Any) -> None:
    x = np.asarray(a["x"], np.float32)
    r.ef_search = r.ntotal
    _close(r.ntotal, 3 + len(x))
    _close(r.search(x, 1)[0][:, 0], np.zeros(len(x)), atol=1e-4, what="distance of each added vector to itself")


entry("ann.HNSWIndex.add[hnsw]", _add, lambda: {"x": rng_matrix(6, 5, 13).astype(np.float32)},
      muts={"x": matrix(ncols=True, one_d="raise")}, oracle=_added_oracle)


def _ef(value: Any) -> Any:
    index = _hnsw("ip")
    index.ef_search = value
    return index.search(rng_matrix(2, 5, 12), 3)


entry("ann.HNSWIndex.ef_search", _ef, {"value": 4}, muts={"value": posint()}, aliases={"value": ("ef_search",)})


def _neighbours_oracle(a: dict, r: Any) -> None:
    assert r.dtype == np.int64 and r.ndim == 1 and 1 <= r.size <= 7, r
    assert a["position"] not in r and ((r >= 0) & (r < 8)).all(), r


entry("ann.HNSWIndex.neighbours", lambda position, layer: _hnsw("l2").neighbours(position, layer),
      {"position": 3, "layer": 0},
      muts={"position": [Mut("negative", lambda v, d: -1), Mut("too_big", lambda v, d: 8), Mut("float", lambda v, d: 2.0),
                         Mut("string", lambda v, d: "3"), Mut("bool", lambda v, d: True), Mut("none", lambda v, d: None)],
            "layer": [Mut("negative", lambda v, d: -1), Mut("too_big", lambda v, d: 99), Mut("float", lambda v, d: 0.5),
                      Mut("string", lambda v, d: "0"), Mut("none", lambda v, d: None)]},
      oracle=_neighbours_oracle)


def _levels_oracle(a: dict, r: Any) -> None:
    assert r.dtype == np.int32 and r.shape == (a["n"],) and (r >= 0).all(), r
    _close((r >= 1).mean(), 1 / a["M"], atol=0.05, what="share at level >= 1")


entry("ann.hnsw_levels", lambda n, M, random_state: AN.hnsw_levels(n, M, random_state),
      {"n": 2000, "M": 16, "random_state": 0},
      muts={"n": posint(zero="either"), "M": posint() + _one(), "random_state": seed()},
      oracle=lambda a, r: _levels_oracle(a, r) if a["n"] else None)
