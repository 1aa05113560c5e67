"""Progress lines of :func:`~embedcourse.training.fit`: plain ``print`` output, one line per epoch.

No progress-bar widgets: a plain line of text shows the same in a terminal, in Jupyter and in
the built book (where a widget would show as nothing, or as a pile of escape codes). Example::

    epoch 3/10  loss 0.4120  val 0.7310 (best)

The lines hold no timings, so two runs with the same seed print the same text (the book's
determinism check compares every printed number); the wall time is in ``FitResult.seconds``.

Taught in: chapter 08.
"""

from __future__ import annotations

__all__: list[str] = []


def epoch_line(epoch: int, epochs: int, loss: float, val: float | None, best: bool) -> str:
    """``epoch 3/10  loss 0.4120  val 0.7310 (best)``."""
    text = f"epoch {epoch}/{epochs}  loss {loss:.4f}"
    if val is not None:
        text += f"  val {val:.4f}" + (" (best)" if best else "")
    return text


def step_line(step: int, loss: float, lr: float) -> str:
    """``  step 50  loss 0.4012  lr 1.0e-03`` (``step`` counted from 1)."""
    return f"  step {step}  loss {loss:.4f}  lr {lr:.1e}"


def say(text: str, enabled: bool) -> None:
    """Print ``text`` (flushed, so it shows while training runs) when ``enabled``."""
    if enabled:
        print(text, flush=True)
