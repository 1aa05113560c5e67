"""Shared test fixtures and helpers.

``lee_texts`` / ``lee_sentences``: the Lee background corpus (300 real news texts) as loaded by
``embedcourse.data`` and tokenised, once per session: the small real corpus most tests train on.

``oracle(module)``: THE way to reach an optional reference library in a test. It imports the
module, or skips the test with a message naming the package to install (``make install`` puts
every oracle in place, so in this project's environment nothing is skipped).

``no_network``: block every internet connection (and DNS look-up) for the duration of a test,
and record each attempt. Blocking alone is not enough, because some libraries catch connection errors and fall
back silently; so the fixture also fails the test if anything even *tried* to connect.
Local sockets (AF_UNIX, used by multiprocessing and torch for inter-process pipes) still work.
This guards Python code only; for a whole-process proof run the tests under ``unshare --net``.
"""

from __future__ import annotations

import socket

import importlib
import importlib.util
from typing import Any

import pytest


class NetworkBlockedError(RuntimeError):
    """Raised when code under test opens an internet socket or resolves a host name."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch):
    """Block internet sockets and DNS; yield the list of attempts (asserted empty at the end)."""
    attempts: list[str] = []
    real_socket = socket.socket
    internet = {socket.AF_INET, socket.AF_INET6}

    def refuse(what: str) -> NetworkBlockedError:
        attempts.append(what)
        return NetworkBlockedError(f"network access attempted during an offline test: {what}")

    class GuardedSocket(real_socket):
        """Internet sockets may be created and bound (urllib3 probes IPv6 support at import
        time by binding to ::1), but never connect or send anywhere."""

        def _guard(self, what: str, address) -> None:
            if self.family in internet:
                raise refuse(f"{what}({address!r})")

        def connect(self, address):
            self._guard("connect", address)
            return super().connect(address)

        def connect_ex(self, address):
            self._guard("connect_ex", address)
            return super().connect_ex(address)

        def sendto(self, data, *args):
            self._guard("sendto", args[-1])
            return super().sendto(data, *args)

    def blocked_create_connection(address, *args, **kwargs):
        raise refuse(f"socket.create_connection({address!r})")

    def blocked_getaddrinfo(host, *args, **kwargs):
        raise refuse(f"socket.getaddrinfo({host!r})")

    monkeypatch.setattr(socket, "socket", GuardedSocket)
    monkeypatch.setattr(socket, "create_connection", blocked_create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", blocked_getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", blocked_getaddrinfo)
    yield attempts
    assert not attempts, f"code under test tried to reach the network: {attempts}"


@pytest.fixture(scope="session")
def lee_texts() -> list[str]:
    """The 300 texts of the Lee background corpus (real news), from :mod:`embedcourse.data`."""
    from embedcourse.data import load_lee_corpus

    return load_lee_corpus("background")


@pytest.fixture(scope="session")
def lee_sentences(lee_texts: list[str]) -> list[list[str]]:
    """The Lee background corpus tokenised with :func:`embedcourse.text.tokenize`."""
    from embedcourse.text import tokenize

    return [tokenize(t) for t in lee_texts]


def oracle(module: str) -> Any:
    """Import the reference library ``module`` for an oracle test, or skip the test saying what to install."""
    if importlib.util.find_spec(module.split(".")[0]) is None:
        pytest.skip(f"oracle {module!r} is not installed (make install puts every oracle in place)")
    return importlib.import_module(module)


# ---- plots and projections (tests/test_viz.py, tests/test_reduction.py) ----------------------
@pytest.fixture
def no_show(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any call to Figure.show() inside the package fails the test."""
    import plotly.graph_objects as go

    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("plot functions must return the figure, never call .show()")

    monkeypatch.setattr(go.Figure, "show", boom)


