"""`--config FILE.toml` of race, sweep and train: the file says what the flags would, and flags on
the command line override it."""

import json
from pathlib import Path

import pytest

from optbench.cli import main
from optbench.render import read_trajectories_csv

RACE = """
surface = "quadratic"
steps = 20
format = "png"
size = 200
start = [-1.5, 1.5]

[steppers."GD, slow"]
stepper = "sgd:lr=0.05"

[steppers."GD at half eta_max"]
stepper = "sgd:lr=0.5eta_max"
"""


def test_a_race_from_a_file_equals_the_race_from_flags(tmp_path):
    (tmp_path / "slide.toml").write_text(RACE)
    assert main(["race", "--config", str(tmp_path / "slide.toml"), "-o", str(tmp_path / "a")]) == 0
    flags = ["race", "quadratic", "sgd:lr=0.05", "sgd:lr=0.1", "--steps", "20", "--format"]
    flags += ["png", "--size", "200", "--start=-1.5,1.5", "-o", str(tmp_path / "b")]
    assert main(flags) == 0
    a = read_trajectories_csv(tmp_path / "a" / "trajectories.csv")
    b = read_trajectories_csv(tmp_path / "b" / "trajectories.csv")
    # the tables' names label the paths; the rate in units of eta_max is 0.1 on this surface
    assert list(a) == ["GD, slow", "GD at half eta_max"]
    assert list(b) == ["SGD (lr=0.05)", "SGD (lr=0.1)"]
    for x, y in zip(a.values(), b.values()):
        assert (x["params"] == y["params"]).all() and x["params"].shape == (21, 2)
        assert x["params"][0].tolist() == [-1.5, 1.5]
    rec = json.loads((tmp_path / "a" / "run.json").read_text())
    assert [s["label"] for s in rec["steppers"]] == ["GD, slow", "GD at half eta_max"]
    assert rec["specs"] == ["sgd:lr=0.05", "sgd:lr=0.5eta_max"] and rec["size"] == "200x200"


def test_the_command_line_overrides_the_file(tmp_path):
    (tmp_path / "slide.toml").write_text(RACE)
    argv = ["race", "--config", str(tmp_path / "slide.toml"), "--start=-1,1", "--size", "240"]
    assert main([*argv, "quadratic", "sgd:lr=0.05", "-o", str(tmp_path / "c")]) == 0
    rec = json.loads((tmp_path / "c" / "run.json").read_text())
    assert rec["start"] == [-1.0, 1.0] and rec["size"] == "240x240"
    assert [s["label"] for s in rec["steppers"]] == ["SGD (lr=0.05)"]  # not the file's two
    assert rec["steps"] == 20 and rec["format"] == "png"  # the rest from the file


def test_a_sweep_reads_compares_form(tmp_path):
    (tmp_path / "sweep.toml").write_text(
        'problems = ["quadratic"]\nsteps = 20\n\n[steppers.Heavy]\nstepper = "momentum:beta=0.5"\n'
        'grid = { lr = "0.01:0.1:3:log" }\n'
    )
    assert main(["sweep", "--config", str(tmp_path / "sweep.toml"), "-o", str(tmp_path / "s")]) == 0
    argv = ["sweep", "quadratic", "momentum:beta=0.5", "--grid", "lr=0.01:0.1:3:log"]
    assert main([*argv, "--steps", "20", "--label", "Heavy", "-o", str(tmp_path / "t")]) == 0
    csv = (tmp_path / "s" / "results.csv").read_text()
    assert csv == (tmp_path / "t" / "results.csv").read_text()
    a = json.loads((tmp_path / "s" / "run.json").read_text())
    assert a["label"] == "Heavy" and a["grid_spec"] == "lr=0.01:0.1:3:log"
    rows = csv.splitlines()
    assert len(rows) == 4 and rows[1].startswith("momentum,")


def test_train_reads_its_options_with_dashes_or_underscores(tmp_path):
    (tmp_path / "t.toml").write_text(
        'dataset = "moons"\nmodel = "logistic"\nepochs = 2\nframes = 2\nbatch = "full"\n'
        'weight-decay = 0.001\nstepper = "sgd:lr=0.1"\nvalidation = 0.25\n'
    )
    assert main(["train", "--config", str(tmp_path / "t.toml"), "-o", str(tmp_path / "o")]) == 0
    rec = json.loads((tmp_path / "o" / "run.json").read_text())
    assert rec["label"] == "SGD (lr=0.1)" and rec["epochs"] == 2 and rec["diverged_kind"] is None
    problem = rec["problem"]
    assert problem["weight_decay"] == 0.001 and problem["n_val"] == 50
    assert problem["batch_size"] is None and problem["n_train"] == 150  # "full": the whole set


def test_the_example_slide_runs_with_overrides(tmp_path, capsys):
    example = Path(__file__).parent.parent / "examples" / "slide_race.toml"
    # 500 steps (the file says 120): the README's and the surfaces guide's runs on this surface
    argv = ["race", "--config", str(example), "--steps", "500", "--format", "png", "--size", "200"]
    assert main([*argv, "-o", str(tmp_path)]) == 0
    said = capsys.readouterr().out.splitlines()[2]
    assert said.split() == "GD at 1.05 eta_max diverged at step 27 (left the window)".split()
    rec = json.loads((tmp_path / "run.json").read_text())
    got = [(s["label"], s["diverged_kind"]) for s in rec["steppers"]]
    assert got == [
        ("GD at 0.5 eta_max", None),
        ("GD at 0.95 eta_max", None),
        ("GD at 1.05 eta_max", "left the window"),
    ]
    # eta_max = 2 / 20 on this quadratic, read off its Hessian at the start
    assert [s["hparams"]["lr"] for s in rec["steppers"]] == pytest.approx([0.05, 0.095, 0.105])
