"""What a sweep's reader is warned of: seeds that repeat one run, a best value on the grid's edge,
a grid that mostly diverged; in the API, on stderr and in the files."""

import json

import numpy as np

import optbench
from optbench.cli import main

SEEDS = (
    "the 3 seeds of every configuration gave the same final loss: the problem is noiseless from "
    "a fixed start, so each interval is a single point; use one seed, or add gradient noise or "
    "several starts."
)


def test_each_warning_names_what_it_saw():
    # SGD on diag(1, 10): the error along lambda = 1 shrinks by (1 - lr) a step, so the largest
    # stable rate in the grid wins; seeds change nothing on a noiseless surface
    res = optbench.sweep("quadratic", "sgd", {"lr": np.linspace(0.01, 0.1, 5)}, 30, 3)
    assert res.warnings() == [
        SEEDS,
        "the best lr (0.1) is the largest value of the grid: extend the grid beyond it, the "
        "optimum may lie outside.",
    ]
    # lr > eta_max = 0.2 for 6 of 10 rates: each leaves the window
    res = optbench.sweep("quadratic", "sgd", {"lr": np.linspace(0.01, 0.5, 10)}, 40)
    assert res.warnings() == [
        "60% of the runs diverged (6 left the window): most of the grid lies past the stable "
        "values; narrow it to see the rest in detail."
    ]
    # gradient noise: the seeds differ; the best rate lies inside the grid (the problem, steps and
    # seeds of test_sweep_compare's comparison: one compiled call for both)
    res = optbench.sweep("quadratic:noise=0.1", "sgd", {"lr": [0.01, 0.05, 0.1, 0.15]}, 60, 4)
    assert len(np.unique(res.final_loss[res.hparams["lr"] == 0.1])) == 4  # the seeds differ
    assert not any("seeds" in w for w in res.warnings())


def test_the_command_line_prints_and_records_them(tmp_path, capsys):
    argv = ["sweep", "quadratic", "sgd", "--grid", "lr=0.01:0.1:5", "--steps", "30"]
    assert main([*argv, "--seeds", "3", "-o", str(tmp_path / "s")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "optbench: warning: " + SEEDS
    assert err[1].startswith("optbench: warning: the best lr (0.1) is the largest value")
    rec = json.loads((tmp_path / "s" / "run.json").read_text())
    assert rec["warnings"][0] == SEEDS and len(rec["warnings"]) == 2
    toml = tmp_path / "c.toml"
    toml.write_text(
        'problems = ["quadratic"]\nsteps = 30\nseeds = 3\n[steppers.GD]\nstepper = "sgd"\n'
        'grid = { lr = "0.01:0.1:5" }\n'
    )
    assert main(["compare", str(toml), "-o", str(tmp_path / "c")]) == 0
    report = (tmp_path / "c" / "report.md").read_text()
    assert "## Warnings\n\n- quadratic / GD: the 3 seeds of every configuration" in report
    assert "optbench: warning: quadratic / GD: the best lr (0.1)" in capsys.readouterr().err
