"""The approximate indexes of embedcourse.ann (IVF, PQ, IVF-PQ, SQ8, LSH) against the Index contract.

Every index here is built small (seeded random vectors; the real-data oracle tests live in
test_ann_ivf.py, test_ann_pq.py and test_ann_lsh.py) and checked for: save then load gives
bitwise identical results, the same random_state gives the same results, one add equals many
small adds, custom ids come back, reset keeps the training, and bad input raises a clear error.
"""

from __future__ import annotations

import numpy as np
import pytest

from embedcourse.ann import (FlatIndex, Index, IVFIndex, IVFPQIndex, LSHIndex, PQIndex, SQ8Index,
                             index_factory)

D = 16


def _data(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(30, D)) * 3  # clustered, as embeddings are
    x = centers[rng.integers(0, 30, n)] + rng.normal(size=(n, D))
    return x.astype(np.float32)


BUILDERS = {
    "ivf": lambda metric, rs=0: IVFIndex(D, 32, metric=metric, random_state=rs),
    "pq": lambda metric, rs=0: PQIndex(D, 4, nbits=6, metric=metric, random_state=rs),
    "ivfpq": lambda metric, rs=0: IVFPQIndex(D, 16, 4, nbits=6, metric=metric, random_state=rs),
    "ivfpq_rerank": lambda metric, rs=0: IVFPQIndex(D, 16, 4, nbits=6, metric=metric, rerank=3, random_state=rs),
    "ivfpq_flat_codes": lambda metric, rs=0: IVFPQIndex(D, 16, 8, nbits=5, metric=metric, by_residual=False,
                                                        random_state=rs),
    "sq8": lambda metric, rs=0: SQ8Index(D, metric),
    "lsh": lambda metric, rs=0: LSHIndex(D, 8, 4, metric=metric, random_state=rs),
}
KINDS = list(BUILDERS)
METRICS = ["ip", "l2", "cosine"]


def _built(kind, metric, x, rs=0, ids=None):
    index = BUILDERS[kind](metric, rs)
    index.train(x)
    index.add(x, ids=ids)
    for knob, value in (("nprobe", 4), ("nflip", 1)):
        if hasattr(index, knob):
            setattr(index, knob, value)
    return index


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """One BLAS thread: on a busy machine, threaded BLAS makes these small products 100x slower."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def _separated(D):
    """Places whose score differs from both neighbours' (the last place is never known to be)."""
    gap = D[:, 1:] != D[:, :-1]
    sep = np.ones(D.shape, dtype=bool)
    sep[:, :-1] &= gap
    sep[:, 1:] &= gap
    sep[:, -1] = False
    return sep


def _recall(labels, gt):
    return float(np.mean([len(set(a) & set(b)) / gt.shape[1] for a, b in zip(labels, gt, strict=True)]))


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("kind", KINDS)
def test_contract_save_load_determinism(kind, metric, tmp_path):
    x = _data()
    q = _data(100, seed=1)
    index = _built(kind, metric, x)
    D1, I1 = index.search(q, 10)
    assert D1.shape == I1.shape == (100, 10) and D1.dtype == np.float32 and I1.dtype == np.int64
    assert ((I1 >= 0) & (I1 < len(x))).all()
    assert all(len(set(row)) == 10 for row in I1)  # k distinct real neighbours, never -1 padding
    steps = np.diff(D1, axis=1)  # best first
    assert (steps >= 0).all() if metric == "l2" else (steps <= 0).all()
    # save -> load: the same class, parameters, knobs and bitwise the same answers
    loaded = Index.load(index.save(tmp_path / kind))
    assert type(loaded) is type(index) and repr(loaded) == repr(index)
    D2, I2 = loaded.search(q, 10)
    assert D1.tobytes() == D2.tobytes() and I1.tobytes() == I2.tobytes()
    # the same random_state builds the same index
    D3, I3 = _built(kind, metric, x).search(q, 10)
    assert D1.tobytes() == D3.tobytes() and I1.tobytes() == I3.tobytes()
    # a better-than-chance answer: recall@10 against exact search
    flat = FlatIndex(D, metric)
    flat.add(x)
    assert _recall(I1, flat.search(q, 10)[1]) > 0.2  # chance: 0.003; observed 0.29 (PQ, ip) to 1.0


