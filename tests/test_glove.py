"""Tests for embedcourse.models.glove.

There is no GloVe in gensim, so the oracles are: a brute-force Python co-occurrence count on
real text (the first Lee documents), torch autograd for the loss and its gradients, and a
hand-written AdaGrad step for the numba kernel.
"""

from collections import defaultdict

import numpy as np
import pytest

from embedcourse.models import GloVe, cooccurrence_matrix, glove_loss
from embedcourse.models._glove_kernels import _glove_epoch
from embedcourse.models.glove import glove_gradients, glove_weight
from embedcourse.text import Vocabulary


def test_cooccurrence_equals_brute_force(lee_sentences):
    sents = lee_sentences[:15]
    vocab = Vocabulary.build(sents, min_count=2)
    ids, offsets = vocab.encode(sents)
    X = cooccurrence_matrix(ids, offsets, len(vocab), window=4)
    brute = defaultdict(float)
    for s in range(len(offsets) - 1):
        seq = ids[offsets[s] : offsets[s + 1]]
        for i in range(len(seq)):
            for j in range(i + 1, min(i + 5, len(seq))):
                brute[seq[i], seq[j]] += 1.0 / (j - i)
                brute[seq[j], seq[i]] += 1.0 / (j - i)
    dense = np.zeros((len(vocab), len(vocab)))
    for (a, b), v in brute.items():
        dense[a, b] += v
    np.testing.assert_allclose(X.toarray(), dense, rtol=1e-12)
    assert X.nnz == np.count_nonzero(dense)
    assert (X != X.T).nnz == 0


def test_cooccurrence_respects_sentence_ends():
    X = cooccurrence_matrix(np.array([0, 1, 2]), np.array([0, 2, 3]), 3, window=5)
    assert X[0, 1] == 1.0 and X[1, 2] == 0 and X[0, 2] == 0
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 2\)"):
        cooccurrence_matrix(np.array([0, 5]), np.array([0, 2]), 2)


def _tiny_problem(seed=0):
    rng = np.random.default_rng(seed)
    V, d, n = 6, 4, 12
    flat = rng.choice(V * V, size=n, replace=False)
    rows, cols = flat // V, flat % V
    x = rng.uniform(0.5, 150.0, size=n)  # both sides of x_max = 100
    W, Wt = rng.normal(size=(V, d)), rng.normal(size=(V, d))
    b, bt = rng.normal(size=V), rng.normal(size=V)
    return W, Wt, b, bt, rows, cols, x


