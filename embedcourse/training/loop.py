"""The one training loop of the course: :func:`fit`.

``fit(model, loss_fn, batches, epochs=...)`` trains any ``torch.nn.Module``: the caller says
what a batch is (``batches(rng)`` yields them, one call per epoch) and what its loss is
(``loss_fn(model, batch)``), and the loop does the rest the same way in every chapter:

* an optimizer ("adam", "adamw", "sgd" or a factory) with linear warmup and optional linear
  decay (:mod:`~embedcourse.training.schedule`) and optional gradient clipping;
* everything random in epoch e derived from ``(random_state, e)``
  (:mod:`~embedcourse.training.seeding`), inside ``torch.random.fork_rng``: two runs with the
  same seed give the same losses and weights, and no global seed is left set;
* a validation score after each epoch, early stopping after ``patience`` epochs without
  improvement, and the best epoch's weights restored at the end;
* a checkpoint after each epoch (:mod:`~embedcourse.training.checkpoint`); with ``resume`` an
  interrupted run continues where it stopped and ends with the same weights and history as an
  uninterrupted one;
* one plain progress line per epoch, without timings (:mod:`~embedcourse.training.progress`).

Taught in: chapter 08.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import torch

from embedcourse._validation import check_bool, check_choice, check_float, check_int
from embedcourse.training.checkpoint import load_checkpoint, save_checkpoint
from embedcourse.training.progress import epoch_line, say, step_line
from embedcourse.training.result import FitResult
from embedcourse.training.schedule import check_schedule, lr_factor
from embedcourse.training.seeding import check_seed_int, epoch_rng, torch_seed

__all__ = ["OPTIMIZERS", "fit"]

#: The optimizers ``fit`` builds by name.
OPTIMIZERS = ("adam", "adamw", "sgd")


@contextlib.contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """torch's intra-op thread count set to ``n`` for the block (None: unchanged), then restored."""
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _optimizer(optimizer: Any, plist: list[torch.Tensor], lr: float, weight_decay: float) -> torch.optim.Optimizer:
    if isinstance(optimizer, str):
        name = check_choice("optimizer", optimizer, OPTIMIZERS)
        cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}[name]
        return cls(plist, lr=lr, weight_decay=weight_decay)
    if not callable(optimizer):
        raise TypeError(f"optimizer must be one of {OPTIMIZERS} or a factory (params, lr=, weight_decay=) -> "
                        f"torch.optim.Optimizer; got {type(optimizer).__name__}.")
    opt = optimizer(plist, lr=lr, weight_decay=weight_decay)
    if not isinstance(opt, torch.optim.Optimizer):
        raise TypeError(f"optimizer factory must return a torch.optim.Optimizer; it returned {type(opt).__name__}.")
    return opt


def _params(model: torch.nn.Module, params: Iterable[Any] | None) -> list[torch.Tensor]:
    plist = [p for p in model.parameters() if p.requires_grad] if params is None else list(params)
    if not plist:
        raise ValueError("params is empty: the model has no trainable parameter (requires_grad=True).")
    for p in plist:
        if not isinstance(p, torch.Tensor) or not p.requires_grad or not p.is_leaf:
            raise TypeError("params must hold leaf tensors with requires_grad=True (e.g. head.parameters()).")
    return plist


def _check_loss(loss: Any, epoch: int, step: int) -> float:
    where = f"at epoch {epoch}, step {step}"
    if not isinstance(loss, torch.Tensor):
        raise TypeError(f"loss_fn must return a scalar torch.Tensor; {where} it returned {type(loss).__name__}.")
    if loss.numel() != 1:
        raise ValueError(f"loss_fn must return a scalar; {where} it returned shape {tuple(loss.shape)} "
                         f"(take .mean() of per-item losses).")
    value = float(loss.detach())
    if not math.isfinite(value):
        raise ValueError(f"loss_fn returned {value} {where}; lower lr, add warmup or clip_grad_norm, or check the batch.")
    if not loss.requires_grad:
        raise ValueError(f"loss_fn returned a loss that does not depend on the trained parameters {where} "
                         f"(computed under torch.no_grad() or from detached tensors?).")
    return value