@pytest.mark.parametrize("kind", KINDS)
def test_other_random_state_changes_training_not_contract(kind):
    if kind == "sq8":
        pytest.skip("SQ8 training is deterministic (min and max)")
    x = _data()
    a, b = _built(kind, "l2", x, rs=0), _built(kind, "l2", x, rs=1)
    assert a.search(x[:50], 5)[1].shape == b.search(x[:50], 5)[1].shape
    state_a, state_b = a._get_state(), b._get_state()
    assert any(not np.array_equal(state_a[key], state_b[key]) for key in state_a)


@pytest.mark.parametrize("kind", KINDS)
def test_many_adds_equal_one_add_and_custom_ids(kind):
    x = _data(2000)
    q = _data(40, seed=2)
    one = _built(kind, "cosine", x)
    many = BUILDERS[kind]("cosine")
    many.train(x)
    for part in np.array_split(x, 7):
        many.add(part)
    for knob in ("nprobe", "nflip"):
        if hasattr(one, knob):
            setattr(many, knob, getattr(one, knob))
    (D1, I1), (D2, I2) = one.search(q, 10), many.search(q, 10)
    np.testing.assert_array_equal(I1, I2)
    np.testing.assert_allclose(D1, D2, rtol=1e-6, atol=1e-6)
    if kind == "ivfpq_rerank":
        return  # ADC ties at the (rerank * k)-th place go to the smaller id: renaming changes the candidates
    # custom ids in reverse order: the same neighbours, renamed
    ids = np.arange(len(x))[::-1] * 5 + 7
    renamed = _built(kind, "cosine", x, ids=ids)
    D3, I3 = renamed.search(q, 10)
    np.testing.assert_allclose(D3, D1, rtol=1e-6, atol=1e-6)
    sep = _separated(D1)  # compare ids where the scores are not tied (PQ codes often tie)
    np.testing.assert_array_equal(I3[sep], ids[I1][sep])
    assert sep.mean() > 0.5, sep.mean()


@pytest.mark.parametrize("kind", KINDS)
def test_reset_keeps_training(kind):
    x = _data(1500)
    index = _built(kind, "l2", x)
    before = index.search(x[:20], 3)
    index.reset()
    assert index.ntotal == 0 and index.is_trained
    with pytest.raises(ValueError, match="the index is empty"):
        index.search(x[:2], 1)
    index.add(x)
    after = index.search(x[:20], 3)
    np.testing.assert_array_equal(before[1], after[1])


@pytest.mark.parametrize("kind", KINDS)
def test_bad_input(kind):
    x = _data(1500)
    index = BUILDERS[kind]("cosine")
    with pytest.raises(RuntimeError, match="must be trained before add: call train"):
        index.add(x)
    with pytest.raises(RuntimeError, match="must be trained before search"):
        index.search(x[:2], 1)
    with pytest.raises(ValueError, match=r"x must be a 2-d array of shape \(n, 16\); got shape \(10, 15\)"):
        index.train(x[:10, :15])
    bad = x.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="x contains NaN or infinity"):
        index.train(bad)
    index.train(x)
    with pytest.raises(ValueError, match="x contains NaN or infinity"):
        index.add(bad)
    index.add(x[:100])
    with pytest.raises(ValueError, match="q contains NaN or infinity"):
        index.search(bad[:5], 3)
    with pytest.raises(ValueError, match=r"q must be a 2-d array of shape \(n, 16\)"):
        index.search(x[:2, :8], 3)
    with pytest.raises(ValueError, match=r"k=101 is larger than the index \(ntotal=100\)"):
        index.search(x[:2], 101)
    assert index.search(x[:2], 100)[1].shape == (2, 100)  # k = ntotal is fine: every vector


