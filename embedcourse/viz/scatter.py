"""Interactive scatter plots of embeddings and similarity heatmaps (plotly).

Every function returns a :class:`plotly.graph_objects.Figure` and never shows it: the notebook
displays the figure it is given as the last expression of a cell. Interactivity that must work in
the static HTML book (no kernel) is built from plotly's own machinery: one trace per label so
the legend toggles categories, and ``layout.updatemenus`` dropdowns that switch trace
visibility.

Taught in: chapter 01 (word-vector maps), used in most later chapters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_matrix
from embedcourse.reduction import METHODS, project

__all__ = ["scatter_embeddings", "projection_explorer", "similarity_heatmap", "PALETTE"]

#: Colours used for categories, in order (Plotly's "Plotly" set, then "Dark24" for more than 10).
PALETTE = (
    "#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A",
    "#19D3F3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52",
    "#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF",
    "#222A2A", "#B68100", "#750D86", "#EB663B", "#511CFB",
    "#00A08B", "#FB00D1", "#FC0080", "#B2828D", "#6C7C32",
)

_METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}


def _as_strings(values: Any, n: int, name: str) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        raise TypeError(f"{name} must be a sequence of {n} strings, one per point, not a single string.")
    values = list(values)
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} entries but there are {n} points; pass one per point.")
    return [str(v) for v in values]


def _label_groups(labels: Any, n: int) -> list[tuple[str, np.ndarray]]:
    """[(label name, row indices)] in sorted order when the labels sort, else first-seen order."""
    if labels is None:
        return [("", np.arange(n))]
    if isinstance(labels, str):
        raise TypeError(f"labels must be a sequence of {n} values, one per point, not a single string.")
    labels = list(labels.tolist() if isinstance(labels, np.ndarray) else labels)
    if len(labels) != n:
        raise ValueError(f"labels has {len(labels)} entries but there are {n} points; pass one per point.")
    seen: dict[Any, list[int]] = {}
    for i, lab in enumerate(labels):
        seen.setdefault(lab, []).append(i)
    keys = list(seen)
    try:
        keys = sorted(keys)
    except TypeError:
        pass
    return [(str(k), np.asarray(seen[k])) for k in keys]


def _point_traces(
    Y: npt.NDArray[np.float64],
    groups: list[tuple[str, np.ndarray]],
    hover: list[str] | None,
    text: list[str] | None,
    marker_size: float,
    *,
    visible: bool = True,
    legendgroup_prefix: str = "",
) -> list[Any]:
    import plotly.graph_objects as go

    three_d = Y.shape[1] == 3
    traces = []
    for j, (name, idx) in enumerate(groups):
        colour = PALETTE[j % len(PALETTE)]
        kw: dict[str, Any] = dict(
            x=Y[idx, 0],
            y=Y[idx, 1],
            name=name or "points",
            showlegend=bool(name),
            legendgroup=legendgroup_prefix + name,
            visible=visible,
            mode="markers+text" if text is not None else "markers",
            marker=dict(size=marker_size, color=colour, opacity=0.8, line=dict(width=0)),
        )
        if text is not None:
            kw["text"] = [text[i] for i in idx]
            kw["textposition"] = "top center"
            kw["textfont"] = dict(size=11)
        if hover is not None:
            kw["hovertext"] = [hover[i] for i in idx]
            kw["hovertemplate"] = "%{hovertext}<extra>" + (name or "") + "</extra>"
        else:
            kw["hovertemplate"] = "point %{customdata}<extra>" + (name or "") + "</extra>"
            kw["customdata"] = idx
        if three_d:
            kw["z"] = Y[idx, 2]
            kw["marker"]["size"] = max(2.0, marker_size * 0.6)
            traces.append(go.Scatter3d(**kw))
        else:
            traces.append(go.Scattergl(**kw) if len(Y) > 5000 and text is None else go.Scatter(**kw))
    return traces


def _base_layout(title: str | None, width: int | None, height: int, *, three_d: bool) -> dict[str, Any]:
    layout: dict[str, Any] = dict(
        template="plotly_white",
        height=height,
        legend=dict(itemsizing="constant", title=dict(text="")),
        margin=dict(l=40, r=20, t=60 if title else 30, b=40),
        hoverlabel=dict(namelength=-1),
    )
    if title:
        layout["title"] = dict(text=title, x=0.02, xanchor="left")
    if width is not None:
        layout["width"] = width
    if not three_d:
        layout["xaxis"] = dict(title=dict(text="dimension 1"), zeroline=False)
        layout["yaxis"] = dict(title=dict(text="dimension 2"), zeroline=False)
    return layout


def scatter_embeddings(
    Y: npt.ArrayLike,
    labels: Sequence[Any] | None = None,
    hover: Sequence[str] | None = None,
    *,
    text: Sequence[str] | None = None,
    title: str | None = None,
    width: int | None = None,
    height: int = 600,
    marker_size: float = 7,
) -> Any:
    """Scatter plot of 2-d or 3-d coordinates, one trace (and legend entry) per label.

    Parameters
    ----------
    Y : array-like, shape (n, 2) or (n, 3)
        The projected points, usually the output of :func:`~embedcourse.reduction.project`. Three columns give a 3-d plot.
    labels : sequence, length n, optional
        A category per point (cluster, class, part of speech...). Each distinct label becomes
        one trace, so clicking it in the legend hides or shows that category.
    hover : sequence of str, length n, optional
        Text shown when the pointer is over a point (e.g. the word or the first words of a
        document). Plotly's ``<br>`` makes line breaks.
    text : sequence of str, length n, optional
        Text drawn permanently next to each point (use for a few dozen points at most).
    title : str, optional
    width, height : int
        Figure size in pixels; ``width=None`` fills the page.
    marker_size : float

    Returns
    -------
    plotly.graph_objects.Figure

    Taught in: chapter 01.
    """
    import plotly.graph_objects as go

    Y = as_matrix(Y, "Y", dtype=np.float64)
    n, p = Y.shape
    if p not in (2, 3):
        raise ValueError(
            f"Y must have 2 or 3 columns (x, y[, z]); got shape {Y.shape}. "
            f"Project first: embedcourse.reduction.project(X, n_components=2)."
        )
    groups = _label_groups(labels, n)
    hover_s = _as_strings(hover, n, "hover")
    text_s = _as_strings(text, n, "text")
    fig = go.Figure(_point_traces(Y, groups, hover_s, text_s, marker_size))
    fig.update_layout(**_base_layout(title, width, height, three_d=p == 3))
    return fig


def projection_explorer(
    X: npt.ArrayLike,
    labels: Sequence[Any] | None = None,
    hover: Sequence[str] | None = None,
    methods: Sequence[str] = ("umap", "tsne", "pca"),
    random_state: int = 0,
    title: str | None = "Projections of the embeddings",
    *,
    metric: str = "cosine",
    method_kwargs: Mapping[str, Mapping[str, Any]] | None = None,
    cache: bool = True,
    height: int = 600,
    width: int | None = None,
    marker_size: float = 6,
) -> Any:
    """One figure holding several 2-d projections of ``X``, with a dropdown to switch between them.

    The dropdown is a plotly ``updatemenus`` menu whose buttons switch trace visibility, so it
    works in the static HTML book with no kernel. Each projection is computed with
    :func:`~embedcourse.reduction.project` (cached on disk).

    Parameters
    ----------
    X : array-like, shape (n, d)
        Embeddings.
    labels : sequence, length n, optional
        Category per point; one legend entry per category.
    hover : sequence of str, length n, optional
        Hover text per point.
    methods : sequence of {"pca", "tsne", "umap"}
        The projections, in dropdown order; the first is shown initially.
    random_state : int
        Seed for t-SNE and UMAP.
    title : str, optional
        The method's name is appended to it.
    metric : {"cosine", "euclidean"}
        Passed to :func:`project`.
    method_kwargs : dict, optional
        Extra parameters per method, e.g. ``{"tsne": {"perplexity": 10}}``.

    Returns
    -------
    plotly.graph_objects.Figure
        ``len(methods) * n_labels`` traces; ``layout.updatemenus[0].buttons`` has one button per method.

    Taught in: chapter 01.
    """
    import plotly.graph_objects as go

    if isinstance(methods, str):
        methods = (methods,)
    methods = [str(m).lower() for m in methods]
    if not methods:
        raise ValueError("methods is empty; pass at least one of 'pca', 'tsne', 'umap'.")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"Unknown projection method(s) in methods: {unknown}; choose from {list(METHODS)}.")
    if len(set(methods)) != len(methods):
        raise ValueError(f"methods has duplicates: {methods}.")
    method_kwargs = dict(method_kwargs or {})
    stray = sorted(set(method_kwargs) - set(methods))
    if stray:
        raise ValueError(f"method_kwargs has keys {stray} that are not in methods={methods}.")
    X = as_matrix(X, "X")
    n = X.shape[0]
    groups = _label_groups(labels, n)
    hover_s = _as_strings(hover, n, "hover")

    traces: list[Any] = []
    for i, m in enumerate(methods):
        Y = project(X, m, 2, random_state=random_state, cache=cache, metric=metric, **dict(method_kwargs.get(m, {})))
        traces.extend(_point_traces(Y.astype(np.float64), groups, hover_s, None, marker_size, visible=i == 0))
    fig = go.Figure(traces)
    per = len(groups)

    def heading(m: str) -> str:
        name = _METHOD_NAMES[m]
        return f"{title}: {name}" if title else name

    buttons = []
    for i, m in enumerate(methods):
        visible = [i * per <= t < (i + 1) * per for t in range(len(traces))]
        buttons.append(
            dict(
                label=_METHOD_NAMES[m],
                method="update",
                args=[
                    {"visible": visible},
                    {"title.text": heading(m), "xaxis.autorange": True, "yaxis.autorange": True},
                ],
            )
        )
    layout = _base_layout(heading(methods[0]), width, height, three_d=False)
    layout["margin"]["t"] = 90
    layout["updatemenus"] = [
        dict(
            type="dropdown",
            direction="down",
            buttons=buttons,
            active=0,
            showactive=True,
            x=0.0,
            xanchor="left",
            y=1.02,
            yanchor="bottom",
            pad=dict(r=4, t=4),
        )
    ]
    layout["title"]["y"] = 0.97
    layout["title"]["yanchor"] = "top"
    layout["xaxis"]["showticklabels"] = False
    layout["yaxis"]["showticklabels"] = False
    fig.update_layout(**layout)
    return fig


def _distinct(names: list[str]) -> list[str]:
    """Plotly merges equal category names: number repeats ("bank", "bank (2)") to keep every row."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def similarity_heatmap(
    S: npt.ArrayLike,
    row_labels: Sequence[str],
    col_labels: Sequence[str] | None = None,
    title: str | None = None,
    zmin: float | None = None,
    zmax: float | None = None,
    *,
    show_values: bool | None = None,
    height: int | None = None,
    width: int | None = None,
) -> Any:
    """Heatmap of a similarity matrix, rows top to bottom in the given order.

    Parameters
    ----------
    S : array-like, shape (n, m)
        Similarities (e.g. cosine), ``S[i, j]`` between row item ``i`` and column item ``j``.
    row_labels : sequence of str, length n
    col_labels : sequence of str, length m, optional
        Defaults to ``row_labels`` when ``S`` is square.
    title : str, optional
    zmin, zmax : float, optional
        Colour range. When ``S`` has negative values the default is symmetric around 0 with a
        diverging scale (red negative, blue positive); otherwise a sequential scale.
    show_values : bool, optional
        Write each value in its cell; default when the matrix has at most 20 x 20 cells.
    height, width : int, optional
        Figure size in pixels; by default the height grows with the number of rows.

    Repeated labels are numbered ("bank", "bank (2)"), since plotly would merge them.

    Returns
    -------
    plotly.graph_objects.Figure

    Taught in: chapter 01.
    """
    import plotly.graph_objects as go

    S = as_matrix(S, "S", dtype=np.float64)
    n, m = S.shape
    rows = _as_strings(row_labels, n, "row_labels")
    if col_labels is None:
        if n != m:
            raise ValueError(f"S has shape {S.shape}, which is not square; pass col_labels for its {m} columns.")
        cols = rows
    else:
        cols = _as_strings(col_labels, m, "col_labels")
    assert rows is not None and cols is not None
    rows, cols = _distinct(rows), _distinct(cols)
    if show_values is None:
        show_values = n <= 20 and m <= 20
    diverging = bool((S < 0).any())
    if diverging:
        bound = float(np.abs(S).max()) or 1.0
        zmin = -bound if zmin is None else zmin
        zmax = bound if zmax is None else zmax
        colorscale = "RdBu"
    else:
        colorscale = "Viridis"
    heat = go.Heatmap(
        z=S,
        x=cols,
        y=rows,
        zmin=zmin,
        zmax=zmax,
        zmid=0.0 if diverging and zmin is not None and zmax is not None and zmin < 0 < zmax else None,
        colorscale=colorscale,
        colorbar=dict(title=dict(text="similarity")),
        hovertemplate="%{y} / %{x}: %{z:.3f}<extra></extra>",
        texttemplate="%{z:.2f}" if show_values else None,
        xgap=1,
        ygap=1,
    )
    fig = go.Figure(heat)
    cell = 34 if max(n, m) <= 20 else 14
    fig.update_layout(
        template="plotly_white",
        title=dict(text=title, x=0.02, xanchor="left") if title else None,
        height=height or min(900, max(300, 120 + cell * n)),
        width=width,
        margin=dict(l=10, r=10, t=60 if title else 30, b=10),
        xaxis=dict(side="top", tickangle=-45 if max(len(c) for c in cols) > 4 else 0, type="category"),
        yaxis=dict(autorange="reversed", type="category"),
    )
    return fig
