"""Temperature, batch size and hard negatives: fine-tuning for headline -> lead retrieval, benchmarked.

Chapter 08 fine-tunes the packaged MiniLM with the multiple negatives ranking loss (MNRL) on news
headline -> lead pairs and measures retrieval on chapter 03's 1,000-article test sample. The
training articles are the other usable articles of ``ec.data.load_news_sample(None)`` (disjoint
from the test sample). A sweep of many trained models does not fit the chapter's budget, so it
runs here, in the cheap setting: MiniLM's embeddings of every headline and lead are computed once
(frozen, cached on disk), and a linear adapter x -> normalize(x W) (W initialised to the
identity, shared by headlines and leads) is trained on top with MNRL through ``ec.training.fit``.
Two points also fine-tune MiniLM's top transformer layer itself, for comparison.

Sweeps (each point: MRR of the 1,000 test headlines over the 1,000 test leads, its 95% bootstrap
interval, the final training loss and the seconds it took):

- temperature x batch size (in-batch negatives only);
- negatives at the chapter's default setting: none (in-batch only), random, BM25-mined and
  model-mined (the base model's own ranking), the latter with and without the false-negative
  guards (skip the top ranks, relative margin 5% below the positive).

Usage (from the repository root)::

    .venv/bin/python benchmarks/training_sweeps.py [--quick] [--no-finetune]

Writes ``benchmarks/results/training_sweeps.json`` (machine, date, settings, one row per run).
Everything is seeded and single-threaded; chapter 08 reruns the default point live.

Taught in: chapter 08.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_model, load_average, versions

OUT = Path(__file__).resolve().parent / "results" / "training_sweeps.json"
#: the chapter's default adapter setting; every sweep point changes one or two of these
BASE = {"temperature": 0.05, "batch_size": 32, "epochs": 3, "lr": 1e-3, "seed": 0}
TEMPERATURES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5]
BATCH_SIZES = [8, 32, 128, 512]


def machine() -> dict:
    """Where the benchmark ran: CPU model, cores, load, Python and library versions."""
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "load_average_1_5_15_min": load_average(),
            "system": platform.system(), "python": platform.python_version(),
            **versions("numpy", "torch", "sentence-transformers", "bm25s")}


def task() -> dict[str, Any]:
    """Headlines and leads of the training articles and of chapter 03's 1,000-article test sample."""
    import embedcourse as ec

    everything = ec.data.load_news_sample(None)
    test = everything.sample(1000, random_state=0)            # = ec.data.load_news_sample(1000), with its index
    train = everything.drop(test.index)
    model = ec.data.load_minilm()
    enc = lambda texts: ec.sentence.cached_encode(model, texts)  # noqa: E731  (normalised, cached on disk)
    return {"train_titles": train.title.tolist(), "train_leads": train.lead.tolist(),
            "test_titles": test.title.tolist(), "test_leads": test.lead.tolist(),
            "Tq": enc(train.title.tolist()), "Td": enc(train.lead.tolist()),
            "Eq": enc(test.title.tolist()), "Ed": enc(test.lead.tolist())}


def reciprocal_ranks(Q: np.ndarray, D: np.ndarray) -> np.ndarray:
    """1 / rank of lead i for headline i, ranking all leads by cosine (ties counted pessimistically)."""
    S = Q.astype(np.float64) @ D.astype(np.float64).T
    right = np.diag(S)[:, None]
    return 1.0 / (1.0 + (S > right).sum(axis=1) + ((S == right).sum(axis=1) - 1))


BASE_RR: dict[str, np.ndarray] = {}


def summary(rr: np.ndarray, against: str | None = "base") -> dict[str, Any]:
    """MRR with its 95% bootstrap interval, and the paired difference with a reference run's ranks."""
    import embedcourse as ec

    ci = ec.metrics.bootstrap_ci(rr, random_state=0)
    out: dict[str, Any] = {"mrr": round(float(ci.estimate), 4), "mrr_low": round(float(ci.low), 4),
                           "mrr_high": round(float(ci.high), 4)}
    if against is not None and against in BASE_RR:
        c = ec.metrics.paired_bootstrap(rr, BASE_RR[against], random_state=0)
        out.update({f"vs_{against}": round(float(c.diff), 4), f"vs_{against}_low": round(float(c.low), 4),
                    f"vs_{against}_high": round(float(c.high), 4), f"vs_{against}_verdict": c.verdict})
    return out


