"""A two-tower retrieval model trained with in-batch negatives: users and items in one space.

Recommendation at scale is retrieval: embed the user with one network (the *user tower*: the
user's id plus features such as age, gender, occupation), embed every item with another (the
*item tower*: the item's id plus its genres), and recommend the items whose unit vectors have
the largest dot product with the user's. Items are embedded once and searched with any index of
chapter 07; only the user tower runs per request.

Training uses the pairs (user u_i, item v_i) the user liked, B at a time, with **in-batch
negatives**: the other items of the batch are the negatives, so the loss is the multiple
negatives ranking loss of chapters 03 and 08 (a sampled softmax over the batch):

    L = -(1/B) sum_i log softmax_j( u_i . v_j / tau - log q_j )[i].

**logQ correction** (Yi et al., 2019, "Sampling-bias-corrected neural modeling"). The batch
items are not drawn uniformly: an item appears as a negative as often as it is liked, with
probability q_j proportional to its popularity. Uncorrected, the softmax over-penalises popular
items (they are negatives in many batches) and under-penalises rare ones; subtracting log q_j
from each logit makes the sampled softmax an unbiased estimate of the full softmax over all
items. Whether the correction helps a popularity-heavy offline metric is an empirical question.
An item that appears twice in a batch is not its own negative: those "accidental hits" are
masked (as TensorFlow Recommenders' ``remove_accidental_hits``).

:func:`movielens_temporal_split` builds the chapter's task from MovieLens-100k (train on the
ratings before a cutoff time, test on the later ones); :class:`PopularityRecommender` is the
baseline any recommender must beat.

Taught in: chapter 08.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import (
    as_matrix,
    check_bool,
    check_float,
    check_ids,
    check_int,
    check_choice,
    check_seed,
)

__all__ = ["TwoTowerData", "movielens_temporal_split", "item_log_q", "in_batch_softmax_loss", "TwoTower",
           "PopularityRecommender"]

_AGE_BINS = (18, 25, 35, 45, 50, 56)  # MovieLens-1M's age groups: <18, 18-24, ..., 56+


@dataclass(frozen=True)
class TwoTowerData:
    """A recommendation task split in time: what :func:`movielens_temporal_split` returns.

    Attributes
    ----------
    train_pairs : numpy.ndarray of int64, shape (n, 2)
        (user index, item index) of each liked training rating, in time order.
    train_seen : list of set of int, one per user
        Every item the user rated before the cutoff (excluded from their recommendations).
    test_users : numpy.ndarray of int64, shape (n_test,)
        Users with a training rating and a liked rating after the cutoff.
    test_relevant : list of set of int, aligned with ``test_users``
        The items each test user liked after the cutoff.
    user_features, item_features : numpy.ndarray of float32, shapes (n_users, f_u), (n_items, f_i)
        One-hot gender, occupation and age group; multi-hot genres.
    user_history : numpy.ndarray of float32, shape (n_users, n_items)
        Each user's liked training items, as a row summing to 1 (0 for a user with none): a
        "bag of items" feature that can be appended to ``user_features``.
    user_feature_names, item_feature_names : list of str
    user_ids, item_ids : numpy.ndarray of int64
        The MovieLens id of each user / item index.
    item_titles : list of str
    cutoff : int or None
        With ``by="global"``, the split time (Unix seconds): ratings at or after it are test
        ratings; None with ``by="user"``.

    Taught in: chapter 08.
    """

    train_pairs: npt.NDArray[np.int64]
    train_seen: list[set[int]]
    test_users: npt.NDArray[np.int64]
    test_relevant: list[set[int]]
    user_features: npt.NDArray[np.float32]
    item_features: npt.NDArray[np.float32]
    user_history: npt.NDArray[np.float32]
    user_feature_names: list[str]
    item_feature_names: list[str]
    user_ids: npt.NDArray[np.int64]
    item_ids: npt.NDArray[np.int64]
    item_titles: list[str]
    cutoff: int | None


def movielens_temporal_split(*, test_fraction: float = 0.2, min_rating: int = 4, by: str = "user") -> TwoTowerData:
    """MovieLens-100k as a retrieval task: the past predicts the future.

    The cutoff is the ``1 - test_fraction`` quantile of the rating times: every rating before it
    is training data (a rating of at least ``min_rating`` is a training pair), and the items a
    user liked afterwards are that user's relevant items. Splitting in time, not at random,
    keeps the future out of training, as in a deployed recommender.

    Parameters
    ----------
    test_fraction : float
        Share of the ratings (the latest) held out, in (0, 1).
    min_rating : int
        A rating of at least this, 1 to 5, is a "like".

    Returns
    -------
    TwoTowerData

    Examples
    --------
    >>> data = movielens_temporal_split()  # doctest: +SKIP
    >>> data.train_pairs.shape[1], data.item_features.shape[0]  # doctest: +SKIP
    (2, 1682)

    Taught in: chapter 08.
    """
    from embedcourse.data import load_movielens_100k

    test_fraction = check_float("test_fraction", test_fraction, 0, 1, low_open=True, high_open=True)
    min_rating = check_int("min_rating", min_rating, 1, 5)
    by = check_choice("by", by, ("user", "global"))
    ml = load_movielens_100k()
    users, items, ratings = ml["users"], ml["items"], ml["ratings"]
    user_ids = np.sort(users.user_id.to_numpy()).astype(np.int64)
    item_ids = np.sort(items.item_id.to_numpy()).astype(np.int64)
    r = ratings.sort_values(["timestamp", "user_id", "item_id"], kind="stable")
    u = np.searchsorted(user_ids, r.user_id.to_numpy())
    i = np.searchsorted(item_ids, r.item_id.to_numpy())
    t, liked = r.timestamp.to_numpy(), r.rating.to_numpy() >= min_rating
    if by == "global":
        cutoff: int | None = int(np.quantile(t, 1 - test_fraction, method="lower")) + 1
        train = t < cutoff
    else:  # each user's latest ratings (r is in time order, so a rank within the user is a time rank)
        cutoff = None
        rank = r.groupby("user_id").cumcount().to_numpy()
        n_u = np.bincount(u, minlength=len(user_ids))[u]
        train = rank < n_u - np.ceil(test_fraction * n_u)
    seen: list[set[int]] = [set() for _ in user_ids]
    for a, b in zip(u[train], i[train], strict=True):
        seen[a].add(int(b))
    future: dict[int, set[int]] = {}
    for a, b in zip(u[~train & liked], i[~train & liked], strict=True):
        if seen[a]:
            future.setdefault(int(a), set()).add(int(b))
    test_users = np.array(sorted(future), dtype=np.int64)

    users = users.set_index("user_id").loc[user_ids]
    age_group = np.searchsorted(_AGE_BINS, users.age.to_numpy(), side="right")
    cats = [("gender", users.gender.to_numpy()), ("occupation", users.occupation.to_numpy()),
            ("age", np.array([f"{'<18' if g == 0 else f'{_AGE_BINS[g - 1]}+'}" for g in age_group]))]
    names = [f"{field}={v}" for field, col in cats for v in sorted(set(col))]
    col_of = {n: c for c, n in enumerate(names)}
    user_features = np.zeros((len(user_ids), len(names)), dtype=np.float32)
    for field, col in cats:
        user_features[np.arange(len(user_ids)), [col_of[f"{field}={v}"] for v in col]] = 1.0
    items = items.set_index("item_id").loc[item_ids]
    genres = sorted({g for gs in items.genres for g in gs})
    item_features = np.zeros((len(item_ids), len(genres)), dtype=np.float32)
    for row, gs in enumerate(items.genres):
        item_features[row, [genres.index(g) for g in gs]] = 1.0
    pairs = np.stack([u[train & liked], i[train & liked]], axis=1).astype(np.int64)
    history = np.zeros((len(user_ids), len(item_ids)), dtype=np.float32)
    np.add.at(history, (pairs[:, 0], pairs[:, 1]), 1.0)
    history /= np.maximum(history.sum(axis=1, keepdims=True), 1.0)
    return TwoTowerData(
        train_pairs=pairs, user_history=history,
        train_seen=seen, test_users=test_users, test_relevant=[future[int(a)] for a in test_users],
        user_features=user_features, item_features=item_features, user_feature_names=names,
        item_feature_names=[f"genre={g}" for g in genres], user_ids=user_ids, item_ids=item_ids,
        item_titles=[str(s) for s in items.title], cutoff=cutoff)


def item_log_q(items: Any, n_items: int, *, smoothing: float = 1.0) -> npt.NDArray[np.float64]:
    """Log of each item's probability of being drawn into a batch, from its training frequency.

    ``log q_j = log((count_j + smoothing) / (n + smoothing * n_items))``: the share of the
    training pairs whose item is j, smoothed so an unseen item has a finite value.

    Parameters
    ----------
    items : array-like of int, shape (n,)
        The item column of the training pairs.
    n_items : int
    smoothing : float
        Added to every count, > 0.

    Returns
    -------
    numpy.ndarray of float64, shape (n_items,)

    Examples
    --------
    >>> np.exp(item_log_q([0, 0, 1], 3, smoothing=1.0)).round(3)
    array([0.5  , 0.333, 0.167])

    Taught in: chapter 08.
    """
    n_items = check_int("n_items", n_items, 1)
    idx = check_ids(items, "items", n_items)
    smoothing = check_float("smoothing", smoothing, 0, None, low_open=True)
    counts = np.bincount(idx, minlength=n_items).astype(np.float64) + smoothing
    return np.log(counts / counts.sum())


def in_batch_softmax_loss(user_emb: Any, item_emb: Any, *, temperature: float = 0.05, log_q: Any = None,
                          item_ids: Any = None) -> Any:
    """The sampled-softmax loss of a batch of (user, liked item) pairs, other items as negatives.

    ``logits[i, j] = u_i . v_j / temperature - log_q[j]``, entries with ``item_ids[j] ==
    item_ids[i]`` (j != i) set to -inf, then ``F.cross_entropy(logits, arange(B))``.

    Parameters
    ----------
    user_emb, item_emb : torch.Tensor, shape (B, d)
        Tower outputs; row i of each is a training pair.
    temperature : float
        tau > 0 (0.05 = scale 20, as sentence-transformers' MNRL on unit vectors).
    log_q : torch.Tensor or array, shape (B,), optional
        Log sampling probability of each batch item (the logQ correction); None = no correction.
    item_ids : torch.Tensor or array of int, shape (B,), optional
        The batch's item ids; a repeated item is masked out of the other rows' negatives.

    Returns
    -------
    torch.Tensor, scalar

    Examples
    --------
    >>> import torch
    >>> in_batch_softmax_loss(torch.eye(3), torch.eye(3), temperature=1.0).item() < 1.0
    True

    Taught in: chapter 08.
    """
    import torch

    from embedcourse.losses._base import as_embeddings

    U, V = as_embeddings(user_emb, "user_emb"), as_embeddings(item_emb, "item_emb")
    if U.shape != V.shape:
        raise ValueError(f"user_emb has shape {tuple(U.shape)} but item_emb has {tuple(V.shape)}; one item per user.")
    temperature = check_float("temperature", temperature, 0, None, low_open=True)
    B, dtype = U.shape[0], torch.promote_types(U.dtype, V.dtype)
    logits = (U.to(dtype) @ V.to(dtype).T) / temperature
    if not bool(torch.isfinite(logits).all()):
        raise ValueError("user_emb @ item_emb.T / temperature overflowed; the values in user_emb and item_emb are "
                         "too large (tower outputs are unit vectors: normalise them).")
    if log_q is not None:
        lq = torch.as_tensor(np.asarray(log_q, dtype=np.float64) if not isinstance(log_q, torch.Tensor) else log_q)
        if lq.shape != (B,) or not bool(torch.isfinite(lq).all()):
            raise ValueError(f"log_q must be a finite vector of shape ({B},); got shape {tuple(lq.shape)}.")
        logits = logits - lq.to(logits.dtype)[None, :]
    if item_ids is not None:
        ids = torch.as_tensor(np.asarray(item_ids) if not isinstance(item_ids, torch.Tensor) else item_ids)
        if ids.shape != (B,) or ids.dtype.is_floating_point or ids.dtype == torch.bool:
            raise ValueError(f"item_ids must be {B} integer ids; got shape {tuple(ids.shape)}, dtype {ids.dtype}.")
        hit = (ids[:, None] == ids[None, :]) & ~torch.eye(B, dtype=torch.bool)
        logits = logits.masked_fill(hit, float("-inf"))
    return torch.nn.functional.cross_entropy(logits, torch.arange(B))


@functools.cache
def _net_class() -> type:
    import torch

    class Tower(torch.nn.Module):
        """normalize(W2 relu(W1 [E[id]; F[id]] + b1) + b2)."""

        def __init__(self, n: int, features: np.ndarray | None, dim: int, hidden: int, use_ids: bool) -> None:
            super().__init__()
            self.embedding = torch.nn.Embedding(n, dim) if use_ids else None
            f = torch.zeros((n, 0)) if features is None else torch.as_tensor(features, dtype=torch.float32)
            self.features: torch.Tensor
            self.register_buffer("features", f)
            self.mlp = torch.nn.Sequential(torch.nn.Linear((dim if use_ids else 0) + f.shape[1], hidden),
                                           torch.nn.ReLU(), torch.nn.Linear(hidden, dim))

        def forward(self, idx: torch.Tensor) -> torch.Tensor:
            parts = [self.features[idx]]
            if self.embedding is not None:
                parts.insert(0, self.embedding(idx))
            return torch.nn.functional.normalize(self.mlp(torch.cat(parts, dim=1)), dim=1)

    class TwoTowerNet(torch.nn.Module):
        def __init__(self, n_users: int, n_items: int, user_features: np.ndarray | None,
                     item_features: np.ndarray | None, dim: int, hidden: int, use_ids: bool) -> None:
            super().__init__()
            self.user_tower = Tower(n_users, user_features, dim, hidden, use_ids)
            self.item_tower = Tower(n_items, item_features, dim, hidden, use_ids)

    return TwoTowerNet


def _features(F: Any, name: str, n: int | None) -> np.ndarray | None:
    if F is None:
        return None
    M = as_matrix(F, name, dtype=np.float32)
    if n is not None and M.shape[0] != n:
        raise ValueError(f"{name} has {M.shape[0]} rows but there are {n}; one row per id.")
    return M


def _check_users(users: Any, n: int, name: str = "users") -> np.ndarray:
    return check_ids(np.atleast_1d(np.asarray(users)) if isinstance(users, (int, np.integer)) else users, name, n,
                     allow_empty=False)


def _top_excluding(S: np.ndarray, k: int, exclude: Any) -> npt.NDArray[np.int64]:
    from embedcourse.topk import top_k

    S = S.astype(np.float64)
    if exclude is not None:
        if isinstance(exclude, (str, bytes)) or len(exclude) != S.shape[0]:
            raise ValueError(f"exclude must hold one set of item indices per user ({S.shape[0]}).")
        for row, items in enumerate(exclude):
            cols = np.fromiter(items, dtype=np.int64)
            if cols.size and (cols.min() < 0 or cols.max() >= S.shape[1]):
                raise ValueError(f"exclude[{row}] holds item indices outside [0, {S.shape[1]}).")
            S[row, cols] = -np.inf
    k = check_int("k", k, 1, S.shape[1])
    return top_k(S, k)[1]


class TwoTower:
    """A user tower and an item tower trained with in-batch negatives (sampled softmax).

    Each tower maps an id (and its feature row) to a unit vector:
    ``normalize(W2 relu(W1 [E[id]; F[id]] + b1) + b2)``; a user's score for an item is the dot
    product (cosine) of the two. Training: :func:`embedcourse.training.fit` over shuffled
    batches of liked (user, item) pairs with :func:`in_batch_softmax_loss`, logQ-corrected if
    ``logq_correction``.

    Parameters
    ----------
    dim : int
        Output dimension of both towers.
    hidden : int
        Width of each tower's hidden layer.
    temperature : float
        Softmax temperature tau > 0.
    logq_correction : bool
        Subtract each batch item's log training frequency from its logits.
    use_ids : bool
        Learn an embedding per id (False: features only, so a new user or item is scored alike).
    batch_size, epochs : int
    lr, weight_decay : float
        Adam's learning rate and weight decay.
    random_state : int
        Seed of the initial weights and the batch order.
    progress : bool
        Print one line per epoch.

    Attributes
    ----------
    net_ : torch.nn.Module
        ``net_.user_tower(idx)``, ``net_.item_tower(idx)``: (n, dim) unit rows.
    loss_history_ : numpy.ndarray of float64
        Mean training loss of each epoch.
    item_log_q_ : numpy.ndarray of float64, shape (n_items,)
    n_users_, n_items_ : int

    Examples
    --------
    >>> data = movielens_temporal_split()  # doctest: +SKIP
    >>> model = TwoTower(epochs=5).fit(data.train_pairs, user_features=data.user_features,
    ...                                item_features=data.item_features)  # doctest: +SKIP
    >>> top = model.recommend(data.test_users, k=10, exclude=[data.train_seen[u] for u in data.test_users])  # doctest: +SKIP

    Taught in: chapter 08.
    """

    def __init__(self, dim: int = 32, *, hidden: int = 64, temperature: float = 0.05, logq_correction: bool = True,
                 use_ids: bool = True, batch_size: int = 512, epochs: int = 10, lr: float = 5e-3,
                 weight_decay: float = 0.0, random_state: int = 0, progress: bool = False) -> None:
        self.dim, self.hidden, self.temperature = dim, hidden, temperature
        self.logq_correction, self.use_ids, self.batch_size, self.epochs = logq_correction, use_ids, batch_size, epochs
        self.lr, self.weight_decay, self.random_state, self.progress = lr, weight_decay, random_state, progress

    def _params(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("dim", "hidden", "temperature", "logq_correction", "use_ids",
                                                "batch_size", "epochs", "lr", "weight_decay", "random_state", "progress")}

    def _check_params(self) -> None:
        check_int("dim", self.dim, 1, 4096)
        check_int("hidden", self.hidden, 1, 4096)
        check_float("temperature", self.temperature, 0, None, low_open=True)
        check_bool("logq_correction", self.logq_correction)
        check_bool("use_ids", self.use_ids)
        check_int("batch_size", self.batch_size, 2)
        check_int("epochs", self.epochs, 1)
        check_float("lr", self.lr, 0, None, low_open=True)
        check_float("weight_decay", self.weight_decay, 0, None)
        check_seed("random_state", self.random_state)
        if self.random_state is None or not isinstance(self.random_state, (int, np.integer)):
            raise TypeError(f"random_state must be an int seed; got {self.random_state!r}.")
        check_bool("progress", self.progress)

    def fit(self, X: Any, y: Any = None, *, user_features: Any = None, item_features: Any = None,
            n_users: int | None = None, n_items: int | None = None) -> TwoTower:
        """Train on liked (user, item) pairs.

        Parameters
        ----------
        X : array-like of int, shape (n, 2)
            (user index, item index) pairs, e.g. ``TwoTowerData.train_pairs``.
        y : None
            Ignored.
        user_features, item_features : array-like, shape (n_users, f_u) / (n_items, f_i), optional
            Feature rows (their row counts fix n_users / n_items).
        n_users, n_items : int, optional
            Number of ids when no feature matrix gives it (default: largest id in X plus one).

        Returns
        -------
        TwoTower
            ``self``, fitted.
        """
        import torch

        from embedcourse import training

        self._check_params()
        P = as_matrix(X, "X", dtype=None)
        if P.shape[1] != 2 or P.dtype == bool or not np.issubdtype(P.dtype, np.integer):
            raise ValueError(f"X must be an int array of (user, item) pairs, shape (n, 2); got {P.dtype} {P.shape}.")
        if P.shape[0] < 2:
            raise ValueError("X needs at least 2 pairs: in-batch negatives need a batch.")
        Fu = _features(user_features, "user_features", None)
        Fi = _features(item_features, "item_features", None)
        nu = Fu.shape[0] if Fu is not None else (int(P[:, 0].max()) + 1 if n_users is None else check_int("n_users", n_users, 1))
        ni = Fi.shape[0] if Fi is not None else (int(P[:, 1].max()) + 1 if n_items is None else check_int("n_items", n_items, 1))
        users, items = check_ids(P[:, 0], "X[:, 0] (users)", nu), check_ids(P[:, 1], "X[:, 1] (items)", ni)
        if not self.use_ids and (Fu is None or Fi is None):
            raise ValueError("use_ids=False needs both user_features and item_features (a tower needs some input).")
        self.n_users_, self.n_items_ = nu, ni
        self.item_log_q_ = item_log_q(items, ni)
        net_cls = _net_class()
        self.net_ = training.seeded(lambda: net_cls(nu, ni, Fu, Fi, self.dim, self.hidden, self.use_ids),
                                    random_state=int(self.random_state))
        tu, ti = torch.as_tensor(users), torch.as_tensor(items)
        lq = torch.as_tensor(self.item_log_q_, dtype=torch.float32)

        def loss_fn(net: Any, idx: np.ndarray) -> torch.Tensor:
            b = torch.as_tensor(idx)
            return in_batch_softmax_loss(net.user_tower(tu[b]), net.item_tower(ti[b]), temperature=self.temperature,
                                         log_q=lq[ti[b]] if self.logq_correction else None, item_ids=ti[b])

        batches = training.index_batches(len(users), int(self.batch_size), drop_last=len(users) > self.batch_size)
        result = training.fit(self.net_, loss_fn, batches,
                              epochs=int(self.epochs), lr=float(self.lr), optimizer="adam",
                              weight_decay=float(self.weight_decay), random_state=int(self.random_state),
                              progress=bool(self.progress), threads=1)
        self.loss_history_ = np.asarray(result.epoch_losses, dtype=np.float64)
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "net_"):
            raise ValueError("this TwoTower is not fitted yet; call fit(X, ...) first.")

    def _embed(self, tower: str, ids: Any, n: int, name: str) -> npt.NDArray[np.float32]:
        import torch

        self._fitted()
        idx = np.arange(n) if ids is None else _check_users(ids, n, name)
        with torch.no_grad():
            return getattr(self.net_, tower)(torch.as_tensor(idx)).numpy().astype(np.float32)

    def user_embeddings(self, users: Any = None) -> npt.NDArray[np.float32]:
        """Unit-length user vectors, shape (n, dim) (all users if ``users`` is None)."""
        return self._embed("user_tower", users, self.n_users_ if hasattr(self, "n_users_") else 0, "users")

    def item_embeddings(self, items: Any = None) -> npt.NDArray[np.float32]:
        """Unit-length item vectors, shape (n, dim) (all items if ``items`` is None)."""
        return self._embed("item_tower", items, self.n_items_ if hasattr(self, "n_items_") else 0, "items")

    def scores(self, users: Any) -> npt.NDArray[np.float32]:
        """Cosine of each given user with every item, shape (n_users_given, n_items)."""
        return self.user_embeddings(users) @ self.item_embeddings().T

    def recommend(self, users: Any, k: int = 10, exclude: Any = None) -> npt.NDArray[np.int64]:
        """The ``k`` best items of each user, best first (ties to the smaller index).

        Parameters
        ----------
        users : array-like of int, shape (n,)
        k : int
        exclude : sequence of sets of int, length n, optional
            Items never recommended to that user (e.g. what they already rated).

        Returns
        -------
        numpy.ndarray of int64, shape (n, k)
        """
        return _top_excluding(self.scores(users), k, exclude)

    def save(self, path: str | Path) -> None:
        """Write the hyperparameters and weights to ``path`` (one torch file)."""
        import torch

        self._fitted()
        if not isinstance(path, (str, Path)):
            raise TypeError(f"path must be a str or Path; got {type(path).__name__}.")
        torch.save({"params": self._params(), "state": self.net_.state_dict(), "n_users": self.n_users_,
                    "n_items": self.n_items_, "item_log_q": self.item_log_q_, "loss_history": self.loss_history_,
                    "features": (self.net_.user_tower.features.numpy(), self.net_.item_tower.features.numpy())}, path)

    @classmethod
    def load(cls, path: str | Path) -> TwoTower:
        """Read a model written by :meth:`save`."""
        import torch

        if not isinstance(path, (str, Path)):
            raise TypeError(f"path must be a str or Path; got {type(path).__name__}.")
        blob = torch.load(path, weights_only=False)
        model = cls(**blob["params"])
        Fu, Fi = blob["features"]
        model.n_users_, model.n_items_ = blob["n_users"], blob["n_items"]
        model.item_log_q_, model.loss_history_ = blob["item_log_q"], blob["loss_history"]
        model.net_ = _net_class()(model.n_users_, model.n_items_, Fu if Fu.shape[1] else None,
                                  Fi if Fi.shape[1] else None, model.dim, model.hidden, model.use_ids)
        model.net_.load_state_dict(blob["state"])
        model.net_.eval()
        return model


class PopularityRecommender:
    """Recommend the most-liked training items to everyone: the baseline to beat.

    Examples
    --------
    >>> PopularityRecommender().fit(np.array([[0, 2], [1, 2], [1, 0]]), n_items=3).recommend([0], k=2)
    array([[2, 0]])

    Taught in: chapter 08.
    """

    def fit(self, X: Any, y: Any = None, *, n_items: int | None = None) -> PopularityRecommender:
        """Count how often each item is liked in ``X``, (user, item) pairs of shape (n, 2)."""
        P = as_matrix(X, "X", dtype=None)
        if P.shape[1] != 2 or P.dtype == bool or not np.issubdtype(P.dtype, np.integer):
            raise ValueError(f"X must be an int array of (user, item) pairs, shape (n, 2); got {P.dtype} {P.shape}.")
        n = int(P[:, 1].max()) + 1 if n_items is None else check_int("n_items", n_items, 1)
        self.counts_ = np.bincount(check_ids(P[:, 1], "X[:, 1] (items)", n), minlength=n).astype(np.float64)
        return self

    def recommend(self, users: Any, k: int = 10, exclude: Any = None) -> npt.NDArray[np.int64]:
        """The ``k`` most-liked items not in ``exclude[row]``, shape (len(users), k)."""
        if not hasattr(self, "counts_"):
            raise ValueError("this PopularityRecommender is not fitted yet; call fit(X) first.")
        u = np.atleast_1d(np.asarray(users))
        if u.ndim != 1 or u.size == 0 or u.dtype == bool or not np.issubdtype(u.dtype, np.integer):
            raise ValueError(f"users must be a non-empty 1-d array of int user indices; got {u!r:.60}.")
        return _top_excluding(np.tile(self.counts_, (u.size, 1)), k, exclude)
