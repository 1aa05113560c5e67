"""Side-by-side benchmark: embedcourse's IVF, PQ, IVF-PQ, SQ8 and LSH indexes against faiss.

Data: all 400,000 pretrained GloVe 6B 50-d vectors, cosine similarity (faiss: ``normalize_L2``
and inner product). 1,000 of them, drawn at random (seed 0), are held out as queries and the
other 399,000 are indexed (the protocol of ``benchmarks/ann_hnsw.py``); the ground truth is the
exact top 10 of each query by brute force (``ec.ann.FlatIndex``). ``--small`` runs the same on
the 50,000 most frequent words.

Pairs compared at equal parameters, one thread each (``threadpoolctl`` for BLAS,
``faiss.omp_set_num_threads(1)``; our code is numpy, and a numba kernel for IVF-Flat's scan):

* IVF-Flat, nlist 1024 (``IndexIVFFlat``), nprobe 1 to 64;
* PQ, m = 10 and 25 bytes, 8 bits (``IndexPQ``);
* IVF-PQ, nlist 1024, m = 10 and 25 (``IndexIVFPQ``), nprobe 1 to 64, without re-ranking and
  with exact re-ranking of 4k candidates (``IndexRefineFlat``, k_factor 4);
* SQ8, per-dimension min/max (``IndexScalarQuantizer``, ``QT_8bit``);
* LSH: ours (16-bit keys, 8 tables, multi-probe 0 to 8 flips, exact re-ranking) against
  faiss's ``IndexLSH`` (one table of 64 or 256-bit codes, Hamming ranking): different
  designs, compared on recall and speed only.

Training uses all indexed vectors; both libraries subsample 256 points per centroid. A build
(train + add) is timed once; each search is one call over all 1,000 queries, run once to warm
up (for our IVF, this also compiles or loads its numba kernel) and then ``--repeat`` times (once
for the exhaustive PQ scans), of which the fastest gives the queries per second (QPS). The
machine is shared, so its load average is recorded before and after.

Writes ``benchmarks/results/ann_ivf_pq.json`` (``ann_ivf_pq_small.json`` with ``--small``): the
machine, the date, library versions, and per method the build time, bytes per vector and, per
search setting, recall@10 and QPS; a summary gives ours/faiss QPS for IVF-Flat at each nprobe.

Usage::

    .venv/bin/python benchmarks/ann_ivf_pq.py [--small] [--repeat 2]

Taught in: chapter 07 (the chapter shows the stored result and reruns a small point live).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _machine import cpu_model, versions

K, N_QUERIES, NLIST = 10, 1000, 1024
NPROBES = (1, 2, 4, 8, 16, 32, 64)
RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    model = cpu_model()
    return {"cpu": model, "logical_cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version()}


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / truth.shape[1] for a, b in zip(found, truth, strict=True)]))


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    out = fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def load_data(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import embedcourse as ec

    vectors = np.array(ec.data.load_glove(n).vectors, dtype=np.float32)
    vectors = vectors[np.linalg.norm(vectors.astype(np.float64), axis=1) > 0]
    held = np.zeros(len(vectors), bool)
    held[np.random.default_rng(0).choice(len(vectors), N_QUERIES, replace=False)] = True
    xb, xq = vectors[~held], vectors[held]
    flat = ec.ann.FlatIndex(xb.shape[1], "cosine")
    flat.add(xb)
    return xb, xq, flat.search(xq, K)[1]


def unit(M: np.ndarray) -> np.ndarray:
    return (M / np.linalg.norm(M.astype(np.float64), axis=1, keepdims=True)).astype(np.float32)


def measure(name: str, build: Callable[[], Any], settings: list[tuple[str, Any, Callable[[Any, Any], None]]],
            search: Callable[[Any], Any], truth: np.ndarray, repeat: int, bytes_per_vector: float) -> dict[str, Any]:
    """Build once (timed), then for each (label, value, set_knob) time ``search(index)``."""
    start = time.perf_counter()
    index = build()
    build_s = time.perf_counter() - start
    points = []
    for label, value, set_knob in settings:
        set_knob(index, value)
        seconds, found = best_of(lambda: search(index), repeat)
        points.append({label: value, "recall_at_10": recall(found, truth), "qps": N_QUERIES / seconds})
        print(f"  {name:34s} {label}={value!s:5s} recall={points[-1]['recall_at_10']:.4f} "
              f"qps={points[-1]['qps']:9.0f}", flush=True)
    print(f"  {name}: build {build_s:.1f} s", flush=True)
    return {"name": name, "build_s": build_s, "bytes_per_vector": bytes_per_vector, "points": points}


def no_knob(index: Any, value: Any) -> None:
    pass


def set_attr(attr: str) -> Callable[[Any, Any], None]:
    return lambda index, value: setattr(index, attr, value)


def run(xb: np.ndarray, xq: np.ndarray, truth: np.ndarray, repeat: int, nlist: int) -> list[dict[str, Any]]:
    import faiss

    import embedcourse as ec

    faiss.omp_set_num_threads(1)
    d = xb.shape[1]
    xbn, xqn = unit(xb), unit(xq)
    ours_search = lambda index: index.search(xq, K)[1]  # noqa: E731
    faiss_search = lambda index: index.search(xqn, K)[1]  # noqa: E731
    probes = [("nprobe", p, set_attr("nprobe")) for p in NPROBES]
    out = []

    def built(index: Any, x: np.ndarray) -> Any:
        index.train(x)
        index.add(x)
        return index

    # IVF-Flat
    out.append(measure(f"ours IVF{nlist},Flat", lambda: built(ec.ann.IVFIndex(d, nlist, metric="cosine"), xb),
                       probes, ours_search, truth, repeat, 4 * d + 8))
    out.append(measure(f"faiss IVF{nlist},Flat", lambda: built(faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist,
                                                                                 faiss.METRIC_INNER_PRODUCT), xbn),
                       probes, faiss_search, truth, repeat, 4 * d + 8))
    # SQ8
    out.append(measure("ours SQ8", lambda: built(ec.ann.SQ8Index(d, "cosine"), xb), [("setting", "-", no_knob)],
                       ours_search, truth, repeat, d))
    out.append(measure("faiss SQ8", lambda: built(faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit,
                                                                             faiss.METRIC_INNER_PRODUCT), xbn),
                       [("setting", "-", no_knob)], faiss_search, truth, repeat, d))
    # PQ and IVF-PQ
    keep: list[Any] = []  # faiss base indexes must outlive their IndexRefineFlat wrappers
    for m in (10, 25):
        # exhaustive scans of every code are slow: timed once after the warm-up
        out.append(measure(f"ours PQ{m}", lambda m=m: built(ec.ann.PQIndex(d, m, metric="cosine"), xb),
                           [("setting", "-", no_knob)], ours_search, truth, 1, m))
        out.append(measure(f"faiss PQ{m}", lambda m=m: built(faiss.IndexPQ(d, m, 8, faiss.METRIC_INNER_PRODUCT), xbn),
                           [("setting", "-", no_knob)], faiss_search, truth, 1, m))
        some = [s for s in probes if s[1] in (1, 4, 16, 64)]
        out.append(measure(f"ours IVF{nlist},PQ{m}", lambda m=m: built(ec.ann.IVFPQIndex(d, nlist, m, metric="cosine"), xb),
                           some, ours_search, truth, repeat, m + 8))
        out.append(measure(f"faiss IVF{nlist},PQ{m}",
                           lambda m=m: built(faiss.IndexIVFPQ(faiss.IndexFlatIP(d), d, nlist, m, 8,
                                                              faiss.METRIC_INNER_PRODUCT), xbn),
                           some, faiss_search, truth, repeat, m + 8))
        rerank = [(label, p, lambda index, v: (setattr(index, "nprobe", v), setattr(index, "rerank", 4)))
                  for label, p, _ in some]
        out.append(measure(f"ours IVF{nlist},PQ{m},Refine(Flat) x4",
                           lambda m=m: built(ec.ann.IVFPQIndex(d, nlist, m, metric="cosine", rerank=4), xb),
                           rerank, ours_search, truth, repeat, m + 8 + 4 * d))

        def faiss_refined(m: int = m, keep: list[Any] = keep) -> Any:
            base = faiss.IndexIVFPQ(faiss.IndexFlatIP(d), d, nlist, m, 8, faiss.METRIC_INNER_PRODUCT)
            keep.append(base)
            index = faiss.IndexRefineFlat(base)
            index.k_factor = 4
            return built(index, xbn)

        out.append(measure(f"faiss IVF{nlist},PQ{m},Refine(Flat) x4", faiss_refined,
                           [(label, p, lambda index, v: faiss.ParameterSpace().set_index_parameter(index, "nprobe", v))
                            for label, p, _ in some], faiss_search, truth, repeat, m + 8 + 4 * d))
    # LSH
    flips = [("nflip", f, set_attr("nflip")) for f in (0, 2, 4, 8)]
    out.append(measure("ours LSH16x8", lambda: built(ec.ann.LSHIndex(d, 16, 8, metric="cosine"), xb), flips,
                       ours_search, truth, repeat, 4 * d + 8 * 8 + 8))
    for nbits in (64, 256):
        out.append(measure(f"faiss LSH{nbits}", lambda nbits=nbits: built(faiss.IndexLSH(d, nbits), xbn),
                           [("setting", "-", no_knob)], faiss_search, truth, repeat, nbits / 8))
    return out


def summarise(results: list[dict[str, Any]], nlist: int) -> dict[str, Any]:
    by_name = {r["name"]: r for r in results}
    ours, ref = by_name[f"ours IVF{nlist},Flat"], by_name[f"faiss IVF{nlist},Flat"]
    ivf = [{"nprobe": a["nprobe"], "recall_ours": a["recall_at_10"], "recall_faiss": b["recall_at_10"],
            "qps_ours_over_faiss": a["qps"] / b["qps"]} for a, b in zip(ours["points"], ref["points"], strict=True)]
    pq = {f"PQ{m}": {"recall_ours": by_name[f"ours PQ{m}"]["points"][0]["recall_at_10"],
                     "recall_faiss": by_name[f"faiss PQ{m}"]["points"][0]["recall_at_10"]} for m in (10, 25)}
    return {"ivf_flat": ivf, "pq": pq,
            "ivf_flat_build_ours_over_faiss": ours["build_s"] / ref["build_s"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="50,000 words instead of all 400,000")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    from threadpoolctl import threadpool_limits

    n = 50_000 if args.small else 400_000
    nlist = 256 if args.small else NLIST
    out = args.out or RESULTS / ("ann_ivf_pq_small.json" if args.small else "ann_ivf_pq.json")
    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.UTC)
    with threadpool_limits(1):
        xb, xq, truth = load_data(n)
        print(f"{len(xb)} indexed, {len(xq)} held-out queries, cosine, k={K}", flush=True)
        results = run(xb, xq, truth, args.repeat, nlist)
    report = {
        "benchmark": "ann_ivf_pq", "date": started.isoformat(timespec="seconds"),
        "finished": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(), "versions": versions("embedcourse", "numpy", "faiss-cpu", "threadpoolctl"),
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "data": {"source": "GloVe 6B 50d (ec.data.load_glove)", "indexed": int(len(xb)), "queries": int(len(xq)),
                 "queries_from": "random held-out words (seed 0), not in the index", "metric": "cosine", "k": K},
        "threads": 1, "nlist": nlist, "results": results, "summary": summarise(results, nlist),
    }
    RESULTS.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
