"""Random walks on graphs: DeepWalk's uniform walks and Node2Vec's biased second-order walks.

A walk that has just moved from node ``t`` to node ``v`` picks its next node ``x`` among the
neighbours of ``v`` with probability proportional to ``alpha_pq(t, x) * A[v, x]`` (Grover and
Leskovec, 2016)::

    alpha_pq(t, x) = 1/p  if x == t            (return to where it came from)
                     1    if A[t, x] > 0       (stay at distance 1 from t)
                     1/q  otherwise            (move to distance 2 from t)

Small ``p`` keeps walks local (breadth-first-like), small ``q`` sends them outward
(depth-first-like). With ``p = q = 1`` every factor is 1 and the walk is DeepWalk's
first-order walk (Perozzi et al., 2014): the next node is a neighbour drawn in proportion to
the edge weight. The walks become "sentences" of node ids for chapter 02's skip-gram
(:class:`embedcourse.models.Word2Vec`): :func:`node2vec_embedding` does both steps.

Every step of every walk is drawn at once with numpy (one row of probabilities per walk), so
the code reads like the definition; it needs a dense adjacency matrix.

Taught in: chapter 05.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_float, check_int, check_random_state, check_seed
from embedcourse.graph._checks import check_adjacency

__all__ = ["node2vec_probabilities", "random_walks", "node2vec_embedding"]


def _alpha(Wm: np.ndarray, prev: np.ndarray, p: float, q: float) -> np.ndarray:
    """The search bias alpha_pq(t, x) for each walk (rows) and candidate x (columns)."""
    alpha = np.where(Wm[prev] > 0, 1.0, 1.0 / q)
    alpha[np.arange(prev.shape[0]), prev] = 1.0 / p
    return alpha


def node2vec_probabilities(A: npt.ArrayLike, cur: int, prev: int | None = None, p: float = 1.0,
                           q: float = 1.0) -> np.ndarray:
    """The Node2Vec transition probabilities out of ``cur``, having arrived from ``prev``.

    Parameters
    ----------
    A : array-like, shape (n, n)
        Symmetric adjacency matrix (weights >= 0, no self-loops, no isolated node).
    cur : int in [0, n)
        The node the walk is at.
    prev : int in [0, n) or None
        The node it came from (must be a neighbour of ``cur``); ``None`` for the first step,
        which is a plain weighted step.
    p, q : float > 0
        Return and in-out parameters.

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
        ``P(next = x)`` for every node x; zero outside the neighbours of ``cur``; sums to 1.

    Taught in: chapter 05.
    """
    Wm = check_adjacency(A, "A")
    n = Wm.shape[0]
    cur = check_int("cur", cur, 0, n - 1)
    p = check_float("p", p, 0.0, None, low_open=True)
    q = check_float("q", q, 0.0, None, low_open=True)
    w = Wm[cur].copy()
    if prev is not None:
        prev = check_int("prev", prev, 0, n - 1)
        if Wm[cur, prev] <= 0:
            raise ValueError(f"prev={prev} is not a neighbour of cur={cur}: a walk cannot have come from there.")
        w *= _alpha(Wm, np.array([prev]), p, q)[0]
    return w / w.sum()


def _step(Wm: np.ndarray, cur: np.ndarray, prev: np.ndarray | None, p: float, q: float,
          rng: np.random.Generator) -> np.ndarray:
    w = Wm[cur]
    if prev is not None and not (p == 1.0 and q == 1.0):
        w = w * _alpha(Wm, prev, p, q)
    cum = np.cumsum(w, axis=1)
    u = rng.random(cur.shape[0]) * cum[:, -1]
    return np.asarray((cum > u[:, None]).argmax(axis=1), dtype=np.int64)


def random_walks(A: npt.ArrayLike, n_walks: int = 10, walk_length: int = 20, p: float = 1.0, q: float = 1.0,
                 random_state: int | np.random.Generator | None = 0) -> np.ndarray:
    """Node2Vec walks (DeepWalk's when ``p = q = 1``): ``n_walks`` from every node.

    Parameters
    ----------
    A : array-like, shape (n, n)
        Symmetric adjacency matrix (weights >= 0, no self-loops, no isolated node).
    n_walks : int in [1, 10000]
        Walks started from each node; round ``r`` starts one walk from every node, in a random
        order (as DeepWalk shuffles the nodes every round).
    walk_length : int in [1, 10000]
        Nodes per walk, the start included.
    p, q : float > 0
        Return and in-out parameters of the second-order bias (see the module docstring).
    random_state : None, int or numpy.random.Generator
        Seed: the same seed gives the same walks.

    Returns
    -------
    numpy.ndarray of int64, shape (n * n_walks, walk_length)
        One walk per row, as node ids.

    Taught in: chapter 05.
    """
    Wm = check_adjacency(A, "A")
    n = Wm.shape[0]
    n_walks = check_int("n_walks", n_walks, 1, 10_000)
    walk_length = check_int("walk_length", walk_length, 1, 10_000)
    p = check_float("p", p, 0.0, None, low_open=True)
    q = check_float("q", q, 0.0, None, low_open=True)
    check_seed("random_state", random_state)
    rng = check_random_state(random_state)
    starts = np.concatenate([rng.permutation(n) for _ in range(n_walks)]).astype(np.int64)
    walks = np.empty((starts.shape[0], walk_length), dtype=np.int64)
    walks[:, 0] = starts
    chunk = max(1, 4_000_000 // n)  # rows of probabilities held at once
    for lo in range(0, starts.shape[0], chunk):
        rows = slice(lo, lo + chunk)
        for t in range(1, walk_length):
            prev = walks[rows, t - 2] if t >= 2 else None
            walks[rows, t] = _step(Wm, walks[rows, t - 1], prev, p, q, rng)
    return walks


def node2vec_embedding(A: npt.ArrayLike, dimensions: int = 16, n_walks: int = 10, walk_length: int = 20,
                       p: float = 1.0, q: float = 1.0, window: int = 5, epochs: int = 5, negative: int = 5,
                       random_state: int = 0) -> np.ndarray:
    """Node2Vec (DeepWalk when ``p = q = 1``): walks, then skip-gram with negative sampling.

    The walks of :func:`random_walks` are given to :class:`embedcourse.models.Word2Vec` as
    sentences whose words are node ids (``min_count=1``, no subsampling: every node is kept).

    Parameters
    ----------
    A : array-like, shape (n, n)
        Symmetric adjacency matrix.
    dimensions : int in [1, 10000]
        Embedding dimension d.
    n_walks, walk_length, p, q :
        As in :func:`random_walks`.
    window, epochs, negative : int
        Skip-gram's window, passes over the walks, and noise nodes per pair.
    random_state : int in [0, 2**63 - 1]
        Seeds both the walks and skip-gram (bit-for-bit reproducible).

    Returns
    -------
    numpy.ndarray of float32, shape (n, dimensions)
        Row ``i`` is the input vector of node ``i``.

    Taught in: chapter 05.
    """
    from embedcourse.models import Word2Vec

    check_int("dimensions", dimensions, 1, 10_000)
    check_int("window", window, 1, 1000)
    check_int("epochs", epochs, 1, 10_000)
    check_int("negative", negative, 1, 100)
    if isinstance(random_state, np.random.Generator):
        raise TypeError("random_state must be an int in [0, 2**63 - 1] here (it seeds two steps); got a Generator.")
    check_seed("random_state", random_state)
    if random_state is None:
        raise TypeError("random_state must be an int in [0, 2**63 - 1] here; got None.")
    Wm = check_adjacency(A, "A")
    walks = random_walks(Wm, n_walks, walk_length, p, q, random_state)
    sentences = [[str(v) for v in walk] for walk in walks]
    model = Word2Vec(vector_size=dimensions, window=window, sg=1, negative=negative, min_count=1, sample=0.0,
                     epochs=epochs, random_state=int(random_state), progress=False).fit(sentences)
    return np.stack([model.wv_[str(i)] for i in range(Wm.shape[0])]).astype(np.float32)
