"""Tests for embedcourse.viz: projections (oracles: scikit-learn PCA/TSNE, umap), figures, analogies, tables."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from embedcourse import viz
from embedcourse._validation import MissingDependencyError
from embedcourse.reduction import project

from conftest import N_GLOVE

pytestmark = pytest.mark.usefixtures("no_show", "private_cache")

# --------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def glove_kv(glove_arrays):
    """The same vectors as a gensim KeyedVectors (the production library whose verbs we mirror)."""
    from gensim.models import KeyedVectors

    vectors, words = glove_arrays
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(words, vectors)
    return kv


@pytest.fixture(scope="module")
def glove_wv():
    """The course's own WordVectors, via embedcourse.data.load_glove."""
    from embedcourse.data import load_glove

    return load_glove(n_words=N_GLOVE)


# --------------------------------------------------------------------------------------------
# import is cheap


def test_import_viz_does_not_import_plotly_sklearn_or_umap():
    code = (
        "import sys, embedcourse.viz; "
        "print(sorted(m for m in ('plotly', 'sklearn', 'umap', 'numba', 'ipywidgets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names():
    for name in viz.__all__:
        assert hasattr(viz, name), name
    # projections live in embedcourse.reduction, their quality in embedcourse.metrics
    assert not {"project", "METHODS", "neighbourhood_preservation"} & set(viz.__all__)


# --------------------------------------------------------------------------------------------
# scatter_embeddings, projection_explorer, similarity_heatmap


def test_scatter_one_trace_per_label_with_hover(clusters):
    X, labels = clusters
    Y = project(X, "pca")
    hover = [f"item {i}" for i in range(len(X))]
    fig = viz.scatter_embeddings(Y, labels, hover, title="three clusters")
    assert [t.name for t in fig.data] == ["a", "b", "c"]
    assert sum(len(t.x) for t in fig.data) == 120
    assert fig.data[1].hovertext[0] == "item 40"
    assert "%{hovertext}" in fig.data[0].hovertemplate
    assert fig.layout.title.text == "three clusters"
    # points land where the coordinates say
    assert np.allclose(np.c_[fig.data[2].x, fig.data[2].y], Y[80:], atol=1e-6)


def test_scatter_without_labels_and_in_3d(clusters):
    X, _ = clusters
    fig = viz.scatter_embeddings(project(X, "pca"), text=[str(i) for i in range(120)])
    assert len(fig.data) == 1 and fig.data[0].mode == "markers+text" and fig.data[0].showlegend is False
    fig3 = viz.scatter_embeddings(project(X, "pca", 3), np.arange(120) % 4)
    assert len(fig3.data) == 4 and all(t.type == "scatter3d" for t in fig3.data)
    assert [t.name for t in fig3.data] == ["0", "1", "2", "3"]  # numeric labels in sorted order


def test_scatter_bad_input():
    with pytest.raises(ValueError, match="2 or 3 columns"):
        viz.scatter_embeddings(np.zeros((5, 4)))
    with pytest.raises(ValueError, match="labels has 3 entries but there are 5 points"):
        viz.scatter_embeddings(np.zeros((5, 2)), labels=[1, 2, 3])
    with pytest.raises(ValueError, match="hover has 4 entries"):
        viz.scatter_embeddings(np.zeros((5, 2)), hover=["x"] * 4)
    with pytest.raises(TypeError, match="not a single string"):
        viz.scatter_embeddings(np.zeros((5, 2)), labels="abcde")


def test_projection_explorer_dropdown(clusters):
    X, labels = clusters
    fig = viz.projection_explorer(X, labels, hover=[f"w{i}" for i in range(120)], methods=("tsne", "pca"))
    assert len(fig.data) == 2 * 3
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["t-SNE", "PCA"]
    for i, b in enumerate(buttons):
        visible = b.args[0]["visible"]
        assert len(visible) == len(fig.data)
        assert visible == [i * 3 <= t < (i + 1) * 3 for t in range(6)]
    assert [t.visible for t in fig.data] == [True] * 3 + [False] * 3
    assert all(t.hovertext is not None and len(t.hovertext) == 40 for t in fig.data)
    # the PCA traces hold project(X, "pca") (served from the cache the explorer just filled)
    pca = project(X, "pca")
    assert np.allclose(np.c_[fig.data[3].x, fig.data[3].y], pca[:40], atol=1e-6)


def test_projection_explorer_bad_input(clusters):
    X, labels = clusters
    with pytest.raises(ValueError, match="Unknown projection method"):
        viz.projection_explorer(X, labels, methods=("pca", "isomap"))
    with pytest.raises(ValueError, match="method_kwargs has keys \\['tsne'\\]"):
        viz.projection_explorer(X, labels, methods=("pca",), method_kwargs={"tsne": {"perplexity": 5}})


def test_similarity_heatmap():
    S = np.array([[1.0, 0.2, -0.5], [0.2, 1.0, 0.1], [-0.5, 0.1, 1.0]])
    fig = viz.similarity_heatmap(S, ["cat", "dog", "car"], title="cosine")
    heat = fig.data[0]
    assert np.array_equal(np.asarray(heat.z), S)
    assert list(heat.y) == ["cat", "dog", "car"] and list(heat.x) == ["cat", "dog", "car"]
    assert (heat.zmin, heat.zmax) == (-1.0, 1.0)  # symmetric around 0 for signed similarities
    assert fig.layout.yaxis.autorange == "reversed"  # first row at the top, like the matrix
    rect = viz.similarity_heatmap(np.full((2, 3), 0.5), ["q1", "q2"], ["d1", "d2", "d3"], zmin=0, zmax=1)
    assert rect.data[0].colorscale[0][1] != heat.colorscale[0][1]  # sequential scale for non-negative values
    repeated = viz.similarity_heatmap(np.eye(3), ["bank", "river", "bank"])
    assert list(repeated.data[0].y) == ["bank", "river", "bank (2)"]
    with pytest.raises(ValueError, match="not square; pass col_labels"):
        viz.similarity_heatmap(np.zeros((2, 3)), ["a", "b"])
    with pytest.raises(ValueError, match="row_labels has 1 entries"):
        viz.similarity_heatmap(np.zeros((2, 2)), ["a"])


# --------------------------------------------------------------------------------------------
# analogies


ANALOGIES = [("man", "king", "woman"), ("france", "paris", "italy"), ("walk", "walked", "swim")]


# solving is embedcourse.vectors.solve_analogy (tested in tests/test_vectors.py); here: the drawing


@pytest.mark.slow
def test_analogy_explorer_figure(glove_wv, glove_kv):
    fig = viz.analogy_explorer(glove_wv, ANALOGIES, topn=5)
    assert fig.layout.meta["answers"][0] == "queen"
    # answers agree with gensim's most_similar on the same vectors
    expected = [glove_kv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] for a, b, c in ANALOGIES]
    assert fig.layout.meta["answers"] == expected
    k = viz.analogy.TRACES_PER_ANALOGY
    assert len(fig.data) == k * len(ANALOGIES)
    buttons = fig.layout.updatemenus[0].buttons
    assert len(buttons) == len(ANALOGIES)
    for i, b in enumerate(buttons):
        visible, layout = b.args
        assert len(visible["visible"]) == len(fig.data)
        assert sum(visible["visible"]) == k and visible["visible"][i * k]
        arrows = [a for a in layout["annotations"] if a.get("showarrow")]
        assert len(arrows) == 3
        # the arrows a -> b and c -> (b - a + c) are the same vector (PCA is linear)
        ab, ct = arrows[0], arrows[1]
        assert np.allclose([ab["x"] - ab["ax"], ab["y"] - ab["ay"]], [ct["x"] - ct["ax"], ct["y"] - ct["ay"]], atol=1e-9)
    assert [t.visible for t in fig.data] == [True] * k + [False] * (k * (len(ANALOGIES) - 1))
    answer = [t for t in fig.data[:k] if t.name == "answer d"][0]
    assert answer.text == ("queen",) and "queen" in answer.hovertext[0]
    table = [t for t in fig.data[:k] if t.type == "table"][0]
    assert table.cells.values[1][0] == "queen"


