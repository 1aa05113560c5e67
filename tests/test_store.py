"""Tests of embedcourse.store: CRUD, filters, pre/post-filtered search, durability, concurrency."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import oracle

import embedcourse as ec
from embedcourse.store import VectorStore, check_filter, encode_record, filter_mask, matches, read_log

D = 8


def _vecs(ids: list[int] | np.ndarray, d: int = D) -> np.ndarray:
    """A deterministic vector per id (so a reopened store can be checked row by row)."""
    return np.stack([np.random.default_rng(int(i) + 1).normal(size=d) for i in ids]).astype(np.float32)


def _payload(i: int) -> dict:
    return {"source": ["bbc", "cnn", "dw", "rte"][i % 4], "day": i % 50, "tags": ["even"] if i % 2 == 0 else []}


def _filled(path: Path | None = None, n: int = 200, metric: str = "cosine", **kw) -> VectorStore:
    store = VectorStore(path, d=D, metric=metric, **kw)
    ids = list(range(n))
    store.upsert(ids, _vecs(ids), [_payload(i) for i in ids])
    return store


# ---------------------------------------------------------------- filters
def test_filter_language() -> None:
    p = {"source": "bbc", "day": 12, "tags": ["eu", "trade"], "meta": {"lang": "en"}, "flag": True}
    assert matches(p, None) and matches(p, {})
    assert matches(p, {"source": "bbc", "day": {"$gte": 12, "$lt": 13}})
    assert not matches(p, {"source": {"$ne": "bbc"}})
    assert matches(p, {"source": {"$in": ["cnn", "bbc"]}}) and not matches(p, {"source": {"$nin": ["bbc"]}})
    assert matches(p, {"tags": "eu"}) and matches(p, {"tags": {"$in": ["x", "trade"]}})
    assert matches(p, {"meta.lang": "en"}) and not matches(p, {"meta.lang": {"$exists": False}})
    assert matches(p, {"missing": {"$exists": False}}) and matches(p, {"missing": {"$ne": 3}})
    assert matches(p, {"$or": [{"source": "cnn"}, {"day": 12}]}) and not matches(p, {"$not": {"day": 12}})
    assert not matches(p, {"source": {"$gt": 3}})  # a str is never compared with a number
    assert not matches(p, {"flag": 1}) and matches(p, {"flag": True})  # bools are not numbers
    assert matches(p, {"day": 12.0})
    mask = filter_mask([p, {"source": "cnn"}], {"source": "bbc"})
    assert mask.tolist() == [True, False]


@pytest.mark.parametrize(("bad", "match"), [
    ("source", "must be a dict"),
    ({"day": {"$between": [1, 2]}}, "unknown operator '\\$between'"),
    ({"$nor": [{"a": 1}]}, "unknown operator '\\$nor'"),
    ({"source": {"$in": "bbc"}}, "non-empty list"),
    ({"day": {"$gt": None}}, "number or a str"),
    ({"day": float("nan")}, "NaN"),
    ({"$and": []}, "non-empty list of filters"),
    ({"$or": [{"a": 1}, "b"]}, "must be a dict"),
    ({"a": {"$exists": 1}}, "True or False"),
    ({"a": {}}, "empty operator dict"),
    ({3: 1}, "field names"),
])
def test_malformed_filter(bad: object, match: str) -> None:
    with pytest.raises((TypeError, ValueError), match=match):
        check_filter(bad)
    store = _filled(n=10)
    with pytest.raises((TypeError, ValueError), match=match):
        store.search(_vecs([1]), 3, filter=bad)


# ---------------------------------------------------------------- CRUD
def test_crud_in_memory() -> None:
    store = _filled(n=20)
    assert len(store) == 20 and store.count() == 20 and store.lsn == 1
    rec = store.get([3])[0]
    assert rec["id"] == 3 and rec["payload"] == _payload(3)
    want = _vecs([3])[0] / np.linalg.norm(_vecs([3])[0])
    np.testing.assert_allclose(rec["vector"], want, rtol=1e-6, atol=1e-7)
    # upsert replaces: same id, new vector and payload; the count does not change
    store.upsert([3], _vecs([1003]), [{"source": "new"}])
    assert len(store) == 20 and store.get([3])[0]["payload"] == {"source": "new"}
    D_, found = store.search(_vecs([1003]), 1)
    assert found[0, 0] == 3 and D_[0, 0] == pytest.approx(1.0, abs=1e-5)
    assert store.delete([3, 4]) == 2
    assert len(store) == 18 and 3 not in store.ids() and 4 not in store.ids()
    with pytest.raises(KeyError, match="unknown id 3"):
        store.get([3])
    assert store.count({"source": "bbc"}) == sum(_payload(i)["source"] == "bbc" for i in range(20) if i not in (3, 4))


@pytest.mark.parametrize("metric", ["cosine", "ip", "l2"])
def test_prefilter_equals_bruteforce(metric: str) -> None:
    n = 300
    store = _filled(n=n, metric=metric)
    store.delete(list(range(0, n, 7)))
    store.upsert(list(range(1, n, 11)), _vecs(range(5001, 5001 + len(range(1, n, 11)))),
                 [_payload(i) for i in range(1, n, 11)])
    Q = _vecs(range(9000, 9012))
    flt = {"$or": [{"source": "bbc"}, {"day": {"$gte": 40}}], "tags": {"$nin": ["never"]}}
    D_, found = store.search(Q, 10, filter=flt)
    # ground truth: numpy over the live records that match
    live = store.ids()
    recs = store.get(live)
    keep = np.array([matches(r["payload"], flt) for r in recs])
    ids, X = live[keep], np.stack([r["vector"] for r in recs])[keep].astype(np.float64)
    Qd = Q.astype(np.float64)
    if metric == "cosine":
        Qd /= np.linalg.norm(Qd, axis=1, keepdims=True)
    S = -((Qd[:, None, :] - X[None]) ** 2).sum(-1) if metric == "l2" else Qd @ X.T
    order = np.argsort(-S, axis=1, kind="stable")[:, :10]
    np.testing.assert_allclose(np.abs(D_), np.abs(np.take_along_axis(S, order, 1)), rtol=1e-4, atol=1e-4)
    assert (found == ids[order]).mean() > 0.99  # near-ties may swap (float32 against float64)


def test_prefilter_matches_faiss() -> None:
    faiss = oracle("faiss")
    store = _filled(n=150)
    X = np.stack([r["vector"] for r in store.get(store.ids())])
    ref = faiss.IndexFlatIP(D)
    ref.add(X)
    Q = _vecs(range(700, 705))
    Q /= np.linalg.norm(Q, axis=1, keepdims=True)
    D_ref, ids_ref = ref.search(Q, 5)
    D_, found = store.search(Q, 5)
    np.testing.assert_allclose(D_, D_ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(found, store.ids()[ids_ref])


def test_post_filter_recall_trap() -> None:
    store = _filled(n=400)
    Q = _vecs(range(800, 820))
    D_pre, ids_pre = store.search(Q, 10)
    D_post, ids_post = store.search(Q, 10, strategy="post")  # no filter, exact index: the same answer
    np.testing.assert_array_equal(ids_pre, ids_post)
    flt = {"day": {"$lt": 4}}  # 8% of the records
    _, ids_pre = store.search(Q, 10, filter=flt)
    _, ids_post = store.search(Q, 10, filter=flt, strategy="post", overfetch=2)
    assert (ids_pre >= 0).all()  # pre-filtering always fills k when k records match
    found = (ids_post >= 0).sum(1)
    assert found.mean() < 5, found  # 20 candidates hold about 1.6 matches
    for row_pre, row_post in zip(ids_pre, ids_post, strict=True):  # what post finds is pre's top, in order
        got = row_post[row_post >= 0]
        np.testing.assert_array_equal(got, row_pre[: got.size])
    _, ids_big = store.search(Q, 10, filter=flt, strategy="post", overfetch=400)
    np.testing.assert_array_equal(ids_big, ids_pre)  # over-fetching everything is pre-filtering


def test_search_pads_when_few_match() -> None:
    store = _filled(n=20, metric="l2")
    D_, found = store.search(_vecs([1]), 5, filter={"day": 3})
    assert found[0, 0] == 3 and (found[0, 1:] == -1).all() and np.isinf(D_[0, 1:]).all()


def test_ann_index_if_available() -> None:
    try:
        store = _filled(n=300, index="HNSW16")
    except ValueError as exc:
        pytest.skip(f"no HNSW index in embedcourse.ann yet: {exc}")
    Q = _vecs(range(900, 920))
    _, ids_exact = store.search(Q, 10)
    _, ids_ann = store.search(Q, 10, strategy="post", overfetch=2)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids_exact, ids_ann, strict=True)])
    assert recall > 0.9, recall


# ---------------------------------------------------------------- bad input
def test_bad_input() -> None:
    store = _filled(n=10)
    with pytest.raises(ValueError, match="shape \\(n, 8\\)"):
        store.upsert([100], np.ones((1, D + 1)))
    with pytest.raises(ValueError, match="NaN|finite"):
        store.upsert([100], np.full((1, D), np.nan))
    with pytest.raises(ValueError, match="unique within one call; 5"):
        store.upsert([5, 5], _vecs([5, 5]))
    with pytest.raises(ValueError, match="zero row"):
        store.upsert([100], np.zeros((1, D)))
    with pytest.raises(ValueError, match="X has 1 rows for 2 ids"):
        store.upsert([100, 101], _vecs([1]))
    with pytest.raises(TypeError, match="ids must be non-negative ints"):
        store.upsert(["a"], _vecs([1]))
    with pytest.raises(ValueError, match="non-negative"):
        store.upsert([-1], _vecs([1]))
    with pytest.raises(ValueError, match="payloads\\[0\\] must be JSON"):
        store.upsert([100], _vecs([1]), [{"x": float("nan")}])
    with pytest.raises(TypeError, match="payloads must be a list"):
        store.upsert([100], _vecs([1]), {"x": 1})
    with pytest.raises(KeyError, match="unknown id 999"):
        store.delete([1, 999])
    assert len(store) == 10  # nothing was deleted by the failed call
    with pytest.raises(KeyError, match="unknown id 999"):
        store.get([999])
    with pytest.raises(ValueError, match="q must be a 2-d array"):
        store.search(np.ones(D), 3)
    with pytest.raises(ValueError, match="strategy"):
        store.search(_vecs([1]), 3, strategy="sideways")
    with pytest.raises(ValueError, match="k must be"):
        store.search(_vecs([1]), 0)
    with pytest.raises(ValueError, match="d \\(the vector dimension\\) is required"):
        VectorStore()
    with pytest.raises(ValueError, match="index='Bogus1' cannot be built"):
        VectorStore(d=4, index="Bogus1")
    assert store.lsn == 1  # no failed call reached the log
    store.close()
    with pytest.raises(ValueError, match="closed"):
        store.search(_vecs([1]), 1)


def test_open_mismatch_and_lock(tmp_path: Path) -> None:
    path = tmp_path / "s"
    store = _filled(path, n=5)
    with pytest.raises(RuntimeError, match="is locked: the store is open in another VectorStore"):
        VectorStore(path)
    store.close()
    with pytest.raises(ValueError, match="d=9 does not match"):
        VectorStore(path, d=9)
    with pytest.raises(ValueError, match="metric='l2' does not match"):
        VectorStore(path, metric="l2")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.txt").write_text("hello")
    with pytest.raises(ValueError, match="not a vector store folder"):
        VectorStore(tmp_path / "other", d=4)
    with VectorStore(path) as again:
        assert (again.d, again.metric, len(again)) == (D, "cosine", 5)


# ---------------------------------------------------------------- durability
def _state(store: VectorStore) -> dict:
    return {r["id"]: (r["vector"].tobytes(), r["payload"]) for r in store.get(store.ids())}


def test_reopen_and_compact(tmp_path: Path) -> None:
    path = tmp_path / "s"
    store = _filled(path, n=50)
    store.delete([1, 2])
    store.upsert([3], _vecs([333]), [{"v": 2}])
    before = _state(store)
    store.close()
    with VectorStore(path) as again:
        assert again.recovery == {"replayed": 3, "skipped": 0, "torn_bytes": 0}
        assert _state(again) == before
        log_before = (path / "wal.log").read_bytes()
        again.compact()
        assert (path / "wal.log").stat().st_size == 0
        assert _state(again) == before
    with VectorStore(path) as third:
        assert third.recovery["replayed"] == 0 and _state(third) == before and third.lsn == 3
    # a crash after the snapshot was renamed but before the log was emptied: old records are skipped
    (path / "wal.log").write_bytes(log_before)
    with VectorStore(path) as fourth:
        assert fourth.recovery == {"replayed": 0, "skipped": 3, "torn_bytes": 0}
        assert _state(fourth) == before


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_torn_tail(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "s"
    store = VectorStore(path, d=D)
    for i in range(5):
        store.upsert([i], _vecs([i]), [{"i": i}])
    store.close()
    log = path / "wal.log"
    data = log.read_bytes()
    assert len(read_log(log).records) == 5
    last = len(encode_record({"lsn": 5, "op": "upsert", "ids": [4], "payloads": [{"i": 4}]}, _vecs([4])))
    if damage == "truncate":  # the process died while writing the last record
        log.write_bytes(data[: len(data) - last // 2])
    else:  # a byte of the last record's body is wrong: its CRC does not match
        b = bytearray(data)
        b[-3] ^= 0xFF
        log.write_bytes(bytes(b))
    with VectorStore(path) as again:
        assert again.recovery["replayed"] == 4 and again.recovery["torn_bytes"] > 0
        assert again.ids().tolist() == [0, 1, 2, 3]
        again.upsert([9], _vecs([9]))  # appended after the cut, not after the garbage
    with VectorStore(path) as third:
        assert third.ids().tolist() == [0, 1, 2, 3, 9] and third.recovery["torn_bytes"] == 0


_CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    from embedcourse.store import VectorStore
    store = VectorStore(sys.argv[1], d=64)
    batch = 50
    for b in range(100000):
        ids = list(range(b * batch, (b + 1) * batch))
        X = np.random.default_rng(b).normal(size=(batch, 64)).astype(np.float32)
        store.upsert(ids, X, [{"batch": b, "i": i} for i in ids])
        print(b, flush=True)  # acknowledged: upsert returned
""")


