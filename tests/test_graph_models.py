"""Tests of embedcourse.graph: spectral embedding, walks, GCN/SAGE layers, KGE scores and ranks.

Oracles: scikit-learn's SpectralEmbedding, the Node2Vec transition rule (chi-square),
torch_geometric's GCNConv and SAGEConv, pykeen's interaction functions (TransE, DistMult,
RotatE) and RankBasedEvaluator. The graph attention layer has its own file, test_graph_gat.py.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch
from conftest import oracle
from scipy.stats import chisquare

from embedcourse.graph import (
    GCNLayer,
    GNNClassifier,
    KGEModel,
    SAGELayer,
    distmult_score,
    filtered_ranks,
    laplacian_eigenmaps,
    mean_adjacency,
    node2vec_embedding,
    node2vec_probabilities,
    normalized_adjacency,
    random_walks,
    rotate_score,
    transe_score,
)


@pytest.fixture(scope="module")
def karate() -> np.ndarray:
    return nx.to_numpy_array(nx.karate_club_graph(), weight=None)


def small_graph() -> np.ndarray:
    """A 6-node weighted graph with a triangle, a square and a pendant node."""
    A = np.zeros((6, 6))
    for i, j, w in [(0, 1, 1.0), (1, 2, 2.0), (0, 2, 1.0), (2, 3, 1.0), (3, 4, 3.0), (4, 5, 1.0), (1, 4, 1.0)]:
        A[i, j] = A[j, i] = w
    return A


# ---- spectral ---------------------------------------------------------------------------------
def test_laplacian_eigenmaps_solves_the_generalised_problem(karate):
    Y, vals = laplacian_eigenmaps(karate, 3)
    D = np.diag(karate.sum(1))
    L = D - karate
    assert Y.shape == (34, 3) and np.all(np.diff(vals) >= 0)
    assert np.allclose(L @ Y, D @ Y * vals, atol=1e-10)
    assert np.allclose(Y.T @ D @ Y, np.eye(3), atol=1e-10)


def test_laplacian_eigenmaps_matches_sklearn(karate):
    sk = oracle("sklearn.manifold")
    Y, _ = laplacian_eigenmaps(karate, 2)
    Z = sk.SpectralEmbedding(2, affinity="precomputed", random_state=0).fit_transform(karate)
    for j in range(2):  # equal up to sign and scale
        assert abs(np.corrcoef(Y[:, j], Z[:, j])[0, 1]) > 1 - 1e-8


def test_laplacian_eigenmaps_bad_input(karate):
    with pytest.raises(ValueError, match="symmetric"):
        laplacian_eigenmaps(np.triu(karate), 2)
    with pytest.raises(ValueError, match="n_components"):
        laplacian_eigenmaps(karate, 34)
    with pytest.raises(ValueError, match="isolated"):
        laplacian_eigenmaps(np.zeros((3, 3)), 1)
    with pytest.raises(ValueError, match="self-loops"):
        laplacian_eigenmaps(karate + np.eye(34), 1)


# ---- walks ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("p", "q"), [(1.0, 1.0), (0.25, 4.0), (4.0, 0.25)])
def test_walk_transitions_follow_the_node2vec_definition(p, q):
    A = small_graph()
    W = random_walks(A, n_walks=3000, walk_length=6, p=p, q=q, random_state=1)
    # the definition, written out: weight * alpha, alpha = 1/p back, 1 at distance 1, 1/q at distance 2
    for prev, cur in [(0, 1), (2, 1), (3, 4), (1, 2)]:
        hits = (W[:, 1:-1] == cur) & (W[:, :-2] == prev)
        nxt = W[:, 2:][hits]
        expected = np.array([A[cur, x] * (1 / p if x == prev else 1.0 if A[prev, x] > 0 else 1 / q)
                             for x in range(6)])
        expected /= expected.sum()
        assert np.allclose(node2vec_probabilities(A, cur, prev, p, q), expected)
        support = expected > 0
        observed = np.bincount(nxt, minlength=6)
        assert observed[~support].sum() == 0
        assert nxt.size > 500, nxt.size
        stat = chisquare(observed[support], expected[support] * nxt.size)
        assert stat.pvalue > 1e-3, (prev, cur, observed, expected * nxt.size)


def test_first_step_is_weighted_and_walks_are_deterministic():
    A = small_graph()
    W = random_walks(A, n_walks=4000, walk_length=2, random_state=0)
    first = W[W[:, 0] == 2, 1]
    obs = np.bincount(first, minlength=6)
    assert chisquare(obs[A[2] > 0], A[2][A[2] > 0] / A[2].sum() * first.size).pvalue > 1e-3
    assert np.array_equal(random_walks(A, 5, 7, 0.5, 2.0, random_state=3), random_walks(A, 5, 7, 0.5, 2.0, random_state=3))
    assert W.shape == (6 * 4000, 2) and sorted(np.bincount(W[:, 0])) == [4000] * 6


def test_walks_bad_input():
    A = small_graph()
    with pytest.raises(ValueError, match="p must be"):
        random_walks(A, p=0.0)
    with pytest.raises(TypeError, match="n_walks"):
        random_walks(A, n_walks=2.5)
    with pytest.raises(ValueError, match="not a neighbour"):
        node2vec_probabilities(A, 0, 5)
    with pytest.raises(TypeError, match="A must"):
        random_walks("graph")


def test_node2vec_embedding_separates_the_karate_factions(karate):
    E = node2vec_embedding(karate, 8, n_walks=5, walk_length=20, random_state=0)
    assert E.shape == (34, 8)
    assert np.array_equal(E, node2vec_embedding(karate, 8, n_walks=5, walk_length=20, random_state=0))
    G = nx.karate_club_graph()
    club = np.array([G.nodes[i]["club"] == "Officer" for i in G])
    from sklearn.linear_model import LogisticRegression
    acc = LogisticRegression(max_iter=1000).fit(E, club).score(E, club)
    assert acc > 0.85, acc


# ---- GCN and GraphSAGE ------------------------------------------------------------------------
def test_gcn_layer_matches_dense_reference_and_torch_geometric(karate):
    pyg = oracle("torch_geometric.nn")
    X = torch.as_tensor(np.random.default_rng(0).normal(size=(34, 5)))
    layer = GCNLayer(5, 3, random_state=0)
    with torch.no_grad():
        layer.bias.copy_(torch.arange(3.0, dtype=torch.float64))
        ours = layer(X, normalized_adjacency(karate, "float64"))
    At = karate + np.eye(34)
    Dm = np.diag(At.sum(1) ** -0.5)
    dense = Dm @ At @ Dm @ X.numpy() @ layer.weight.detach().numpy() + np.arange(3.0)
    conv = pyg.GCNConv(5, 3).double()
    with torch.no_grad():
        conv.lin.weight.copy_(layer.weight.T)
        conv.bias.copy_(layer.bias)
        theirs = conv(X, torch.as_tensor(np.vstack(np.nonzero(karate))))
    assert np.allclose(ours.detach().numpy(), dense, atol=1e-12)
    assert torch.allclose(ours, theirs, atol=1e-12)


def test_sage_layer_matches_torch_geometric(karate):
    pyg = oracle("torch_geometric.nn")
    X = torch.as_tensor(np.random.default_rng(1).normal(size=(34, 4)))
    layer = SAGELayer(4, 6, random_state=1)
    with torch.no_grad():
        layer.bias.copy_(torch.linspace(-1, 1, 6, dtype=torch.float64))
        ours = layer(X, mean_adjacency(karate, "float64"))
    conv = pyg.SAGEConv(4, 6, aggr="mean").double()
    with torch.no_grad():
        conv.lin_l.weight.copy_(layer.weight_neigh.T)
        conv.lin_l.bias.copy_(layer.bias)
        conv.lin_r.weight.copy_(layer.weight_root.T)
        theirs = conv(X, torch.as_tensor(np.vstack(np.nonzero(karate))))
    assert torch.allclose(ours, theirs, atol=1e-12)


def test_layers_bad_input(karate):
    layer = GCNLayer(5, 3)
    with pytest.raises(ValueError, match="in_features"):
        layer(torch.zeros(34, 4, dtype=torch.float64), normalized_adjacency(karate, "float64"))
    with pytest.raises(ValueError, match="A_hat"):
        layer(torch.zeros(10, 5, dtype=torch.float64), normalized_adjacency(karate, "float64"))
    with pytest.raises(TypeError, match="out_features"):
        SAGELayer(3, "4")
    with pytest.raises(ValueError, match="dtype"):
        normalized_adjacency(karate, "float16")


def test_gcn_classifier_learns_karate_from_two_labels(karate):
    G = nx.karate_club_graph()
    y = np.array([G.nodes[i]["club"] == "Officer" for i in G]).astype(int)
    clf = GNNClassifier("gcn", epochs=100, random_state=0).fit(karate, y, [0, 33])
    pred = clf.predict()
    assert (pred == y).mean() > 0.8, (pred == y).mean()
    again = GNNClassifier("gcn", epochs=100, random_state=0).fit(karate, y, [0, 33])
    assert np.array_equal(clf.embeddings_, again.embeddings_)
    sage = GNNClassifier("sage", epochs=100, random_state=0).fit(karate, y, [0, 33])
    assert sage.embeddings_.shape == (34, 16)
    with pytest.raises(ValueError, match="kind"):
        GNNClassifier("gin").fit(karate, y, [0, 33])
    with pytest.raises(ValueError, match="train_idx"):
        GNNClassifier().fit(karate, y, [40])
    with pytest.raises(ValueError, match="not fitted"):
        GNNClassifier().predict()


# ---- knowledge-graph embeddings ---------------------------------------------------------------
def test_scores_match_pykeen_interactions():
    modules = oracle("pykeen.nn.modules")
    g = torch.Generator().manual_seed(0)
    h, r, t = (torch.randn(7, 16, generator=g, dtype=torch.float64) for _ in range(3))
    for p in (1, 2):
        assert torch.allclose(transe_score(h, r, t, p=p), modules.TransEInteraction(p=p)(h, r, t), atol=1e-12)
    assert torch.allclose(distmult_score(h, r, t), modules.DistMultInteraction()(h, r, t), atol=1e-12)
    assert torch.allclose(distmult_score(h, r, t), distmult_score(t, r, h))  # symmetric
    with pytest.raises(ValueError, match="last dimension"):
        transe_score(h, r[:, :3], t)
    with pytest.raises(ValueError, match="p must"):
        transe_score(h, r, t, p=3)


def test_rotate_score_matches_pykeen_and_the_definition():
    modules = oracle("pykeen.nn.modules")
    g = torch.Generator().manual_seed(0)
    h, t = (torch.randn(7, 16, generator=g, dtype=torch.complex128) for _ in range(2))
    theta = torch.rand(7, 16, generator=g, dtype=torch.float64) * 2 * torch.pi
    r = torch.polar(torch.ones_like(theta), theta)
    assert torch.allclose(rotate_score(h, r, t), modules.RotatEInteraction()(h, r, t), atol=1e-12)
    # p=1, the paper's distance: the sum of the moduli, written out with real arithmetic
    re = h.real * torch.cos(theta) - h.imag * torch.sin(theta) - t.real
    im = h.real * torch.sin(theta) + h.imag * torch.cos(theta) - t.imag
    assert torch.allclose(rotate_score(h, r, t, p=1), -torch.sqrt(re**2 + im**2).sum(-1), atol=1e-12)
    # angles 0 or pi make a symmetric relation; inversion is the conjugate rotation
    flip = torch.where(torch.rand(16, generator=g) < 0.5, -1.0, 1.0).to(torch.complex128)
    assert torch.allclose(rotate_score(h, flip, t), rotate_score(t, flip, h), atol=1e-12)
    assert torch.allclose(rotate_score(h, r, t), rotate_score(t, r.conj(), h), atol=1e-12)
    # composition: rotating by r1 then r2 is rotating by r1 * r2
    assert torch.allclose(rotate_score(h * r[0], r[1], t), rotate_score(h, r[0] * r[1], t), atol=1e-12)
    with pytest.raises(ValueError, match="r must be a rotation"):
        rotate_score(h, 2 * r, t)
    with pytest.raises(ValueError, match="last dimension"):
        rotate_score(h, r[:, :3], t)
    with pytest.raises(ValueError, match="p must"):
        rotate_score(h, r, t, p=3)
    with pytest.raises(TypeError, match="h must"):
        rotate_score("h", r, t)


def brute_force_ranks(S: dict, test: np.ndarray, known: set, n: int) -> np.ndarray:
    """The definition, one candidate at a time."""
    out = []
    for h, r, t in test.tolist():
        row = []
        for side in ("tail", "head"):
            true = (h, r, t)
            better = ties = 0
            for e in range(n):
                cand = (h, r, e) if side == "tail" else (e, r, t)
                if cand == true or cand in known:
                    continue
                better += S[cand] > S[true]
                ties += S[cand] == S[true]
            row.append(1 + better + 0.5 * ties)
        out.append(row)
    return np.array(out)


def test_filtered_ranks_match_brute_force():
    rng = np.random.default_rng(0)
    n, m = 7, 3
    scores = np.round(rng.normal(size=(n, m, n)), 1)  # rounded: ties happen
    S = {(h, r, t): scores[h, r, t] for h in range(n) for r in range(m) for t in range(n)}
    known_arr = np.unique(rng.integers(0, [n, m, n], size=(40, 3)), axis=0)
    test = known_arr[:10]
    ranks = filtered_ranks(lambda T: scores[T[:, 0], T[:, 1], T[:, 2]], test, known_arr, n)
    ref = brute_force_ranks(S, test, set(map(tuple, known_arr.tolist())), n)
    assert np.array_equal(ranks, ref)
    with pytest.raises(ValueError, match="test"):
        filtered_ranks(lambda T: T[:, 0], np.array([[0, 0, 9]]), known_arr, n)
    with pytest.raises(TypeError, match="score_hrt"):
        filtered_ranks("transe", test, known_arr, n)


@pytest.fixture(scope="module")
def nations(tmp_path_factory):
    import os

    os.environ.setdefault("PYSTOW_HOME", str(tmp_path_factory.mktemp("pystow")))
    datasets = oracle("pykeen.datasets")
    return datasets.Nations()


def test_filtered_ranks_reproduce_pykeen_evaluator(nations):
    models = oracle("pykeen.models")
    from pykeen.evaluation import RankBasedEvaluator

    model = models.TransE(triples_factory=nations.training, embedding_dim=8, random_seed=0)
    test = nations.testing.mapped_triples
    known = torch.cat([nations.training.mapped_triples, nations.validation.mapped_triples, test])
    res = RankBasedEvaluator().evaluate(model, test, additional_filter_triples=[
        nations.training.mapped_triples, nations.validation.mapped_triples], use_tqdm=False, batch_size=64)
    ranks = filtered_ranks(lambda T: model.score_hrt(torch.as_tensor(T)), test.numpy(), known.numpy(),
                           nations.num_entities)
    assert np.isclose((1 / ranks).mean(), res.get_metric("both.realistic.inverse_harmonic_mean_rank"), rtol=1e-5)
    assert np.isclose((ranks <= 10).mean(), res.get_metric("both.realistic.hits_at_10"), rtol=1e-5)


def test_kge_model_trains_deterministically_and_beats_random(nations):
    tr = nations.training.mapped_triples.numpy()
    test = nations.testing.mapped_triples.numpy()
    known = np.vstack([tr, nations.validation.mapped_triples.numpy(), test])
    n_e, n_r = nations.num_entities, nations.num_relations
    rand = np.random.default_rng(0).normal(size=(n_e, n_r, n_e))
    mrr_random = (1 / filtered_ranks(lambda T: rand[T[:, 0], T[:, 1], T[:, 2]], test, known, n_e)).mean()
    for kind in ("transe", "distmult", "rotate"):
        m = KGEModel(kind, dim=16, epochs=20, random_state=0).fit(tr, n_e, n_r)
        again = KGEModel(kind, dim=16, epochs=20, random_state=0).fit(tr, n_e, n_r)
        assert np.array_equal(m.entity_embeddings_, again.entity_embeddings_)
        assert np.allclose(np.linalg.norm(m.entity_embeddings_, axis=1), 1, atol=1e-5)
        assert m.loss_history_[-1] < m.loss_history_[0]
        mrr = (1 / filtered_ranks(m.score_hrt, test, known, n_e)).mean()
        assert mrr > mrr_random + 0.02, (kind, mrr, mrr_random)
    assert np.allclose(np.abs(m.relation_embeddings_), 1, atol=1e-5)  # RotatE's relations are rotations
    E, R = (torch.as_tensor(x).to(torch.complex128) for x in (m.entity_embeddings_, m.relation_embeddings_))
    mine = rotate_score(E[test[:, 0]], R[test[:, 1]], E[test[:, 2]], p=1).numpy()
    assert np.allclose(m.score_hrt(test), mine, atol=1e-10)  # the model scores with rotate_score (p=1)
    with pytest.raises(ValueError, match="triples"):
        KGEModel().fit(np.array([[0, 0, 99]]), n_e, n_r)
    with pytest.raises(ValueError, match="model"):
        KGEModel("complex").fit(tr, n_e, n_r)
    with pytest.raises(ValueError, match="not fitted"):
        KGEModel().score_hrt(tr)


def test_training_restores_the_thread_count(karate):
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        GNNClassifier(epochs=2).fit(karate, np.zeros(34, dtype=int), [0])
        KGEModel(dim=4, epochs=1).fit(np.array([[0, 0, 1], [1, 0, 2]]), 3, 1)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