@pytest.mark.slow
def test_analogy_explorer_unknown_words_listed(glove_wv):
    with pytest.raises(KeyError, match="'qwzx', 'Paris'.*lower-case"):
        viz.analogy_explorer(glove_wv, [("man", "king", "qwzx"), ("france", "Paris", "italy")])
    with pytest.raises(TypeError, match="list of \\(a, b, c\\) word triples"):
        viz.analogy_explorer(glove_wv, [])
    with pytest.raises(ValueError, match="must be a triple"):
        viz.analogy_explorer(glove_wv, [("man", "king")])
    with pytest.raises(ValueError, match="method must be one of '3cosadd', '3cosmul'"):
        viz.analogy_explorer(glove_wv, ANALOGIES, method="pairdirection")
    # a single triple is accepted as one analogy
    assert len(viz.analogy_explorer(glove_wv, ("man", "king", "woman"), context=0).layout.updatemenus[0].buttons) == 1


@pytest.mark.slow
def test_analogy_widget(glove_wv):
    pytest.importorskip("ipywidgets")
    panel = viz.analogy_widget(glove_wv, topn=3)
    assert "queen" in panel.status.value and panel.table.value.count("<tr>") == 4
    assert panel.figure is not None and panel.figure.layout.meta["answers"] == ["queen"]
    panel.boxes[2].value = "qwzx"  # typing a word re-runs the solver
    assert "qwzx" in panel.status.value and "Not in the vocabulary" in panel.status.value
    assert panel.table.value == "" and panel.figure is None


def test_analogy_widget_without_ipywidgets(monkeypatch, glove_kv):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    with pytest.raises(MissingDependencyError, match="pip install ipywidgets==8.1.9"):
        viz.analogy_widget(glove_kv)


# --------------------------------------------------------------------------------------------
# neighbour tables


def test_neighbour_table_matches_gensim(glove_kv):
    table = viz.neighbour_table(glove_kv, ["king", "paris", "king"], topn=4)
    assert table.shape == (2, 4) and list(table.index) == ["king", "paris"] and list(table.columns) == [1, 2, 3, 4]
    for query in ("king", "paris"):
        expected = [f"{w} ({s:.2f})" for w, s in glove_kv.most_similar(query, topn=4)]
        assert list(table.loc[query]) == expected
    long = viz.neighbour_table_long(glove_kv, "king", topn=3)
    assert list(long.columns) == ["query", "rank", "neighbour", "cosine"] and len(long) == 3
    assert long["cosine"].is_monotonic_decreasing


@pytest.mark.slow
def test_neighbour_table_with_wordvectors(glove_wv, glove_kv):
    ours = viz.neighbour_table(glove_wv, ["computer", "france"], topn=5)
    ref = viz.neighbour_table(glove_kv, ["computer", "france"], topn=5)
    assert ours.equals(ref)


def test_neighbour_table_bad_input(glove_kv):
    with pytest.raises(KeyError, match="'zzqx', 'Xyzzy'"):
        viz.neighbour_table(glove_kv, ["king", "zzqx", "Xyzzy"])
    with pytest.raises(ValueError, match="topn must be an int >= 1"):
        viz.neighbour_table(glove_kv, ["king"], topn=0)
    with pytest.raises(ValueError, match="words is empty"):
        viz.neighbour_table(glove_kv, [])
