"""The pieces of a reduced CLIP around a frozen text tower: captions and zero-shot prediction.

CLIP (Radford et al., 2021) trains an image tower and a text tower together on 400 million
image-caption pairs. The reduced version of chapter 04 keeps a pretrained text tower frozen
(MiniLM) and trains only a small image tower to land near the caption of its image, with the
symmetric InfoNCE of :mod:`embedcourse.losses.infonce`. Captions come from the labels through
templates (``"a handwritten digit {}"``): :func:`make_captions` draws one template per image.
:func:`zero_shot_predict` then classifies an image by the closest *prompt* among one prompt per
class, with no classifier trained on those prompts.

Taught in: chapter 04.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_matrix, check_random_state, check_seed, check_texts
from embedcourse.image._checks import check_labels
from embedcourse.ops import normalize_rows

__all__ = ["make_captions", "zero_shot_predict"]


def make_captions(labels: Any, class_names: Sequence[str], templates: Sequence[str], *,
                  random_state: int = 0) -> list[str]:
    """One caption per image: a random template filled with the image's class name.

    Parameters
    ----------
    labels : array-like of int, shape (n,)
        Class ids in ``[0, len(class_names))``.
    class_names : sequence of str
    templates : sequence of str
        Each holds one ``{}`` where the class name goes, e.g. ``"a photo of the digit {}"``.
    random_state : int
        Seed of the template draws.

    Returns
    -------
    list of str, length n

    Examples
    --------
    >>> make_captions([7, 1], ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    ...               ["a handwritten {}"])
    ['a handwritten seven', 'a handwritten one']

    Taught in: chapter 04.
    """
    names = check_texts(class_names, "class_names")
    temps = check_texts(templates, "templates")
    bad = [t for t in temps if t.count("{}") != 1]
    if bad:
        raise ValueError(f"templates must each hold exactly one '{{}}' for the class name; got {bad[0]!r}.")
    if labels is None or isinstance(labels, (str, bytes)) or np.ndim(labels) != 1:
        raise TypeError(f"labels must be a 1-d array of integer class ids; got {type(labels).__name__} "
                        f"with {np.ndim(labels) if labels is not None else 0} dimensions.")
    y = check_labels(labels, len(labels))
    if y.size and (y.min() < 0 or y.max() >= len(names)):
        raise ValueError(f"labels must be class ids in [0, {len(names)}) (one per entry of class_names); "
                         f"got values from {y.min()} to {y.max()}.")
    check_seed("random_state", random_state)
    rng = check_random_state(random_state)
    picks: list[int] = np.asarray(rng.integers(len(temps), size=y.shape[0])).tolist()
    return [temps[t].format(names[c]) for t, c in zip(picks, y.tolist(), strict=True)]


def zero_shot_predict(image_embeddings: npt.ArrayLike, prompt_embeddings: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """For each image, the class whose prompt has the highest cosine similarity.

    Parameters
    ----------
    image_embeddings : array-like, shape (n, d)
    prompt_embeddings : array-like, shape (C, d)
        Row c embeds the prompt of class c (or the mean of several prompts of class c).

    Returns
    -------
    numpy.ndarray, shape (n,), int64 class ids (ties: the smaller id)

    Examples
    --------
    >>> zero_shot_predict(Z_images, Z_prompts)  # doctest: +SKIP

    Taught in: chapter 04.
    """
    images = as_matrix(image_embeddings, "image_embeddings", dtype=np.float64)
    prompts = as_matrix(prompt_embeddings, "prompt_embeddings", dtype=np.float64, n_features=images.shape[1])
    for name, M in (("image_embeddings", images), ("prompt_embeddings", prompts)):
        if (np.abs(M).sum(axis=1) == 0).any():
            raise ValueError(f"{name} has a zero row, which has no direction to compare.")
    scores = normalize_rows(images) @ normalize_rows(prompts).T
    return scores.argmax(axis=1).astype(np.int64)
