"""Importing embedcourse is cheap and has no side effects (STYLE.md)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import embedcourse as ec

HEAVY = ["torch", "sentence_transformers", "transformers", "umap", "numba", "gensim", "plotly",
         "sklearn", "pandas", "faiss", "hnswlib", "matplotlib"]


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.parametrize("sub", ["", "data", "metrics", "vectors", "viz", "text", "models",
                                 "sentence", "retrieval"])
def test_import_loads_no_heavy_library(sub):
    target = f"embedcourse.{sub}" if sub else "embedcourse"
    out = _run(f"import sys, importlib; importlib.import_module({target!r}); "
               f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    assert out == "", f"importing {target} imported {out}; import heavy libraries inside functions"


def test_import_does_not_touch_global_random_state():
    out = _run(
        "import numpy as np, random; np.random.seed(7); random.seed(7); "
        "import embedcourse as ec\n"
        "for s in ['data','metrics','vectors','viz','text','models','sentence','retrieval']: getattr(ec, s)\n"
        "print(np.random.random(), random.random())"
    )
    expected = _run("import numpy as np, random; np.random.seed(7); random.seed(7); "
                    "print(np.random.random(), random.random())")
    assert out == expected


def test_subpackages_declare_all():
    for name in ec.__all__:
        if name.startswith("__"):
            continue
        module = getattr(ec, name)
        assert hasattr(module, "__all__"), f"embedcourse.{name} has no __all__"
        missing = [n for n in module.__all__ if not hasattr(module, n)]
        assert not missing, f"embedcourse.{name}.__all__ names missing objects: {missing}"


def test_unknown_attribute_error_lists_subpackages():
    with pytest.raises(AttributeError, match="subpackages are"):
        ec.not_a_module  # noqa: B018
