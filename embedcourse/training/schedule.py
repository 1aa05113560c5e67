"""The learning-rate schedule of :func:`~embedcourse.training.fit`: linear warmup, then constant or linear decay.

At optimizer step t (counted from 0), with peak rate ``lr``, ``w = warmup_steps`` and
``T = max_steps``:

    lr_t = lr * (t + 1) / w                    for t < w   (warmup: small steps while Adam's
                                                           moment estimates are still noisy)
    lr_t = lr                                  for t >= w  (decay="constant")
    lr_t = lr * (T - t) / (T - w)              for t >= w  (decay="linear", down to lr / (T - w)
                                                           at the last step t = T - 1)

Taught in: chapter 08.
"""

from __future__ import annotations

from typing import Any

from embedcourse._validation import check_choice, check_float, check_int

__all__ = ["DECAYS", "learning_rate"]

#: What happens to the learning rate after the warmup.
DECAYS = ("constant", "linear")


def check_schedule(warmup_steps: Any, decay: Any, max_steps: Any) -> tuple[int, str, int | None]:
    """Checked (warmup_steps, decay, max_steps); linear decay needs max_steps > warmup_steps."""
    warmup_steps = check_int("warmup_steps", warmup_steps, 0)
    decay = check_choice("decay", decay, DECAYS)
    if max_steps is not None:
        max_steps = check_int("max_steps", max_steps, 1)
    if decay == "linear":
        if max_steps is None:
            raise ValueError("decay='linear' needs max_steps (the step at which the rate reaches 0); "
                             "pass max_steps or use decay='constant'.")
        if warmup_steps >= max_steps:
            raise ValueError(f"warmup_steps ({warmup_steps}) must be smaller than max_steps ({max_steps}) "
                             f"with decay='linear'.")
    return warmup_steps, decay, max_steps


def lr_factor(step: int, warmup_steps: int, decay: str, max_steps: int | None) -> float:
    """The multiplier of the peak rate at 0-based ``step`` (arguments already checked)."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if decay == "linear" and max_steps is not None:
        return max(0.0, (max_steps - step) / (max_steps - warmup_steps))
    return 1.0


def learning_rate(step: int, *, lr: float, warmup_steps: int = 0, decay: str = "constant",
                  max_steps: int | None = None) -> float:
    """The learning rate :func:`~embedcourse.training.fit` uses at optimizer step ``step``.

    Parameters
    ----------
    step : int >= 0
        0-based optimizer step.
    lr : float > 0
        Peak learning rate.
    warmup_steps : int >= 0
        Length of the linear warmup (0: none).
    decay : {"constant", "linear"}
        After the warmup: stay at ``lr``, or fall linearly to 0 at ``max_steps``.
    max_steps : int, optional
        Total number of steps (needed by ``decay="linear"``).

    Returns
    -------
    float

    Examples
    --------
    >>> [learning_rate(t, lr=1.0, warmup_steps=4) for t in range(5)]
    [0.25, 0.5, 0.75, 1.0, 1.0]
    >>> learning_rate(9, lr=1.0, warmup_steps=0, decay="linear", max_steps=10)
    0.1

    Taught in: chapter 08.
    """
    step = check_int("step", step, 0)
    lr = check_float("lr", lr, 0, None, low_open=True)
    warmup_steps, decay, max_steps = check_schedule(warmup_steps, decay, max_steps)
    return lr * lr_factor(step, warmup_steps, decay, max_steps)
