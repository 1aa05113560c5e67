"""Memory safety of the numba kernels in embedcourse.models, and hyperparameter validation.

Numba does not check array indices, so an index out of range in a kernel reads or writes
outside the array: silent memory corruption, sometimes a crash of the kernel. Two lines of
defence are tested here:

1. every hyperparameter of every estimator (and of the hashing helpers) is validated at
   ``fit``/call time: wrong type (bool, str, float for an int), NaN, infinity or out of
   range raise a ``TypeError``/``ValueError`` naming the argument and its range;
2. the kernels themselves never index outside their arrays, whatever they are given. This is
   checked by running every kernel of the package under ``NUMBA_BOUNDSCHECK=1`` (in a
   subprocess, with a fresh numba cache so no unchecked compiled code is reused), where an
   out-of-range index raises ``IndexError`` instead of corrupting memory: full fits on real
   text (the Lee corpus) with ordinary and extreme-but-valid hyperparameters, then direct
   kernel calls with everything validation would have rejected (NaN vectors and learning
   rates, garbage noise tables, ids out of range, buffers too small, mismatched shapes).

The numba kernels of UMAP (a dependency) are not ours and are not covered.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conftest import BOUNDSCHECK_PRELUDE

from embedcourse.models import GloVe, Word2Vec
from embedcourse.models import fasttext as ft
from embedcourse import features

ROOT = Path(__file__).resolve().parents[1]

# every function compiled with numba in the package, and the test below that exercises it
# (the first three are inlined into _train_block and run with it)
KERNELS = {
    "embedcourse/models/_word2vec_kernels.py": {"_lcg", "_bisect_right", "_negative_sampling_step", "_train_block",
                                            "_sgns_pairs"},  # tests/test_word2vec.py::test_sgns_epoch_kernel_stays_in_bounds
    "embedcourse/models/_glove_kernels.py": {"_glove_epoch"},
    "embedcourse/ann/_hnsw_kernels.py": {"_dist", "_before", "_push", "_pop", "_row", "_set_count", "_new_tag", "_greedy",
                                         "_search_layer", "_drain", "_select", "_link_back", "_insert", "_scratch",
                                         "_fits", "build", "search"},  # all run inside build and search
    "embedcourse/ann/_ivf_kernels.py": {"_ivf_scan"},  # tests/test_ann_ivf.py::test_ivf_kernel_stays_in_bounds
}


def test_every_numba_kernel_is_covered():
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "embedcourse").rglob("*.py")):
        src = path.read_text(encoding="utf-8")
        names = set(re.findall(r"@(?:numba\.)?(?:njit|jit|vectorize|guvectorize|cfunc|stencil)\b[^\n]*\n(?:@[^\n]*\n)*def (\w+)", src))
        if names:
            found[str(path.relative_to(ROOT))] = names
    assert found == KERNELS, f"numba kernels changed: {found}; cover the new ones in this file"


# --------------------------------------------------------------------------------------------
# 1. hyperparameter validation

NAN, INF = float("nan"), float("inf")
# (value, exception): the generic bad values every numeric hyperparameter is tried with
GENERIC_BAD = {
    "nan": NAN,
    "inf": INF,
    "-inf": -INF,
    "minus_one": -1,
    "zero": 0,
    "huge": 10**30,
    "str": "5",
    "bool": True,
    "none": None,
}

# parameter -> (kind, values that are VALID and must not be tried as bad)
W2V_PARAMS = {
    "vector_size": ("int", set()),
    "window": ("int", set()),
    "sg": ("int", {"zero"}),
    "negative": ("int", set()),
    "min_count": ("int", {"huge"}),  # in range; it then leaves no words (another clear error)
    "epochs": ("int", set()),
    "sample": ("float", {"zero"}),
    "alpha": ("float", set()),
    "min_alpha": ("float", {"zero"}),
    "ns_exponent": ("float", {"zero", "minus_one"}),
    "random_state": ("seed", {"zero", "none"}),
    "progress": ("bool", {"bool"}),
}
GLOVE_PARAMS = {
    "vector_size": ("int", set()),
    "window": ("int", set()),
    "x_max": ("float", {"huge"}),
    "power": ("float", set()),
    "learning_rate": ("float", set()),
    "epochs": ("int", set()),
    "min_count": ("int", {"huge"}),
    "random_state": ("seed", {"zero", "none"}),
    "progress": ("bool", {"bool"}),
}


def _expected_error(kind: str, label: str) -> type:
    if label in ("str", "bool", "none"):
        return TypeError
    if kind in ("int", "seed") and label in ("nan", "inf", "-inf"):
        return TypeError  # a float where an int is expected
    if kind == "bool":
        return TypeError
    return ValueError


def _cases(params: dict) -> list:
    out = []
    for name, (kind, valid) in params.items():
        for label, value in GENERIC_BAD.items():
            if label not in valid:
                out.append(pytest.param(name, value, _expected_error(kind, label), id=f"{name}-{label}"))
    return out


TINY = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat"]]


@pytest.mark.parametrize("name,value,error", _cases(W2V_PARAMS))
def test_word2vec_rejects_bad_hyperparameter(name, value, error):
    kw = {name: value} if name == "min_count" else {name: value, "min_count": 1}
    with pytest.raises(error, match=rf"^{name} must be .*; got "):
        Word2Vec(**kw).fit(TINY)


@pytest.mark.parametrize("name,value,error", _cases(GLOVE_PARAMS))
def test_glove_rejects_bad_hyperparameter(name, value, error):
    kw = {name: value} if name == "min_count" else {name: value, "min_count": 1}
    with pytest.raises(error, match=rf"^{name} must be .*; got "):
        GloVe(**kw).fit(TINY)


@pytest.mark.parametrize(
    "kw,match",
    [
        (dict(alpha=0.01, min_alpha=0.02), r"min_alpha must be a finite float in \[0, alpha\] = \[0, 0.01\]; got 0.02"),
        (dict(sample=1.0), r"sample must be a finite float in \[0, 1\); got 1.0"),
        (dict(alpha=1.5), r"alpha must be a finite float in \(0, 1\]; got 1.5"),
        (dict(ns_exponent=11), r"ns_exponent must be a finite float in \[-10, 10\]; got 11"),
        (dict(vector_size=10_001), r"vector_size must be an int in \[1, 10000\]; got 10001"),
        (dict(window=1001), r"window must be an int in \[1, 1000\]; got 1001"),
        (dict(negative=101), r"negative must be an int in \[1, 100\] \(this class has no hierarchical softmax\); got 101"),
        (dict(epochs=10_001), r"epochs must be an int in \[1, 10000\]; got 10001"),
        (dict(sg=np.int64(3)), r"sg must be an int in \[0, 1\] \(1 = skip-gram, 0 = CBOW\); got 3"),
        (dict(vector_size=8.0), r"vector_size must be an int in \[1, 10000\]; got 8.0 \(float\)"),
        (dict(random_state=2**63), r"random_state must be None, an int in \[0, 2\*\*63 - 1\] or a numpy Generator; got"),
    ],
)
def test_word2vec_range_messages(kw, match):
    with pytest.raises((TypeError, ValueError), match=match):
        Word2Vec(min_count=1, **kw).fit(TINY)


def test_valid_edge_values_are_accepted():
    m = Word2Vec(vector_size=1, window=1, negative=1, sample=0.0, alpha=1.0, min_alpha=1.0, ns_exponent=-10,
                 epochs=1, min_count=1, random_state=np.random.default_rng(0), progress=np.False_).fit(TINY)
    assert m.wv_.vectors.shape == (len(m.vocabulary_), 1)
    Word2Vec(vector_size=np.int32(4), window=np.int64(2), ns_exponent=np.float32(10.0), alpha=np.float64(0.5),
             min_alpha=0, sample=0.9999, min_count=1, random_state=None, progress=False).fit(TINY)
    GloVe(vector_size=2, window=1, x_max=1e-300, power=10, learning_rate=1, epochs=1, min_count=1, progress=False).fit(TINY)


@pytest.mark.parametrize("estimator", [Word2Vec, GloVe])
@pytest.mark.parametrize(
    "sentences,error,match",
    [
        ("the cat sat on the mat", TypeError, r"X must be a list of token lists .*not one str"),
        (b"the cat", TypeError, r"X must be a list of token lists .*not one bytes"),
        (["the cat sat", "on the mat"], TypeError, r"X must be a list of token lists, but sentence 0 is a str"),
        ([["the", "cat"], "on the mat"], TypeError, r"X must be a list of token lists, but sentence 1 is a str"),
        ([["the", "cat"], 5], TypeError, r"X: sentence 1 is a int"),
        (np.array(["the", "cat"]), TypeError, r"X must be a list of token lists; got a numpy array"),
        (5, TypeError, r"X must be a list of token lists; got int"),
        (None, TypeError, r"X must be a list of token lists; got NoneType"),
        ([], ValueError, r"X is empty"),
        (iter([]), ValueError, r"X is empty"),
        ([[], []], ValueError, r"X holds no tokens \(all 2 sentences are empty\)"),
        ([["the", 3]], TypeError, r"tokens (of sentences )?must be str; sentence 0, token 1 is 3"),
    ],
)
def test_bad_sentences(estimator, sentences, error, match):
    with pytest.raises(error, match=match):
        estimator(min_count=1, progress=False).fit(sentences)


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: features.hash_bucket(["a"], 0), ValueError, r"n_buckets must be an int in \[1, 2\*\*63 - 1\]; got 0"),
        (lambda: features.hash_bucket(["a"], 2**63), ValueError, r"n_buckets must be an int in \[1, 2\*\*63 - 1\]"),
        (lambda: features.hash_bucket(["a"], 10.0), TypeError, r"n_buckets must be an int .*; got 10.0"),
        (lambda: features.hash_bucket(["a"], True), TypeError, r"n_buckets must be an int .*; got True"),
        (lambda: features.hash_bucket(["a"], "10"), TypeError, r"n_buckets must be an int .*; got '10'"),
        (lambda: features.hash_bucket(["a"], 10, random_state=-1), ValueError, r"random_state must be an int in \[0, 2\*\*64 - 1\]; got -1"),
        (lambda: features.hash_bucket(["a"], 10, random_state=NAN), TypeError, r"random_state must be an int .*; got nan"),
        (lambda: features.hash_bucket([1, 2], 10, random_state=2**64), ValueError, r"random_state must be an int in \[0, 2\*\*64 - 1\]"),
        (lambda: features.collision_rate(0, 10), ValueError, r"n_keys must be an int in \[1, 10\*\*8\]; got 0"),
        (lambda: features.collision_rate(10, 10**9), ValueError, r"n_buckets must be an int in \[1, 10\*\*8\]; got"),
        (lambda: features.collision_rate(10, INF), TypeError, r"n_buckets must be an int .*; got inf"),
        (lambda: features.expected_collision_rate(NAN, 10), TypeError, r"n_keys must be an int >= 1; got nan"),
        (lambda: features.expected_collision_rate(10, 0), ValueError, r"n_buckets must be an int >= 1; got 0"),
        (lambda: features.expected_occupied_fraction(-1, 10), ValueError, r"n_keys must be an int >= 0; got -1"),
        (lambda: features.table_bytes(-1, 3), ValueError, r"rows and dim must be >= 0"),
        (lambda: features.table_bytes(10, 3.5), TypeError, r"dim must be an int >= 0; got 3.5"),
        (lambda: features.format_bytes(NAN), ValueError, r"n must be a finite float; got nan"),
        (lambda: features.bag_inputs("abc"), TypeError, r"bags must be a list of lists"),
        (lambda: features.bag_inputs([[1], 2]), TypeError, r"bag 1 is int"),
        (lambda: ft.char_ngrams("word", 0, 3), ValueError, r"minn must be an int in \[1, 100\]; got 0"),
        (lambda: ft.char_ngrams("word", 3, NAN), TypeError, r"maxn must be an int in \[1, 100\]; got nan"),
        (lambda: ft.char_ngrams("word", 3, 101), ValueError, r"maxn must be an int in \[1, 100\]; got 101"),
        (lambda: ft.char_ngrams_bytes("word", True, 3), TypeError, r"minn must be an int .*; got True"),
        (lambda: ft.ngram_buckets("word", bucket=2**32 + 1), ValueError, r"bucket must be an int in \[1, 2\*\*32\]"),
        (lambda: ft.ngram_buckets("word", bucket="7"), TypeError, r"bucket must be an int .*; got '7'"),
        (lambda: ft.oov_vector("word", np.zeros((0, 3))), ValueError, r"ngram_vectors must have shape \(bucket, d\) with bucket >= 1"),
    ],
)
def test_hashing_helpers_reject_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_python_side_array_checks():
    from embedcourse.models._glove_kernels import check_epoch_inputs
    from embedcourse.models._word2vec_kernels import _sigmoid_tables, check_train_inputs

    V, d = 4, 3
    sig, logsig = _sigmoid_tables()
    ok = dict(
        ids=np.array([0, 1, 2, 3], np.int32), offsets=np.array([0, 2, 4], np.int64),
        syn0=np.zeros((V, d), np.float32), syn1=np.zeros((V, d), np.float32),
        cum_table=np.array([1, 2, 3, 4], np.int64), keep_int=np.zeros(V, np.uint32), window=2, negative=1,
        state_arr=np.ones(1, np.uint64), sig_table=sig, logsig_table=logsig, buf=np.zeros(2, np.int32),
        reduced=np.zeros(2, np.int64), work=np.zeros(d, np.float32), neu1=np.zeros(d, np.float32),
    )
    check_train_inputs(**ok)
    bad = [
        (dict(ids=np.array([0, 1, 2, 4], np.int32)), r"ids must lie in \[0, 4\)"),
        (dict(ids=np.array([0, -1, 2, 3], np.int32)), r"ids must lie in \[0, 4\)"),
        (dict(cum_table=np.array([1, 2, 3, 0], np.int64)), "cum_table must be non-negative, non-decreasing and end above 0"),
        (dict(cum_table=np.array([3, 2, 3, 4], np.int64)), "non-decreasing"),
        (dict(cum_table=np.zeros(3, np.int64)), r"cum_table must be int64 of shape \(4,\)"),
        (dict(offsets=np.array([0, 2, 5], np.int64)), r"offsets must run from 0 to len\(ids\) = 4"),
        (dict(offsets=np.array([0, 3, 1, 4], np.int64)), "offsets must be non-decreasing"),
        (dict(buf=np.zeros(1, np.int32)), r"buf must hold the longest sentence \(2 words\)"),
        (dict(reduced=np.zeros(1, np.int64)), r"reduced must hold the longest sentence"),
        (dict(work=np.zeros(2, np.float32)), r"work must be float32 of shape \(3,\)"),
        (dict(neu1=np.zeros(4, np.float32)), r"neu1 must be float32 of shape \(3,\)"),
        (dict(syn1=np.zeros((3, d), np.float32)), r"syn1 must be float32 of shape \(4, 3\)"),
        (dict(keep_int=np.zeros(V, np.int64)), r"keep_int must be uint32"),
        (dict(sig_table=sig[:10]), r"sig_table must be a finite table of shape \(1000,\)"),
        (dict(state_arr=np.ones(0, np.uint64)), "state_arr must be one uint64"),
        (dict(window=0), "need window >= 1 and negative >= 0"),
    ]
    for change, match in bad:
        with pytest.raises(ValueError, match=match):
            check_train_inputs(**{**ok, **change})

    f32 = np.float32
    gok = dict(
        rows=np.array([0, 1], np.int32), cols=np.array([1, 2], np.int32), logx=np.zeros(2, f32), fx=np.ones(2, f32),
        W=np.zeros((V, d), f32), Wt=np.zeros((V, d), f32), b=np.zeros(V, f32), bt=np.zeros(V, f32),
        gW=np.ones((V, d), f32), gWt=np.ones((V, d), f32), gb=np.ones(V, f32), gbt=np.ones(V, f32), lr=f32(0.05),
    )
    check_epoch_inputs(**gok)
    gbad = [
        (dict(rows=np.array([0, 4], np.int32)), r"rows must lie in \[0, 4\)"),
        (dict(cols=np.array([-1, 2], np.int32)), r"cols must lie in \[0, 4\)"),
        (dict(cols=np.array([1], np.int32)), r"cols must be 1-d with one entry per non-zero \(2\)"),
        (dict(Wt=np.zeros((V, 2), f32)), r"Wt must be float32 of shape \(V, d\)"),
        (dict(gb=np.ones(3, f32)), r"gb must be float32 of shape \(V,\)"),
        (dict(fx=np.array([NAN, 1], f32)), "fx must be finite float32"),
        (dict(fx=np.array([2, 1], f32)), r"fx \(the weights f\(X_ij\)\) must lie in \[0, 1\]"),
        (dict(lr=f32(NAN)), "lr must be a finite positive float"),
    ]
    for change, match in gbad:
        with pytest.raises(ValueError, match=match):
            check_epoch_inputs(**{**gok, **change})


# --------------------------------------------------------------------------------------------
# 2. the kernels under NUMBA_BOUNDSCHECK=1

_PRELUDE = BOUNDSCHECK_PRELUDE + textwrap.dedent(
    """
    import embedcourse as ec
    from embedcourse.text import Vocabulary, sentences_from_texts

    SENTS = sentences_from_texts(ec.data.load_lee_corpus())[:400]   # real text, about 9k tokens
    assert len(SENTS) == 400 and sum(map(len, SENTS)) > 5000
    """
)

_WORD2VEC_SCRIPT = _PRELUDE + textwrap.dedent(
    """
    from embedcourse.models import Word2Vec
    from embedcourse.models._word2vec_kernels import _TABLE_SIZE, _sigmoid_tables, _train_block
    from embedcourse.text import negative_table, subsample_probs

    # full fits: ordinary, then extreme-but-valid hyperparameters
    for sg in (1, 0):
        m = Word2Vec(vector_size=24, window=5, sg=sg, negative=5, min_count=2, epochs=2, progress=False).fit(SENTS)
        assert np.isfinite(m.wv_.vectors).all() and m.words_per_second_ > 0
        for kw in (dict(window=1000, negative=100, sample=0.0, ns_exponent=-10.0, alpha=1.0, min_alpha=1.0),
                   dict(window=1, negative=1, sample=0.999, ns_exponent=10.0, vector_size=1, min_count=1),
                   dict(ns_exponent=0.0, alpha=1.0, min_alpha=0.0, vector_size=3, min_count=1)):
            Word2Vec(sg=sg, epochs=1, progress=False, **{"vector_size": 8, **kw}).fit(SENTS[:60])

    # direct kernel calls with what validation would have rejected
    vocab = Vocabulary.build(SENTS, min_count=2)
    ids, offsets = vocab.encode(SENTS)
    V, d = len(vocab), 16
    longest = int(np.diff(offsets).max())
    sig, logsig = _sigmoid_tables()

    def arrays():
        rng = np.random.default_rng(0)
        return dict(
            ids=ids.copy(), offsets=offsets.copy(), s_begin=0, s_end=len(offsets) - 1,
            syn0=((rng.random((V, d), dtype=np.float32) * 2 - 1) / d).astype(np.float32),
            syn1=np.zeros((V, d), np.float32), cum_table=negative_table(vocab.counts, 0.75),
            keep_int=np.minimum(np.round(subsample_probs(vocab.counts, 1e-3) * (2**32 - 1)), 2**32 - 1).astype(np.uint32),
            sg=1, window=5, negative=5, alpha0=0.025, min_alpha=1e-4, words_done=0.0, total_words=float(len(ids)),
            state_arr=np.array([12345], np.uint64), sig_table=sig.copy(), logsig_table=logsig.copy(),
            buf=np.zeros(longest, np.int32), reduced=np.zeros(longest, np.int64),
            work=np.zeros(d, np.float32), neu1=np.zeros(d, np.float32),
        )

    def nan_rows(a):
        a = a.copy(); a[::3] = np.nan; return a

    def inf_rows(a):
        a = a.copy(); a[::2] = np.inf; a[1::4] = -np.inf; return a

    rng = np.random.default_rng(1)
    garbage_ids = ids.copy(); garbage_ids[::7] = -5; garbage_ids[3::11] = V + 10; garbage_ids[5] = np.iinfo(np.int32).max
    cases = {
        "nan vectors": lambda a: dict(syn0=nan_rows(a["syn0"])),
        "inf vectors": lambda a: dict(syn0=inf_rows(a["syn0"]), syn1=inf_rows(a["syn0"])),
        "nan alpha": lambda a: dict(alpha0=math.nan, min_alpha=math.nan),
        "inf alpha": lambda a: dict(alpha0=math.inf),
        "-inf alpha": lambda a: dict(alpha0=-math.inf, min_alpha=-math.inf),
        "huge alpha": lambda a: dict(alpha0=1e30, min_alpha=1e30),
        "nan total_words": lambda a: dict(total_words=math.nan),
        "zero total_words": lambda a: dict(total_words=0.0),
        "negative total_words": lambda a: dict(total_words=-5.0),
        "cum_table reversed": lambda a: dict(cum_table=a["cum_table"][::-1].copy()),
        "cum_table ends at 0": lambda a: dict(cum_table=np.zeros(V, np.int64)),
        "cum_table negative": lambda a: dict(cum_table=-a["cum_table"]),
        "cum_table last huge": lambda a: dict(cum_table=np.r_[a["cum_table"][:-1], np.int64(2**62)]),
        "cum_table random": lambda a: dict(cum_table=rng.integers(-2**40, 2**40, V)),
        "cum_table short": lambda a: dict(cum_table=a["cum_table"][: V // 2].copy()),
        "keep_int short": lambda a: dict(keep_int=a["keep_int"][:5].copy()),
        "ids out of range": lambda a: dict(ids=garbage_ids),
        "offsets past ids": lambda a: dict(offsets=a["offsets"] * 3 + 7),
        "offsets decreasing": lambda a: dict(offsets=a["offsets"][::-1].copy()),
        "offsets negative": lambda a: dict(offsets=a["offsets"] - 10**6),
        "sentence range past offsets": lambda a: dict(s_begin=-5, s_end=len(offsets) + 50),
        "buf too small": lambda a: dict(buf=np.zeros(1, np.int32)),
        "reduced too small": lambda a: dict(reduced=np.zeros(2, np.int64)),
        "empty buffers": lambda a: dict(buf=np.zeros(0, np.int32), reduced=np.zeros(0, np.int64)),
        "syn1 fewer rows": lambda a: dict(syn1=np.zeros((V // 3, d), np.float32)),
        "syn0 fewer rows": lambda a: dict(syn0=a["syn0"][: V // 4].copy()),
        "syn1 other dim": lambda a: dict(syn1=np.zeros((V, d + 3), np.float32)),
        "work too small": lambda a: dict(work=np.zeros(d - 1, np.float32)),
        "neu1 wrong size": lambda a: dict(neu1=np.zeros(d + 5, np.float32)),
        "sig table short": lambda a: dict(sig_table=sig[:10].copy()),
        "logsig table short": lambda a: dict(logsig_table=logsig[:10].copy()),
        "no rng state": lambda a: dict(state_arr=np.zeros(0, np.uint64)),
        "window 0": lambda a: dict(window=0),
        "window negative": lambda a: dict(window=-3),
        "window huge": lambda a: dict(window=2**62),
        "negative -1": lambda a: dict(negative=-1),
        "negative large": lambda a: dict(negative=300),
        "empty vocabulary": lambda a: dict(syn0=np.zeros((0, d), np.float32), syn1=np.zeros((0, d), np.float32)),
    }
    outcome = {}
    for sg in (1, 0):
        for name, change in cases.items():
            a = arrays()
            a.update(change(a))
            a["sg"] = sg
            seen, loss, pairs = _train_block(**a)   # IndexError here = an out-of-range access
            outcome[f"sg={sg} {name}"] = int(seen)
    refused = sorted(k for k, v in outcome.items() if v == -1)
    print("kernel calls:", len(outcome), "refused (returned -1):", len(refused))
    for k in refused:
        print("  refused:", k)
    assert len(outcome) == 2 * len(cases)
    print("OK")
    """
)

_GLOVE_SCRIPT = _PRELUDE + textwrap.dedent(
    """
    from embedcourse.models import GloVe, cooccurrence_matrix
    from embedcourse.models._glove_kernels import _glove_epoch
    from embedcourse.models.glove import glove_weight

    m = GloVe(vector_size=16, window=5, epochs=3, min_count=2, progress=False).fit(SENTS)
    assert np.isfinite(m.wv_.vectors).all() and m.train_time_ > 0
    try:  # f = 1 everywhere and the largest step: this diverges, and says so
        GloVe(vector_size=1, window=1000, x_max=1e-300, power=10.0, learning_rate=1.0, epochs=5, min_count=1, progress=False).fit(SENTS[:80])
    except FloatingPointError as exc:
        assert "diverged" in str(exc) and "learning_rate" in str(exc), exc
    GloVe(vector_size=4, window=1, x_max=1e300, power=1e-9, learning_rate=1e-12, epochs=1, min_count=1, progress=False).fit(SENTS[:80])

    vocab = Vocabulary.build(SENTS, min_count=2)
    ids, offsets = vocab.encode(SENTS)
    V, d = len(vocab), 8
    coo = cooccurrence_matrix(ids, offsets, V, window=5).tocoo()
    f32 = np.float32

    def arrays():
        rng = np.random.default_rng(0)
        return dict(
            rows=coo.row.astype(np.int32), cols=coo.col.astype(np.int32),
            logx=np.log(coo.data).astype(f32), fx=glove_weight(coo.data).astype(f32),
            W=((rng.random((V, d), dtype=f32) - 0.5) / d).astype(f32), Wt=((rng.random((V, d), dtype=f32) - 0.5) / d).astype(f32),
            b=np.zeros(V, f32), bt=np.zeros(V, f32), gW=np.ones((V, d), f32), gWt=np.ones((V, d), f32),
            gb=np.ones(V, f32), gbt=np.ones(V, f32), lr=f32(0.05),
        )

    def spoil(ix, lo, hi):
        ix = ix.copy(); ix[::5] = lo; ix[2::7] = hi; return ix

    cases = {
        "nan lr": lambda a: dict(lr=f32(np.nan)),
        "inf lr": lambda a: dict(lr=f32(np.inf)),
        "negative lr": lambda a: dict(lr=f32(-1e30)),
        "nan weights": lambda a: dict(fx=np.full_like(a["fx"], np.nan)),
        "inf log counts": lambda a: dict(logx=np.full_like(a["logx"], -np.inf)),
        "rows out of range": lambda a: dict(rows=spoil(a["rows"], -1, V)),
        "cols out of range": lambda a: dict(cols=spoil(a["cols"], np.iinfo(np.int32).min, np.iinfo(np.int32).max)),
        "rows longer than cols": lambda a: dict(cols=a["cols"][:10].copy()),
        "short fx": lambda a: dict(fx=a["fx"][:3].copy()),
        "short biases": lambda a: dict(b=np.zeros(3, f32), gbt=np.ones(5, f32)),
        "short adagrad sums": lambda a: dict(gW=np.ones((2, d), f32)),
        "Wt other dim": lambda a: dict(Wt=np.zeros((V, d + 1), f32)),
        "gWt other dim": lambda a: dict(gWt=np.ones((V, 1), f32)),
        "empty W": lambda a: dict(W=np.zeros((0, d), f32)),
    }
    for name, change in cases.items():
        a = arrays()
        a.update(change(a))
        try:
            _glove_epoch(**a)   # IndexError here = an out-of-range access
        except ZeroDivisionError:  # numba's (clean) check on 1 / sqrt(G) once G is NaN
            pass
    print("kernel calls:", len(cases))
    print("OK")
    """
)


_HNSW_SCRIPT = _PRELUDE + textwrap.dedent(
    """
    from embedcourse.ann import HNSWIndex, Index, hnsw_levels
    from embedcourse.ann import _hnsw_kernels as K

    X = np.array(ec.data.load_glove(3000).vectors, np.float32)   # real vectors
    # full builds and searches: ordinary and extreme-but-valid parameters, batches, save/load
    for metric in ("cosine", "l2", "ip"):
        for M, efc, batches in ((16, 100, (1, 1000, 3000)), (2, 1, (3000,)), (40, 300, (5, 600))):
            index = HNSWIndex(50, metric, M=M, ef_construction=efc)
            start = 0
            for end in batches:
                index.add(X[start:end])
                start = end
            for ef in (1, 10, index.ntotal):
                index.ef_search = ef
                for k in (1, 10, index.ntotal):
                    index.search(X[:7] + 0.01, k)
    index.save("h.npz")
    Index.load("h.npz").search(X[:3], 5)

    # direct kernel calls with what the checks would have rejected
    n, M, M0 = 500, 4, 8
    levels = hnsw_levels(n, M, 0)
    rows = levels.astype(np.int64)
    uoff = np.where(levels > 0, np.cumsum(rows) - rows, -1).astype(np.int64)

    def graph(built_to):
        g = dict(X=X[:n].copy(), levels=levels.copy(), links0=np.full((n, M0), -1, np.int32), deg0=np.zeros(n, np.int32),
                 ulinks=np.full((int(rows.sum()), M), -1, np.int32), udeg=np.zeros(int(rows.sum()), np.int32),
                 uoff=uoff.copy(), state=np.array([-1, -1], np.int64))
        assert K.build(*g.values(), 0, built_to, M, 16, K.L2) == built_to
        return g

    def spoil(a, lo, hi):
        a = a.copy(); a.reshape(-1)[::7] = lo; a.reshape(-1)[3::11] = hi; return a

    def nan_rows(a):
        a = a.copy(); a[::5] = np.nan; return a

    graph_cases = {
        "links out of range": lambda g: dict(links0=spoil(g["links0"], -7, 10**6), ulinks=spoil(g["ulinks"], -3, n)),
        "links int32 extremes": lambda g: dict(links0=spoil(g["links0"], np.iinfo(np.int32).min, np.iinfo(np.int32).max)),
        "counts too big": lambda g: dict(deg0=spoil(g["deg0"], 999, 10**9), udeg=spoil(g["udeg"], 999, M + 1)),
        "counts negative": lambda g: dict(deg0=np.full(n, -5, np.int32), udeg=spoil(g["udeg"], -1, -10**9)),
        "uoff garbage": lambda g: dict(uoff=spoil(g["uoff"], -10**12, 10**12)),
        "levels garbage": lambda g: dict(levels=spoil(g["levels"], -1, 10**6)),
        "entry out of range": lambda g: dict(state=np.array([n + 5, 1], np.int64)),
        "entry negative": lambda g: dict(state=np.array([-9, 0], np.int64)),
        "top level huge": lambda g: dict(state=np.array([0, 10**9], np.int64)),
        "top level above the nodes": lambda g: dict(state=np.array([0, 40], np.int64)),
        "state short": lambda g: dict(state=np.zeros(1, np.int64)),
        "X fewer rows": lambda g: dict(X=g["X"][:100].copy()),
        "X nan": lambda g: dict(X=nan_rows(g["X"])),
        "levels short": lambda g: dict(levels=g["levels"][:50].copy()),
        "uoff short": lambda g: dict(uoff=g["uoff"][:10].copy()),
        "deg0 short": lambda g: dict(deg0=g["deg0"][:10].copy()),
        "udeg shorter than ulinks": lambda g: dict(udeg=g["udeg"][:1].copy()),
        "ulinks empty": lambda g: dict(ulinks=np.zeros((0, M), np.int32), udeg=np.zeros(0, np.int32)),
        "ulinks wider than links0": lambda g: dict(ulinks=np.full((len(g["udeg"]), 3 * M0), 5, np.int32)),
        "links0 one column": lambda g: dict(links0=g["links0"][:, :1].copy()),
        "links0 no columns": lambda g: dict(links0=np.zeros((n, 0), np.int32)),
    }
    calls = 0
    for name, change in graph_cases.items():
        for built_to in (0, 300):
            g = graph(built_to)
            g.update(change(g))
            for start, end, m, efc in ((built_to, n, M, 16), (-5, n, M, 16), (built_to, 10**6, M, 16), (n, 0, M, 16),
                                       (built_to, n, 0, 16), (built_to, n, 10**6, 16), (built_to, n, M, 0),
                                       (built_to, n, M, 10**5)):
                K.build(*g.values(), start, end, m, efc, K.L2)   # IndexError here = an out-of-range access
                calls += 1
        g = graph(n)
        g.update(change(g))
        Q = X[2000:2005].copy()
        for ntotal, Qx, k, ef, tb, D, P in (
                (n, Q, 5, 10, np.arange(n), np.empty((5, 5), np.float32), np.empty((5, 5), np.int64)),
                (n, nan_rows(Q), n, 1, np.arange(n), np.empty((5, n), np.float32), np.empty((5, n), np.int64)),
                (10**6, Q, 5, 10, np.arange(n), np.empty((5, 5), np.float32), np.empty((5, 5), np.int64)),
                (0, Q, 1, 10, np.arange(n), np.empty((5, 5), np.float32), np.empty((5, 5), np.int64)),
                (n, Q[:, :10].copy(), 5, 10, np.arange(n), np.empty((5, 5), np.float32), np.empty((5, 5), np.int64)),
                (n, Q, 5, 10, np.arange(3), np.empty((5, 5), np.float32), np.empty((5, 5), np.int64)),
                (n, Q, 5, 10, np.arange(n), np.empty((2, 5), np.float32), np.empty((5, 1), np.int64)),
                (n, Q, n + 1, 10, np.arange(n), np.empty((5, 5), np.float32), np.empty((5, 5), np.int64)),
                (n, Q, 0, 0, np.arange(n), np.empty((5, 5), np.float32), np.empty((5, 5), np.int64)),
                (n, Q, 5, -3, np.arange(n), np.empty((5, 5), np.float32), np.empty((5, 5), np.int64)),
                (n, Q, 5, 10**5, np.arange(n), np.empty((5, 5), np.float32), np.empty((5, 5), np.int64))):
            K.search(*g.values(), ntotal, Qx, k, ef, K.IP, tb, D, P)   # IndexError here = an out-of-range access
            calls += 1
    print("kernel calls:", calls)
    print("OK")
    """
)


def _run_boundschecked(script: str, tmp_path: Path) -> str:
    env = {
        **os.environ,
        "NUMBA_BOUNDSCHECK": "1",
        "NUMBA_CACHE_DIR": str(tmp_path / "numba_cache"),  # fresh: no unchecked code reused
        "NUMBA_NUM_THREADS": "1",
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    proc = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr[-4000:]}"
    assert proc.stdout.rstrip().endswith("OK"), proc.stdout
    return proc.stdout


@pytest.mark.slow
def test_word2vec_kernel_stays_in_bounds(tmp_path):
    out = _run_boundschecked(_WORD2VEC_SCRIPT, tmp_path)
    # arrays that do not fit together are refused outright; the rest run with guards
    assert "sg=1 cum_table ends at 0" in out and "sg=0 work too small" in out, out


@pytest.mark.slow
def test_glove_kernel_stays_in_bounds(tmp_path):
    _run_boundschecked(_GLOVE_SCRIPT, tmp_path)


@pytest.mark.slow
def test_hnsw_kernels_stay_in_bounds(tmp_path):
    out = _run_boundschecked(_HNSW_SCRIPT, tmp_path)
    assert "kernel calls:" in out, out


def test_kernel_guards_refuse_without_writing():
    """Arrays that do not fit together: the kernels return -1 and leave every array unchanged."""
    from embedcourse.models._glove_kernels import _glove_epoch
    from embedcourse.models._word2vec_kernels import _sigmoid_tables, _train_block

    V, d = 5, 4
    sig, logsig = _sigmoid_tables()
    syn0 = np.full((V, d), 0.1, np.float32)
    syn1 = np.full((V, d), 0.2, np.float32)
    args = [np.array([0, 1, 2, 3, 4], np.int32), np.array([0, 5], np.int64), 0, 1, syn0, syn1,
            np.zeros(V, np.int64), np.full(V, 2**32 - 1, np.uint32), 1, 2, 2, 0.025, 1e-4, 0.0, 5.0,
            np.ones(1, np.uint64), sig, logsig, np.zeros(5, np.int32), np.zeros(5, np.int64),
            np.zeros(d, np.float32), np.zeros(d, np.float32)]
    assert _train_block(*args) == (-1, 0.0, 0)  # cum_table ends at 0: no noise word can be drawn
    assert (syn0 == np.float32(0.1)).all() and (syn1 == np.float32(0.2)).all()
    W = np.ones((3, 2), np.float32)
    loss = _glove_epoch(np.array([0], np.int32), np.array([1], np.int32), np.zeros(1, np.float32),
                        np.ones(1, np.float32), W, np.ones((3, 3), np.float32), np.zeros(3, np.float32),
                        np.zeros(3, np.float32), np.ones((3, 2), np.float32), np.ones((3, 3), np.float32),
                        np.ones(3, np.float32), np.ones(3, np.float32), np.float32(0.05))
    assert loss == -1.0 and (W == 1).all()
    assert not math.isnan(loss)
