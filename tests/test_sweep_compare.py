"""compare: best configuration, bootstrap intervals, Dolan-Moré ratios, basins on Himmelblau."""

from __future__ import annotations

import numpy as np
import pytest

import optbench
from optbench.sweeps import bootstrap_ci, compare, sweep
from optbench.sweeps.plots import basin_labels, basins, performance_profile, performance_ratios


def test_bootstrap_ci_equals_an_independent_resampling():
    x = np.array([1.0, 2.0, 4.0, 8.0, 3.0])
    mean, lo, hi = bootstrap_ci(x, seed=3, resamples=500)
    rng = np.random.default_rng(3)
    means = [x[rng.integers(0, 5, 5)].mean() for _ in range(500)]
    assert mean == pytest.approx(3.6)
    assert (lo, hi) == pytest.approx((np.percentile(means, 2.5), np.percentile(means, 97.5)))
    assert bootstrap_ci(np.full(4, 2.5)) == (2.5, 2.5, 2.5)
    assert np.isnan(bootstrap_ci(np.array([1.0, np.inf]))[1])  # a failure: no finite interval


def test_compare_picks_the_best_configuration_and_counts_divergence():
    grid = {"lr": [0.01, 0.1, 0.19, 0.5]}  # quadratic with L = 10: lr = 0.5 > 2/L diverges
    cmp = compare("quadratic:noise=0.1", {"GD": ("sgd", grid)}, 60, seeds=4)
    res = cmp.sweeps[("quadratic:noise=0.1", "GD")]
    means = [res.final_loss[res.hparams["lr"] == lr].mean() for lr in grid["lr"][:3]]
    row = cmp.rows[0]
    assert row["best"] == {"lr": grid["lr"][int(np.argmin(means))]}
    assert row["diverged_fraction"] == 0.25
    rows = res.hparams["lr"] == row["best"]["lr"]
    assert row["final_loss"] == bootstrap_ci(res.final_loss[rows], 0)
    assert len(set(res.final_loss[rows])) == 4  # the seeds differ


def test_performance_ratios_golden():
    cost = np.array([[10.0, 20.0, np.inf], [5.0, 5.0, 50.0], [np.inf, np.inf, np.inf]])
    r = performance_ratios(cost)
    np.testing.assert_array_equal(r[:2], [[1.0, 2.0, np.inf], [1.0, 1.0, 10.0]])
    assert np.all(np.isinf(r[2]))


def test_basins_on_himmelblau(tmp_path):
    surf = optbench.surfaces.get("himmelblau")
    xs = np.linspace(-4.5, 4.5, 7)
    starts = np.array([[x, y] for y in xs for x in xs])
    res = sweep(surf, "sgd", {"lr": [0.01]}, 300, starts=starts, keep_trajectories=True)
    lab = basin_labels(res.params[:, -1], surf.minima, tol=1e-2)
    # a start next to each minimum ends in that minimum
    for k, m in enumerate(surf.minima):
        near = int(np.argmin(np.linalg.norm(starts - m, axis=1)))
        assert lab[near] == k
    assert len(set(lab.tolist()) - {-1}) == 4
    png = basins(starts, res.params[:, -1], surf.minima, (7, 7), tmp_path / "b.png")
    again = basins(starts, res.params[:, -1], surf.minima, (7, 7), tmp_path / "c.png")
    assert png.read_bytes() == again.read_bytes()
    performance_profile(np.array([[1.0, 2.0]]), ["a", "b"], tmp_path / "p.png")