def train_adapter(data: dict, *, temperature: float, batch_size: int, epochs: int, lr: float, seed: int,
                  negatives: np.ndarray | None = None, keep_ranks: str | None = None) -> dict[str, Any]:
    """A linear adapter on frozen MiniLM vectors, trained with MNRL; its test MRR."""
    import torch

    import embedcourse as ec

    d = data["Tq"].shape[1]

    class Adapter(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.W = torch.nn.Parameter(torch.eye(d))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.nn.functional.normalize(x @ self.W, dim=1)

    Tq, Td = torch.as_tensor(data["Tq"]), torch.as_tensor(data["Td"])
    neg = None if negatives is None else torch.as_tensor(negatives)

    def loss_fn(model: torch.nn.Module, idx: np.ndarray) -> torch.Tensor:
        b = torch.as_tensor(idx)
        extra = None if neg is None else model(Td[neg[b].reshape(-1)]).reshape(len(b), neg.shape[1], d)
        return ec.losses.multiple_negatives_ranking_loss(model(Tq[b]), model(Td[b]), extra, scale=1.0 / temperature)

    adapter = ec.training.seeded(Adapter, random_state=seed)
    t0 = time.perf_counter()
    res = ec.training.fit(adapter, loss_fn, ec.training.index_batches(len(Tq), batch_size, drop_last=True),
                          epochs=epochs, lr=lr, optimizer="adam", random_state=seed, progress=False, threads=1)
    with torch.no_grad():
        rr = reciprocal_ranks(adapter(torch.as_tensor(data["Eq"])).numpy(), adapter(torch.as_tensor(data["Ed"])).numpy())
    if keep_ranks:
        BASE_RR[keep_ranks] = rr
    extra = summary(rr, "in_batch_only") if negatives is not None else {}
    return {**summary(rr), **extra, "final_loss": round(float(res.epoch_losses[-1]), 4), "first_loss": round(float(res.losses[0]), 4),
            "steps": int(res.steps), "seconds": round(time.perf_counter() - t0, 2)}


def train_top_layer(data: dict, *, temperature: float, batch_size: int, epochs: int, lr: float, seed: int,
                    n_layers: int = 1, max_steps: int | None = None) -> dict[str, Any]:
    """Fine-tune MiniLM's top ``n_layers`` transformer layers (the rest frozen) with MNRL; its test MRR."""
    import torch

    import embedcourse as ec

    model = copy.deepcopy(ec.data.load_minilm())
    model.max_seq_length = 128
    bert = model[0].auto_model
    for p in model.parameters():
        p.requires_grad_(False)
    top = [p for layer in bert.encoder.layer[-n_layers:] for p in layer.parameters()]
    for p in top:
        p.requires_grad_(True)
    titles, leads = data["train_titles"], data["train_leads"]

    def embed(texts: list[str]) -> torch.Tensor:
        feats = (getattr(model, "preprocess", None) or model.tokenize)(texts)
        return model(feats)["sentence_embedding"]

    def loss_fn(m: Any, idx: np.ndarray) -> torch.Tensor:
        return ec.losses.multiple_negatives_ranking_loss(embed([titles[i] for i in idx]), embed([leads[i] for i in idx]),
                                                         scale=1.0 / temperature)

    t0 = time.perf_counter()
    res = ec.training.fit(model, loss_fn, ec.training.index_batches(len(titles), batch_size, drop_last=True),
                          epochs=epochs, lr=lr, optimizer="adamw", params=top, max_steps=max_steps,
                          warmup_steps=4, random_state=seed, progress=10, threads=1)
    train_s = time.perf_counter() - t0
    Eq = model.encode(data["test_titles"], batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    Ed = model.encode(data["test_leads"], batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    rr = reciprocal_ranks(np.asarray(Eq), np.asarray(Ed))
    return {**summary(rr), "final_loss": round(float(res.epoch_losses[-1]), 4), "first_loss": round(float(res.losses[0]), 4),
            "steps": int(res.steps), "seconds": round(time.perf_counter() - t0, 2), "train_seconds": round(train_s, 2)}


def mined_negatives(data: dict) -> dict[str, np.ndarray]:
    """One negative per training headline: none, random, BM25-mined, model-mined (with / without guards)."""
    import embedcourse as ec

    n = len(data["train_titles"])
    pos = np.arange(n)
    S_bm25 = ec.retrieval.bm25_scores(data["train_titles"], data["train_leads"])
    S_model = ec.metrics.pairwise_similarity(data["Tq"], data["Td"])
    rand = ec.retrieval.random_negatives(pos, n, random_state=0)
    out = {
        "random": rand,
        "bm25": ec.retrieval.mine_hard_negatives(S_bm25, pos),
        "bm25_guarded": ec.retrieval.mine_hard_negatives(S_bm25, pos, skip_top=2, relative_margin=0.05),
        "model": ec.retrieval.mine_hard_negatives(S_model, pos),
        "model_guarded": ec.retrieval.mine_hard_negatives(S_model, pos, skip_top=2, relative_margin=0.05),
    }
    missing = {name: int((neg < 0).sum()) for name, neg in out.items()}
    out = {name: np.where(neg < 0, rand, neg) for name, neg in out.items()}   # none survived the guards: a random one
    return out, S_model, missing


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few points only (to test the script)")
    parser.add_argument("--no-finetune", action="store_true", help="skip the top-layer fine-tuning points")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    start_machine, t_start = machine(), time.perf_counter()
    data = task()
    print(f"train {len(data['train_titles'])} articles, test {len(data['test_titles'])}", flush=True)
    BASE_RR["base"] = reciprocal_ranks(data["Eq"], data["Ed"])
    base = summary(BASE_RR["base"], None)
    print("base MiniLM", base, flush=True)

    temps, sizes = ([0.05, 0.5], [32, 128]) if args.quick else (TEMPERATURES, BATCH_SIZES)
    sweep = []
    for bs in sizes:
        for tau in temps:
            row = {"temperature": tau, "batch_size": bs,
                   **train_adapter(data, **{**BASE, "temperature": tau, "batch_size": bs})}
            sweep.append(row)
            print("sweep", row, flush=True)

    negs, S_model, missing = mined_negatives(data)
    negatives = []
    for seed in [0] if args.quick else [0, 1, 2]:        # the batch order changes with the seed (W starts at I)
        setting = {**BASE, "seed": seed}
        negatives.append({"negatives": "none", "seed": seed, **train_adapter(data, **setting, keep_ranks="in_batch_only")})
        print("negatives", negatives[-1], flush=True)
        for name, neg in negs.items():
            rep = ec_report(S_model, neg)
            row = {"negatives": name, "seed": seed, "replaced_by_random": missing[name],
                   **{k: round(v, 4) for k, v in rep.items()}, **train_adapter(data, **setting, negatives=neg)}
            negatives.append(row)
            print("negatives", row, flush=True)

    finetune = []
    if not args.no_finetune:
        # 40 steps of 32 pairs (about half an epoch): each step runs all six layers forward, so on a
        # shared 2-core machine it costs seconds, not milliseconds
        for setting in ({"temperature": 0.05, "batch_size": 32, "epochs": 1, "lr": 1e-4, "seed": 0},):
            steps = 5 if args.quick else 40
            row = {"layers": 1, **setting, "max_steps": steps, **train_top_layer(data, **setting, max_steps=steps)}
            finetune.append(row)
            print("top layer", row, flush=True)

    result = {
        "benchmark": "training_sweeps", "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": start_machine, "load_average_at_end": load_average(),
        "command": ".venv/bin/python benchmarks/training_sweeps.py" + (" --quick" if args.quick else "")
                   + (" --no-finetune" if args.no_finetune else ""),
        "task": ("headline -> lead retrieval; train: the usable articles of ec.data.load_news_sample(None) not in the "
                 "test sample; test: ec.data.load_news_sample(1000, random_state=0), MRR of 1,000 headlines over "
                 "the 1,000 leads, 95% percentile bootstrap interval (ec.metrics.bootstrap_ci, random_state=0)"),
        "setting": ("linear adapter x -> normalize(x W), W (384 x 384) initialised to the identity and shared by "
                    "headlines and leads, on frozen normalised MiniLM (all-MiniLM-L6-v2) embeddings; MNRL "
                    "(ec.losses.multiple_negatives_ranking_loss, scale = 1 / temperature), Adam, ec.training.fit, "
                    "one thread; 'finetune' rows train MiniLM's top transformer layer instead (AdamW, warmup 4 steps, max_seq_length 128)"),
        "defaults": BASE, "n_train": len(data["train_titles"]), "n_test": len(data["test_titles"]),
        "base": base, "sweep": sweep, "negatives": negatives, "finetune": finetune,
        "negatives_note": ("one mined negative per headline, appended as an extra MNRL column: random = uniform; "
                           "bm25 / model = the top-ranked lead that is not the positive (BM25 over the training leads; "
                           "the base MiniLM's cosine); *_guarded = skip the 2 top-ranked survivors and drop leads "
                           "scoring within 5% of the positive (relative_margin=0.05); mean_* and frac_above_positive "
                           "are judged by the base model's cosine (negative_report)"),
        "total_seconds": round(time.perf_counter() - t_start, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out} in {result['total_seconds']} s")


def ec_report(S: np.ndarray, neg: np.ndarray) -> dict[str, float]:
    import embedcourse as ec

    return ec.retrieval.negative_report(S, np.arange(S.shape[0]), neg)


if __name__ == "__main__":
    main()
