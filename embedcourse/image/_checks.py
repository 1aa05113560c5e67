"""Input checks shared by the image modules: image batches, generators, labels."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__: list[str] = []


def as_images(x: Any, name: str = "images") -> torch.Tensor:
    """``x`` as a float32 tensor of shape (n, C, H, W) with n >= 1; tensors keep their graph.

    A numpy array or nested list is converted; NaN/inf, a wrong ndim, bool, integer or complex
    data raise errors naming ``name``.
    """
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of images of shape (n, C, H, W); got {type(x).__name__}.")
    if not isinstance(x, torch.Tensor):
        try:
            arr = np.asarray(x)
        except ValueError:
            raise ValueError(f"{name} could not be read as an array (ragged input?).") from None
        if arr.dtype == bool or arr.dtype.kind not in "fiu":
            raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}.")
        x = torch.as_tensor(arr.astype(np.float32))
    if not x.is_floating_point() or x.is_complex():
        raise TypeError(f"{name} must be a floating-point tensor; got dtype {x.dtype}.")
    if x.ndim != 4:
        raise ValueError(f"{name} must have shape (n, C, H, W); got shape {tuple(x.shape)} "
                         f"(a single image? add the batch axis: x[None]).")
    if any(s == 0 for s in x.shape):
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}).")
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains NaN or infinity.")
    return x.float()


def check_generator(generator: Any, name: str = "generator") -> torch.Generator:
    """A ``torch.Generator``, or an int seed turned into one (never the global generator)."""
    if isinstance(generator, torch.Generator):
        return generator
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, (bool, np.bool_)):
        if not 0 <= int(generator) <= 2**63 - 1:
            raise ValueError(f"{name} must be a torch.Generator or a seed in [0, 2**63 - 1]; got {int(generator)}.")
        return torch.Generator().manual_seed(int(generator))
    raise TypeError(f"{name} must be a torch.Generator or an int seed; got {generator!r} "
                    f"(the global generator is never used: pass one explicitly).")


def check_labels(labels: Any, n: int, name: str = "labels") -> np.ndarray:
    """One integer class id per row: a 1-d int64 array of length ``n``."""
    if labels is None or isinstance(labels, (str, bytes)):
        raise TypeError(f"{name} must be a 1-d array of integer class ids; got {type(labels).__name__}.")
    arr = np.asarray(labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else labels)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integer class ids; got dtype {arr.dtype}.")
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must be one class id per row ({n}); got shape {arr.shape}.")
    return arr.astype(np.int64)