def test_loss_and_gradients_match_torch_autograd():
    import torch

    W, Wt, b, bt, rows, cols, x = _tiny_problem()
    tW, tWt, tb, tbt = (torch.tensor(a, requires_grad=True) for a in (W, Wt, b, bt))
    tx = torch.tensor(x)
    f = torch.clamp((tx / 100.0) ** 0.75, max=1.0)
    diff = (tW[rows] * tWt[cols]).sum(1) + tb[rows] + tbt[cols] - torch.log(tx)
    loss = 0.5 * (f * diff**2).sum()
    loss.backward()
    assert glove_loss(W, Wt, b, bt, rows, cols, x) == pytest.approx(loss.item(), rel=1e-12)
    grads = glove_gradients(W, Wt, b, bt, rows, cols, x)
    for name, t in (("W", tW), ("Wt", tWt), ("b", tb), ("bt", tbt)):
        np.testing.assert_allclose(grads[name], t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_numba_step_is_adagrad_on_the_gradient():
    W, Wt, b, bt, rows, cols, x = _tiny_problem(1)
    r, c, xv = rows[:1], cols[:1], x[:1]
    grads = glove_gradients(W, Wt, b, bt, r, c, xv)
    f32 = lambda a: a.astype(np.float32).copy()  # noqa: E731
    W2, Wt2, b2, bt2 = f32(W), f32(Wt), f32(b), f32(bt)
    ones = [np.ones_like(a) for a in (W2, Wt2, b2, bt2)]
    loss = _glove_epoch(
        r.astype(np.int32), c.astype(np.int32), np.log(xv).astype(np.float32),
        glove_weight(xv).astype(np.float32), W2, Wt2, b2, bt2, *ones, np.float32(0.05),
    )
    assert loss == pytest.approx(glove_loss(W, Wt, b, bt, r, c, xv), rel=1e-5)
    # first AdaGrad step with squared-gradient sums starting at 1: theta -= lr * grad
    np.testing.assert_allclose(W2, W - 0.05 * grads["W"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(Wt2, Wt - 0.05 * grads["Wt"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b2, b - 0.05 * grads["b"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ones[0], 1 + grads["W"] ** 2, rtol=1e-5)


def test_fit_loss_decreases_shapes_and_determinism(lee_sentences):
    m = GloVe(vector_size=20, window=5, epochs=10, min_count=3, progress=False).fit(lee_sentences)
    V = len(m.vocabulary_)
    assert m.wv_.vectors.shape == (V, 20) and m.cooccurrence_.shape == (V, V)
    np.testing.assert_allclose(m.wv_.vectors, m.W_ + m.W_tilde_)
    assert m.loss_history_.shape == (10,)
    # observed: 0.0218 -> 0.0105
    assert m.loss_history_[-1] < 0.5 * m.loss_history_[0], m.loss_history_
    assert np.all(np.diff(m.loss_history_) < 0)
    m2 = GloVe(vector_size=20, window=5, epochs=10, min_count=3, progress=False).fit(lee_sentences)
    assert np.array_equal(m.wv_.vectors, m2.wv_.vectors)


def test_bad_input():
    # every hyperparameter, NaN/inf/bool/str included, is covered in tests/test_kernel_safety.py
    with pytest.raises(ValueError, match=r"epochs must be an int in \[1, 10000\]; got 0"):
        GloVe(epochs=0).fit([["a", "b"]])
    with pytest.raises(ValueError, match=r"learning_rate must be a finite float in \(0, 1\]; got inf"):
        GloVe(learning_rate=float("inf")).fit([["a", "b"]])
    with pytest.raises(ValueError, match="no co-occurrences"):
        GloVe(min_count=1).fit([["a"], ["b"]])
    with pytest.raises(TypeError, match="X must be a list of token lists, but sentence 0 is a str"):
        GloVe(min_count=1).fit(["a b c"])
    with pytest.raises(ValueError, match="X is empty"):
        GloVe(min_count=1).fit([])
    with pytest.raises(ValueError, match=r"window must be an int in \[1, 1000\]; got 0"):
        cooccurrence_matrix(np.array([0, 1]), np.array([0, 2]), 2, window=0)
    with pytest.raises(ValueError, match=r"x_max must be a finite float > 0; got nan"):
        glove_weight(np.ones(3), x_max=float("nan"))
    with pytest.raises(ValueError, match=r"power must be a finite float in \(0, 10\]; got 0.0"):
        glove_weight(np.ones(3), power=0.0)


def test_power_is_the_weighting_exponent_and_fit_takes_X():
    # f(x) = min(1, (x / x_max) ** power): the paper's alpha, named power (alpha means a learning rate)
    assert glove_weight(np.array([25.0, 400.0]), x_max=100.0, power=0.5).tolist() == [0.5, 1.0]
    sents = [["a", "b", "c", "a"], ["b", "c", "a", "b"]] * 5
    m1 = GloVe(vector_size=4, epochs=2, min_count=1, power=0.5, progress=False).fit(X=sents, y=None)
    m2 = GloVe(vector_size=4, epochs=2, min_count=1, power=0.5, progress=False).fit(sents)
    assert np.array_equal(m1.W_, m2.W_) and m1.power == 0.5 and "power=0.5" in repr(m1)
    with pytest.raises(TypeError):
        GloVe(alpha=0.75)


def test_loss_arguments_are_checked():
    W, Wt, b, bt, rows, cols, x = _tiny_problem()
    with pytest.raises(ValueError, match=r"rows must lie in \[0, 6\)"):
        glove_loss(W, Wt, b, bt, rows + 6, cols, x)
    with pytest.raises(TypeError, match="rows must be a 1-d array of int ids"):
        glove_loss(W, Wt, b, bt, rows + 0.5, cols, x)
    with pytest.raises(ValueError, match="x must hold the positive co-occurrence values"):
        glove_gradients(W, Wt, b, bt, rows, cols, -x)
    with pytest.raises(ValueError, match=r"b must have one entry per row of W \(6\)"):
        glove_loss(W, Wt, b[:3], bt, rows, cols, x)
    with pytest.raises(ValueError, match="W contains NaN or infinity"):
        glove_loss(np.full_like(W, np.nan), Wt, b, bt, rows, cols, x)
    with pytest.raises(ValueError, match=r"offsets must be non-decreasing, from 0 to len\(ids\) = 3"):
        cooccurrence_matrix(np.array([0, 1, 2]), np.array([0, 2, 1, 3]), 3)
