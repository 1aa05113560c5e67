"""What :func:`~embedcourse.training.fit` returns: the loss curve and the story of the run.

Taught in: chapter 08.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["FitResult"]


@dataclass(frozen=True)
class FitResult:
    """The history of a training run (all arrays float64).

    Attributes
    ----------
    losses : numpy.ndarray, shape (steps,)
        Training loss of every optimizer step (including the steps before a resume).
    learning_rates : numpy.ndarray, shape (steps,)
        Learning rate used at every step (the schedule).
    epoch_losses : numpy.ndarray, shape (epochs_run,)
        Mean step loss of each epoch.
    val_scores : numpy.ndarray, shape (epochs_run,) or (0,)
        ``validate(model)`` after each epoch; empty without ``validate``.
    best_epoch : int or None
        1-based epoch of the best validation score (None without ``validate``).
    best_score : float or None
    stopped_early : bool
        True if early stopping ended the run (``patience`` epochs without improvement).
    steps : int
        Optimizer steps taken in total.
    seconds : float
        Wall time of this call (not of the steps before a resume).
    resumed_from_epoch : int or None
        The checkpoint's epoch this run resumed from, None for a fresh run.

    Examples
    --------
    >>> r = FitResult(np.zeros(2), np.ones(2), np.zeros(1), np.zeros(0), None, None, False, 2, 0.1, None)
    >>> r.epochs_run
    1

    Taught in: chapter 08.
    """

    losses: npt.NDArray[np.float64]
    learning_rates: npt.NDArray[np.float64]
    epoch_losses: npt.NDArray[np.float64]
    val_scores: npt.NDArray[np.float64]
    best_epoch: int | None
    best_score: float | None
    stopped_early: bool
    steps: int
    seconds: float
    resumed_from_epoch: int | None

    @property
    def epochs_run(self) -> int:
        """Number of epochs in the history (fewer than asked after early stopping or max_steps)."""
        return int(len(self.epoch_losses))
