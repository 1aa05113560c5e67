"""Tests for embedcourse.models.word2vec (numba skip-gram / CBOW with negative sampling).

Oracle: gensim's Word2Vec (workers=1) on the Lee background corpus (60k tokens). Word
benchmarks are pure noise on a corpus this small, so the quality oracle compares geometry:
the Spearman correlation between our cosine similarities and gensim's over pairs of the 300
most frequent words, against the same correlation between two gensim runs with different
seeds (the best agreement one can expect).
"""

import numpy as np
import pytest
from scipy.stats import spearmanr

from embedcourse.models import Word2Vec, sgns_epoch, sgns_loss


def _sim_upper(kv_vectors, index, words):
    X = np.stack([kv_vectors[index[w]] for w in words]).astype(np.float64)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    S = X @ X.T
    return S[np.triu_indices(len(words), 1)]


def test_shapes_and_attributes(lee_sentences):
    m = Word2Vec(vector_size=16, epochs=1, progress=False).fit(lee_sentences)
    V = len(m.vocabulary_)
    assert m.wv_.vectors.shape == (V, 16)
    assert m.output_vectors_.shape == (V, 16)
    assert m.wv_.vectors.dtype == np.float32
    assert list(m.wv_.index_to_key) == m.vocabulary_.words
    assert m.loss_history_.shape == m.words_history_.shape and m.loss_history_.size >= 50
    assert m.words_history_[-1] == m.vocabulary_.counts.sum()
    assert m.words_per_second_ > 0


@pytest.mark.parametrize("sg", [1, 0])
def test_loss_decreases(lee_sentences, sg):
    m = Word2Vec(vector_size=32, sg=sg, epochs=5, progress=False).fit(lee_sentences)
    first, last = m.loss_history_[:5].mean(), m.loss_history_[-5:].mean()
    # observed: skip-gram 4.00 -> 2.64, CBOW 4.16 -> 2.78
    assert last < 0.8 * first, (first, last)


def test_deterministic_for_a_random_state(lee_sentences):
    kw = dict(vector_size=16, epochs=1, progress=False)
    a = Word2Vec(random_state=3, **kw).fit(lee_sentences).wv_.vectors
    b = Word2Vec(random_state=3, **kw).fit(lee_sentences).wv_.vectors
    c = Word2Vec(random_state=4, **kw).fit(lee_sentences).wv_.vectors
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_progress_lines(lee_sentences, capsys):
    Word2Vec(vector_size=8, epochs=5, progress=True).fit(lee_sentences)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5 and lines[-1].startswith("word2vec skip-gram: 100%")
    Word2Vec(vector_size=8, epochs=1, progress=False).fit(lee_sentences)
    assert capsys.readouterr().out == ""


def test_bad_input():
    # every hyperparameter, NaN/inf/bool/str included, is covered in tests/test_kernel_safety.py
    with pytest.raises(ValueError, match=r"sg must be an int in \[0, 1\] \(1 = skip-gram, 0 = CBOW\); got 2"):
        Word2Vec(sg=2).fit([["a", "b"]])
    with pytest.raises(ValueError, match=r"vector_size must be an int in \[1, 10000\]; got 0"):
        Word2Vec(vector_size=0).fit([["a", "b"]])
    with pytest.raises(ValueError, match=r"min_alpha must be a finite float in \[0, alpha\] = \[0, 0.01\]; got 0.1"):
        Word2Vec(alpha=0.01, min_alpha=0.1).fit([["a", "b"]])
    with pytest.raises(ValueError, match=r"ns_exponent must be a finite float in \[-10, 10\]; got nan"):
        Word2Vec(ns_exponent=float("nan")).fit([["a", "b"]])
    with pytest.raises(TypeError, match="window must be an int in .*; got True .bool."):
        Word2Vec(window=True).fit([["a", "b"]])
    with pytest.raises(TypeError, match="X must be a list of token lists, but sentence 0 is a str"):
        Word2Vec(min_count=1).fit(["the cat sat on the mat"])
    with pytest.raises(TypeError, match="X must be a list of token lists .* not one str"):
        Word2Vec(min_count=1).fit("the cat sat on the mat")
    with pytest.raises(ValueError, match="X is empty"):
        Word2Vec(min_count=1).fit([])
    with pytest.raises(ValueError, match="min_count=5 left no words"):
        Word2Vec(min_count=5).fit([["a", "b", "a"]])


def test_fit_takes_the_corpus_as_X():
    sents = [["a", "b", "c", "a"], ["b", "c", "a", "b"]] * 5
    m1 = Word2Vec(vector_size=4, epochs=1, min_count=1, progress=False).fit(X=sents, y=None)
    m2 = Word2Vec(vector_size=4, epochs=1, min_count=1, progress=False).fit(sents)
    assert np.array_equal(m1.wv_.vectors, m2.wv_.vectors)


