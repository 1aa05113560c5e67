"""Side-by-side benchmark: embedcourse.ann.HNSWIndex against hnswlib (and faiss IndexHNSWFlat).

Data: all 400,000 pretrained GloVe 6B 50-d vectors, cosine similarity. 1,000 of them, drawn at
random (seed 0), are held out as queries and the other 399,000 are indexed; the ground truth
is the exact top 10 of each query by brute force (``ec.ann.FlatIndex``). ``--small`` runs the
same on the 50,000 most frequent words (49,000 indexed).

Every library gets the same parameters (M=16, ef_construction=200; ef_search swept) and one
thread (``threadpoolctl`` for BLAS, ``num_threads=1`` for hnswlib, ``faiss.omp_set_num_threads(1)``;
our numba kernels are single-threaded). Speeds exclude JIT compilation: our kernels are
compiled (or loaded from numba's cache) on a tiny index before any clock starts. A build is
timed once; each search is one call over all 1,000 queries, run once to warm up and then
``--repeat`` times, of which the fastest gives the queries per second (QPS); at each ef_search
the libraries take turns, round by round, so a change in the machine's load hits all alike. The machine is
shared, so its load average is recorded before and after.

Writes ``benchmarks/results/ann_hnsw.json`` (``ann_hnsw_small.json`` with ``--small``): the
machine (CPU model, cores), the date, library versions, and per library the build time and, per
ef_search, recall@10 and QPS.

Usage::

    .venv/bin/python benchmarks/ann_hnsw.py [--small] [--repeat 5] [--no-faiss]

Taught in: chapter 07 (the chapter shows the stored result and reruns a small point live).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
from _machine import cpu_model, versions

EF_VALUES = (10, 16, 32, 64, 128, 256)
M, EF_CONSTRUCTION, K, N_QUERIES = 16, 200, 10, 1000
RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    model = cpu_model()
    return {"cpu": model, "logical_cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version()}


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / truth.shape[1] for a, b in zip(found, truth, strict=True)]))


def load_data(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import embedcourse as ec

    vectors = np.array(ec.data.load_glove(n).vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors.astype(np.float64), axis=1)
    vectors = vectors[norms > 0]  # a zero vector has no cosine (none expected in GloVe)
    held = np.zeros(len(vectors), bool)
    held[np.random.default_rng(0).choice(len(vectors), N_QUERIES, replace=False)] = True
    xb, xq = vectors[~held], vectors[held]
    flat = ec.ann.FlatIndex(xb.shape[1], "cosine")
    flat.add(xb)
    truth = flat.search(xq, K)[1]
    return xb, xq, truth


class Contender:
    """One library's built index: its name, build time, and how to set ef_search and search."""

    def __init__(self, name: str, build_s: float, set_ef: Any, search: Any) -> None:
        self.name, self.build_s, self.set_ef, self.search = name, build_s, set_ef, search


def build_ours(xb: np.ndarray) -> Contender:
    import embedcourse as ec

    warm = ec.ann.HNSWIndex(xb.shape[1], "cosine", M=M, ef_construction=EF_CONSTRUCTION)
    warm.add(xb[:200])  # compiles (or loads) the kernels: not timed
    warm.search(xb[:2], K)
    index = ec.ann.HNSWIndex(xb.shape[1], "cosine", M=M, ef_construction=EF_CONSTRUCTION, random_state=0)
    start = time.perf_counter()
    index.add(xb)
    build = time.perf_counter() - start

    def set_ef(ef: int) -> None:
        index.ef_search = ef

    return Contender("embedcourse HNSWIndex", build, set_ef, lambda q: index.search(q, K)[1])


def build_hnswlib(xb: np.ndarray) -> Contender:
    import hnswlib

    index = hnswlib.Index(space="cosine", dim=xb.shape[1])
    index.init_index(max_elements=len(xb), M=M, ef_construction=EF_CONSTRUCTION, random_seed=100)
    index.set_num_threads(1)
    start = time.perf_counter()
    index.add_items(xb, np.arange(len(xb)), num_threads=1)
    build = time.perf_counter() - start
    return Contender("hnswlib", build, index.set_ef, lambda q: index.knn_query(q, k=K, num_threads=1)[0])


