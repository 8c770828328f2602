"""optbench.sweep: rows equal individual optbench.run results; targets, kinds, chunks, resume."""

from __future__ import annotations

import functools
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from optbench.surfaces import Surface

import optbench
from optbench import OptbenchError
from optbench.sweeps import _chunks as sweep_module
from optbench.sweeps import coco_targets, first_hits, parse_grid, sweep

LRS = [0.01, 0.1, 1.5, 3.0]  # quadratic: the last two diverge with plain GD


@pytest.fixture(scope="module")
def quad():
    return sweep("quadratic", "sgd", {"lr": LRS}, 40, keep_trajectories=True)


def test_rows_equal_individual_runs(quad):
    assert quad.diverged_at.tolist()[:2] == [-1, -1] and min(quad.diverged_at[2:]) >= 0
    # vmapped and single runs are the same XLA program up to fusion: equal to float32 rounding
    for i, lr in enumerate(LRS):
        t = optbench.run("quadratic", f"sgd:lr={lr}", 40)
        np.testing.assert_allclose(quad.losses[i], t.loss, rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(quad.params[i], t.params, rtol=1e-6, atol=1e-7)
        assert quad.final_loss[i] == pytest.approx(t.final_loss, rel=1e-6)
        assert quad.diverged_at[i] == (-1 if t.diverged_at is None else t.diverged_at)
    # both leave the plotting window by more than its extent before any coordinate blows up
    assert quad.kind.tolist() == ["", "", "left the window", "left the window"]


def test_fast_path_adam_equals_runs_including_a_diverging_one():
    # 20 steps here and below: the runs are those of the gallery's Rosenbrock race
    lrs = [0.001, 0.05, 0.5]
    res = sweep("rosenbrock", "adam:b2=0.99", {"lr": lrs}, 20, keep_trajectories=True)
    for i, lr in enumerate(lrs):
        t = optbench.run("rosenbrock", f"adam:lr={lr},b2=0.99", 20)
        # the fast path differentiates forward mode: float32 rounding of an equivalent program
        np.testing.assert_allclose(res.losses[i], t.loss, rtol=1e-5)
        np.testing.assert_allclose(res.params[i], t.params, rtol=2e-6, atol=1e-7)
        # the first hits, searched inside the compiled call, against a loop over the record
        for j, f in enumerate(res.targets):
            ok = np.flatnonzero(res.losses[i] <= f)
            assert res.hits[i, j] == (ok[0] if ok.size else -1)
    assert 0 < (res.hits >= 0).sum() < res.hits.size
    div = sweep("rosenbrock", "sgd", {"lr": [1e-4, 0.01]}, 20)
    t = optbench.run("rosenbrock", "sgd:lr=0.01", 20)
    assert div.diverged_at.tolist() == [-1, t.diverged_at] and div.kind[1] == "left the window"
    assert t.diverged_kind == "left the window"
    # frozen at ~1e13: float32 rounding of a vmapped vs single program, amplified
    assert div.final_loss[1] == pytest.approx(t.final_loss, rel=1e-4)


def test_adam_with_noise_seeds_and_two_hparams_equal_runs():
    # the problem, stepper, steps and chunks (8 runs over the two devices) of test_signals'
    # interrupted sweep: one compiled call for both
    grid = {"lr": [0.01, 0.3], "b1": [0.5, 0.9]}
    res = sweep("rosenbrock:noise=0.1", "adam", grid, 50, seeds=4, chunk_size=8)
    assert len(res) == 16 and res.hparams["lr"].tolist() == [0.01] * 8 + [0.3] * 8
    for i in [0, 7, 13]:
        lr, b1, seed = res.hparams["lr"][i], res.hparams["b1"][i], int(res.seed[i])
        t = optbench.run("rosenbrock:noise=0.1", f"adam:lr={lr},b1={b1}", 50, key=seed)
        assert res.final_loss[i] == pytest.approx(t.final_loss, rel=1e-5)
        assert res.best_loss[i] == pytest.approx(t.best_loss, rel=1e-5)
    assert res.final_loss[0] != res.final_loss[1]  # the seeds differ


def test_starts_equal_runs_and_chunking_does_not_change_results():
    starts = np.array([[-4.0, 4.0], [4.0, -4.0], [0.5, 0.5]])
    # 600 steps: the runs below are test_surfaces' and the surfaces guide's Himmelblau race
    a = sweep(
        "himmelblau", "sgd", {"lr": [0.005, 0.01]}, 600, starts=starts, keep_trajectories=True
    )
    b = sweep("himmelblau", "sgd", {"lr": [0.005, 0.01]}, 600, starts=starts, chunk_size=4)
    np.testing.assert_array_equal(a.final_loss, b.final_loss)
    assert a.to_csv(wall_time=False) == b.to_csv(wall_time=False)
    for i in range(len(a)):
        t = optbench.run(
            "himmelblau", f"sgd:lr={a.hparams['lr'][i]}", 600, start=starts[a.start[i]]
        )
        np.testing.assert_allclose(a.params[i, -1], t.params[-1], rtol=1e-5, atol=1e-6)


def test_divergence_kinds():
    sq = Surface(lambda x: jnp.sum(jnp.sqrt(x)), bounds=[(0, 2), (0, 2)], start=[1.0, 1.0])
    ex = Surface(lambda x: jnp.sum(jnp.exp(x)), bounds=[(0, 2), (0, 2)], start=[100.0, 100.0])
    # x_1 = 1 - 4 * 0.5 = -1: inside the window's margin, where sqrt is NaN
    assert sweep(sq, "sgd", {"lr": [4.0]}, 5).kind.tolist() == ["nan"]
    r = sweep(ex, "sgd", {"lr": [0.1]}, 5)
    assert r.kind.tolist() == ["inf"] and r.diverged_at.tolist() == [0]
    assert sweep("quadratic", "sgd", {"lr": [1e-30]}, 5).kind.tolist() == ["stalled"]


def test_coco_targets_and_first_hits_against_a_loop():
    t = coco_targets(1.0)
    assert len(t) == 51 and t[0] == pytest.approx(101.0) and t[-1] == pytest.approx(1.0 + 1e-8)
    np.testing.assert_allclose(np.diff(np.log10(t - 1.0)), -0.2)
    rng = np.random.default_rng(0)
    loss = np.exp(rng.normal(size=(6, 30)).cumsum(axis=1) * 0.5)
    loss[2, 5] = np.nan
    targets = np.array([10.0, 1.0, 0.1, 1e-9])
    got = first_hits(loss, targets)
    for i in range(6):
        for j, f in enumerate(targets):
            ok = np.flatnonzero(loss[i] <= f)
            assert got[i, j] == (ok[0] if ok.size else -1)


def test_new_values_do_not_recompile():
    sweep("quadratic", "sgd", {"lr": [0.1, 0.2, 0.3]}, 17)
    fns = [f for k, f in sweep_module._COMPILED.items() if k[0] == "fast" and k[3] == 17]
    sweep("quadratic", "sgd", {"lr": [0.05, 0.15, 0.25]}, 17)
    assert len(fns) == 1 and fns[0]._cache_size() == 1
    assert len([k for k, _ in sweep_module._COMPILED.items() if k[0] == "fast" and k[3] == 17]) == 1


def test_resume_reads_finished_chunks(tmp_path):
    grid = {"lr": np.logspace(-3, 0, 6)}
    full = sweep("quadratic", "sgd", grid, 30, chunk_size=2, checkpoint_dir=tmp_path)
    files = sorted(tmp_path.glob("chunk_*.npz"))
    assert len(files) == 3
    files[1].unlink()  # "interrupted" before the middle chunk was written
    stamp = files[0].stat().st_mtime_ns
    again = sweep("quadratic", "sgd", grid, 30, chunk_size=2, checkpoint_dir=tmp_path, resume=True)
    assert files[0].stat().st_mtime_ns == stamp and files[1].exists()
    np.testing.assert_array_equal(full.final_loss, again.final_loss)
    assert full.to_records()[3]["final_loss"] == again.to_records()[3]["final_loss"]


def test_invalid_values_are_reported_and_the_rest_runs():
    r = sweep("quadratic", "sgd", {"lr": [0.1, -1.0]}, 5)  # as test_cli_sweep's out-of-range sweep
    assert r.kind.tolist() == ["", "invalid"] and np.isnan(r.final_loss[1])
    assert "lr" in r.meta["invalid"][0] and "-1.0" in r.meta["invalid"][0]
    assert r.failed.tolist() == [False, True]


@pytest.mark.parametrize(
    "grid, match",
    [
        ({"lrr": [0.1]}, r"'sgd' does not have; it takes lr\. Did you mean 'lr'"),
        ({}, "non-empty mapping"),
        ({"lr": []}, "non-empty flat list of finite numbers"),
    ],
)
def test_bad_grids(grid, match):
    with pytest.raises(OptbenchError, match=match):
        sweep("quadratic", "sgd", grid, 5)


def test_unknown_name_lists_the_real_hyperparameters():
    with pytest.raises(OptbenchError, match=r"it takes lr, b1, b2, eps, eps_in_sqrt"):
        sweep("quadratic", "adam", {"beta1": [0.9]}, 5)


def test_bad_seeds():
    with pytest.raises(OptbenchError, match=r"`seeds` \(=0\) must be an integer >= 1"):
        sweep("quadratic", "sgd", {"lr": [0.1]}, 5, seeds=0)


def test_parse_grid():
    g = parse_grid("lr=1e-4:1:5:log,b1=0.8,0.9,0.99,eps=0:1:3")
    np.testing.assert_allclose(g["lr"], [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    assert g["b1"].tolist() == [0.8, 0.9, 0.99] and g["eps"].tolist() == [0.0, 0.5, 1.0]
    for bad in ["lr=1e-4:1:x:log", "lr=1:2:3:cubic", "0.1,0.2", "lr=", "lr=-1:1:3:log", "lr=a"]:
        with pytest.raises(OptbenchError, match="--grid"):
            parse_grid(bad)


def test_freed_memory_is_kept_only_when_asked_for():
    import subprocess
    import sys

    if sys.platform != "linux":
        pytest.skip("glibc's malloc only")
    # not kept by default; once asked for, the record buffers go from sweep to sweep too, and the
    # second sweep, written into the first one's buffers, computes the same
    code = (
        "import numpy as np, optbench; from optbench import _memory;"
        "g = {'lr': np.logspace(-3, 0, 40)};"
        "a = optbench.sweep('rosenbrock', 'adam', g, 30, keep_trajectories=True);"
        "print(_memory.kept, len(_memory._SHARED));"
        "print(optbench.configure(keep_freed_memory=True)['keep_freed_memory']);"
        "b = optbench.sweep('rosenbrock', 'adam', g, 30, keep_trajectories=True);"
        "print(len(_memory._SHARED));"
        "c = optbench.sweep('rosenbrock', 'adam', g, 30, keep_trajectories=True);"
        "print(np.array_equal(a.losses, b.losses), np.array_equal(a.losses, c.losses))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "0", "True", "1", "True", "True"]


def test_record_buffers_handed_from_chunk_to_chunk_leave_every_chunk_intact():
    # chunks of 16 runs: each chunk's compiled call writes into the buffers the one before gave
    # back; every chunk's rows must still be its own runs, equal to a one-chunk sweep's
    grid = {"lr": np.logspace(-3, -1, 48)}
    whole = sweep("rosenbrock", "adam", grid, 30, keep_trajectories=True)
    chunked = sweep("rosenbrock", "adam", grid, 30, keep_trajectories=True, chunk_size=16)
    np.testing.assert_array_equal(chunked.hits, first_hits(chunked.losses, chunked.targets))
    np.testing.assert_allclose(chunked.losses, whole.losses, rtol=2e-5)
    np.testing.assert_allclose(chunked.params, whole.params, rtol=2e-5)
    np.testing.assert_array_equal(chunked.hits, whole.hits)


def test_a_sweep_keeps_no_buffer_or_thread_after_it_returns():
    import gc
    import threading

    n = 256 * max(2, jax.device_count())  # several devices: the copy threads run
    grid = {"lr": np.logspace(-3, -1, n)}
    sweep("rosenbrock", "adam", grid, 8, keep_trajectories=True)  # compiled
    gc.collect()
    threads, arrays = {t.name for t in threading.enumerate()}, len(jax.live_arrays())
    result = sweep("rosenbrock", "adam", grid, 8, keep_trajectories=True)
    assert result.params.shape == (n, 9, 2)
    del result
    gc.collect()
    assert {t.name for t in threading.enumerate()} == threads
    assert len(jax.live_arrays()) == arrays


def test_loops_compile_whole_with_the_same_results():
    import subprocess
    import sys

    # the suite's configure(compile_loops_whole=True) asks XLA:CPU for one kernel a loop ...
    scan = jax.jit(lambda x: jax.lax.scan(lambda c, _: (c * 0.5 + 1, c), x, None, length=300))
    assert "xla_cpu_small_call" in scan.lower(jnp.ones(3000)).compile().as_text()
    # ... and a process that never calls it runs XLA's op-by-op loops, bit for bit the same
    # the sweep of test_record_buffers_handed_from_chunk_to_chunk_leave_every_chunk_intact
    code = (
        "import os, numpy as np, optbench; print(os.environ.get('XLA_FLAGS', ''));"
        "r = optbench.sweep('rosenbrock', 'adam', {'lr': np.logspace(-3, -1, 48)}, 30,"
        " keep_trajectories=True); np.save('OUT', r.params)"
    )
    mine = sweep("rosenbrock", "adam", {"lr": np.logspace(-3, -1, 48)}, 30, keep_trajectories=True)
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"optbench_loops_{os.getpid()}.npy")
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_NUM_CPU_DEVICES")}
    out = subprocess.run(
        [sys.executable, "-c", code.replace("OUT", path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == ""
    np.testing.assert_array_equal(np.load(path), mine.params)
    os.unlink(path)


def test_a_buffer_pool_keeps_one_buffer_a_key_and_four_keys_at_most():
    from optbench._memory import BufferPool

    class Buffer:
        def __init__(self, deleted=False):
            self.deleted = deleted

        def is_deleted(self):
            return self.deleted

    pool = BufferPool()
    kept = [Buffer() for _ in range(5)]
    for i, b in enumerate(kept):
        pool.give(("k", i), b)
    assert len(pool) == 4 and pool.take(("k", 0), lambda: "new") == "new"  # the oldest went
    assert pool.take(("k", 4), lambda: "new") is kept[4]
    assert pool.take(("k", 4), lambda: "new") == "new"  # taken once
    pool.give(("k", 9), Buffer(deleted=True))  # donated away meanwhile: not reused
    assert pool.take(("k", 9), lambda: "new") == "new"


def test_published_ranges_check_a_grid_without_making_steppers(monkeypatch):
    from optbench.steppers import Range, _registry

    assert optbench.steppers.ranges("adam")["b1"] == Range(0.0, 1.0, high_open=True)
    made = []
    real = _registry.factory("momentum")

    @functools.wraps(real)  # the same signature and ranges
    def counted(**hparams):
        made.append(hparams)
        return real(**hparams)

    monkeypatch.setitem(_registry._FACTORIES, "momentum", counted)
    lrs = np.linspace(-0.5, 0.5, 1001)  # 500 invalid rates, 0 among them
    r = sweep("quadratic", "momentum", {"lr": lrs, "beta": [0.5, 1.0]}, 3)
    # every value checked by the published ranges, at once: one stepper made with numbers (the
    # prototype); the others are made by the compiled call, with traced values
    concrete = [h for h in made if not isinstance(h["lr"], jax.core.Tracer)]
    assert len(concrete) == 1 and len(made) <= 4
    assert r.meta["invalid"][:2] == [
        "`lr` of momentum (=-0.5) must satisfy 0.0 < lr.",
        "`lr` of momentum (=-0.499) must satisfy 0.0 < lr.",
    ]
    assert len(r.meta["invalid"]) == 502  # 501 rates <= 0, beta = 1
    ran = r.kind != "invalid"
    assert ran.sum() == 500 and np.all(r.hparams["lr"][ran] > 0)
    assert np.all(r.hparams["beta"][ran] == 0.5)


def test_a_networks_default_chunk_is_about_ten_seconds_of_counted_work():
    from optbench.networks import problem

    from optbench.sweeps import _plan

    p = problem("mlp:32,32", "moons")
    flops = _plan.step_flops(p, p.initial(None, 0))
    # a gradient costs about three forward passes; the forward pass is dominated by the matmuls
    forward = p.n_train * 2 * (2 * 32 + 32 * 32 + 32 * 1)
    assert 3.0 * forward < flops < 3.3 * forward
    plan = _plan.plan_sweep(p, "sgd", {"lr": np.geomspace(1e-3, 1.0, 4000)}, 500)
    rate = _plan.FLOP_RATE["cpu"]
    most = int(_plan.CHUNK_SECONDS * rate / (flops * 500))  # runs in 10 s at that rate
    # as few chunks as that allows, of equal size
    assert plan.n_chunks == -(-4000 // most) and plan.size == -(-4000 // plan.n_chunks)
    # a surface's fast path: bounded by memory only
    surf = _plan.plan_sweep("rosenbrock", "sgd", {"lr": np.geomspace(1e-4, 1e-3, 4000)}, 50)
    assert surf.size == 4000 and surf.n_chunks == 1