def test_timing_excludes_compilation(lee_sentences):
    # the kernel is compiled (or loaded) before the clock starts: two identical fits in one
    # process report about the same speed, and a tiny fit still reports a plausible speed
    kw = dict(vector_size=16, epochs=1, progress=False)
    a = Word2Vec(**kw).fit(lee_sentences[:150])
    b = Word2Vec(**kw).fit(lee_sentences[:150])
    assert a.train_time_ > 0 and b.train_time_ > 0
    assert a.words_per_second_ > 0.3 * b.words_per_second_, (a.words_per_second_, b.words_per_second_)


def test_sgns_loss_matches_torch():
    import torch

    rng = np.random.default_rng(0)
    c, o, n = rng.normal(size=8), rng.normal(size=8), rng.normal(size=(5, 8))
    tc, to, tn = (torch.tensor(v) for v in (c, o, n))
    expected = -torch.nn.functional.logsigmoid(tc @ to) - torch.nn.functional.logsigmoid(-(tn @ tc)).sum()
    assert sgns_loss(c, o, n) == pytest.approx(float(expected), rel=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("sg", [1, 0])
def test_geometry_agrees_with_gensim(lee_sentences, sg):
    from gensim.models import Word2Vec as GensimWord2Vec

    kw = dict(vector_size=50, window=5, negative=5, min_count=5, sample=1e-3, epochs=20, sg=sg)
    ours = Word2Vec(random_state=0, progress=False, **kw).fit(lee_sentences)
    g0 = GensimWord2Vec(lee_sentences, workers=1, seed=0, **kw)
    g1 = GensimWord2Vec(lee_sentences, workers=1, seed=1, **kw)
    assert set(ours.wv_.index_to_key) == set(g0.wv.index_to_key)
    # 300 frequent words after the 30 most frequent (function words)
    words = ours.vocabulary_.words[30:330]
    s_ours = _sim_upper(ours.wv_.vectors, ours.vocabulary_.index, words)
    s_g0 = _sim_upper(g0.wv.vectors, g0.wv.key_to_index, words)
    s_g1 = _sim_upper(g1.wv.vectors, g1.wv.key_to_index, words)
    ours_vs_gensim = spearmanr(s_ours, s_g0)[0]
    gensim_vs_gensim = spearmanr(s_g1, s_g0)[0]
    # observed: skip-gram 0.891 (ours vs gensim) vs 0.885 (gensim vs gensim), CBOW 0.978 vs 0.976
    assert ours_vs_gensim > 0.9 * gensim_vs_gensim, (ours_vs_gensim, gensim_vs_gensim)
    assert ours_vs_gensim > 0.6, ours_vs_gensim


def test_sgns_loss_checks_its_arguments():
    c, o, n = np.ones(4), np.ones(4), np.ones((2, 4))
    with pytest.raises(ValueError, match=r"negatives must have shape \(k, 4\) like center"):
        sgns_loss(c, o, np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"context must have the length of center \(4\)"):
        sgns_loss(c, np.ones(5), n)
    with pytest.raises(ValueError, match="center contains NaN or infinity"):
        sgns_loss(np.array([np.nan, 0, 0, 0]), o, n)
    with pytest.raises(TypeError, match="center must be a 1-d array of real numbers"):
        sgns_loss(c.astype(complex), o, n)
    # float64 inside: a huge float32 input gives the exact (large, finite) loss, not inf
    assert np.isfinite(sgns_loss(np.full(4, 1e20, np.float32), -o, n))


def _numpy_sgns_epoch(W, U, centres, contexts, negatives, alpha):
    """The chapter's loop: plain numpy, one pair at a time."""
    losses = []
    for t, (w, c) in enumerate(zip(centres, contexts, strict=True)):
        targets = np.r_[c, negatives[t]]
        labels = np.r_[1.0, np.zeros(negatives.shape[1])]
        s = U[targets] @ W[w]
        losses.append(np.logaddexp(0, -s[0]) + np.logaddexp(0, s[1:]).sum())
        g = alpha * (labels - 1 / (1 + np.exp(-s)))
        grad_w = g @ U[targets]
        np.add.at(U, targets, np.outer(g, W[w]))
        W[w] += grad_w
    return np.array(losses)


def test_sgns_epoch_matches_numpy_loop_and_torch():
    import torch

    rng = np.random.default_rng(0)
    V, d, P, K = 12, 6, 200, 3
    W0, U0 = rng.normal(0, 0.3, (V, d)), rng.normal(0, 0.3, (V, d))
    centres, contexts = rng.integers(0, V, P), rng.integers(0, V, P)
    negatives = rng.integers(0, V, (P, K))
    negatives[0] = [1, 1, 2]  # a noise word drawn twice
    W, U = W0.copy(), U0.copy()
    losses = sgns_epoch(W, U, centres, contexts, negatives, alpha=0.05)
    Wn, Un = W0.copy(), U0.copy()
    ref = _numpy_sgns_epoch(Wn, Un, centres, contexts, negatives, 0.05)
    np.testing.assert_allclose(losses, ref, rtol=1e-12)
    np.testing.assert_allclose(W, Wn, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(U, Un, rtol=1e-10, atol=1e-12)
    # oracle: the first step is plain SGD on sgns_loss, whose gradient torch computes
    tW, tU = torch.tensor(W0, requires_grad=True), torch.tensor(U0, requires_grad=True)
    w, c, n = int(centres[0]), int(contexts[0]), torch.as_tensor(negatives[0])
    loss = -torch.nn.functional.logsigmoid(tU[c] @ tW[w]) - torch.nn.functional.logsigmoid(-(tU[n] @ tW[w])).sum()
    loss.backward()
    W1, U1 = W0.copy(), U0.copy()
    sgns_epoch(W1, U1, centres[:1], contexts[:1], negatives[:1], alpha=0.05)
    np.testing.assert_allclose(W1, W0 - 0.05 * tW.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(U1, U0 - 0.05 * tU.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert losses[0] == pytest.approx(float(loss), rel=1e-12)


def test_sgns_epoch_lowers_the_loss_on_real_pairs(lee_sentences):
    from embedcourse.text import Vocabulary, context_pairs, draw_negatives, negative_table

    vocab = Vocabulary.build(lee_sentences[:200], min_count=3)
    ids, offsets = vocab.encode(lee_sentences[:200])
    c, x = context_pairs(ids, offsets, window=2, random_state=0)
    neg = draw_negatives(negative_table(vocab.counts), (len(c), 5), random_state=0)
    rng = np.random.default_rng(0)
    W, U = (rng.random((len(vocab), 20)) - 0.5) / 20, np.zeros((len(vocab), 20))
    first = sgns_epoch(W, U, ids[c], ids[x], neg, alpha=0.05).mean()
    later = [sgns_epoch(W, U, ids[c], ids[x], neg, alpha=0.05).mean() for _ in range(3)]
    assert later[-1] < first - 0.3, (first, later)


def test_sgns_epoch_bad_input():
    W, U = np.zeros((4, 3)), np.zeros((4, 3))
    ok = dict(centres=[0, 1], contexts=[1, 2], negatives=[[3], [0]])
    with pytest.raises(TypeError, match="W must be a writeable 2-d float64"):
        sgns_epoch(W.astype(np.float32), U, **ok)
    with pytest.raises(ValueError, match="W and U must have the same"):
        sgns_epoch(W, np.zeros((5, 3)), **ok)
    with pytest.raises(ValueError, match=r"contexts must lie in \[0, 4\)"):
        sgns_epoch(W, U, [0, 1], [1, 9], [[3], [0]])
    with pytest.raises(ValueError, match="negatives must have shape"):
        sgns_epoch(W, U, [0, 1], [1, 2], [3, 0])
    with pytest.raises(ValueError, match="alpha"):
        sgns_epoch(W, U, **ok, alpha=0.0)
    with pytest.raises(ValueError, match="U contains NaN"):
        sgns_epoch(W, np.full((4, 3), np.nan), **ok)


_SGNS_BOUNDS_SCRIPT = """
import numpy as np
from embedcourse.models._word2vec_kernels import _sgns_pairs
rng = np.random.default_rng(0)
W, U = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
c, x, neg = np.array([0, 1, 7, -1]), np.array([1, 9, 2, 3]), np.array([[2, 3], [4, -2], [1, 1], [0, 0]])
losses = np.zeros(4)
assert _sgns_pairs(W, U, c, x, neg, 0.05, losses) == 1      # only the first pair is in range
assert _sgns_pairs(W, U, c, x, neg, 0.05, np.zeros(2)) == 1  # losses shorter than the stream
assert _sgns_pairs(W, np.zeros((5, 2)), c, x, neg, 0.05, losses) == -1
assert _sgns_pairs(W, np.zeros((2, 3)), c[:1], x[:1], neg[:1], 0.05, losses) == 0
print("OK")
"""


@pytest.mark.slow
def test_sgns_epoch_kernel_stays_in_bounds(tmp_path):
    """Out-of-range ids and mismatched arrays, run with NUMBA_BOUNDSCHECK=1: skipped or refused, never read."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": str(tmp_path / "numba_cache"),
           "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-c", _SGNS_BOUNDS_SCRIPT], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("OK"), proc.stderr[-3000:]