def _validate(validate: Callable[[torch.nn.Module], float], model: torch.nn.Module, epoch: int) -> float:
    model.eval()
    try:
        with torch.no_grad():
            score = validate(model)
    finally:
        model.train()
    if isinstance(score, torch.Tensor) and score.numel() == 1:
        score = float(score)
    if isinstance(score, (bool, np.bool_)) or not isinstance(score, (int, float, np.integer, np.floating)):
        raise TypeError(f"validate must return a float; after epoch {epoch} it returned {type(score).__name__}.")
    if not math.isfinite(float(score)):
        raise ValueError(f"validate returned {float(score)} after epoch {epoch}; it must be a finite score.")
    return float(score)


def _snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def fit(model: torch.nn.Module, loss_fn: Callable[[torch.nn.Module, Any], torch.Tensor],
        batches: Callable[[np.random.Generator], Iterable[Any]], *, epochs: int, lr: float = 1e-3,
        optimizer: Any = "adam", weight_decay: float = 0.0, params: Iterable[Any] | None = None,
        max_steps: int | None = None, warmup_steps: int = 0, decay: str = "constant",
        clip_grad_norm: float | None = None, validate: Callable[[torch.nn.Module], float] | None = None,
        higher_is_better: bool = True, patience: int | None = None, min_delta: float = 0.0,
        restore_best: bool = True, checkpoint: str | os.PathLike | None = None, resume: bool = True,
        random_state: int = 0, progress: bool | int = True, threads: int | None = None) -> FitResult:
    """Train ``model`` by minimising ``loss_fn`` over ``batches`` for ``epochs`` epochs.

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place; in training mode during the run and left in **eval mode** at the end
        (also when the run raises).
    loss_fn : callable
        ``loss_fn(model, batch) -> scalar torch.Tensor``.
    batches : callable
        ``batches(rng) -> iterable of batches``, called once per epoch with that epoch's
        :func:`~embedcourse.training.epoch_rng` (shuffle with it); see
        :func:`~embedcourse.training.index_batches`.
    epochs : int >= 1
    lr : float > 0
        Peak learning rate.
    optimizer : {"adam", "adamw", "sgd"} or callable
        A factory is called as ``optimizer(params, lr=lr, weight_decay=weight_decay)``.
    weight_decay : float >= 0
    params : iterable of tensors, optional
        What to train (default: every parameter of ``model`` with ``requires_grad``).
    max_steps : int, optional
        Stop after this many optimizer steps (possibly within an epoch).
    warmup_steps : int >= 0
        Linear warmup ``lr * (t + 1) / warmup_steps`` over the first steps.
    decay : {"constant", "linear"}
        After the warmup; "linear" falls to 0 at ``max_steps`` (required).
    clip_grad_norm : float > 0, optional
        Clip the gradients' global norm before each step.
    validate : callable, optional
        ``validate(model) -> float``, run after each epoch in eval mode without gradients.
    higher_is_better : bool
        Whether a larger validation score is better.
    patience : int >= 1, optional
        Stop after this many epochs without improvement by more than ``min_delta`` (needs ``validate``).
    min_delta : float >= 0
    restore_best : bool
        With ``validate``: end with the weights of the best epoch.
    checkpoint : str or pathlib.Path, optional
        File written atomically after each epoch (model, optimizer, step, histories, best weights).
    resume : bool
        If ``checkpoint`` exists, continue from it (a finished run returns at once). A resume that
        could not end like an uninterrupted run raises ``ValueError``: other settings (seed, lr,
        optimizer, schedule), another ``max_steps`` with ``decay="linear"``, or a larger budget
        after ``max_steps`` stopped the run inside an epoch.
    random_state : int
        Seed of everything random in the run (batch order, dropout, ...).
    progress : bool or int
        True: one line per epoch; an int N: also a line every N steps; False: silent.
    threads : int, optional
        torch's intra-op threads during the run (restored afterwards); None leaves them.

    Returns
    -------
    FitResult
        Losses per step and per epoch, validation scores, best epoch, whether it stopped early.

    Examples
    --------
    >>> model = torch.nn.Linear(3, 1)
    >>> X, y = torch.randn(64, 3), torch.randn(64, 1)
    >>> res = fit(model, lambda m, idx: ((m(X[idx]) - y[idx]) ** 2).mean(), index_batches(64, 16),
    ...           epochs=2, progress=False)  # doctest: +SKIP

    Taught in: chapter 08.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}.")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a callable (model, batch) -> scalar tensor; got {type(loss_fn).__name__}.")
    if not callable(batches):
        raise TypeError(f"batches must be a callable rng -> iterable of batches (e.g. index_batches(n, 32)); "
                        f"got {type(batches).__name__}.")
    cfg: dict[str, Any] = {
        "epochs": check_int("epochs", epochs, 1),
        "lr": check_float("lr", lr, 0, None, low_open=True),
        "weight_decay": check_float("weight_decay", weight_decay, 0, None),
        "random_state": check_seed_int(random_state),
        "higher_is_better": check_bool("higher_is_better", higher_is_better),
        "min_delta": check_float("min_delta", min_delta, 0, None),
        "restore_best": check_bool("restore_best", restore_best),
        "resume": check_bool("resume", resume),
    }
    cfg["warmup_steps"], cfg["decay"], cfg["max_steps"] = check_schedule(warmup_steps, decay, max_steps)
    cfg["clip"] = None if clip_grad_norm is None else check_float("clip_grad_norm", clip_grad_norm, 0, None,
                                                                    low_open=True)
    if validate is not None and not callable(validate):
        raise TypeError(f"validate must be a callable model -> float or None; got {type(validate).__name__}.")
    if patience is not None:
        patience = check_int("patience", patience, 1)
        if validate is None:
            raise ValueError("patience needs validate: early stopping watches the validation score.")
    cfg["patience"] = patience
    if isinstance(progress, (bool, np.bool_)):
        cfg["every"] = 0
        cfg["verbose"] = bool(progress)
    else:
        cfg["every"] = check_int("progress", progress, 1, hint=" (or True/False)")
        cfg["verbose"] = True
    threads = None if threads is None else check_int("threads", threads, 1, 256)
    if checkpoint is not None and (isinstance(checkpoint, bool) or not isinstance(checkpoint, (str, os.PathLike))):
        raise TypeError(f"checkpoint must be a file path (str or pathlib.Path) or None; got {type(checkpoint).__name__}.")
    plist = _params(model, params)
    opt = _optimizer(optimizer, plist, cfg["lr"], cfg["weight_decay"])
    cfg["optimizer"] = optimizer if isinstance(optimizer, str) else getattr(optimizer, "__name__", "factory")
    try:
        with _threads(threads), torch.random.fork_rng(devices=[]):
            return _run(model, loss_fn, batches, validate, plist, opt, cfg, checkpoint)
    finally:
        model.eval()   # also after an exception (NaN loss, validate raising, Ctrl-C)


_FINGERPRINT = ("random_state", "lr", "optimizer", "weight_decay", "warmup_steps", "decay")


_END = object()


def _check_resume_budget(state: dict, cfg: dict[str, Any], checkpoint: Any) -> None:
    """Refuse a resume that cannot end like an uninterrupted run (checkpoints of older versions lack these keys)."""
    saved = state["config"].get("max_steps", cfg["max_steps"])
    if cfg["decay"] == "linear" and saved != cfg["max_steps"]:
        raise ValueError(f"checkpoint {str(checkpoint)!r} was written with max_steps={saved!r}, not "
                         f"{cfg['max_steps']!r}; with decay='linear' the schedule depends on max_steps. Pass "
                         f"resume=False to start over, or the same max_steps.")
    history = state["history"]
    more = cfg["max_steps"] is None or cfg["max_steps"] > history.get("step", 0)
    if history.get("partial_epoch", False) and more and history.get("epoch", 0) <= cfg["epochs"] \
            and not history.get("stopped_early", False):
        raise ValueError(f"checkpoint {str(checkpoint)!r} stopped inside epoch {history['epoch']} at "
                         f"max_steps={saved!r}; a run cannot continue exactly from the middle of an epoch. Pass "
                         f"resume=False to start over with the larger budget, or choose max_steps at an epoch "
                         f"boundary.")


def _run(model: torch.nn.Module, loss_fn: Callable, batches: Callable, validate: Callable | None,
         plist: list[torch.Tensor], opt: torch.optim.Optimizer, cfg: dict[str, Any],
         checkpoint: str | os.PathLike | None) -> FitResult:
    start = time.perf_counter()
    base_lrs = [float(g["lr"]) for g in opt.param_groups]
    h: dict[str, Any] = {"epoch": 0, "step": 0, "losses": [], "lrs": [], "epoch_losses": [], "val": [],
                         "best_epoch": None, "best_score": None, "since_best": 0, "stopped_early": False,
                         "best_state": None, "partial_epoch": False}
    resumed = None
    if checkpoint is not None and cfg["resume"] and os.path.exists(checkpoint):
        state = load_checkpoint(checkpoint)
        for key in _FINGERPRINT:
            if state["config"].get(key) != cfg[key]:
                raise ValueError(f"checkpoint {str(checkpoint)!r} was written with {key}={state['config'].get(key)!r}, "
                                 f"not {cfg[key]!r}; pass resume=False to start over, or another checkpoint path.")
        _check_resume_budget(state, cfg, checkpoint)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        h.update(state["history"])
        resumed = h["epoch"]
        say(f"resumed from the checkpoint after epoch {resumed} (step {h['step']})", cfg["verbose"])
    model.train()
    epochs = cfg["epochs"]
    finished = h["stopped_early"] or h["epoch"] >= epochs or (
        cfg["max_steps"] is not None and h["step"] >= cfg["max_steps"])
    epoch = h["epoch"]
    while not finished:
        epoch += 1
        # CPU generator only (inside fork_rng(devices=[])): torch.manual_seed would also seed
        # every CUDA/MPS generator, ~3 ms per call through torch's lazy-init machinery.
        torch.default_generator.manual_seed(torch_seed(cfg["random_state"], epoch))
        total, count = 0.0, 0
        h["partial_epoch"] = False
        epoch_batches = iter(batches(epoch_rng(cfg["random_state"], epoch)))
        for i, batch in enumerate(epoch_batches, start=1):
            factor = lr_factor(h["step"], cfg["warmup_steps"], cfg["decay"], cfg["max_steps"])
            for group, base in zip(opt.param_groups, base_lrs, strict=True):
                group["lr"] = base * factor
            loss = loss_fn(model, batch)
            value = _check_loss(loss, epoch, i)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if cfg["clip"] is not None:
                torch.nn.utils.clip_grad_norm_(plist, cfg["clip"])
            opt.step()
            h["step"] += 1
            h["losses"].append(value)
            h["lrs"].append(cfg["lr"] * factor)
            total, count = total + value, count + 1
            if cfg["every"] and h["step"] % cfg["every"] == 0:
                say(step_line(h["step"], value, cfg["lr"] * factor), cfg["verbose"])
            if cfg["max_steps"] is not None and h["step"] >= cfg["max_steps"]:
                # stopped inside the epoch? (peeking at this epoch's own iterator is harmless)
                h["partial_epoch"] = next(epoch_batches, _END) is not _END
                break
        if count == 0:
            raise ValueError(f"batches(rng) yielded no batch in epoch {epoch}; it must yield at least one.")
        h["epoch"] = epoch
        h["epoch_losses"].append(total / count)
        val, improved = None, False
        if validate is not None:
            val = _validate(validate, model, epoch)
            h["val"].append(val)
            best = h["best_score"]
            gain = (val - best if cfg["higher_is_better"] else best - val) if best is not None else math.inf
            improved = gain > cfg["min_delta"]
            if improved:
                h["best_epoch"], h["best_score"], h["since_best"] = epoch, val, 0
                h["best_state"] = _snapshot(model)
            else:
                h["since_best"] += 1
        say(epoch_line(epoch, epochs, h["epoch_losses"][-1], val, improved), cfg["verbose"])
        if cfg["patience"] is not None and h["since_best"] >= cfg["patience"]:
            h["stopped_early"] = True
            say(f"early stop: no improvement for {cfg['patience']} epochs; best epoch {h['best_epoch']} "
                f"(val {h['best_score']:.4f})", cfg["verbose"])
        out_of_steps = cfg["max_steps"] is not None and h["step"] >= cfg["max_steps"]
        finished = h["stopped_early"] or out_of_steps or epoch >= epochs
        if checkpoint is not None:
            save_checkpoint(checkpoint, {"config": {**{k: cfg[k] for k in _FINGERPRINT}, "max_steps": cfg["max_steps"]},
                                         "model": model.state_dict(),
                                         "optimizer": opt.state_dict(), "history": h})
    if cfg["restore_best"] and h["best_state"] is not None and h["best_epoch"] != h["epoch"]:
        model.load_state_dict(h["best_state"])
        say(f"restored the weights of epoch {h['best_epoch']} (val {h['best_score']:.4f})", cfg["verbose"])
    model.eval()
    f64 = np.float64
    return FitResult(losses=np.asarray(h["losses"], f64), learning_rates=np.asarray(h["lrs"], f64),
                     epoch_losses=np.asarray(h["epoch_losses"], f64), val_scores=np.asarray(h["val"], f64),
                     best_epoch=h["best_epoch"], best_score=h["best_score"], stopped_early=bool(h["stopped_early"]),
                     steps=int(h["step"]), seconds=time.perf_counter() - start, resumed_from_epoch=resumed)
