"""Word analogies drawn as vector arithmetic: "a is to b as c is to ?".

Plotting only: each analogy is solved by :func:`embedcourse.vectors.solve_analogy` (3CosAdd
or 3CosMul, the rule of ``WordVectors.analogy``), so it works with an
:class:`embedcourse.vectors.WordVectors` or a gensim ``KeyedVectors`` alike; this module draws
the result.

:func:`analogy_explorer` precomputes every analogy and puts them all in one plotly figure with
a dropdown, so the explorer works in the static HTML book with no kernel.
:func:`analogy_widget` is the live-kernel version: type any three words.

Taught in: chapter 01 (word analogies), chapter 02 (evaluating trained vectors).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np

from embedcourse._validation import check_choice, check_int, require
from embedcourse.ops import normalize_rows
from embedcourse.viz._analogy_layout import FONT_PX, place_labels, plane, table_bottom
from embedcourse.vectors.analogy import ANALOGY_METHODS, AnalogyResult, check_analogy_words, solve_analogy

__all__ = ["analogy_explorer", "analogy_widget", "TRACES_PER_ANALOGY"]

#: Traces each analogy adds to the explorer figure: context words, the inputs a/b/c, the point
#: b - a + c, the answer, the other candidates, and the table of candidates.
TRACES_PER_ANALOGY = 6

# colours: inputs, the offset b - a (drawn twice), the answer, other candidates, context words
_BLUE, _OFFSET, _RED, _ORANGE, _GREY = "#1f4e9c", "#2ca02c", "#d62728", "#e6820e", "#9a9a9a"


def _analogy_panel(
    wv: Any, res: AnalogyResult, *, visible: bool, plot_px: tuple[float, float]
) -> tuple[list[Any], list[dict[str, Any]], dict[str, Any]]:
    """Traces, annotations and axis ranges for one solved analogy."""
    import plotly.graph_objects as go

    a, b, c = res.a, res.b, res.c
    cand = [w for w, _ in res.candidates]
    words = [a, b, c, *cand, *res.context]
    U = np.asarray(normalize_rows(np.vstack([np.asarray(wv[w], dtype=np.float64) for w in words]), zero_rows="keep"),
                   dtype=np.float64)
    ua, ub, uc = U[0], U[1], U[2]
    target = ub - ua + uc
    mean, W = plane(U, ub - ua, uc - ua)
    P = (U - mean) @ W.T
    pt = (target - mean) @ W.T
    cos_t = U @ normalize_rows(target, zero_rows="keep")

    n_in, n_c = 3, len(cand)
    idx_in = np.arange(n_in)
    idx_ans = np.array([n_in])
    idx_other = np.arange(n_in + 1, n_in + n_c)
    idx_ctx = np.arange(n_in + n_c, len(words))
    arith = f"{b} − {a} + {c}"

    # data units per pixel, from the spread of the points and the plot's size in pixels
    everything = np.vstack([P, pt[None, :]])
    lo, hi = everything.min(axis=0), everything.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    px = float(max(span[0] / (0.75 * plot_px[0]), span[1] / (0.75 * plot_px[1])))

    # label every point; inputs and the answer first so they get the best spots
    order = [*idx_in, *idx_ans, -1, *idx_other, *idx_ctx]
    xy = np.vstack([pt if i == -1 else P[i] for i in order])
    texts = [arith if i == -1 else words[i] for i in order]
    sizes = [12.0 if i == -1 else 13.0 if i < n_in + 1 else 9.0 if i < n_in + n_c else 6.0 for i in order]
    fonts = [12.0 if i == -1 else 14.0 if i < n_in + 1 else 12.0 if i < n_in + n_c else 11.0 for i in order]
    arrows = [(P[0], P[1]), (P[2], pt), (P[2], P[n_in])]
    along = np.vstack([p + t * (q - p) for p, q in arrows for t in np.linspace(0.15, 0.85, 8)])
    spots = dict(zip(order, place_labels(xy, texts, sizes, fonts, along, px), strict=True))

    score_name = "cosine" if res.method == "3cosadd" else "3CosMul"

    def hover(i: int, role: str) -> str:
        return f"<b>{html.escape(words[i])}</b><br>{role}<br>cos with {html.escape(arith)}: {cos_t[i]:.3f}"

    def points(idx: np.ndarray, name: str, colour: str, size: float, font: float, roles: list[str], **kw: Any) -> Any:
        return go.Scatter(
            x=P[idx, 0],
            y=P[idx, 1],
            mode="markers+text",
            name=name,
            visible=visible,
            text=[words[i] for i in idx],
            textposition=[spots[i] for i in idx],
            textfont=dict(size=font, color=colour),
            marker=dict(size=size, color=colour, line=dict(width=1, color="white")),
            hovertext=[hover(i, r) for i, r in zip(idx, roles, strict=True)],
            hovertemplate="%{hovertext}<extra></extra>",
            **kw,
        )

    ranks = {w: r for r, w in enumerate(cand, start=1)}
    traces = [
        points(idx_ctx, "neighbours (context)", _GREY, 6, 11, ["neighbour of a, b, c or the answer"] * len(idx_ctx)),
        points(idx_in, "a, b, c", _BLUE, 13, 14, ["a", "b", "c"]),
        go.Scatter(
            x=[pt[0]],
            y=[pt[1]],
            mode="markers+text",
            name="b − a + c",
            visible=visible,
            text=[arith],
            textposition=[spots[-1]],
            textfont=dict(size=12, color=_OFFSET),
            marker=dict(size=12, color=_OFFSET, symbol="x-thin", line=dict(width=3, color=_OFFSET)),
            hovertext=[f"<b>{html.escape(arith)}</b><br>where the arithmetic lands (not a word)"],
            hovertemplate="%{hovertext}<extra></extra>",
        ),
        points(idx_ans, "answer d", _RED, 13, 14, ["answer d (rank 1)"]),
        points(idx_other, "other candidates", _ORANGE, 9, 12, [f"candidate, rank {ranks[words[i]]}" for i in idx_other]),
    ]
    fill = [["#fde3e3" if r == 0 else "white" for r in range(n_c)]] * 3
    traces.append(
        go.Table(
            domain=dict(x=[0.70, 1.0], y=[table_bottom(n_c, plot_px[1]), 1.0]),
            columnwidth=[0.6, 2.4, 1.4],
            header=dict(
                values=["#", "candidate", score_name],
                fill_color="#eef1f6",
                align="left",
                font=dict(size=12),
            ),
            cells=dict(
                values=[list(range(1, n_c + 1)), cand, [f"{s:.3f}" for _, s in res.candidates]],
                fill_color=fill,
                align="left",
                font=dict(size=12),
                height=24,
            ),
            visible=visible,
            name="candidates",
        )
    )

    def arrow(start: np.ndarray, end: np.ndarray, colour: str, width: float, standoff: float) -> dict[str, Any]:
        return dict(
            x=float(end[0]), y=float(end[1]), ax=float(start[0]), ay=float(start[1]),
            xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True,
            arrowhead=2, arrowsize=1.2, arrowwidth=width, arrowcolor=colour,
            standoff=standoff, startstandoff=7,
        )  # fmt: skip

    annotations = [
        arrow(P[0], P[1], _OFFSET, 2.5, 7),
        arrow(P[2], pt, _OFFSET, 2.5, 6),
        arrow(P[2], P[n_in], _RED, 1.5, 7),
        dict(
            xref="paper", yref="paper", x=0.0, y=-0.02, xanchor="left", yanchor="top", showarrow=False,
            align="left", font=dict(size=12, color="#444"),
            text=(
                f"green arrows: the same offset <i>{html.escape(b)} − {html.escape(a)}</i>, drawn from "
                f"<i>{html.escape(a)}</i> and from <i>{html.escape(c)}</i>; red arrow: from <i>{html.escape(c)}</i> "
                f"to the answer.<br>Grey: nearest neighbours. 2-d PCA of these {len(words)} unit vectors.<br>"
                f"Table: {'cosine of each candidate with' if res.method == '3cosadd' else '3CosMul score for'} "
                f"<i>{html.escape(arith)}</i>."
            ),
        ),  # fmt: skip
    ]

    # axis ranges that leave room for the labels
    pad = np.array([max(len(t) for t in texts) * FONT_PX * 0.6 * px, 30 * px])
    lo, hi = lo - pad, hi + pad
    ranges = {"xaxis.range": [float(lo[0]), float(hi[0])], "yaxis.range": [float(lo[1]), float(hi[1])]}
    return traces, annotations, ranges


def _as_analogies(analogies: Any) -> list[tuple[str, str, str]]:
    if isinstance(analogies, tuple) and len(analogies) == 3 and all(isinstance(w, str) for w in analogies):
        analogies = [analogies]  # a single (a, b, c)
    if isinstance(analogies, str) or not isinstance(analogies, Sequence) or not analogies:
        raise TypeError(
            f"analogies must be a non-empty list of (a, b, c) word triples, e.g. "
            f"[('man', 'king', 'woman')]; got {analogies!r}."
        )
    out = []
    for i, t in enumerate(analogies):
        if isinstance(t, str) or len(t) != 3:
            raise ValueError(f"analogies[{i}] must be a triple (a, b, c) of words; got {t!r}.")
        out.append((t[0], t[1], t[2]))
    return out


def analogy_explorer(
    wv: Any,
    analogies: Sequence[tuple[str, str, str]],
    *,
    topn: int = 5,
    method: str = "3cosadd",
    title: str | None = None,
    context: int = 3,
    height: int = 620,
    width: int | None = None,
) -> Any:
    """Draw analogies "a is to b as c is to ?" as arrows in a 2-d projection, one dropdown entry each.

    For each triple the candidates are precomputed (top ``topn`` words by ``method``, inputs
    excluded). The words involved (a, b, c, the candidates and ``context`` nearest neighbours of
    a, b, c and the answer), as unit vectors, are projected by a PCA fitted on them; the point
    ``b - a + c`` is projected with the same map. Since the map is linear, the arrows
    ``a -> b`` and ``c -> b - a + c`` are exactly parallel and equally long: the picture of
    "the same offset". A third arrow goes from ``c`` to the answer, and a table lists the
    candidates with their scores. Everything is in one figure whose dropdown
    (``layout.updatemenus``) switches analogy, so it works in the static book with no kernel.

    Parameters
    ----------
    wv : embedcourse.vectors.WordVectors or gensim.models.KeyedVectors
        Word vectors with gensim's verbs (``wv[word]``, ``most_similar``, ``most_similar_cosmul``).
    analogies : list of (a, b, c)
        E.g. ``[("man", "king", "woman"), ("france", "paris", "italy")]``; a single triple is
        also accepted.
    topn : int
        Candidates per analogy.
    method : {"3cosadd", "3cosmul"}
        See :func:`embedcourse.vectors.solve_analogy`.
    title : str, optional
        Prefix of each analogy's heading.
    context : int
        Nearest neighbours of each of a, b, c and the answer drawn in grey (0 for none).
    height, width : int
        Figure size in pixels (``width=None`` fills the page).

    Returns
    -------
    plotly.graph_objects.Figure
        ``TRACES_PER_ANALOGY * len(analogies)`` traces; ``layout.updatemenus[0].buttons`` has one
        button per analogy. ``fig.layout.meta["answers"]`` lists each analogy's answer.

    Raises
    ------
    KeyError
        Listing every word of every analogy that is not in the vocabulary.

    Taught in: chapter 01.
    """
    import plotly.graph_objects as go

    triples = _as_analogies(analogies)
    method = check_choice("method", method, ANALOGY_METHODS)
    missing = [w for t in triples for w in t if isinstance(w, str) and w and w not in wv]
    if missing:
        check_analogy_words(wv, list(dict.fromkeys(missing)), where=" (in the analogies given)")
    for i, t in enumerate(triples):
        check_analogy_words(wv, list(t), where=f" (analogy {i})")
    context = check_int("context", context, 0, None, hint=" (neighbours drawn per word)")

    est_width = width or 780
    plot_px = (0.66 * (est_width - 40), height - 167)
    results = [solve_analogy(wv, a, b, c, topn=topn, method=method, context=context) for a, b, c in triples]
    traces: list[Any] = []
    panels = []
    for i, res in enumerate(results):
        tr, ann, ranges = _analogy_panel(wv, res, visible=i == 0, plot_px=plot_px)
        traces.extend(tr)
        heading = f"<b>{html.escape(res.a)}</b> is to <b>{html.escape(res.b)}</b> as <b>{html.escape(res.c)}</b> is to … <b style='color:{_RED}'>{html.escape(res.answer)}</b>"
        panels.append((ann, ranges, f"{title}: {heading}" if title else heading))

    k = TRACES_PER_ANALOGY
    buttons = []
    for i, ((ann, ranges, heading), res) in enumerate(zip(panels, results, strict=True)):
        visible = [i * k <= t < (i + 1) * k for t in range(len(traces))]
        buttons.append(
            dict(
                label=f"{res.a} : {res.b} :: {res.c} : ?",
                method="update",
                args=[{"visible": visible}, {"annotations": ann, "title.text": heading, **ranges}],
            )
        )
    ann0, ranges0, heading0 = panels[0]
    fig = go.Figure(traces)
    fig.update_layout(
        template="plotly_white",
        height=height,
        width=width,
        title=dict(text=heading0, x=0.0, xanchor="left", y=0.985, yanchor="top", font=dict(size=16)),
        margin=dict(l=10, r=10, t=95, b=72),
        annotations=ann0,
        xaxis=dict(
            domain=[0.0, 0.66], range=ranges0["xaxis.range"], showticklabels=False, zeroline=False,
            showgrid=False, scaleanchor="y", scaleratio=1, constrain="domain", title=None,
        ),
        yaxis=dict(range=ranges0["yaxis.range"], showticklabels=False, zeroline=False, showgrid=False, title=None),
        legend=dict(
            x=0.70, xanchor="left", y=table_bottom(topn, plot_px[1]) - 0.04, yanchor="top",
            font=dict(size=12), title=dict(text="click to hide / show"),
        ),
        hoverlabel=dict(namelength=-1),
        updatemenus=[
            dict(
                type="dropdown", direction="down", buttons=buttons, active=0, showactive=True,
                x=0.0, xanchor="left", y=1.0, yanchor="bottom", pad=dict(t=6, b=6),
            )
        ],
        meta={"answers": [r.answer for r in results], "analogies": [list(t) for t in triples]},
    )  # fmt: skip
    return fig


def analogy_widget(wv: Any, *, topn: int = 5, method: str = "3cosadd", words: tuple[str, str, str] = ("man", "king", "woman")) -> Any:
    """A live analogy solver for Jupyter: three text boxes, a button, the candidates and the figure.

    Needs a running kernel (in the static book use :func:`analogy_explorer`). Unknown words are
    reported in the widget, listing which ones are missing.

    Parameters
    ----------
    wv : embedcourse.vectors.WordVectors or gensim.models.KeyedVectors
    topn : int
        Candidates to show.
    method : {"3cosadd", "3cosmul"}
    words : (a, b, c)
        Initial contents of the boxes.

    Returns
    -------
    ipywidgets.VBox
        With ``.solve()`` (run the analogy in the boxes), ``.status`` and ``.table``
        (``ipywidgets.HTML``), ``.boxes`` (the three ``Text``) and ``.figure`` (the last figure).

    Raises
    ------
    MissingDependencyError
        When ipywidgets is not installed.

    Taught in: chapter 01.
    """
    widgets = require("ipywidgets", "ipywidgets==8.1.9")
    from IPython.display import display

    method = check_choice("method", method, ANALOGY_METHODS)
    check_int("topn", topn, 1, max(1, len(wv) - 3), hint=" (candidates to show, at most the vocabulary minus a, b, c)")
    if isinstance(words, str) or not isinstance(words, (tuple, list)) or len(words) != 3 \
            or not all(isinstance(w, str) for w in words):
        raise TypeError(f"words must be three strings (a, b, c), e.g. ('man', 'king', 'woman'); got {words!r}.")
    boxes = [
        widgets.Text(value=w, description=name, continuous_update=False, layout=widgets.Layout(width="180px"))
        for name, w in zip(("a", "b", "c"), words, strict=True)
    ]
    for box_ in boxes:
        box_.style.description_width = "16px"
    button = widgets.Button(description="Solve", button_style="primary", icon="search")
    status = widgets.HTML()
    table = widgets.HTML()
    out = widgets.Output()
    panel = widgets.VBox(
        [widgets.HTML("<i>a</i> is to <i>b</i> as <i>c</i> is to ?"), widgets.HBox([*boxes, button]), status, table, out]
    )

    def solve(_: Any = None) -> None:
        a, b, c = (box_.value.strip() for box_ in boxes)
        try:
            res = solve_analogy(wv, a, b, c, topn=topn, method=method)
            fig = analogy_explorer(wv, [(a, b, c)], topn=topn, method=method)
        except (KeyError, TypeError, ValueError) as exc:
            msg = exc.args[0] if exc.args else str(exc)
            status.value = f"<span style='color:{_RED}'>{html.escape(str(msg))}</span>"
            table.value = ""
            panel.figure = None
            out.clear_output()
            return
        status.value = (
            f"{html.escape(a)} is to {html.escape(b)} as {html.escape(c)} is to "
            f"<b style='color:{_RED}'>{html.escape(res.answer)}</b>"
        )
        rows = "".join(
            f"<tr><td>{r}</td><td>{html.escape(w)}</td><td>{s:.3f}</td></tr>"
            for r, (w, s) in enumerate(res.candidates, start=1)
        )
        table.value = f"<table><tr><th>rank</th><th>word</th><th>score</th></tr>{rows}</table>"
        panel.figure = fig
        out.clear_output(wait=True)
        with out:
            display(fig)

    button.on_click(solve)
    for box_ in boxes:
        box_.observe(solve, names="value")
    panel.solve = solve
    panel.status = status
    panel.table = table
    panel.boxes = boxes
    panel.figure = None
    solve()
    return panel
