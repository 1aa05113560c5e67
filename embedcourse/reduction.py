"""Project embeddings to 2 or 3 dimensions (PCA, t-SNE, UMAP), cached on disk.

Mirrors :class:`sklearn.decomposition.PCA`, :class:`sklearn.manifold.TSNE` and
:class:`umap.UMAP`: :func:`project` is a thin, validated, cached front door to them, so a
chapter can call ``project(X, "umap")`` in every kernel and pay the cost once. PCA is written
out with a numpy SVD (a dozen readable lines) and tested against scikit-learn.

How much of each point's neighbourhood a projection keeps is measured by
:func:`embedcourse.metrics.neighbourhood_preservation`, a number a chapter can ``assert`` on
instead of eyeballing a scatter plot; the plots themselves are in :mod:`embedcourse.viz`.

Taught in: chapter 01 (projections of word vectors), used in most later chapters.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_matrix, check_choice, check_int
from embedcourse.cache import cache_array, content_hash
from embedcourse.ops import normalize_rows

__all__ = ["METHODS", "project"]

#: The projection methods :func:`project` knows.
METHODS = ("pca", "tsne", "umap")

_METRICS = ("cosine", "euclidean")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:  # pragma: no cover - only when the library is absent
        return "not-installed"


def _pca(X: npt.NDArray[np.float64], n_components: int) -> npt.NDArray[np.float64]:
    """PCA scores by SVD of the centred matrix, each axis signed so its largest loading is > 0."""
    Xc = X - X.mean(axis=0, keepdims=True)
    _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    Vt = Vt[:n_components]
    # the sign of a singular vector is arbitrary: fix it so the output is reproducible
    signs = np.sign(Vt[np.arange(n_components), np.argmax(np.abs(Vt), axis=1)])
    signs[signs == 0] = 1.0
    return Xc @ (Vt * signs[:, None]).T


def _check_method(method: str) -> str:
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise ValueError(
            f"Unknown projection method {method!r}; choose one of {', '.join(map(repr, METHODS))}."
        )
    return method.lower()


def _check_n_components(n_components: Any, method: str, n: int, d: int) -> int:
    n_components = check_int("n_components", n_components, 1, hint=" (2 or 3 for a plot)")
    if n_components > d:
        raise ValueError(
            f"n_components={n_components} is larger than the {d} dimensions of X; "
            f"a projection cannot add dimensions."
        )
    if method == "pca" and n_components > n:
        raise ValueError(f"n_components={n_components} is larger than the {n} rows of X; PCA has at most {n} axes.")
    if method == "tsne" and n_components > 3:
        raise ValueError(
            f"t-SNE (Barnes-Hut) supports n_components of 1, 2 or 3; got {n_components}. "
            f"Use method='pca' or 'umap' for more."
        )
    if method == "umap" and n_components >= n - 1:
        raise ValueError(
            f"n_components={n_components} is too large for UMAP on {n} points; use at most {n - 2}."
        )
    return int(n_components)


def project(
    X: npt.ArrayLike,
    method: str = "pca",
    n_components: int = 2,
    *,
    random_state: int | None = 0,
    cache: bool = True,
    metric: str = "cosine",
    **kwargs: Any,
) -> npt.NDArray[np.float32]:
    """Project the rows of ``X`` to ``n_components`` dimensions with PCA, t-SNE or UMAP.

    Parameters
    ----------
    X : array-like, shape (n, d)
        The embeddings, one per row.
    method : {"pca", "tsne", "umap"}
        ``"pca"``: linear, keeps global distances and directions (the axes mean something);
        ``"tsne"``: :class:`sklearn.manifold.TSNE`, keeps local neighbourhoods, distorts
        distances between clusters; ``"umap"``: :class:`umap.UMAP`, like t-SNE but faster on
        large ``n`` and somewhat better at the global layout.
    n_components : int
        Output dimension, usually 2 or 3 (t-SNE allows at most 3).
    random_state : int or None
        Seed for t-SNE and UMAP (PCA is deterministic). With an int, UMAP is reproducible but
        runs single-threaded. t-SNE starts from PCA (``init="pca"``), so scikit-learn's result
        does not depend on the seed unless you pass ``init="random"``. ``None`` gives a different layout on every call and is never cached.
    cache : bool
        Store the result on disk (see :mod:`embedcourse.cache`), keyed by a hash of the bytes
        of ``X``, the method, every parameter and the library version; a second call with the
        same input loads it instead of recomputing.
    metric : {"cosine", "euclidean"}
        The geometry whose neighbourhoods should be kept. For t-SNE and UMAP it is passed on as
        their ``metric``. For PCA, ``"cosine"`` first scales every row to unit length (so PCA
        sees directions only, which is what cosine similarity compares) and ``"euclidean"``
        uses the rows as given, exactly like ``sklearn.decomposition.PCA().fit_transform(X)``.
    **kwargs
        Passed to the estimator: t-SNE ``perplexity`` (default ``min(30, (n - 1) / 3)``),
        ``max_iter``, ``learning_rate``...; UMAP ``n_neighbors`` (default ``min(15, n - 1)``),
        ``min_dist`` (default 0.1), ``spread``... Ignored keys are an error for PCA.

    Returns
    -------
    numpy.ndarray, shape (n, n_components), float32
        The coordinates, row ``i`` for row ``i`` of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(50, 8))
    >>> project(X, "pca", cache=False).shape
    (50, 2)

    Taught in: chapter 01.
    """
    method = _check_method(method)
    metric = check_choice("metric", metric, _METRICS)
    X = as_matrix(X, "X")
    n, d = X.shape
    if method in ("tsne", "umap") and n < 3:
        raise ValueError(
            f"{method} needs at least 3 points to have neighbourhoods; X has {n} row(s). "
            f"Use method='pca' for tiny inputs."
        )
    n_components = _check_n_components(n_components, method, n, d)
    if method == "pca" and kwargs:
        raise TypeError(f"PCA takes no extra parameters; got {sorted(kwargs)}.")
    if random_state is not None and (isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer))):
        raise TypeError(f"random_state must be an int or None; got {random_state!r}.")

    params = dict(kwargs)
    if method == "tsne":
        perplexity = float(params.pop("perplexity", min(30.0, (n - 1) / 3.0)))
        if not perplexity > 0:
            raise ValueError(f"perplexity must be positive; got {perplexity}.")
        if perplexity >= n:
            raise ValueError(
                f"perplexity={perplexity:g} must be smaller than the number of points ({n}); "
                f"it is roughly the number of neighbours each point attends to. Try {max(1.0, (n - 1) / 3):.3g}."
            )
        params = {"perplexity": perplexity, "init": "pca", "learning_rate": "auto", **params}
        library = ("scikit-learn", _version("scikit-learn"))
    elif method == "umap":
        n_neighbors = int(params.pop("n_neighbors", min(15, n - 1)))
        if not 2 <= n_neighbors < n:
            raise ValueError(f"n_neighbors must be between 2 and n - 1 = {n - 1}; got {n_neighbors}.")
        params = {"n_neighbors": n_neighbors, "min_dist": 0.1, **params}
        library = ("umap-learn", _version("umap-learn"))
    else:
        library = ("numpy", _version("numpy"))

    def compute() -> npt.NDArray[np.float32]:
        if method == "pca":
            Z: npt.NDArray[np.float64] = X.astype(np.float64)
            if metric == "cosine":
                Z = normalize_rows(Z).astype(np.float64, copy=False)
            Y = _pca(Z, n_components)
        elif method == "tsne":
            from sklearn.manifold import TSNE

            Y = TSNE(n_components=n_components, metric=metric, random_state=random_state, **params).fit_transform(X)
        else:
            import warnings

            import umap

            with warnings.catch_warnings():
                # "n_jobs overridden to 1 by setting random_state" is the documented trade-off
                warnings.filterwarnings("ignore", message=".*n_jobs.*overridden.*")
                warnings.filterwarnings("ignore", message=".*spectral initialisation failed.*")
                reducer = umap.UMAP(
                    n_components=n_components,
                    metric=metric,
                    random_state=random_state,
                    **params,
                )
                Y = reducer.fit_transform(X)
        return np.ascontiguousarray(Y, dtype=np.float32)

    if not cache or random_state is None:
        return compute()
    key = content_hash(
        "project-v1",
        X,
        method,
        int(n_components),
        metric,
        int(random_state),
        {k: repr(v) for k, v in sorted(params.items())},
        list(library),
    )
    return cache_array(key, compute, namespace="projections")
