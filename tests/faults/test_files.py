"""Files and the disk: every output path checked before any work, a failed command writes nothing,
a full disk is one sentence, and writers that share a folder leave whole files.

Command-line cases run ``main(argv)`` in-process from an empty working folder and check the
whole folder before and after; the full-disk and read-only cases mount a small tmpfs (skipped,
with the reason, where the machine does not allow mounting).
"""

from __future__ import annotations

import contextlib
import errno
import json
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import optbench
from optbench import OptbenchError, render
from optbench.cli import main

# 20 steps, as test_cli_race races the same stepper on the same surface: one compiled run for both
RACE = ["race", "quadratic", "sgd:lr=0.1", "--steps", "20", "--size", "200", "--fps", "2"]
RACE += ["--duration", "1"]
SWEEP = ["sweep", "quadratic", "sgd", "--grid", "lr=0.1,0.2", "--steps", "3"]
TRAIN = ["train", "moons", "--epochs", "1", "--frames", "2"]
COMPARE_TOML = (
    'problems = ["quadratic"]\nsteps = 3\nseeds = 1\n[steppers.GD]\nstepper = "sgd"\n'
    "grid = { lr = [0.1] }\n"
)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes())
        for p in sorted(folder.rglob("*"))
    }


def refused(capsys, argv: list[str], message: str) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == "" and len(lines) == 1, err
    assert lines[0].startswith("optbench: error: ") and message in lines[0], lines[0]


# -- output paths checked before any work --------------------------------------------------------
def folder_named(name):
    return lambda root: (root / "out" / name).mkdir(parents=True)


def a_file(name):
    return lambda root: (root / name).write_text("mine\n")


PATH_CASES = [
    ("race-run-json-folder", RACE, folder_named("run.json"), "output file 'out/run.json' is a"),
    ("race-gif-folder", RACE, folder_named("race.gif"), "output file 'out/race.gif' is a folder"),
    ("race-csv-folder", RACE, folder_named("trajectories.csv"), "'out/trajectories.csv' is a"),
    ("race-png-folder", RACE, folder_named("convergence.png"), "'out/convergence.png' is a"),
    ("sweep-csv-folder", SWEEP, folder_named("results.csv"), "'out/results.csv' is a folder"),
    ("sweep-json-folder", SWEEP, folder_named("run.json"), "'out/run.json' is a folder"),
    ("sweep-plot-folder", SWEEP, folder_named("sensitivity.png"), "'out/sensitivity.png' is a"),
    ("train-history-folder", TRAIN, folder_named("history.csv"), "'out/history.csv' is a folder"),
    ("train-gif-folder", TRAIN, folder_named("boundary.gif"), "'out/boundary.gif' is a folder"),
    ("train-json-folder", TRAIN, folder_named("run.json"), "'out/run.json' is a folder"),
]


@pytest.mark.parametrize(
    "argv, setup, message", [c[1:] for c in PATH_CASES], ids=[c[0] for c in PATH_CASES]
)
def test_an_output_file_that_is_a_folder_stops_the_command_first(
    argv, setup, message, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    setup(tmp_path)
    before = snapshot(tmp_path)
    refused(capsys, [*argv, "-o", "out"], message)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "argv",
    [RACE, SWEEP, TRAIN, ["compare", "c.toml"], ["gallery", "--only", "ewa", "--quick"]],
    ids=["race", "sweep", "train", "compare", "gallery"],
)
def test_an_output_folder_under_a_file_is_refused(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.toml").write_text(COMPARE_TOML)
    (tmp_path / "notes.txt").write_text("mine\n")
    before = snapshot(tmp_path)
    refused(capsys, [*argv, "-o", "notes.txt/out"], "'notes.txt/out' cannot be made: 'notes.txt'")
    assert snapshot(tmp_path) == before


def test_compare_checks_its_folder_before_it_computes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.toml").write_text(COMPARE_TOML)
    (tmp_path / "out" / "report.md").mkdir(parents=True)
    import optbench.sweeps as sweeps

    monkeypatch.setattr(sweeps, "compare", lambda *a, **k: pytest.fail("computed first"))
    before = snapshot(tmp_path)
    refused(capsys, ["compare", "c.toml", "-o", "out"], "output file 'out/report.md' is a folder")
    assert snapshot(tmp_path) == before


@pytest.fixture(scope="module")
def runs():
    return optbench.race("quadratic", ["sgd:lr=0.1", "adam:lr=0.1"], steps=20)  # as RACE


def api_cases(tmp: Path, runs):
    quad = optbench.surfaces.get("quadratic")
    (tmp / "folder.gif").mkdir()
    (tmp / "plain").write_text("x")
    return [
        (lambda: render.convergence(runs, tmp / "c.jpg"), "must end in .png, the format written"),
        (lambda: render.animate(runs, quad, tmp / "a.txt"), "must end in .gif or .mp4 or .png"),
        (lambda: render.animate(runs, quad, tmp / "folder.gif"), "is a folder; give a file name"),
        (lambda: render.animate(runs, quad, tmp / "no" / "a.gif"), "its folder"),
        (lambda: render.animate(runs, quad, tmp / "plain" / "a.gif"), "does not exist"),
        (lambda: render.trajectories_csv(runs, tmp / "nowhere" / "t.csv"), "does not exist"),
        (lambda: render.trajectories_csv([], tmp / "t.csv"), "`trajectories` is empty"),
        (lambda: render.trajectories_csv([1], tmp / "t.csv"), "`trajectories[0]` (=int)"),
        (lambda: render.animate([1, 2], quad, tmp / "a.gif"), "is not a trajectory"),
        (lambda: render.animate("abc", quad, tmp / "a.gif"), "must be a list of trajectories"),
        (lambda: render.convergence([], tmp / "c.png"), "`trajectories` is empty"),
        (
            lambda: optbench.sweeps.plots.heatmap(None, "lr", "b1", tmp / "h.jpg"),
            "must end in .png",
        ),
    ]


def test_api_paths_are_checked_and_name_the_users_path(runs, tmp_path):
    for i, (call, message) in enumerate(api_cases(tmp_path, runs)):
        with pytest.raises(OptbenchError) as err:
            call()
        assert message in str(err.value), (i, str(err.value))
        assert ".part" not in str(err.value)  # never a hidden temporary name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.gif", "plain"]


def test_numpy_numbers_are_numbers(runs, tmp_path):
    quad = optbench.surfaces.get("quadratic")
    gif = render.animate(
        runs,
        quad,
        tmp_path / "a.gif",
        fps=np.float32(2),
        duration=np.float64(1),
        size=np.int64(200),
    )
    with Image.open(gif) as im:
        assert im.n_frames == 2 and im.size == (200, 200)


# -- a full disk, simulated and real -------------------------------------------------------------
def test_a_full_disk_is_one_sentence_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    real = Path.write_bytes

    def full(self, data):
        if self.name.startswith(".race.gif."):
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    refused(capsys, [*RACE, "-o", "out"], "cannot write 'out/race.gif': the disk is full.")
    assert snapshot(tmp_path) == {}


@contextlib.contextmanager
def mounted(options: str):
    """A fresh tmpfs with ``options`` (``size=64k``, ``ro``), or a skip saying why not."""
    where = Path("/tmp") / f"optbench-fault-{uuid.uuid4().hex[:8]}"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], capture_output=True)
        where.rmdir()


