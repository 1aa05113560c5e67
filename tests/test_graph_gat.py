"""Tests of embedcourse.graph.gat: the graph attention layer against torch_geometric's GATConv.

Oracle: ``torch_geometric.nn.GATConv`` with our weights copied across (one and several heads,
concatenated or averaged, with and without self-loops, directed edges), and the definition
written out one node at a time.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch
from conftest import oracle

from embedcourse.graph import GATLayer, GNNClassifier


@pytest.fixture(scope="module")
def karate() -> np.ndarray:
    return nx.to_numpy_array(nx.karate_club_graph(), weight=None)


def features(n: int = 34, f: int = 5, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, f, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def with_bias(layer: GATLayer, seed: int = 1) -> GATLayer:
    """A non-zero bias, so that the test also checks where it is added."""
    with torch.no_grad():
        layer.bias.copy_(torch.randn(layer.bias.shape, generator=torch.Generator().manual_seed(seed),
                                     dtype=torch.float64))
    return layer


def pyg_copy(layer: GATLayer) -> torch.nn.Module:
    """torch_geometric's GATConv with the same weights as ``layer``."""
    nn = oracle("torch_geometric.nn")
    conv = nn.GATConv(layer.in_features, layer.out_features, heads=layer.heads, concat=layer.concat,
                      negative_slope=layer.negative_slope, add_self_loops=layer.add_self_loops).double()
    with torch.no_grad():
        conv.lin.weight.copy_(layer.weight.T)
        conv.att_src.copy_(layer.att_src[None])
        conv.att_dst.copy_(layer.att_dst[None])
        conv.bias.copy_(layer.bias)
    return conv


def edge_index(A: np.ndarray) -> torch.Tensor:
    """Edges j -> i for every A[i, j] != 0 (row i receives from column j)."""
    rows, cols = np.nonzero(A)
    return torch.as_tensor(np.vstack([cols, rows]))


@pytest.mark.parametrize(("heads", "concat", "self_loops"),
                         [(1, True, True), (4, True, True), (3, False, True), (2, True, False), (2, False, False)])
def test_gat_layer_matches_gatconv(karate, heads, concat, self_loops):
    X = features()
    layer = with_bias(GATLayer(5, 3, heads=heads, concat=concat, add_self_loops=self_loops, random_state=2))
    conv = pyg_copy(layer)
    with torch.no_grad():
        ours = layer(X, torch.as_tensor(karate))
        theirs, (ei, alpha) = conv(X, edge_index(karate), return_attention_weights=True)
        att = layer.attention(X, torch.as_tensor(karate))
    assert ours.shape == (34, 3 * heads if concat else 3)
    assert torch.allclose(ours, theirs, atol=1e-12), float((ours - theirs).abs().max())
    dense = torch.zeros(heads, 34, 34, dtype=torch.float64)
    dense[:, ei[1], ei[0]] = alpha.T  # GATConv returns alpha per edge (source, target)
    assert torch.allclose(att, dense, atol=1e-12)
    assert torch.allclose(att.sum(-1), torch.ones(heads, 34, dtype=torch.float64), atol=1e-12)
    assert bool((att.diagonal(dim1=1, dim2=2) > 0).all()) == self_loops


def test_gat_layer_float32_and_sparse_input_within_1e5(karate):
    X = features().float()
    layer = with_bias(GATLayer(5, 4, heads=2, random_state=0))
    conv = pyg_copy(layer).float()
    with torch.no_grad():
        ours = layer(X, torch.as_tensor(karate).to_sparse())
        theirs = conv(X, edge_index(karate))
    assert ours.dtype == torch.float32
    assert torch.allclose(ours, theirs, atol=1e-5)


def test_gat_layer_follows_edge_direction_and_isolated_nodes():
    """A directed graph: row i attends over the j with A[i, j] != 0; a node with none gets the bias only."""
    A = np.zeros((5, 5))
    A[0, 1] = A[0, 2] = A[1, 2] = A[2, 3] = A[3, 0] = 1.0  # node 4 receives nothing
    X = features(5, 3, seed=3)
    layer = with_bias(GATLayer(3, 2, heads=2, add_self_loops=False, random_state=4))
    conv = pyg_copy(layer)
    with torch.no_grad():
        ours = layer(X, torch.as_tensor(A))
        theirs = conv(X, edge_index(A))
    assert torch.allclose(ours, theirs, atol=1e-12)
    assert torch.allclose(ours[4], layer.bias)


def test_gat_layer_equals_the_definition_node_by_node(karate):
    X = features()
    layer = GATLayer(5, 3, heads=2, random_state=5)
    with torch.no_grad():
        out = layer(X, torch.as_tensor(karate))
        Z = (X @ layer.weight).view(34, 2, 3)
        for i in (0, 2, 33):
            nbrs = [*np.flatnonzero(karate[i]).tolist(), i]
            for k in range(2):
                e = torch.stack([torch.nn.functional.leaky_relu(layer.att_dst[k] @ Z[i, k] + layer.att_src[k] @ Z[j, k], 0.2)
                                 for j in nbrs])
                a = torch.softmax(e, 0)
                assert torch.allclose(out[i, 3 * k:3 * k + 3], (a[:, None] * Z[nbrs, k]).sum(0), atol=1e-12)


def test_gat_layer_gradients_are_finite_with_isolated_nodes():
    A = torch.zeros(4, 4, dtype=torch.float64)
    A[0, 1] = A[1, 0] = 1.0
    layer = GATLayer(2, 2, add_self_loops=False)
    layer(features(4, 2), A).sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in layer.parameters())


def test_gat_layer_is_seeded(karate):
    a, b, c = GATLayer(5, 3, heads=2, random_state=7), GATLayer(5, 3, heads=2, random_state=7), GATLayer(5, 3, heads=2)
    assert torch.equal(a.weight, b.weight) and torch.equal(a.att_src, b.att_src)
    assert not torch.equal(a.weight, c.weight)


def test_gat_layer_bad_input(karate):
    layer = GATLayer(5, 3)
    A = torch.as_tensor(karate)
    with pytest.raises(ValueError, match="in_features"):
        layer(features(34, 4), A)
    with pytest.raises(ValueError, match="A must"):
        layer(features(10, 5), A)
    with pytest.raises(TypeError, match="X must"):
        layer(np.ones((34, 5)), A)
    with pytest.raises(ValueError, match="A must"):
        layer(features(), karate)
    with pytest.raises(ValueError, match="heads"):
        GATLayer(5, 3, heads=0)
    with pytest.raises(ValueError, match="negative_slope"):
        GATLayer(5, 3, negative_slope=1.5)
    with pytest.raises(TypeError, match="concat"):
        GATLayer(5, 3, concat="yes")


def test_gat_classifier_learns_karate_from_two_labels(karate):
    G = nx.karate_club_graph()
    y = np.array([G.nodes[i]["club"] == "Officer" for i in G]).astype(int)
    clf = GNNClassifier("gat", epochs=100, heads=2, random_state=0).fit(karate, y, [0, 33])
    assert (clf.predict() == y).mean() > 0.75, (clf.predict() == y).mean()
    assert clf.embeddings_.shape == (34, 32)  # hidden 16 per head, two heads side by side
    again = GNNClassifier("gat", epochs=100, heads=2, random_state=0).fit(karate, y, [0, 33])
    assert np.array_equal(clf.loss_history_, again.loss_history_)
    with pytest.raises(ValueError, match="heads"):
        GNNClassifier("gat", heads=0).fit(karate, y, [0, 33])