@pytest.fixture
def private_cache(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An empty embedcourse cache for this test only."""
    monkeypatch.setenv("EMBEDCOURSE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="session")
def clusters() -> tuple[Any, Any]:
    """Three well-separated Gaussian clusters in 20-d (120 points) and their labels."""
    import numpy as np

    rng = np.random.default_rng(0)
    centres = rng.normal(scale=6.0, size=(3, 20))
    labels = np.repeat(["a", "b", "c"], 40)
    X = centres[np.repeat(np.arange(3), 40)] + rng.normal(size=(120, 20))
    return X.astype(np.float32), labels


N_GLOVE = 20_000


@pytest.fixture(scope="session")
def glove_arrays() -> tuple[Any, list[str]]:
    """The 20,000 most frequent GloVe 6B 50-d words as (vectors, words), from embedcourse.data."""
    import numpy as np

    from embedcourse.data import load_glove

    wv = load_glove(n_words=N_GLOVE)
    return np.array(wv.vectors, dtype=np.float32), list(wv.index_to_key)


# ---- rankings (tests/test_ranking.py, tests/test_retrieval.py) -----------------------------
# Scores closer than this (relative) are a near-tie: their order is decided by float32 rounding,
# which depends on the BLAS kernel and on how each implementation sums. The seeded fixture has
# some (the closest two cosines of a query differ by 1.6e-6), so orders are compared tie-aware.
TIE_RTOL = 1e-4


@pytest.fixture
def emb() -> tuple[Any, Any]:
    """25 seeded random queries and 60 documents in 16-d (float32): the ranking arithmetic, not data."""
    import numpy as np

    rng = np.random.default_rng(0)
    docs = rng.normal(size=(60, 16)).astype(np.float32)
    queries = rng.normal(size=(25, 16)).astype(np.float32)
    return queries, docs


def unit(M: Any) -> Any:
    """Rows scaled to length 1 (plain numpy: the reference the package is checked against)."""
    import numpy as np

    return M / np.linalg.norm(M, axis=1, keepdims=True)


def near(a: float, b: float, tie_rtol: float = TIE_RTOL) -> bool:
    """True if two scores are a near-tie."""
    return abs(a - b) <= tie_rtol * max(abs(a), abs(b))


def truth_not_tied(S: Any, truth: Any, tie_rtol: float = TIE_RTOL) -> bool:
    """True if no query's relevant document has a near-tied score: its rank is then exact."""
    import numpy as np

    for row, t in enumerate(truth):
        others = np.delete(S[row], t)
        if np.any(np.abs(others - S[row, t]) <= tie_rtol * np.abs(S[row, t])):
            return False
    return True


# ---- ANN tests (tests/test_ann*.py): a GloVe database, held-out queries, one thread --------
ANN_DB, ANN_Q = 20_000, 300


@pytest.fixture(scope="module")
def glove() -> tuple[Any, Any]:
    """(database, queries): the 20,000 most frequent GloVe 50-d words and the next 300, held out."""
    from embedcourse.data import load_glove

    vectors = load_glove(ANN_DB + ANN_Q).vectors
    return vectors[:ANN_DB].copy(), vectors[ANN_DB:].copy()


@pytest.fixture(scope="module")
def faiss() -> Any:
    """faiss on one thread, the oracle of the ANN tests (skips when it is not installed)."""
    module = oracle("faiss")
    module.omp_set_num_threads(1)
    return module


@pytest.fixture(scope="module")
def one_blas_thread() -> Any:
    """One BLAS thread for a whole test module (small products are far faster on a shared machine)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def recall_per_query(labels: Any, gt: Any) -> Any:
    """Share of each query's true neighbours (rows of ``gt``) found in its row of ``labels``."""
    import numpy as np

    return np.array([len(set(a) & set(b)) / gt.shape[1] for a, b in zip(labels, gt, strict=True)])


def exact_ids(xb: Any, q: Any, metric: str, k: int = 10) -> Any:
    """The ids of the exact top ``k`` (FlatIndex), the ground truth of a recall."""
    from embedcourse.ann import FlatIndex

    flat = FlatIndex(xb.shape[1], metric)
    flat.add(xb)
    return flat.search(q, k)[1]


def unit32(M: Any) -> Any:
    """Rows scaled to length 1 in float64, returned as float32 (what an index stores)."""
    import numpy as np

    return (M / np.linalg.norm(M.astype(np.float64), axis=1, keepdims=True)).astype(np.float32)


# ---- kernels run under NUMBA_BOUNDSCHECK=1 in a subprocess (test_kernel_safety, test_ann_ivf) ----
BOUNDSCHECK_PRELUDE = """\
import math, sys
import numpy as np
import numba
from numba import njit

assert numba.config.BOUNDSCHECK == 1, numba.config.BOUNDSCHECK

@njit
def _probe(a, i):
    return a[i]

try:  # proves the detector works: an out-of-range index raises instead of reading garbage
    _probe(np.zeros(3), 3)
except IndexError:
    pass
else:
    raise SystemExit("NUMBA_BOUNDSCHECK is not in effect")
"""
