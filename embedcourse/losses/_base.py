"""What every loss shares: checked embedding tensors, the temperature, the similarity matrix.

Each loss module of :mod:`embedcourse.losses` holds one loss as a function on embeddings
(tensors in, a scalar tensor out, gradients flow) plus a thin ``torch.nn.Module`` that stores
the hyperparameters and calls the function. They check their input here, so every loss
rejects a bad shape, NaN or a non-positive scale with the same clear message.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from embedcourse._validation import check_choice, check_float

__all__: list[str] = []

SIMILARITIES = ("cosine", "dot")


def as_embeddings(x: Any, name: str, *, ndim: tuple[int, ...] = (2,)) -> torch.Tensor:
    """``x`` as a float tensor of embeddings with one of the allowed ``ndim``; tensors keep their graph.

    Lists and numpy arrays are converted (float64 stays float64, anything else becomes float32);
    NaN/inf, empty axes, integer, bool and complex data raise errors naming ``name``.
    """
    if x is None:
        raise TypeError(f"{name} is None; pass a (batch, d) tensor of embeddings.")
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a tensor of embeddings, not a {type(x).__name__}; encode the texts first.")
    if not isinstance(x, torch.Tensor):
        try:
            arr = np.asarray(x)
        except ValueError:
            raise ValueError(f"{name} could not be read as an array (rows of different lengths?).") from None
        if arr.dtype.kind not in "fiu" or arr.dtype == bool:
            raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}.")
        x = torch.as_tensor(arr if arr.dtype == np.float64 else arr.astype(np.float32))
    if x.is_complex() or not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor; got dtype {x.dtype} (cast with .float()).")
    if x.ndim not in ndim:
        shapes = " or ".join({2: "(batch, d)", 3: "(batch, K, d)"}[n] for n in ndim)
        raise ValueError(f"{name} must have shape {shapes}; got shape {tuple(x.shape)}.")
    if any(s == 0 for s in x.shape):
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}); pass at least one embedding of dimension >= 1.")
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains NaN or infinity.")
    return x


def check_scale(scale: Any) -> float:
    """The inverse temperature ``1 / tau``: a finite float > 0."""
    return check_float("scale", scale, 0, None, low_open=True, hint=" (scale = 1 / temperature, e.g. 20)")


def check_similarity(similarity: Any) -> str:
    """One of :data:`SIMILARITIES`."""
    return check_choice("similarity", similarity, SIMILARITIES)


def similarity_matrix(A: torch.Tensor, B: torch.Tensor, similarity: str) -> torch.Tensor:
    """(n_a, n_b) cosine or dot similarities; cosine divides by the norms (at least 1e-12, as torch's ``normalize``)."""
    if similarity == "cosine":
        A = torch.nn.functional.normalize(A, p=2, dim=-1)
        B = torch.nn.functional.normalize(B, p=2, dim=-1)
    return A @ B.T


class ScaledLoss(nn.Module):
    """What every loss module of :mod:`embedcourse.losses` shares: a checked ``scale`` (the inverse
    temperature 1 / tau) and ``similarity`` ("cosine" or "dot"); subclasses define ``forward``."""

    def __init__(self, scale: float, similarity: str = "cosine") -> None:
        super().__init__()
        self.scale = check_scale(scale)
        self.similarity = check_similarity(similarity)

    @property
    def temperature(self) -> float:
        """tau = 1 / scale."""
        return 1.0 / self.scale


def check_margin(margin: Any) -> float:
    """The margin of a triplet or contrastive loss: a finite float > 0."""
    return check_float("margin", margin, 0, None, low_open=True,
                       hint=" (how much farther the negative must be than the positive)")


def as_labels(labels: Any, n: int, *, name: str = "labels", rows_of: str = "embeddings",
              binary: bool = False) -> torch.Tensor:
    """``labels`` as a 1-D int64 tensor of length ``n`` (class ids, or 0/1 when ``binary``).

    Lists, numpy arrays and tensors of ints (or bools) are accepted; floats are accepted only
    when they hold whole numbers (labels from a float column). Anything else raises an error
    naming ``name``.
    """
    if labels is None:
        raise TypeError(f"{name} is None; pass one integer label per row of {rows_of}.")
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of integer labels, not a {type(labels).__name__}.")
    if isinstance(labels, torch.Tensor):
        arr = labels.detach().cpu().numpy()
    else:
        try:
            arr = np.asarray(labels)
        except ValueError:
            raise ValueError(f"{name} could not be read as an array (ragged?).") from None
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold whole numbers (class ids); got non-integer or NaN values.")
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers; got dtype {arr.dtype}.")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per row); got shape {arr.shape}.")
    if arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} entries but {rows_of} has {n} rows; give one label per row.")
    if binary and not np.all((arr == 0) | (arr == 1)):
        raise ValueError(f"{name} must be 0 (dissimilar pair) or 1 (similar pair); got values {np.unique(arr)[:5]}.")
    return torch.as_tensor(arr.astype(np.int64))


def zero_loss(x: torch.Tensor) -> torch.Tensor:
    """A scalar 0 that is still connected to ``x``'s graph (``backward()`` works, gradients are 0)."""
    return (x * 0).sum()


def check_finite_loss(loss: torch.Tensor, names: str) -> torch.Tensor:
    """``loss`` itself, or a ValueError naming ``names`` if it overflowed to inf/NaN (huge inputs in float32)."""
    if not bool(torch.isfinite(loss.detach()).all()):
        raise ValueError(f"{names}: the loss overflowed to inf/NaN (values too large for {loss.dtype}); "
                         f"normalise the embeddings or use float64.")
    return loss
