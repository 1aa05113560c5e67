"""Plots and tables for looking at embeddings: scatter plots, analogies, neighbours, heatmaps.

Every plot function returns a :class:`plotly.graph_objects.Figure` and never shows it; plotly
is imported inside the functions, so importing this package is cheap and sets no global theme.
The projections the scatter plots draw come from :mod:`embedcourse.reduction`; how much of a
neighbourhood a projection keeps is :func:`embedcourse.metrics.neighbourhood_preservation`.

Taught in: chapter 01, used throughout.
"""

from embedcourse.viz import analogy, scatter, tables
from embedcourse.viz.analogy import *  # noqa: F403
from embedcourse.viz.scatter import *  # noqa: F403
from embedcourse.viz.tables import *  # noqa: F403

__all__ = [*scatter.__all__, *analogy.__all__, *tables.__all__]
