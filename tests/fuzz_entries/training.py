"""Fuzz entries of embedcourse.training (fit, its schedule, seeds, batches and checkpoints).

Valid inputs train a 4 -> 1 linear model for one or two epochs on 32 random points (fast); the
oracles are the schedule's formula, numpy's SeedSequence and a fresh torch.nn.Linear built under
the same seed. Checkpoints go to a temporary directory, never into the checkout.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

import embedcourse as ec
from test_fuzz import Mut, _close, choice, entry, posint, positive_float, seed

T = ec.training
_TMP = Path(tempfile.mkdtemp(prefix="embedcourse-fuzz-training-"))
_X = torch.as_tensor(np.random.default_rng(0).normal(size=(32, 4)))
_Y = _X @ torch.tensor([[1.0], [-1.0], [0.5], [2.0]], dtype=torch.float64)


def _mse(model: Any, idx: Any) -> torch.Tensor:
    return ((model(_X[idx]) - _Y[idx]) ** 2).mean()


def _model() -> torch.nn.Module:
    return T.seeded(lambda: torch.nn.Linear(4, 1).double(), 0)


def _fit_args() -> dict:
    return {"loss_fn": _mse, "batches": T.index_batches(32, 8), "epochs": 2, "lr": 0.01, "optimizer": "adam",
            "warmup_steps": 2, "patience": None, "random_state": 0, "progress": False, "validate": None}


def _fit_ref(a: dict, r: Any) -> None:
    assert r.losses.shape == (r.steps,) and r.epoch_losses.shape == (r.epochs_run,), r
    assert np.all(np.isfinite(r.losses)), r.losses


def _callable_muts() -> list[Mut]:
    return [Mut("none", lambda v, d: None), Mut("string", lambda v, d: "mse"), Mut("list", lambda v, d: [[0, 1]])]


entry("training.fit", lambda **a: T.fit(_model(), **a), _fit_args,
      muts={"loss_fn": _callable_muts() + [Mut("returns_float", lambda v, d: lambda m, b: 0.5),
                                           Mut("returns_vector", lambda v, d: lambda m, b: m(_X[b]).sum(1)),
                                           Mut("returns_nan", lambda v, d: lambda m, b: _mse(m, b) * float("nan"))],
            "batches": _callable_muts() + [Mut("yields_nothing", lambda v, d: lambda rng: [])],
            "epochs": posint(), "lr": positive_float(), "optimizer": choice(),
            "warmup_steps": [Mut("negative", lambda v, d: -1), Mut("float", lambda v, d: 1.5)],
            "patience": posint() + [Mut("without_validate", lambda v, d: 2)],
            "random_state": seed() + [Mut("none", lambda v, d: None)],
            "progress": [Mut("zero", lambda v, d: 0), Mut("string", lambda v, d: "yes"), Mut("float", lambda v, d: 1.5)],
            "validate": [Mut("string", lambda v, d: "recall"),
                         Mut("returns_nan", lambda v, d: lambda m: float("nan")),
                         Mut("returns_str", lambda v, d: lambda m: "good")]},
      aliases={"loss_fn": ("loss",), "batches": ("batch",)}, oracle=_fit_ref)

entry("training.FitResult", lambda **a: T.FitResult(**a),
      {"losses": np.zeros(2), "learning_rates": np.ones(2), "epoch_losses": np.zeros(1), "val_scores": np.zeros(0),
       "best_epoch": None, "best_score": None, "stopped_early": False, "steps": 2, "seconds": 0.1,
       "resumed_from_epoch": None},
      oracle=lambda a, r: _close(r.epochs_run, 1))

def _lr_ref(step: int, lr: float, warmup_steps: int, decay: str, max_steps: int) -> float:
    if step < warmup_steps:
        return lr * (step + 1) / warmup_steps
    return lr * max(0.0, (max_steps - step) / (max_steps - warmup_steps))


entry("training.learning_rate", lambda step, lr, warmup_steps, decay, max_steps:
      T.learning_rate(step, lr=lr, warmup_steps=warmup_steps, decay=decay, max_steps=max_steps),
      {"step": 3, "lr": 0.1, "warmup_steps": 2, "decay": "linear", "max_steps": 10},
      muts={"step": posint(zero="either"), "lr": positive_float(),
            "warmup_steps": [Mut("negative", lambda v, d: -1), Mut("string", lambda v, d: "2"),
                             Mut("too_big", lambda v, d: 10)],
            "decay": choice(), "max_steps": posint() + [Mut("none", lambda v, d: None)]},
      oracle=lambda a, r: _close(r, _lr_ref(**a)))

entry("training.seeded", lambda random_state: T.seeded(lambda: torch.nn.Linear(3, 2), random_state).weight,
      {"random_state": 0}, muts={"random_state": seed() + [Mut("none", lambda v, d: None)]},
      oracle=lambda a, r: _close(r.detach(), T.seeded(lambda: torch.nn.Linear(3, 2), a["random_state"]).weight.detach()))

entry("training.epoch_rng", lambda random_state, epoch: T.epoch_rng(random_state, epoch).integers(1000, size=3),
      {"random_state": 0, "epoch": 2}, muts={"random_state": seed() + [Mut("none", lambda v, d: None)], "epoch": posint()},
      oracle=lambda a, r: _close(r, np.random.default_rng(np.random.SeedSequence(a["random_state"], spawn_key=(a["epoch"],)))
                                 .integers(1000, size=3)))

entry("training.index_batches", lambda n_items, batch_size, drop_last:
      T.index_batches(n_items, batch_size, drop_last=drop_last)(np.random.default_rng(0)),
      {"n_items": 10, "batch_size": 4, "drop_last": False},
      muts={"n_items": posint(), "batch_size": posint() + [Mut("too_big_drop", lambda v, d: 11, "either")],
            "drop_last": [Mut("string", lambda v, d: "yes"), Mut("int", lambda v, d: 1)]},
      oracle=lambda a, r: _close(sorted(np.concatenate(r)), np.arange(a["n_items"])))


def _save(path: Any, state: Any) -> None:
    T.save_checkpoint(path, state)


def _path_muts() -> list[Mut]:
    return [Mut("none", lambda v, d: None), Mut("int", lambda v, d: 3), Mut("empty", lambda v, d: "")]


entry("training.save_checkpoint", _save, lambda: {"path": _TMP / "a.pt", "state": {"epoch": 1, "w": torch.ones(2)}},
      muts={"path": _path_muts(), "state": [Mut("list", lambda v, d: [1, 2]), Mut("none", lambda v, d: None)]})


def _load_args() -> dict:
    T.save_checkpoint(_TMP / "b.pt", {"epoch": 4})
    return {"path": _TMP / "b.pt"}


entry("training.load_checkpoint", lambda path: T.load_checkpoint(path), _load_args,
      muts={"path": _path_muts() + [Mut("missing", lambda v, d: _TMP / "missing.pt")]},
      oracle=lambda a, r: _close(r["epoch"], 4))