def test_too_few_training_vectors():
    x = _data(100)
    with pytest.raises(ValueError, match=r"nlist=200 is larger than the number of training vectors in x \(n=100\)"):
        IVFIndex(D, 200).train(x)
    with pytest.raises(ValueError, match=r"ksub=2\*\*nbits=256 is larger than the number of training vectors"):
        PQIndex(D, 4).train(x)
    with pytest.raises(ValueError, match="nlist=101 is larger"):
        IVFPQIndex(D, 101, 4, nbits=4).train(x)


def test_bad_construction():
    with pytest.raises(ValueError, match=r"m=5 must divide the dimension d=16.*\[1, 2, 4, 8, 16\]"):
        PQIndex(D, 5)
    with pytest.raises(ValueError, match="m=3 must divide"):
        IVFPQIndex(D, 8, 3)
    with pytest.raises(ValueError, match=r"nbits must be an int in \[1, 8\] \(codes are uint8\)"):
        PQIndex(D, 4, nbits=9)
    with pytest.raises(ValueError, match=r"nlist must be an int in \[1, "):
        IVFIndex(D, 0)
    with pytest.raises(TypeError, match="nlist must be an int"):
        IVFIndex(D, 2.5)
    with pytest.raises(ValueError, match="nbits must be an int in \\[1, 62\\]"):
        LSHIndex(D, 64)
    with pytest.raises(ValueError, match="unknown metric"):
        SQ8Index(D, "cos")
    with pytest.raises(ValueError, match="random_state must be"):
        IVFIndex(D, 8, random_state=-1)
    index = IVFIndex(D, 8)
    with pytest.raises(ValueError, match=r"nprobe must be an int >= 1; got 0"):
        index.nprobe = 0
    lsh = LSHIndex(D, 8, 2)
    with pytest.raises(ValueError, match=r"nflip must be an int in \[0, 8\]"):
        lsh.nflip = 9
    ivfpq = IVFPQIndex(D, 8, 4)
    with pytest.raises(ValueError, match="rerank needs the original vectors.*rerank >= 1"):
        ivfpq.rerank = 2
    with pytest.raises(ValueError, match="rerank must be an int in"):
        IVFPQIndex(D, 8, 4, rerank=-1)


def test_rerank_knob_round_trips(tmp_path):
    x = _data(2000)
    index = _built("ivfpq_rerank", "l2", x)
    index.rerank = 0  # ADC scores only, vectors still kept
    D0, _ = index.search(x[:5], 3)
    loaded = Index.load(index.save(tmp_path / "r"))
    assert loaded.rerank == 0 and loaded.keeps_vectors and loaded.xb.shape == (2000, D)
    np.testing.assert_array_equal(loaded.search(x[:5], 3)[0], D0)
    loaded.rerank = 5
    assert Index.load(loaded.save(tmp_path / "r5")).rerank == 5
    assert IVFPQIndex(D, 8, 4).xb.shape == (0, D)  # no re-ranking: no float32 copy kept


def test_factory_builds_every_family():
    x = _data(3000)
    for description, kind in [("IVF32,Flat", IVFIndex), ("PQ4x6", PQIndex), ("IVF16,PQ4x6", IVFPQIndex),
                              ("IVF16,PQ4x6,Refine(Flat)", IVFPQIndex), ("SQ8", SQ8Index), ("LSH8x4", LSHIndex)]:
        index = index_factory(D, description, metric="l2")
        assert type(index) is kind, description
        index.train(x)
        index.add(x)
        assert index.search(x[:3], 2)[1].shape == (3, 2)
    assert index_factory(D, "IVF16,PQ4x6,RFlat").rerank == 1
    assert index_factory(D, "IVF16,PQ4").rerank == 0 and not index_factory(D, "IVF16,PQ4").keeps_vectors
    assert index_factory(D, "PQ4").nbits == 8
    lsh = index_factory(D, "LSH")
    assert (lsh.nbits, lsh.ntables) == (16, 8)
    assert (index_factory(D, "LSH12").nbits, index_factory(D, "LSH12").ntables) == (12, 8)
