"""Side-by-side benchmark: embedcourse.ann.FlatIndex against faiss IndexFlatIP / IndexFlatL2.

Same data (the 100,000 most frequent GloVe 6B 50-d words as the database, the next 1,000 as
queries), k=10, one thread each (``threadpoolctl`` limits numpy's OpenBLAS,
``faiss.omp_set_num_threads(1)`` faiss's OpenMP). Cosine is faiss's recipe: ``normalize_L2``
on the database once and on each query batch, then ``IndexFlatIP``. Each search runs once to
warm up, then ``--repeat`` times; the table gives the fastest and the median run, and the
fraction of neighbour ids that agree.

Usage::

    OMP_NUM_THREADS=1 .venv/bin/python tools/bench_flat.py [--n 100000] [--queries 1000] [--k 10] [--repeat 7]

Taught in: chapter 07 (the figures are quoted in the FlatIndex docstring).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def _timed(search, repeat: int) -> tuple[float, float, tuple[np.ndarray, np.ndarray]]:
    out = search()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = search()
        times.append(time.perf_counter() - start)
    return min(times), float(np.median(times)), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import faiss
    from threadpoolctl import threadpool_limits

    import embedcourse as ec

    faiss.omp_set_num_threads(1)
    vectors = ec.data.load_glove(args.n + args.queries).vectors
    xb, xq = vectors[: args.n].copy(), vectors[args.n :].copy()
    print("| metric | ours min / median ms | faiss min / median ms | ours / faiss (min) | same ids |")
    print("|---|---:|---:|---:|---:|")
    with threadpool_limits(1):
        for metric in ("ip", "l2", "cosine"):
            ours = ec.ann.FlatIndex(xb.shape[1], metric)
            ours.add(xb)
            ref = faiss.IndexFlatL2(xb.shape[1]) if metric == "l2" else faiss.IndexFlatIP(xb.shape[1])
            xb_ref = xb.copy()
            if metric == "cosine":
                faiss.normalize_L2(xb_ref)
            ref.add(xb_ref)

            def faiss_search(metric=metric, ref=ref):
                q = xq.copy()
                if metric == "cosine":
                    faiss.normalize_L2(q)
                return ref.search(q, args.k)

            t_ours, m_ours, (_, I_ours) = _timed(lambda ours=ours: ours.search(xq, args.k), args.repeat)
            t_ref, m_ref, (_, I_ref) = _timed(faiss_search, args.repeat)
            print(f"| {metric} | {t_ours * 1e3:.0f} / {m_ours * 1e3:.0f} | {t_ref * 1e3:.0f} / {m_ref * 1e3:.0f} "
                  f"| {t_ours / t_ref:.2f} | {np.mean(I_ours == I_ref):.4f} |")


if __name__ == "__main__":
    main()
