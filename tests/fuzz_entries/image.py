"""Fuzz entries of embedcourse.image and the contrastive losses of chapter 04; see tests/test_fuzz.py.

Valid inputs are small random image batches (n, 1, 8, 8) in [0, 1], random embeddings and
labels; the oracles are scikit-learn's KNeighborsClassifier, brute-force numpy and
``torch.nn.functional.cross_entropy`` on the similarity matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

import embedcourse as ec
import embedcourse.image as IM
from test_fuzz import Mut, _close, choice, entry, matrix, posint, positive_float, texts


def _imgs(n: int = 6) -> np.ndarray:
    return np.random.default_rng(0).random((n, 1, 8, 8)).astype(np.float32)


def _img_muts() -> list[Mut]:
    return [
        Mut("nan", lambda v, d: np.where(np.arange(np.size(v)).reshape(np.shape(v)) == 3, np.nan, v)),
        Mut("ndim3", lambda v, d: np.asarray(v)[:, 0]),
        Mut("empty", lambda v, d: np.zeros((0, 1, 8, 8), np.float32)),
        Mut("string", lambda v, d: "image.png"),
        Mut("none", lambda v, d: None),
        Mut("bool", lambda v, d: np.asarray(v) > 0.5),
        Mut("complex", lambda v, d: np.asarray(v) * (1 + 1j)),
        Mut("ragged", lambda v, d: [[1.0, 2.0], [3.0]]),
    ]


def _gen_muts() -> list[Mut]:
    return [Mut("none", lambda v, d: None, names=("generator",)), Mut("string", lambda v, d: "0"),
            Mut("negative", lambda v, d: -1), Mut("float", lambda v, d: 0.5)]


entry("image.load_images", lambda name: IM.load_images(name), {"name": "digits"}, muts={"name": choice()},
      oracle=lambda a, r: _close(r.images.shape, (1797, 1, 8, 8)))
entry("image.ImageSet", lambda images: IM.ImageSet(images, np.zeros(len(images), np.int64), ("a",), "x", "test"),
      lambda: {"images": _imgs()})
entry("image.random_affine", lambda images, generator, max_rotation, noise:
      IM.random_affine(images, generator, max_rotation=max_rotation, noise=noise),
      lambda: {"images": _imgs(), "generator": 0, "max_rotation": 15.0, "noise": 0.05},
      muts={"images": _img_muts(), "generator": _gen_muts(),
            "max_rotation": positive_float(zero="either") + [Mut("too_big", lambda v, d: 400.0)],
            "noise": positive_float(zero="either")},
      oracle=lambda a, r: _close(r.shape, np.shape(a["images"])))


def _cnn(embed_dim: Any = 8, channels: Any = 4) -> Any:
    return IM.SmallCNN(embed_dim=embed_dim, channels=channels, random_state=0)


entry("image.SmallCNN", lambda embed_dim, channels, x: _cnn(embed_dim, channels)(x),
      lambda: {"embed_dim": 8, "channels": 4, "x": _imgs()},
      muts={"embed_dim": posint(), "channels": posint(), "x": _img_muts()},
      oracle=lambda a, r: _close(r.shape, (6, a["embed_dim"])), covers=("image.SmallCNN.forward",))
entry("image.patchify", lambda images, patch_size: IM.patchify(images, patch_size),
      lambda: {"images": _imgs(), "patch_size": 2},
      muts={"images": _img_muts(), "patch_size": posint() + [Mut("not_divisor", lambda v, d: 3)]},
      oracle=lambda a, r: _close(r[0, 0].numpy(), np.asarray(a["images"])[0, 0, :2, :2].reshape(-1)))
entry("image.TinyViT", lambda patch_size, heads, x: IM.TinyViT(embed_dim=8, patch_size=patch_size, dim=16, depth=1,
                                                                heads=heads, random_state=0)(x),
      lambda: {"patch_size": 4, "heads": 2, "x": _imgs()},
      muts={"patch_size": posint() + [Mut("not_divisor", lambda v, d: 3)],
            "heads": posint() + [Mut("not_divisor", lambda v, d: 3)], "x": _img_muts()},
      oracle=lambda a, r: _close(r.shape, (6, 8)), covers=("image.TinyViT.forward",))
entry("image.TinyViT.tokens", lambda x: IM.TinyViT(embed_dim=8, patch_size=4, dim=16, depth=1, heads=2).tokens(x),
      lambda: {"x": _imgs()}, muts={"x": _img_muts()}, oracle=lambda a, r: _close(r.shape, (6, 5, 16)))


def _fig(n: int = 4) -> Any:
    import plotly.graph_objects as go

    return go.Figure(go.Scatter(x=list(range(n)), y=list(range(n)), mode="markers", customdata=list(range(n))))


def _thumbs(n: int = 4) -> list[str]:
    return [IM.png_data_uri(im) for im in _imgs(n)]


entry("image.load_photo", lambda name, grey: IM.load_photo(name, grey=grey), {"name": "coins", "grey": False},
      muts={"name": choice(), "grey": [Mut("string", lambda v, d: "yes"), Mut("none", lambda v, d: None)]},
      oracle=lambda a, r: _close(r.shape, (1, 303, 384)))
entry("image.png_bytes", lambda image: IM.png_bytes(image), lambda: {"image": _imgs(1)[0]},
      muts={"image": [m for m in _img_muts() if m.label not in ("empty", "ndim3")]
            + [Mut("above_one", lambda v, d: np.asarray(v) + 2.0), Mut("four_channels", lambda v, d: np.zeros((4, 5, 5))),
               Mut("empty", lambda v, d: np.zeros((1, 0, 8), np.float32))]},
      oracle=lambda a, r: _close(r[:8] == b"\x89PNG\r\n\x1a\n", True))
entry("image.png_data_uri", lambda image: IM.png_data_uri(image), lambda: {"image": _imgs(1)[0]},
      muts={"image": [Mut("none", lambda v, d: None), Mut("string", lambda v, d: "x.png"),
                      Mut("negative", lambda v, d: -np.asarray(v) - 1)]},
      oracle=lambda a, r: _close(r.startswith("data:image/png;base64,"), True))
entry("image.image_hover_html", lambda fig, thumbnails, image_px, div_id:
      IM.image_hover_html(fig, thumbnails, image_px=image_px, div_id=div_id),
      lambda: {"fig": _fig(), "thumbnails": _thumbs(), "image_px": 64, "div_id": "map"},
      muts={"fig": [Mut("none", lambda v, d: None), Mut("string", lambda v, d: "figure"),
                    Mut("index_out_of_range", lambda v, d: _fig(6), names=("customdata",))],
            "thumbnails": [Mut("empty", lambda v, d: []), Mut("string", lambda v, d: "data:image/png;base64,"),
                           Mut("not_uri", lambda v, d: ["cat.png"] * 4)],
            "image_px": posint(), "div_id": [Mut("space", lambda v, d: "my map"), Mut("int", lambda v, d: 3)]},
      oracle=lambda a, r: _close('id="map-img"' in r, True))


def _train(epochs: Any, lr: Any, batch_size: Any) -> list[float]:
    X, y = torch.tensor(_imgs(8)), torch.arange(8) % 2
    model = torch.nn.Sequential(_cnn(), torch.nn.Linear(8, 2))
    return IM.train_loop(model, lambda idx, g: F.cross_entropy(model(X[idx]), y[idx]), 8, epochs=epochs, lr=lr,
                         batch_size=batch_size, verbose=False)


entry("image.train_loop", _train, {"epochs": 2, "lr": 1e-3, "batch_size": 4},
      muts={"epochs": posint(), "lr": positive_float(), "batch_size": posint()},
      oracle=lambda a, r: _close(len(r), a["epochs"]))
entry("image.embed", lambda images, batch_size: IM.embed(_cnn(), images, batch_size=batch_size),
      lambda: {"images": _imgs(), "batch_size": 4},
      muts={"images": _img_muts(), "batch_size": posint()},
      oracle=lambda a, r: _close(r, _cnn()(torch.tensor(a["images"])).detach().numpy(), rtol=1e-5))


def _emb() -> np.ndarray:
    return np.random.default_rng(1).normal(size=(12, 4))


def _labels() -> np.ndarray:
    return np.arange(12) % 3


def _label_muts() -> list[Mut]:
    return [Mut("float", lambda v, d: np.asarray(v) + 0.5), Mut("short", lambda v, d: np.asarray(v)[:3]),
            Mut("string", lambda v, d: "0 1 2"), Mut("none", lambda v, d: None), Mut("ndim2", lambda v, d: np.asarray(v)[None])]


def _knn_ref(a: dict, r: Any) -> None:
    from sklearn.neighbors import KNeighborsClassifier

    clf = KNeighborsClassifier(n_neighbors=a["k"], metric="cosine", algorithm="brute").fit(a["train"], a["train_labels"])
    _close(r, (clf.predict(_emb()[:5] * 2 + 0.1) == _labels()[:5]).astype(float))


entry("image.knn_correct", lambda train, train_labels, k: IM.knn_correct(train, train_labels, _emb()[:5] * 2 + 0.1,
                                                                         _labels()[:5], k=k),
      lambda: {"train": _emb(), "train_labels": _labels(), "k": 3},
      muts={"train": matrix(zero="raise", ncols=True), "train_labels": _label_muts(), "k": posint(big=12)},
      oracle=_knn_ref)


def _recall_ref(a: dict, r: Any) -> None:
    X = np.asarray(a["X"], np.float64)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    D = 1 - Xn @ Xn.T
    np.fill_diagonal(D, np.inf)
    nearest = np.argsort(D, axis=1, kind="stable")[:, :a["k"]]
    y = np.asarray(a["labels"])
    _close(r, (y[nearest] == y[:, None]).any(axis=1).astype(float))


entry("image.same_class_recall", lambda X, labels, k, metric: IM.same_class_recall(X, labels, k=k, metric=metric),
      lambda: {"X": _emb(), "labels": _labels(), "k": 2, "metric": "cosine"},
      muts={"X": matrix(zero="raise"), "labels": _label_muts(), "k": posint(big=11), "metric": choice()},
      oracle=_recall_ref)
entry("image.make_captions", lambda labels, class_names, templates: IM.make_captions(labels, class_names, templates),
      lambda: {"labels": np.array([0, 2, 1]), "class_names": ["zero", "one", "two"], "templates": ["a {}", "the digit {}"]},
      muts={"labels": [m for m in _label_muts() if m.label != "short"] + [Mut("out_of_range", lambda v, d: np.array([0, 7, 1]))],
            "class_names": texts(empty_doc="either"),
            "templates": texts(empty_doc="either") + [Mut("no_slot", lambda v, d: ["a digit"])]},
      oracle=lambda a, r: _close(len(r), len(a["labels"])))


def _zs_ref(a: dict, r: Any) -> None:
    Z, P = np.asarray(a["image_embeddings"], np.float64), np.asarray(a["prompt_embeddings"], np.float64)
    S = (Z / np.linalg.norm(Z, axis=1, keepdims=True)) @ (P / np.linalg.norm(P, axis=1, keepdims=True)).T
    _close(r, S.argmax(axis=1))


entry("image.zero_shot_predict", lambda image_embeddings, prompt_embeddings: IM.zero_shot_predict(image_embeddings,
                                                                                                  prompt_embeddings),
      lambda: {"image_embeddings": _emb(), "prompt_embeddings": _emb()[:3] + 1.0},
      muts={"image_embeddings": matrix(zero="raise"), "prompt_embeddings": matrix(zero="raise", ncols=True)},
      oracle=_zs_ref)


# ---- losses.infonce -------------------------------------------------------------------------
def _pair() -> dict:
    g = np.random.default_rng(2)
    return {"a": g.normal(size=(5, 6)), "b": g.normal(size=(5, 6)), "scale": 10.0}


def _emb_muts() -> list[Mut]:
    return [m for m in matrix(ncols=True) if m.label != "zero_row"] + [Mut("none", lambda v, d: None)]


def _sym_ref(a: dict, r: Any) -> None:
    A = F.normalize(torch.as_tensor(np.asarray(a["a"], np.float64)), dim=1)
    B = F.normalize(torch.as_tensor(np.asarray(a["b"], np.float64)), dim=1)
    S, t = a["scale"] * A @ B.T, torch.arange(A.shape[0])
    _close(float(r), float((F.cross_entropy(S, t) + F.cross_entropy(S.T, t)) / 2), rtol=1e-6)


def _ntx_ref(a: dict, r: Any) -> None:
    z = F.normalize(torch.as_tensor(np.concatenate([np.asarray(a["a"], np.float64), np.asarray(a["b"], np.float64)])), dim=1)
    n = z.shape[0] // 2
    S = (a["scale"] * z @ z.T).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    _close(float(r), float(F.cross_entropy(S, torch.cat([torch.arange(n, 2 * n), torch.arange(n)]))), rtol=1e-6)


_SCALE = [Mut("zero", lambda v, d: 0.0), Mut("negative", lambda v, d: -1.0), Mut("nan", lambda v, d: float("nan")),
          Mut("string", lambda v, d: "10")]
for _name, _call, _ref, _cov in (
        ("losses.nt_xent_loss", lambda a, b, scale: ec.losses.nt_xent_loss(a, b, scale=scale), _ntx_ref, ()),
        ("losses.NTXentLoss", lambda a, b, scale: ec.losses.NTXentLoss(scale=scale)(a, b), _ntx_ref,
         ("losses.NTXentLoss.forward",)),
        ("losses.symmetric_infonce_loss", lambda a, b, scale: ec.losses.symmetric_infonce_loss(a, b, scale=scale),
         _sym_ref, ()),
        ("losses.SymmetricInfoNCELoss", lambda a, b, scale: ec.losses.SymmetricInfoNCELoss(scale=scale)(a, b), _sym_ref,
         ("losses.SymmetricInfoNCELoss.forward",))):
    entry(_name, _call, _pair, muts={"a": _emb_muts(), "b": _emb_muts(), "scale": _SCALE},
          aliases={"a": ("z1",), "b": ("z2",)}, oracle=_ref, covers=_cov)
