"""Knowledge-graph embeddings on pykeen's three bundled graphs: ours against pykeen, same settings.

For Nations, Kinships and UMLS, trains TransE, DistMult and RotatE twice, with
:class:`embedcourse.graph.KGEModel` and with pykeen (same dimension, epochs, batch size,
learning rate, negatives per positive, margin), plus a random-score baseline, and evaluates all
with :func:`embedcourse.graph.filtered_ranks` (checked against pykeen's own
``RankBasedEvaluator`` in ``tests/test_graph_models.py``). Every two methods of a dataset are
then compared on the same test triples with :func:`embedcourse.metrics.paired_bootstrap`
(the unit is a test triple: the mean of its head and its tail reciprocal rank). Chapter 05
shows the stored tables and reruns the Nations rows live.

Writes ``benchmarks/results/graph_kge.json`` (machine, date, settings, one row per run under
``rows``, one paired comparison per pair of methods under ``paired``)::

    .venv/bin/python benchmarks/graph_kge.py [--epochs 100] [--dim 32]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import itertools
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
from _machine import cpu_model, load_average

OUT = Path(__file__).resolve().parent / "results" / "graph_kge.json"
METHODS = ("ours transe", "ours distmult", "ours rotate", "pykeen transe", "pykeen distmult", "pykeen rotate",
           "random scores")


def machine() -> dict:
    import pykeen.version
    import torch

    cpu = cpu_model()
    load = load_average()
    return {"cpu": cpu, "cores": os.cpu_count(), "load_average_1_5_15_min": load, "system": platform.system(),
            "python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
            "pykeen": pykeen.version.get_version()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--dim", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("PYSTOW_HOME", tempfile.mkdtemp(prefix="pystow-"))
    import torch
    from pykeen import datasets, models
    from pykeen.training import SLCWATrainingLoop

    import embedcourse as ec

    torch.set_num_threads(1)
    gc.freeze()  # pykeen calls gc.collect() every epoch; this keeps it cheap
    settings = dict(dim=args.dim, epochs=args.epochs, batch_size=256, lr=0.01, num_negatives=8, margin=1.0)
    rows, paired, t_start = [], [], time.perf_counter()
    for name in ("Nations", "Kinships", "UMLS"):
        ds = getattr(datasets, name)()
        train, valid, test = (x.mapped_triples.numpy() for x in (ds.training, ds.validation, ds.testing))
        known = np.vstack([train, valid, test])
        n_ent, n_rel = ds.num_entities, ds.num_relations
        noise = np.random.default_rng(args.seed).normal(size=(n_ent, n_rel, n_ent))
        runs = {"random scores": (lambda T, noise=noise: noise[T[:, 0], T[:, 1], T[:, 2]], 0.0)}
        for kind, cls, extra in (("transe", models.TransE, {"scoring_fct_norm": 1}), ("distmult", models.DistMult, {}),
                                 ("rotate", models.RotatE, {})):
            t0 = time.perf_counter()
            ours = ec.graph.KGEModel(kind, **settings, random_state=args.seed).fit(train, n_ent, n_rel)
            runs[f"ours {kind}"] = (ours.score_hrt, time.perf_counter() - t0)
            t0 = time.perf_counter()
            model = cls(triples_factory=ds.training, embedding_dim=args.dim, random_seed=args.seed, **extra)
            loop = SLCWATrainingLoop(model=model, triples_factory=ds.training,
                                     optimizer=torch.optim.Adam(model.parameters(), lr=0.01),
                                     negative_sampler_kwargs=dict(num_negs_per_pos=8))
            loop.train(triples_factory=ds.training, num_epochs=args.epochs, batch_size=256, use_tqdm=False,
                       use_tqdm_batch=False, num_workers=0)
            model.eval()
            runs[f"pykeen {kind}"] = ((lambda m: lambda T: m.score_hrt(torch.as_tensor(T)).detach())(model),
                                      time.perf_counter() - t0)
        per_triple = {}
        for method, (score, train_s) in runs.items():
            ranks = ec.graph.filtered_ranks(score, test, known, n_ent)
            rr = (1.0 / ranks).ravel()
            per_triple[method] = (1.0 / ranks).mean(axis=1)  # one figure per test triple: same mean as rr
            ci = ec.metrics.bootstrap_ci(rr, random_state=0)
            rows.append({"dataset": name, "method": method, "entities": n_ent, "relations": n_rel,
                         "train_triples": len(train), "test_triples": len(test), "train_s": round(train_s, 2),
                         "MRR": ci.estimate, "MRR_low": ci.low, "MRR_high": ci.high,
                         "Hits@1": float((ranks <= 1).mean()), "Hits@10": float((ranks <= 10).mean())})
            print(f"{name:9s} {method:16s} MRR {ci.estimate:.3f} [{ci.low:.3f}, {ci.high:.3f}] "
                  f"Hits@10 {rows[-1]['Hits@10']:.3f}  ({train_s:.1f} s)", flush=True)
        for a, b in itertools.combinations(METHODS, 2):  # a - b on the same test triples
            cmp = ec.metrics.paired_bootstrap(per_triple[a], per_triple[b], random_state=0)
            paired.append({"dataset": name, "a": a, "b": b, "diff": cmp.diff, "low": cmp.low, "high": cmp.high,
                           "p_value": cmp.p_value, "verdict": cmp.verdict, "n": cmp.n})
            if "random" not in b:
                print(f"{name:9s} {a} - {b}: {cmp}", flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "benchmark": "graph_kge", "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "command": f".venv/bin/python benchmarks/graph_kge.py --epochs {args.epochs} --dim {args.dim}",
        "settings": {**settings, "seed": args.seed, "evaluation": "filtered, realistic (tie-averaged) ranks, head and tail",
                     "rotate": "dim complex coordinates; ours: p=1 (Sun et al.), unit-length entities; pykeen: "
                               "RotatEInteraction (2-norm), its default initialisation, no entity constraint",
                     "paired": "ec.metrics.paired_bootstrap(a, b, n_resamples=2000, confidence=0.95, random_state=0) "
                               "on per-test-triple reciprocal ranks (mean of head and tail); diff = MRR(a) - MRR(b)",
                     "MRR_low/MRR_high": "ec.metrics.bootstrap_ci over the head and tail rankings, unpaired"},
        "total_s": round(time.perf_counter() - t_start, 1), "rows": rows, "paired": paired}, indent=1))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
