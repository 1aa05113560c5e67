#!/usr/bin/env python
"""Print the numeric environment this process runs in, and check that the one asked for is real.

Run by ``make test-portable`` before the tests, so CI's log shows which numpy SIMD loops, BLAS
kernel and thread counts, torch CPU capability and numba target each run used. When a variable
of the portability run is set, the script checks that it really took effect (a mistyped feature
name is ignored by numpy without a word) and exits 1 if not.

Usage::

    .venv/bin/python tools/numeric_env.py
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    import numpy as np
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    from threadpoolctl import threadpool_info

    problems: list[str] = []
    dispatch_on = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    print(f"numpy {np.__version__}: dispatched SIMD targets in use: {dispatch_on or 'none (baseline only)'}")
    disabled = os.environ.get("NPY_DISABLE_CPU_FEATURES", "").split()
    for feature in disabled:
        if feature not in __cpu_features__:
            problems.append(f"NPY_DISABLE_CPU_FEATURES names {feature!r}, which numpy does not know")
        elif __cpu_features__[feature]:
            problems.append(f"NPY_DISABLE_CPU_FEATURES names {feature!r}, but it is still in use")

    for pool in threadpool_info():
        print(
            f"{pool['internal_api']}: {pool.get('version')}, kernel {pool.get('architecture')}, "
            f"{pool['num_threads']} thread(s)"
        )
        want = os.environ.get("OPENBLAS_NUM_THREADS") if pool["internal_api"] == "openblas" else None
        if want and pool["num_threads"] != int(want):
            problems.append(f"OpenBLAS runs {pool['num_threads']} threads, OPENBLAS_NUM_THREADS={want}")

    import torch

    capability = torch.backends.cpu.get_cpu_capability()
    print(f"torch {torch.__version__}: CPU capability {capability}, {torch.get_num_threads()} thread(s)")
    want_cap = os.environ.get("ATEN_CPU_CAPABILITY")
    if want_cap and capability.lower() != want_cap.lower():
        problems.append(f"torch runs {capability!r}, ATEN_CPU_CAPABILITY={want_cap}")
    want_threads = os.environ.get("OMP_NUM_THREADS")
    if want_threads and torch.get_num_threads() != int(want_threads):
        problems.append(f"torch runs {torch.get_num_threads()} threads, OMP_NUM_THREADS={want_threads}")

    import numba
    from numba.core import config

    print(
        f"numba {numba.__version__}: target CPU {config.CPU_NAME or 'host'}, "
        f"{config.NUMBA_NUM_THREADS} thread(s)"
    )
    print(f"PYTHONHASHSEED={os.environ.get('PYTHONHASHSEED', 'random')}, hash('embedcourse')={hash('embedcourse')}")
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(not set)')} (never forced by the project)")

    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
