"""Filtered link-prediction ranks: how knowledge-graph embeddings are evaluated.

For a test fact ``(h, r, t)`` the model scores every candidate tail ``(h, r, e)``; the rank of
the true ``t`` among them is the evaluation unit (and the same for heads, ``(e, r, t)``). In the
*filtered* setting (Bordes et al., 2013) every other candidate that forms a *known* true fact
(in the training, validation or test set) is removed first: ranking "usa" below "uk" is no
error when (uk, r, t) is also true. Ties count half ("realistic" rank, pykeen's default)::

    rank = 1 + #{e not filtered: s_e > s_true} + 1/2 #{e != true, not filtered: s_e = s_true}

MRR is the mean of ``1 / rank``; Hits@k the fraction of ranks ``<= k``.

Taught in: chapter 05.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_int
from embedcourse.graph._checks import check_triples

__all__ = ["filtered_ranks"]

_BIG = np.iinfo(np.int64).max


def _scores(score_hrt: Callable[[np.ndarray], Any], T: np.ndarray) -> np.ndarray:
    out = []
    for lo in range(0, T.shape[0], 100_000):
        s = score_hrt(T[lo:lo + 100_000])
        if hasattr(s, "detach"):
            s = s.detach().cpu().numpy()
        s = np.asarray(s, dtype=np.float64).reshape(-1)
        if s.shape[0] != min(100_000, T.shape[0] - lo):
            raise ValueError(f"score_hrt must return one score per triple; got {s.shape[0]} for "
                             f"{min(100_000, T.shape[0] - lo)} triples.")
        out.append(s)
    S = np.concatenate(out)
    if not np.isfinite(S).all():
        raise ValueError("score_hrt returned NaN or infinity.")
    return S


def filtered_ranks(score_hrt: Callable[[np.ndarray], Any], test: npt.ArrayLike, known: npt.ArrayLike,
                   n_entities: int) -> np.ndarray:
    """Filtered, tie-averaged ranks of the true tail and the true head of every test triple.

    Parameters
    ----------
    score_hrt : callable
        Maps an (m, 3) int64 array of (head, relation, tail) ids to m scores (higher = more
        plausible); a numpy array or a torch tensor. ``KGEModel.score_hrt`` or
        ``lambda T: pykeen_model.score_hrt(torch.as_tensor(T))``.
    test : array-like of int, shape (m, 3)
        The triples to rank.
    known : array-like of int, shape (k, 3)
        Every known true triple (train + validation + test) used for filtering.
    n_entities : int >= 2
        Number of entities: the candidates are ``0 .. n_entities - 1``.

    Returns
    -------
    numpy.ndarray of float64, shape (m, 2)
        Column 0: rank of the true tail of each triple; column 1: of its true head.

    Taught in: chapter 05.
    """
    if not callable(score_hrt):
        raise TypeError(f"score_hrt must be a callable scoring (m, 3) triples; got {type(score_hrt).__name__}.")
    n = check_int("n_entities", n_entities, 2, 10**7)
    T = check_triples(test, "test", n, _BIG)
    K = check_triples(known, "known", n, _BIG, allow_empty=True)
    tails: dict[tuple[int, int], list[int]] = {}
    heads: dict[tuple[int, int], list[int]] = {}
    for h, r, t in K.tolist():
        tails.setdefault((h, r), []).append(t)
        heads.setdefault((r, t), []).append(h)
    ranks = np.empty((T.shape[0], 2))
    cand = np.arange(n)
    for side, col in ((0, 2), (1, 0)):  # tails then heads
        C = np.repeat(T, n, axis=0)
        C[:, col] = np.tile(cand, T.shape[0])
        S = _scores(score_hrt, C).reshape(T.shape[0], n)
        for i, (h, r, t) in enumerate(T.tolist()):
            true = t if side == 0 else h
            others = tails.get((h, r), []) if side == 0 else heads.get((r, t), [])
            keep = np.ones(n, dtype=bool)
            keep[others] = False
            keep[true] = False
            s, st = S[i, keep], S[i, true]
            ranks[i, side] = 1.0 + (s > st).sum() + 0.5 * (s == st).sum()
    return ranks