def test_kill_mid_write_loses_nothing_acknowledged(tmp_path: Path) -> None:
    path = tmp_path / "crash"
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(path)], stdout=subprocess.PIPE, text=True)
    acked: list[int] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while len(acked) < 40 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acked.append(int(line))
        os.kill(proc.pid, signal.SIGKILL)  # no clean-up, no flush: the process dies mid-write (the OS page cache survives, unlike a power cut)
        rest, _ = proc.communicate(timeout=30)
        acked += [int(x) for x in rest.split()]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(acked) >= 40, f"the child acknowledged only {len(acked)} writes (rc={proc.returncode})"
    with VectorStore(path) as store:
        ids = store.ids()
        batches = sorted({int(i) // 50 for i in ids})
        # every acknowledged batch is there; at most one more (written, killed before it printed)
        assert set(acked) <= set(batches) and len(batches) - len(acked) <= 1, (len(acked), len(batches))
        assert batches == list(range(len(batches)))
        assert ids.size == 50 * len(batches)  # no batch is visible in part
        for b in (acked[0], acked[-1]):
            recs = store.get(list(range(b * 50, b * 50 + 50)))
            X = np.random.default_rng(b).normal(size=(50, 64)).astype(np.float32)
            X /= np.linalg.norm(X.astype(np.float64), axis=1, keepdims=True).astype(np.float32)
            np.testing.assert_allclose(np.stack([r["vector"] for r in recs]), X, rtol=1e-5, atol=1e-6)
            assert recs[7]["payload"] == {"batch": b, "i": b * 50 + 7}


# ---------------------------------------------------------------- concurrency
def test_concurrent_writers_and_readers(tmp_path: Path) -> None:
    path = tmp_path / "conc"
    store = VectorStore(path, d=D, sync=False)
    n_writers, per_writer, seconds = 4, 10_000, 2.0
    stop = time.monotonic() + seconds
    written: list[set[int]] = [set() for _ in range(n_writers)]
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        rng = np.random.default_rng(w)
        try:
            i = 0
            while time.monotonic() < stop and i < per_writer:
                ids = [w * per_writer + i, w * per_writer + i + 1]
                store.upsert(ids, rng.normal(size=(2, D)), [{"w": w}, {"w": w}])
                written[w].update(ids)
                if i % 6 == 0:  # delete one of its own, replace another
                    store.delete([ids[0]])
                    written[w].discard(ids[0])
                    store.upsert([ids[1]], rng.normal(size=(1, D)), [{"w": w, "v": 2}])
                i += 2
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader() -> None:
        rng = np.random.default_rng(99)
        try:
            while time.monotonic() < stop:
                if len(store):
                    _, found = store.search(rng.normal(size=(2, D)), 5, filter={"w": {"$in": [0, 2]}})
                    assert all(int(i) // per_writer in (0, 2) for i in found[found >= 0])
                    store.count({"w": 1})
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(n_writers)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    expected = set().union(*written)
    assert len(expected) > 100, len(expected)
    assert set(store.ids().tolist()) == expected
    for w in range(n_writers):
        assert store.count({"w": w}) == len(written[w])
    store.close()
    with VectorStore(path) as again:
        assert set(again.ids().tolist()) == expected


def test_store_is_reachable_as_attribute() -> None:
    assert ec.store.VectorStore is VectorStore
