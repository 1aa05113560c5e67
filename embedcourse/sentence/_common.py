"""Helpers shared by the sentence baselines: the not-fitted error and a deterministic SVD sign."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__: list[str] = []


def check_fitted(est: Any, attr: str) -> None:
    """Raise ``RuntimeError`` naming the estimator when ``attr`` (a learned ``..._``) is missing."""
    if not hasattr(est, attr):
        raise RuntimeError(f"This {type(est).__name__} is not fitted yet; call fit(X) first.")


def flip_signs(V: npt.NDArray[np.floating]) -> npt.NDArray[np.floating]:
    """Make the largest-magnitude entry of every row positive (a deterministic sign for SVD)."""
    idx = np.argmax(np.abs(V), axis=1)
    signs = np.sign(V[np.arange(V.shape[0]), idx])
    signs[signs == 0] = 1
    return V * signs[:, None]