def build_faiss(xb: np.ndarray) -> Contender:
    import faiss

    faiss.omp_set_num_threads(1)
    base = xb.copy()
    faiss.normalize_L2(base)
    index = faiss.IndexHNSWFlat(xb.shape[1], M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = EF_CONSTRUCTION
    start = time.perf_counter()
    index.add(base)
    build = time.perf_counter() - start

    def set_ef(ef: int) -> None:
        index.hnsw.efSearch = ef

    def search(q: np.ndarray) -> np.ndarray:
        q = q.copy()
        faiss.normalize_L2(q)  # the cosine recipe: normalising the queries is part of the search
        return index.search(q, K)[1]

    return Contender("faiss IndexHNSWFlat", build, set_ef, search)


def sweep(contenders: list[Contender], xq: np.ndarray, truth: np.ndarray, repeat: int) -> list[dict[str, Any]]:
    """Per ef_search, the libraries take turns (a warm-up call each, then ``repeat`` rounds of one
    timed call each), so a change in the machine's load hits all of them alike."""
    results = [{"name": c.name, "build_s": c.build_s, "points": []} for c in contenders]
    for ef in EF_VALUES:
        found, best = [], [np.inf] * len(contenders)
        for c in contenders:
            c.set_ef(ef)
            found.append(c.search(xq))
        for _ in range(repeat):
            for j, c in enumerate(contenders):
                start = time.perf_counter()
                c.search(xq)
                best[j] = min(best[j], time.perf_counter() - start)
        for j, c in enumerate(contenders):
            point = {"ef_search": ef, "recall_at_10": recall(found[j], truth), "qps": len(xq) / best[j]}
            results[j]["points"].append(point)
            print(f"  {c.name:22s} ef={ef:4d} recall@10={point['recall_at_10']:.4f} qps={point['qps']:8.0f}", flush=True)
    return results


def qps_at(result: dict[str, Any], target: float) -> float | None:
    """The best QPS among the points whose recall@10 reaches ``target`` (None if none does)."""
    ok = [p["qps"] for p in result["points"] if p["recall_at_10"] >= target]
    return max(ok) if ok else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="50,000 words instead of all 400,000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-faiss", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    from threadpoolctl import threadpool_limits

    n = 50_000 if args.small else 400_000
    out = args.out or RESULTS / ("ann_hnsw_small.json" if args.small else "ann_hnsw.json")
    load_before = os.getloadavg()
    with threadpool_limits(1):
        xb, xq, truth = load_data(n)
        print(f"{len(xb)} indexed, {len(xq)} held-out queries, cosine, k={K}", flush=True)
        builders = [build_ours, build_hnswlib]
        if not args.no_faiss:
            try:
                import faiss  # noqa: F401

                builders.append(build_faiss)
            except ImportError:
                print("faiss is not installed: skipped")
        contenders = []
        for build in builders:
            contenders.append(build(xb))
            print(f"  {contenders[-1].name}: build {contenders[-1].build_s:.1f} s", flush=True)
        results = sweep(contenders, xq, truth, args.repeat)
    ours, ref = results[0], results[1]
    summary = {"target_recall": 0.95, "ours_qps": qps_at(ours, 0.95), "hnswlib_qps": qps_at(ref, 0.95)}
    if summary["ours_qps"] and summary["hnswlib_qps"]:
        summary["ours_over_hnswlib"] = summary["ours_qps"] / summary["hnswlib_qps"]
    summary["build_ours_over_hnswlib"] = ours["build_s"] / ref["build_s"]
    report = {
        "benchmark": "HNSW: embedcourse vs hnswlib vs faiss, GloVe 6B 50-d, cosine, k=10",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "versions": versions("embedcourse", "numpy", "numba", "hnswlib", "faiss-cpu", "threadpoolctl"),
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "data": {"source": "ec.data.load_glove", "n_words": n, "n_indexed": len(xb), "n_queries": len(xq),
                 "queries": f"{N_QUERIES} vectors drawn at random (seed 0) and held out of the index",
                 "ground_truth": "exact top-10 by brute force (ec.ann.FlatIndex, cosine)"},
        "params": {"M": M, "ef_construction": EF_CONSTRUCTION, "k": K, "threads": 1, "repeat": args.repeat},
        "timing": "build: one timed add of all vectors; QPS: 1,000 queries in one call, fastest of "
                  "--repeat runs after a warm-up run, the libraries taking turns; JIT compilation excluded "
                  "(kernels warmed on a tiny index)",
        "results": results, "summary": summary,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(summary, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