def test_a_real_full_disk(capsys):
    with mounted("size=64k") as disk:
        # a 600 px race GIF is several hundred kB: it cannot fit
        argv = ["race", "rosenbrock", "sgd:lr=0.001", "--steps", "20", "-o", str(disk / "out")]
        refused(capsys, argv, "the disk is full.")
        assert list(disk.iterdir()) == []  # no file, no temporary, no folder


def test_a_read_only_folder(capsys):
    with mounted("size=64k,ro") as disk:
        refused(capsys, [*RACE, "-o", str(disk)], f"output directory {str(disk)!r} is not a")
        refused(capsys, [*RACE, "-o", str(disk / "sub")], "cannot be created: Read-only file")


# -- writers that share one folder ----------------------------------------------------------------
def test_two_commands_writing_into_one_folder_leave_whole_files(tmp_path, capsys):
    # another process and this one race into the same folder at the same time
    argv = [*RACE, "-o", str(tmp_path)]
    other = subprocess.Popen(
        [sys.executable, "-m", "optbench", *argv, "--seed", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert main([*argv, "--seed", "0"]) == 0
    _, err = other.communicate(timeout=120)
    assert other.returncode == 0, err
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["convergence.png", "race.gif", "run.json", "trajectories.csv"]
    with Image.open(tmp_path / "race.gif") as im:
        assert im.n_frames == 2
    assert json.loads((tmp_path / "run.json").read_text())["seed"] in (0, 1)
    assert len(render.read_trajectories_csv(tmp_path / "trajectories.csv")) == 1


def test_a_surface_undefined_in_part_of_its_window_is_drawn_blank_there(tmp_path, capsys):
    import jax.numpy as jnp

    half = optbench.surfaces.Surface(
        lambda p: jnp.sqrt(p[0]) + p[1] ** 2, bounds=[(-2, 2), (-2, 2)], start=[1.0, 1.0]
    )
    runs = optbench.race(half, ["sgd:lr=0.1"], steps=5)
    png = render.animate(runs, half, tmp_path / "half.png", size=200, resolution=40)
    from optbench.render._animate import build

    scene = build(runs, half, size=200, resolution=40)
    scene.canvas.draw()
    image = np.asarray(Image.open(png).convert("RGB"))

    def at(xy):
        x, y = scene.axes[0].transData.transform(xy)
        return image[int(round(scene.fig.bbox.height - y)), int(round(x))].tolist()

    assert at([-1.0, -1.5]) == [255, 255, 255]  # x < 0: NaN, left blank on the white ground
    assert at([1.0, -1.5]) != [255, 255, 255]  # x > 0: the contour
    (tmp_path / "nan.py").write_text(
        "import jax.numpy as jnp\ndef f(p):\n    return jnp.log(-jnp.sum(p ** 2) - 1)\n"
    )
    refused(
        capsys,
        [
            "race",
            f"{tmp_path / 'nan.py'}:f",
            "sgd:lr=0.1",
            "--steps",
            "2",
            "-o",
            str(tmp_path / "o"),
        ],
        "surface 'f' has no finite value in its window [-2, 2] x [-2, 2]: there is nothing to draw",
    )
    assert not (tmp_path / "o").exists()
