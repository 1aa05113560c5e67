"""Tests for embedcourse.training: the one training loop (fit), its schedule, seeds and checkpoints.

Oracle: on a least-squares problem, fit (full-batch gradient descent) converges to numpy's
``lstsq`` solution. The rest checks the loop's promises: same seed -> same losses and weights;
an interrupted run resumed from its checkpoint ends exactly like an uninterrupted one; early
stopping stops and restores the best weights; the learning rate follows the schedule; progress
prints plain lines; bad input fails with messages that name the argument (or the step).
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest
import torch

import embedcourse.training as T

N, D = 96, 4


@functools.cache
def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, D))
    w = rng.normal(size=(D, 1))
    y = X @ w + 0.1 * rng.normal(size=(N, 1))
    return torch.as_tensor(X), torch.as_tensor(y)


def _model(seed=0, dropout=0.2):
    return T.seeded(lambda: torch.nn.Sequential(torch.nn.Linear(D, 8), torch.nn.Tanh(), torch.nn.Dropout(dropout),
                                                torch.nn.Linear(8, 1)).double(), seed)


def _mse(model, idx):
    X, y = _data()
    return ((model(X[idx]) - y[idx]) ** 2).mean()


def _val(model):
    X, y = _data()
    return -float(((model(X) - y) ** 2).mean())


def _weights(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


KW = {"epochs": 5, "lr": 0.02, "optimizer": "adamw", "weight_decay": 0.01, "warmup_steps": 4, "decay": "linear",
      "max_steps": 100, "clip_grad_norm": 5.0, "validate": _val, "random_state": 3, "progress": False}


def test_same_seed_same_run_and_no_global_state_touched():
    torch_before = torch.random.get_rng_state().clone()
    np_before = np.random.get_state()[1].copy()  # noqa: NPY002 - the global state must stay untouched
    m1, m2 = _model(), _model()
    r1 = T.fit(m1, _mse, T.index_batches(N, 16), **KW)
    r2 = T.fit(m2, _mse, T.index_batches(N, 16), **KW)
    assert np.array_equal(r1.losses, r2.losses) and torch.equal(_weights(m1), _weights(m2))
    assert torch.equal(torch.random.get_rng_state(), torch_before)
    assert np.array_equal(np.random.get_state()[1], np_before)  # noqa: NPY002 - global state untouched
    m3 = _model()
    r3 = T.fit(m3, _mse, T.index_batches(N, 16), **{**KW, "random_state": 4})
    assert not np.allclose(r1.losses, r3.losses)
    assert r1.losses.dtype == np.float64 and r1.losses.shape == (r1.steps,) == (30,)
    assert r1.epoch_losses.shape == r1.val_scores.shape == (5,) and r1.epochs_run == 5
    assert np.allclose(r1.epoch_losses, r1.losses.reshape(5, 6).mean(axis=1))
    assert r1.resumed_from_epoch is None and not r1.stopped_early and r1.seconds > 0
    assert not m1.training                                               # left in eval mode


class _Crash(RuntimeError):
    pass


def test_resume_after_interruption_equals_uninterrupted_run(tmp_path):
    full = _model()
    ref = T.fit(full, _mse, T.index_batches(N, 16), checkpoint=tmp_path / "full.pt", **KW)

    calls = {"n": 0}

    def crashing(model, idx):
        calls["n"] += 1
        if calls["n"] == 6 * 3 + 2:                                      # inside epoch 4
            raise _Crash("power cut")
        return _mse(model, idx)

    ck = tmp_path / "run.pt"
    with pytest.raises(_Crash):
        T.fit(_model(), crashing, T.index_batches(N, 16), checkpoint=ck, **KW)
    assert T.load_checkpoint(ck)["history"]["epoch"] == 3
    resumed_model = _model(seed=99)                                      # its own weights are overwritten
    res = T.fit(resumed_model, _mse, T.index_batches(N, 16), checkpoint=ck, **KW)
    assert res.resumed_from_epoch == 3
    assert np.allclose(res.losses, ref.losses, rtol=0, atol=1e-6)
    assert np.allclose(res.val_scores, ref.val_scores, rtol=0, atol=1e-6)
    assert torch.allclose(_weights(resumed_model), _weights(full), rtol=0, atol=1e-6)
    assert res.best_epoch == ref.best_epoch and np.array_equal(res.learning_rates, ref.learning_rates)
    # a finished checkpoint returns at once with the same history
    again = T.fit(_model(seed=5), _mse, T.index_batches(N, 16), checkpoint=ck, **KW)
    assert again.resumed_from_epoch == 5 and np.array_equal(again.losses, res.losses)
    # more epochs than the checkpoint continue it
    more = T.fit(_model(), _mse, T.index_batches(N, 16), checkpoint=ck, **{**KW, "epochs": 6})
    assert more.epochs_run == 6 and np.array_equal(more.losses[:30], res.losses)


def test_checkpoint_with_other_settings_is_refused(tmp_path):
    ck = tmp_path / "c.pt"
    T.fit(_model(), _mse, T.index_batches(N, 32), epochs=1, checkpoint=ck, progress=False)
    with pytest.raises(ValueError, match="random_state=0, not 1"):
        T.fit(_model(), _mse, T.index_batches(N, 32), epochs=2, checkpoint=ck, random_state=1, progress=False)
    r = T.fit(_model(), _mse, T.index_batches(N, 32), epochs=2, checkpoint=ck, random_state=1, resume=False,
              progress=False)
    assert r.resumed_from_epoch is None and r.epochs_run == 2
    assert not list(tmp_path.glob("*.tmp"))                               # atomic writes leave no temp file


def test_resume_that_cannot_equal_an_uninterrupted_run_is_refused(tmp_path):
    # regression: a run cut by max_steps inside an epoch, resumed with a larger budget, silently
    # skipped the rest of that epoch; a linear decay resumed with another max_steps jumped
    kw = {"lr": 0.01, "random_state": 0, "progress": False}
    ck = tmp_path / "cut.pt"
    T.fit(_model(), _mse, T.index_batches(N, 16), epochs=3, max_steps=8, checkpoint=ck, **kw)   # 6 steps/epoch
    assert T.load_checkpoint(ck)["history"]["partial_epoch"] is True
    with pytest.raises(ValueError, match="stopped inside epoch 2 at max_steps=8"):
        T.fit(_model(), _mse, T.index_batches(N, 16), epochs=3, max_steps=12, checkpoint=ck, **kw)
    same = T.fit(_model(), _mse, T.index_batches(N, 16), epochs=3, max_steps=8, checkpoint=ck, **kw)
    assert same.steps == 8 and same.resumed_from_epoch == 2                     # the finished run returns at once
    # max_steps on an epoch boundary: continuing is exact, so it is allowed
    ck2 = tmp_path / "boundary.pt"
    T.fit(_model(), _mse, T.index_batches(N, 16), epochs=3, max_steps=6, checkpoint=ck2, **kw)
    m_res, m_ref = _model(), _model()
    res = T.fit(m_res, _mse, T.index_batches(N, 16), epochs=3, max_steps=12, checkpoint=ck2, **kw)
    ref = T.fit(m_ref, _mse, T.index_batches(N, 16), epochs=3, max_steps=12, **kw)
    assert res.resumed_from_epoch == 1 and np.allclose(res.losses, ref.losses, rtol=0, atol=1e-12)
    assert torch.allclose(_weights(m_res), _weights(m_ref), rtol=0, atol=1e-12)
    # decay="linear" depends on max_steps
    ck3 = tmp_path / "linear.pt"
    T.fit(_model(), _mse, T.index_batches(N, 16), epochs=1, max_steps=20, decay="linear", checkpoint=ck3, **kw)
    with pytest.raises(ValueError, match="max_steps=20, not 30"):
        T.fit(_model(), _mse, T.index_batches(N, 16), epochs=3, max_steps=30, decay="linear", checkpoint=ck3, **kw)


def test_model_is_left_in_eval_mode_and_threads_restored_after_an_exception():
    threads = torch.get_num_threads()

    def nan_loss(model, idx):
        return _mse(model, idx) * float("nan")

    def broken_validate(model):
        raise RuntimeError("validation data missing")

    for loss_fn, validate, match in ((nan_loss, None, "loss_fn returned nan at epoch 1, step 1"),
                                     (_mse, broken_validate, "validation data missing")):
        model = _model()
        with pytest.raises((ValueError, RuntimeError), match=match):
            T.fit(model, loss_fn, T.index_batches(N, 16), epochs=1, validate=validate, threads=1, progress=False)
        assert not model.training
        assert torch.get_num_threads() == threads


def test_early_stopping_stops_and_restores_the_best_weights():
    scores = iter([0.1, 0.5, 0.45, 0.5, 0.3, 0.9, 0.9])
    snapshots = []

    def validate(model):
        snapshots.append(_weights(model).clone())
        return next(scores)

    m = _model()
    res = T.fit(m, _mse, T.index_batches(N, 32), epochs=7, validate=validate, patience=3, progress=False)
    # 0.5 at epoch 4 is no improvement over 0.5 (needs > best + min_delta): stop after epoch 5
    assert res.stopped_early and res.epochs_run == 5 and res.best_epoch == 2 and res.best_score == 0.5
    assert np.allclose(res.val_scores, [0.1, 0.5, 0.45, 0.5, 0.3])
    assert torch.equal(_weights(m), snapshots[1])
    lower = iter([3.0, 2.0, 2.5])
    r2 = T.fit(_model(), _mse, T.index_batches(N, 32), epochs=3, validate=lambda m: next(lower),
               higher_is_better=False, restore_best=False, progress=False)
    assert r2.best_epoch == 2 and not r2.stopped_early
    big_delta = iter([1.0, 1.05, 1.08, 2.0])
    r3 = T.fit(_model(), _mse, T.index_batches(N, 32), epochs=4, validate=lambda m: next(big_delta),
               min_delta=0.1, patience=2, progress=False)
    assert r3.stopped_early and r3.epochs_run == 3 and r3.best_epoch == 1


def test_warmup_and_decay_schedule():
    assert [T.learning_rate(t, lr=0.1, warmup_steps=4) for t in range(6)] == pytest.approx(
        [0.025, 0.05, 0.075, 0.1, 0.1, 0.1])
    lin = [T.learning_rate(t, lr=1.0, warmup_steps=2, decay="linear", max_steps=6) for t in range(6)]
    assert lin == pytest.approx([0.5, 1.0, 1.0, 0.75, 0.5, 0.25])
    seen = []
    box = {}

    def factory(params, lr, weight_decay):
        box["opt"] = torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)
        return box["opt"]

    def loss_fn(model, idx):
        seen.append(box["opt"].param_groups[0]["lr"])
        return _mse(model, idx)

    res = T.fit(_model(), loss_fn, T.index_batches(N, 16), epochs=3, lr=1.0, optimizer=factory, warmup_steps=2,
                decay="linear", max_steps=6, progress=False)
    assert res.steps == 6 and res.epochs_run == 1                      # max_steps ends inside epoch 1
    assert seen == pytest.approx(lin) and res.learning_rates == pytest.approx(lin)


def test_progress_lines(capsys):
    T.fit(_model(), _mse, T.index_batches(N, 32), epochs=2, validate=_val, progress=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    pattern = r"epoch [12]/2  loss \d+\.\d{4}  val -?\d+\.\d{4}( \(best\))?"
    assert all(re.fullmatch(pattern, line) for line in lines), lines
    T.fit(_model(), _mse, T.index_batches(N, 32), epochs=2, progress=2)
    lines = capsys.readouterr().out.rstrip().splitlines()
    assert [ln.split()[0] for ln in lines] == ["step", "epoch", "step", "step", "epoch"], lines
    assert re.fullmatch(r"  step 2  loss \d+\.\d{4}  lr 1\.0e-03", lines[0])
    T.fit(_model(), _mse, T.index_batches(N, 32), epochs=1, progress=False)
    assert capsys.readouterr().out == ""


def test_oracle_least_squares_matches_numpy_lstsq():
    X, y = _data()
    model = torch.nn.Linear(D, 1, bias=False).double()
    res = T.fit(model, _mse, T.index_batches(N, N, shuffle=False), epochs=400, lr=0.2, optimizer="sgd",
                progress=False)
    w_np = np.linalg.lstsq(X.numpy(), y.numpy(), rcond=None)[0].ravel()
    w_ours = model.weight.detach().numpy().ravel()
    assert np.abs(w_ours - w_np).max() < 1e-6, (w_ours, w_np)
    assert res.losses[-1] < res.losses[0]


def test_params_trains_only_the_head_and_threads_are_restored():
    m = _model()
    body = m[0].weight.detach().clone()
    before = torch.get_num_threads()
    T.fit(m, _mse, T.index_batches(N, 32), epochs=1, params=m[3].parameters(), threads=1, progress=False)
    assert torch.equal(m[0].weight, body) and torch.get_num_threads() == before


def test_helpers():
    b = T.index_batches(10, 4)
    first = b(T.epoch_rng(0, 1))
    assert [len(x) for x in first] == [4, 4, 2] and sorted(np.concatenate(first)) == list(range(10))
    assert all(np.array_equal(x, y) for x, y in zip(first, b(T.epoch_rng(0, 1)), strict=True))
    assert not np.array_equal(np.concatenate(first), np.concatenate(b(T.epoch_rng(0, 2))))
    assert [len(x) for x in T.index_batches(10, 4, drop_last=True)(T.epoch_rng(0, 1))] == [4, 4]
    w1 = T.seeded(lambda: torch.nn.Linear(3, 2), 7).weight
    assert torch.equal(w1, T.seeded(lambda: torch.nn.Linear(3, 2), 7).weight)


def test_save_and_load_checkpoint(tmp_path):
    p = tmp_path / "sub" / "x.pt"
    T.save_checkpoint(p, {"epoch": 2, "w": torch.ones(3), "hist": [1.0, 2.0]})
    out = T.load_checkpoint(p)
    assert out["epoch"] == 2 and torch.equal(out["w"], torch.ones(3))
    with pytest.raises(FileNotFoundError, match="path"):
        T.load_checkpoint(tmp_path / "missing.pt")
    (tmp_path / "junk.pt").write_text("not a checkpoint")
    with pytest.raises(ValueError, match="path .* is not a readable checkpoint"):
        T.load_checkpoint(tmp_path / "junk.pt")
    with pytest.raises(TypeError, match="state must be a dict"):
        T.save_checkpoint(p, [1, 2])


class _Payload:
    """An object whose unpickling would run code: weights_only=True must refuse it."""

    ran = False

    def __reduce__(self):
        return (_Payload._run, ())

    @staticmethod
    def _run():
        _Payload.ran = True
        return "payload"


def test_untrusted_checkpoint_cannot_run_code(tmp_path):
    p = tmp_path / "evil.pt"
    torch.save({"model": {}, "x": _Payload()}, p)
    with pytest.raises(ValueError, match="is not a readable checkpoint"):
        T.load_checkpoint(p)
    assert not _Payload.ran


def test_bad_input():
    m, b = _model(), T.index_batches(N, 32)
    with pytest.raises(ValueError, match="epochs must be an int"):
        T.fit(m, _mse, b, epochs=0)
    with pytest.raises(TypeError, match="batches must be a callable"):
        T.fit(m, _mse, [[0, 1]], epochs=1)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        T.fit(lambda x: x, _mse, b, epochs=1)
    with pytest.raises(ValueError, match="lr must be"):
        T.fit(m, _mse, b, epochs=1, lr=0)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        T.fit(m, _mse, b, epochs=1, optimizer="adagrad")
    with pytest.raises(ValueError, match="patience needs validate"):
        T.fit(m, _mse, b, epochs=1, patience=2)
    with pytest.raises(ValueError, match="decay='linear' needs max_steps"):
        T.fit(m, _mse, b, epochs=1, decay="linear")
    with pytest.raises(ValueError, match="warmup_steps .* must be smaller than max_steps"):
        T.fit(m, _mse, b, epochs=1, decay="linear", max_steps=3, warmup_steps=3)
    with pytest.raises(TypeError, match="random_state must be an int seed"):
        T.fit(m, _mse, b, epochs=1, random_state=None)
    with pytest.raises(ValueError, match="progress must be an int"):
        T.fit(m, _mse, b, epochs=1, progress=0)
    with pytest.raises(ValueError, match=r"loss_fn must return a scalar; at epoch 1, step 1"):
        T.fit(m, lambda model, idx: (model(_data()[0][idx]) - _data()[1][idx]) ** 2, b, epochs=1, progress=False)
    with pytest.raises(TypeError, match="loss_fn must return a scalar torch.Tensor; at epoch 1, step 1"):
        T.fit(m, lambda model, idx: 0.5, b, epochs=1, progress=False)
    calls = {"n": 0}

    def nan_on_step_2(model, idx):
        calls["n"] += 1
        return _mse(model, idx) * (float("nan") if calls["n"] == 2 else 1.0)

    with pytest.raises(ValueError, match=r"loss_fn returned nan at epoch 1, step 2"):
        T.fit(m, nan_on_step_2, b, epochs=1, progress=False)
    with pytest.raises(ValueError, match="does not depend on the trained parameters"):
        T.fit(m, lambda model, idx: _mse(model, idx).detach(), b, epochs=1, progress=False)
    with pytest.raises(ValueError, match="batches.rng. yielded no batch in epoch 1"):
        T.fit(m, _mse, lambda rng: [], epochs=1, progress=False)
    with pytest.raises(ValueError, match="validate returned nan after epoch 1"):
        T.fit(m, _mse, b, epochs=1, validate=lambda model: float("nan"), progress=False)
    with pytest.raises(ValueError, match="params is empty"):
        T.fit(m, _mse, b, epochs=1, params=[])
    with pytest.raises(ValueError, match="batch_size must be an int"):
        T.index_batches(10, 0)
    with pytest.raises(ValueError, match="epoch must be an int"):
        T.epoch_rng(0, 0)
    with pytest.raises(ValueError, match="step must be an int"):
        T.learning_rate(-1, lr=0.1)
