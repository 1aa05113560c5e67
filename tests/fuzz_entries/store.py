"""Fuzz entries of embedcourse.store (the vector store of chapter 06); see tests/test_fuzz.py."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

import embedcourse.store as S
from test_fuzz import Mut, _close, _cls_entry, choice, entry, k_of, matrix, posint, rng_matrix

_D = 5


def _store(n: int = 8, metric: str = "cosine") -> Any:
    store = S.VectorStore(d=_D, metric=metric)
    store.upsert(list(range(n)), rng_matrix(n, _D, 21).astype(np.float32),
                 [{"source": "ab"[i % 2], "day": i} for i in range(n)])
    return store


def _ids_muts(*, unknown: str = "raise") -> list[Mut]:
    return [Mut("dupes", lambda v, d: [v[0], v[0]]), Mut("negative", lambda v, d: [-1]),
            Mut("float", lambda v, d: [1.5]), Mut("string", lambda v, d: "12"), Mut("empty", lambda v, d: []),
            Mut("ndim2", lambda v, d: [list(v)]), Mut("bool", lambda v, d: [True]), Mut("none", lambda v, d: None),
            Mut("unknown", lambda v, d: [999], unknown)]


def _filter_muts() -> list[Mut]:
    return [Mut("string", lambda v, d: "source == 'a'"), Mut("unknown_op", lambda v, d: {"day": {"$between": [1, 2]}}),
            Mut("in_not_list", lambda v, d: {"source": {"$in": "a"}}), Mut("nan", lambda v, d: {"day": float("nan")}),
            Mut("empty_and", lambda v, d: {"$and": []}), Mut("list", lambda v, d: [v]),
            Mut("none", lambda v, d: None, "either"), Mut("gt_none", lambda v, d: {"day": {"$gt": None}})]


def _upsert(ids: Any, X: Any, payloads: Any) -> Any:
    store = _store()
    store.upsert(ids, X, payloads)
    return store


def _upsert_oracle(a: dict, r: Any) -> None:
    ids = list(a["ids"])
    _close(len(r), len(set(ids) | set(range(8))))
    got = np.stack([rec["vector"] for rec in r.get(ids)])
    X = np.asarray(a["X"], np.float64)
    _close(got, X / np.linalg.norm(X, axis=1, keepdims=True), rtol=1e-5, atol=1e-6, what="stored vectors")


entry("store.VectorStore.upsert", _upsert,
      lambda: {"ids": [3, 20], "X": rng_matrix(2, _D, 22), "payloads": [{"a": 1}, {"b": [1, 2]}]},
      muts={"ids": _ids_muts(unknown="either"), "X": matrix(ncols=True, zero="raise", one_d="raise"),
            "payloads": [Mut("dict", lambda v, d: v[0]), Mut("short", lambda v, d: v[:1]),
                         Mut("nan", lambda v, d: [{"a": float("nan")}, v[1]]), Mut("not_dict", lambda v, d: [3, v[1]]),
                         Mut("set_value", lambda v, d: [{"a": {1}}, v[1]]), Mut("string", lambda v, d: "a")]},
      oracle=_upsert_oracle)
entry("store.VectorStore", lambda d, metric, index: S.VectorStore(d=d, metric=metric, index=index),
      {"d": 5, "metric": "l2", "index": "Flat"},
      muts={"d": posint(), "index": choice(),
            "metric": [m for m in choice() if m.label != "none"] + [Mut("none", lambda v, d: None, "either")]},
      oracle=lambda a, r: _close([r.d, len(r), r.lsn], [a["d"], 0, 0]))
entry("store.VectorStore.delete", lambda ids: (lambda s: (s.delete(ids), s)[1])(_store()), {"ids": [1, 2]},
      muts={"ids": _ids_muts()}, oracle=lambda a, r: _close(len(r), 6))
entry("store.VectorStore.get", lambda ids: _store().get(ids), {"ids": [4, 1]},
      muts={"ids": [m for m in _ids_muts() if m.label != "dupes"]},
      oracle=lambda a, r: _close([x["payload"]["day"] for x in r], [4, 1]))


def _search_oracle(a: dict, r: Any) -> None:
    store = _store(metric="l2")
    recs = store.get(store.ids())
    keep = [x for x in recs if S.matches(x["payload"], a["filter"])]
    X = np.stack([x["vector"] for x in keep]).astype(np.float64)
    Q = np.asarray(a["q"], np.float64)
    dist = ((Q[:, None, :] - X[None]) ** 2).sum(-1)
    ref = np.sort(dist, axis=1)[:, : int(a["k"])]
    D_, got = r
    m = ref.shape[1]  # fewer than k may match: the rest is padding (-1, inf)
    assert (got[:, m:] == -1).all() and (got[:, :m] >= 0).all(), got
    _close(D_[:, :m], ref, rtol=1e-4, atol=1e-4, what="distances")


entry("store.VectorStore.search",
      lambda q, k, filter, strategy, overfetch: _store(metric="l2").search(q, k, filter=filter, strategy=strategy,
                                                                            overfetch=overfetch),
      lambda: {"q": rng_matrix(2, _D, 23), "k": 3, "filter": {"source": "a"}, "strategy": "pre", "overfetch": 2},
      muts={"q": matrix(ncols=True, one_d="raise"), "k": k_of(4, big="either"), "filter": _filter_muts(),
            "strategy": choice(), "overfetch": posint()},
      oracle=_search_oracle, allow_inf=True)
entry("store.VectorStore.count", lambda filter: _store().count(filter), {"filter": {"day": {"$gte": 5}}},
      muts={"filter": _filter_muts()}, oracle=lambda a, r: _close(r, 3 if a["filter"] else 8))
entry("store.VectorStore.ids", lambda: _store().ids(), {}, oracle=lambda a, r: _close(r, np.arange(8)))
entry("store.VectorStore.build_index", lambda: _store().build_index(), {}, oracle=lambda a, r: _close(r.ntotal, 8))
entry("store.VectorStore.compact", lambda: (lambda s: (s.delete([0]), s.compact(), s)[2])(_store()), {},
      oracle=lambda a, r: _close(len(r), 7))
entry("store.VectorStore.close", lambda: (lambda s: (s.close(), s)[1])(_store()), {})

entry("store.check_filter", lambda filter: S.check_filter(filter), {"filter": {"$or": [{"a": 1}, {"b": {"$lt": 2}}]}},
      muts={"filter": _filter_muts()})
entry("store.matches", lambda payload, filter: S.matches(payload, filter),
      {"payload": {"a": 1, "t": ["x", "y"]}, "filter": {"t": "y", "a": {"$in": [1, 2]}}},
      muts={"payload": [Mut("list", lambda v, d: [v]), Mut("string", lambda v, d: "a"), Mut("none", lambda v, d: None)],
            "filter": _filter_muts()},
      oracle=lambda a, r: _close(r, 1.0 if a["filter"] else 1.0))
entry("store.filter_mask", lambda payloads, filter: S.filter_mask(payloads, filter),
      {"payloads": [{"a": 1}, {"a": 2}, {}], "filter": {"a": {"$gt": 1}}},
      muts={"payloads": [Mut("dict", lambda v, d: v[0]), Mut("string", lambda v, d: "a"),
                         Mut("item", lambda v, d: [v[0], 3])],
            "filter": _filter_muts()},
      oracle=lambda a, r: _close(r, [False, True, False] if a["filter"] else [True] * 3))

_HEADER = {"lsn": 1, "op": "upsert", "ids": [1, 2]}
entry("store.encode_record", lambda header, vectors: S.encode_record(header, vectors),
      lambda: {"header": dict(_HEADER), "vectors": rng_matrix(2, _D, 24).astype(np.float32)},
      muts={"header": [Mut("list", lambda v, d: [v]), Mut("nan", lambda v, d: {**v, "x": float("nan")}),
                       Mut("set", lambda v, d: {**v, "x": {1}})],
            "vectors": [m for m in matrix(one_d="raise", empty="either") if m.label != "huge_f32"]},
      oracle=lambda a, r: _close(S.decode_record(r[8:])[1], np.asarray(a["vectors"], np.float32), what="round trip"))
entry("store.decode_record", lambda body: S.decode_record(body),
      lambda: {"body": S.encode_record(dict(_HEADER), rng_matrix(2, _D, 24))[8:]},
      muts={"body": [Mut("short", lambda v, d: v[:3]), Mut("cut", lambda v, d: v[:-4]), Mut("string", lambda v, d: "abc"),
                     Mut("garbage", lambda v, d: b"\x05\x00\x00\x00hello!")]},
      oracle=lambda a, r: _close(r[0]["ids"], [1, 2]))


def _log_file() -> dict:
    path = os.path.join(tempfile.mkdtemp(prefix="ec-fuzz-"), "wal.log")
    with open(path, "wb") as fh:
        for lsn in (1, 2):
            fh.write(S.encode_record({**_HEADER, "lsn": lsn}, rng_matrix(2, _D, 24)))
    return {"path": path}


_PATH_MUTS = [Mut("int", lambda v, d: 3), Mut("none", lambda v, d: None), Mut("empty", lambda v, d: "")]
entry("store.read_log", lambda path: S.read_log(path), _log_file,
      muts={"path": _PATH_MUTS + [Mut("missing", lambda v, d: v + ".gone", "either")]},
      oracle=lambda a, r: _close([len(r.records), r.torn_bytes], [2 if os.path.exists(a["path"]) else 0, 0]))
_cls_entry("store.LogScan", S.LogScan, {"records": [], "valid_bytes": 0, "total_bytes": 0})


def _wal(path: Any, record: Any) -> Any:
    log = S.WriteAheadLog(path)
    try:
        return log.append(record)
    finally:
        log.close()


entry("store.WriteAheadLog", _wal,
      lambda: {**_log_file(), "record": S.encode_record(dict(_HEADER), rng_matrix(2, _D, 24))},
      muts={"path": _PATH_MUTS + [Mut("no_dir", lambda v, d: os.path.join(v + ".missing", "wal.log"))],
            "record": [Mut("string", lambda v, d: "abc"), Mut("short", lambda v, d: b"ab"), Mut("none", lambda v, d: None)]},
      covers=("store.WriteAheadLog.append", "store.WriteAheadLog.close"))


def _atomic(path: Any) -> Any:
    written = S.atomic_write(path, lambda fh: fh.write(b"new"))
    with open(written, "rb") as fh:
        assert fh.read() == b"new"
    return str(written)


entry("store.atomic_write", _atomic, lambda: {"path": os.path.join(tempfile.mkdtemp(prefix="ec-fuzz-"), "snap.bin")},
      muts={"path": _PATH_MUTS + [Mut("no_dir", lambda v, d: os.path.join(v + ".missing", "x.bin"))]})
entry("store.fsync_dir", lambda path: S.fsync_dir(path), lambda: {"path": tempfile.mkdtemp(prefix="ec-fuzz-")},
      muts={"path": _PATH_MUTS + [Mut("missing", lambda v, d: v + ".gone")]})


def _torn_log() -> dict:
    path = _log_file()["path"]
    with open(path, "ab") as fh:
        fh.write(S.encode_record({**_HEADER, "lsn": 3}, rng_matrix(2, _D, 24))[:-7])
    return {"path": path}


entry("store.repair_log", lambda path: S.repair_log(path), _torn_log,
      muts={"path": _PATH_MUTS + [Mut("missing", lambda v, d: v + ".gone", "either")]},
      oracle=lambda a, r: _close([len(r.records), os.path.getsize(a["path"]) if os.path.exists(a["path"]) else 0],
                                 [2 if os.path.exists(a["path"]) else 0, r.valid_bytes]))


def _snap_args() -> dict:
    return {"path": os.path.join(tempfile.mkdtemp(prefix="ec-fuzz-"), "snapshot.npz"), "header": {"lsn": 4},
            "ids": np.array([5, 9]), "X": rng_matrix(2, _D, 25)}


def _snap_roundtrip(path: Any, header: Any, ids: Any, X: Any) -> Any:
    return S.read_snapshot(S.write_snapshot(path, header, ids, X))


entry("store.write_snapshot", _snap_roundtrip, _snap_args,
      muts={"path": _PATH_MUTS + [Mut("no_dir", lambda v, d: os.path.join(v + ".missing", "s.npz"))],
            "header": [Mut("list", lambda v, d: [v]), Mut("nan", lambda v, d: {"x": float("nan")})],
            "ids": [Mut("short", lambda v, d: v[:1]), Mut("float", lambda v, d: v + 0.5), Mut("string", lambda v, d: "59")],
            "X": [m for m in matrix(one_d="raise", empty="raise") if m.label != "huge_f32"]},
      oracle=lambda a, r: (_close(r[1], a["ids"]), _close(r[2], a["X"], rtol=1e-6), _close(r[0]["lsn"], 4)))


def _snapshot_file() -> dict:
    a = _snap_args()
    S.write_snapshot(a["path"], a["header"], a["ids"], a["X"])
    return {"path": a["path"]}


def _not_snapshot(v: str, d: Any) -> str:
    with open(v + ".txt", "w") as fh:
        fh.write("not a snapshot")
    return v + ".txt"


entry("store.read_snapshot", lambda path: S.read_snapshot(path), _snapshot_file,
      muts={"path": _PATH_MUTS + [Mut("missing", lambda v, d: v + ".gone"), Mut("not_snapshot", _not_snapshot),
                                  Mut("plain_npz", lambda v, d: (np.savez(v + ".p.npz", x=np.arange(3)), v + ".p.npz")[1])]},
      oracle=lambda a, r: _close(r[1], [5, 9]))


def _lock(path: Any) -> Any:
    fh = S.lock_folder(path)
    try:
        try:
            S.lock_folder(path)
        except RuntimeError:
            return "locked"
        raise AssertionError("a second lock was granted")
    finally:
        fh.close()


entry("store.lock_folder", _lock, lambda: {"path": os.path.join(tempfile.mkdtemp(prefix="ec-fuzz-"), "LOCK")},
      muts={"path": _PATH_MUTS + [Mut("no_dir", lambda v, d: os.path.join(v + ".missing", "LOCK"))]})
