"""Plots and tables for looking at embeddings: projections, scatter plots, analogies, neighbours.

Every plot function returns a :class:`plotly.graph_objects.Figure` and never shows it; plotly,
scikit-learn's manifold module and umap are imported inside the functions, so importing this
package is cheap and sets no global theme.

Taught in: chapter 01, used throughout.
"""

from embedcourse.viz.analogy import AnalogyResult, analogy_explorer, analogy_widget, solve_analogy
from embedcourse.viz.projection import METHODS, neighbourhood_preservation, project
from embedcourse.viz.scatter import projection_explorer, scatter_embeddings, similarity_heatmap
from embedcourse.viz.tables import neighbour_table, neighbour_table_long

__all__ = [
    "METHODS",
    "project",
    "neighbourhood_preservation",
    "scatter_embeddings",
    "projection_explorer",
    "similarity_heatmap",
    "analogy_explorer",
    "analogy_widget",
    "solve_analogy",
    "AnalogyResult",
    "neighbour_table",
    "neighbour_table_long",
]
