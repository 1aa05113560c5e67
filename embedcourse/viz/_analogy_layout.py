"""Layout helpers of the analogy plot: the plane of the picture and where each label goes.

Used by :mod:`embedcourse.viz.analogy`; nothing here is public.

Taught in: chapter 01.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__: list[str] = []

FONT_PX = 7.0  # rough width of one character at font size 12, for label placement


def plane(
    vectors: npt.NDArray[np.float64], offset: npt.NDArray[np.float64], across: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """PCA (2 axes) fitted on ``vectors``; axis 1 signed so ``offset`` points right, axis 2 so ``across`` points up."""
    mean = vectors.mean(axis=0)
    _, _, Vt = np.linalg.svd(vectors - mean, full_matrices=False)
    W = Vt[:2].copy()
    if (W @ offset)[0] < 0:
        W[0] = -W[0]
    if (W @ across)[1] < 0:
        W[1] = -W[1]
    return mean, W


def place_labels(
    xy: npt.NDArray[np.float64], texts: list[str], sizes: list[float], fonts: list[float],
    obstacles: npt.NDArray[np.float64], px: float,
) -> list[str]:
    """Greedy label placement: for each point (in priority order) pick the side where its text overlaps least.

    ``px`` is the data units per screen pixel; ``obstacles`` are extra points (shape (m, 2)) to keep clear of.
    """
    options = {
        "top center": (0.0, 1.0),
        "bottom center": (0.0, -1.0),
        "middle right": (1.0, 0.0),
        "middle left": (-1.0, 0.0),
        "top right": (1.0, 1.0),
        "top left": (-1.0, 1.0),
        "bottom right": (1.0, -1.0),
        "bottom left": (-1.0, -1.0),
    }
    placed: list[tuple[float, float, float, float]] = []
    dots = np.vstack([xy, obstacles]) if len(obstacles) else xy
    result = []
    for (x, y), t, s, f in zip(xy, texts, sizes, fonts, strict=True):
        w = len(t) * FONT_PX * f / 12.0 * px
        h = 1.25 * f * px
        gap = (s / 2 + 2) * px
        best, best_cost = "top center", np.inf
        for penalty, (name, (dx, dy)) in enumerate(options.items()):
            cx = x + dx * (gap + w / 2)
            cy = y + dy * (gap + h / 2)
            box = (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2)
            cost = 0.01 * penalty
            for ob in placed:
                ox = max(0.0, min(box[1], ob[1]) - max(box[0], ob[0]))
                oy = max(0.0, min(box[3], ob[3]) - max(box[2], ob[2]))
                cost += ox * oy / (w * h)
            inside = (dots[:, 0] > box[0] - 3 * px) & (dots[:, 0] < box[1] + 3 * px)
            inside &= (dots[:, 1] > box[2] - 3 * px) & (dots[:, 1] < box[3] + 3 * px)
            cost += 0.5 * inside.sum()
            if cost < best_cost:
                best, best_cost, best_box = name, cost, box
        placed.append(best_box)
        result.append(best)
    return result


def table_bottom(rows: int, plot_height_px: float) -> float:
    """Bottom of the candidates table in paper coordinates (header 30 px, 24 px a row)."""
    return max(0.3, 1.0 - (44 + 24 * rows) / plot_height_px)
