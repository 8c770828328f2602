"""`optbench race` end to end, in-process through main(argv)."""

import json

import numpy as np
import pytest
from PIL import Image

from optbench.cli import main
from optbench.render import read_trajectories_csv


def gif_info(path):
    with Image.open(path) as im:
        return im.n_frames, im.size, dict(im.info)


ARGS = [
    "race",
    "quadratic",
    "sgd:lr=0.1",
    "adam:lr=0.05",
    "--steps",
    "20",
    "--fps",
    "10",
    "--duration",
    "1",
    "--size",
    "200",
]


@pytest.fixture(scope="module")
def outdir(tmp_path_factory):
    out = tmp_path_factory.mktemp("race")
    assert main([*ARGS, "-o", str(out)]) == 0
    return out


def test_race_writes_everything(outdir):
    names = sorted(p.name for p in outdir.iterdir())
    assert names == ["convergence.png", "race.gif", "run.json", "trajectories.csv"]
    assert gif_info(outdir / "race.gif")[0] == 10


def test_run_json_has_what_reproduces_the_run(outdir):
    rec = json.loads((outdir / "run.json").read_text())
    assert rec["surface"]["name"] == "quadratic"
    assert [s["name"] for s in rec["steppers"]] == ["sgd", "adam"]
    assert rec["steppers"][1]["hparams"]["lr"] == 0.05
    assert rec["steps"] == 20 and rec["seed"] == 0 and rec["start"] == [-1.5, 1.0]
    assert rec["versions"]["jax"] and rec["versions"]["numpy"]


def test_csv_holds_both_runs(outdir):
    back = read_trajectories_csv(outdir / "trajectories.csv")
    assert len(back) == 2
    sgd = back["SGD (lr=0.1)"]
    # gradient descent on the kappa=10 quadratic: the lambda=10 direction is solved in one step,
    # up to float32's rounding of 0.1 (0.1f * 10 - 1 = 1.49e-8, exact where XLA fuses an FMA)
    assert abs(sgd["params"][1, 1]) <= 1.5e-8
    np.testing.assert_allclose(sgd["params"][1, 0], -1.5 * 0.9, rtol=1e-6)


def test_same_command_same_bytes(outdir, tmp_path):
    assert main([*ARGS, "-o", str(tmp_path)]) == 0
    for name in ("race.gif", "convergence.png", "trajectories.csv", "run.json"):
        assert (tmp_path / name).read_bytes() == (outdir / name).read_bytes(), name


def test_default_lecture_set(tmp_path, capsys):
    argv = [
        "race",
        "quadratic",
        "--steps",
        "20",
        "--format",
        "png",
        "--size",
        "200",
        "-o",
        str(tmp_path),
    ]
    assert main(argv) == 0
    rec = json.loads((tmp_path / "run.json").read_text())
    assert [s["name"] for s in rec["steppers"]] == [
        "sgd",
        "momentum",
        "nesterov",
        "rmsprop",
        "rprop",
        "adam",
    ]
    assert all(s["diverged_at"] is None for s in rec["steppers"])


@pytest.mark.parametrize(
    "argv, word",
    [
        (["race", "rosenbrok"], "did you mean 'rosenbrock'"),
        (["race", "rosenbrock", "adma"], "did you mean 'adam'"),
        (["race", "rosenbrock", "adam:lr"], "malformed"),
        (["race", "rosenbrock", "--format", "avi"], "format"),
        (["race", "rosenbrock", "--theme", "night"], "theme"),
        (["race", "rosenbrock", "--lang", "de"], "language"),
        (["race", "rosenbrock", "--fps", "0"], "fps"),
        (["race", "rosenbrock", "--size", "-3"], "size"),
        (["race", "rosenbrock", "--duration", "0"], "duration"),
        (["race", "rosenbrock", "--steps", "0"], "steps"),
        (["race", "rosenbrock", "--start", "1,x"], "start"),
        (["race", "rosenbrock", "--start", "1,2,3"], "start"),
    ],
)
def test_bad_input_is_one_line_exit_2_nothing_written(argv, word, tmp_path, capsys):
    out = tmp_path / "never"
    assert main([*argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("optbench: error: ") and word in err[0], err
    assert not out.exists()


def test_unwritable_output_directory(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert (
        main(["race", "quadratic", "sgd:lr=0.1", "--steps", "5", "-o", str(blocker / "sub")]) == 2
    )
    assert "output directory" in capsys.readouterr().err
