"""``optbench sweep`` and ``optbench compare``: files written, tables printed, bad input exits 2."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from optbench.cli import main

GRID = ["--grid", "lr=1e-3:3:5:log,beta=0,0.5", "--steps", "30", "--seeds", "2"]


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    assert main(["sweep", "quadratic", "momentum", *GRID, "-o", str(out)]) == 0
    return out


def test_sweep_writes_table_json_and_plots(swept, capsys):
    names = {p.name for p in swept.iterdir()}
    assert {"results.csv", "run.json", "sensitivity.png", "heatmap.png"} <= names
    rows = list(csv.DictReader((swept / "results.csv").read_text().splitlines()))
    assert len(rows) == 5 * 2 * 2
    assert rows[0]["lr"] == "0.001" and rows[0]["beta"] == "0" and rows[1]["seed"] == "1"
    meta = json.loads((swept / "run.json").read_text())
    assert meta["stepper"] == "momentum" and meta["steps"] == 30 and meta["seeds"] == 2
    # lr = 3 diverges on the quadratic (curvature 10): counted, not dropped
    assert {r["kind"] for r in rows if r["lr"] == "3"} == {"left the window"}


def test_resume_gives_the_same_table(swept, capsys):
    before = (swept / "results.csv").read_text()
    chunks = sorted((swept / "chunks").glob("*.npz"))
    assert chunks
    assert main(["sweep", "quadratic", "momentum", *GRID, "-o", str(swept), "--resume"]) == 0
    assert (swept / "results.csv").read_text() == before
    assert "final loss" in capsys.readouterr().out


def test_identical_sweeps_write_byte_identical_results(swept, tmp_path, capsys):
    # wall time changes between runs: it goes to run.json (total and per chunk), not results.csv
    again = tmp_path / "again"
    assert main(["sweep", "quadratic", "momentum", *GRID, "-o", str(again)]) == 0
    assert (again / "results.csv").read_bytes() == (swept / "results.csv").read_bytes()
    assert "wall_time" not in (again / "results.csv").read_text().splitlines()[0]
    wall = json.loads((again / "run.json").read_text())["wall_time"]
    assert wall["total"] > 0 and len(wall["chunks"]) >= 1
    assert wall["total"] == pytest.approx(sum(wall["chunks"]))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--grid", "lrr=0.1"], "does not have; it takes lr, beta"),
        (["--grid", "lr=1:2:x"], "--grid"),
        (["--grid", "lr=0.1", "--seeds", "0"], "--seeds"),
        (["--grid", "lr="], "--grid"),
    ],
)
def test_bad_input_exits_2_and_leaves_the_folder_alone(tmp_path, capsys, argv, message):
    out = tmp_path / "existing"
    out.mkdir()
    (out / "results.csv").write_text("old\n")
    assert main(["sweep", "quadratic", "momentum", *argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("optbench: error: ") and message in err and err.count("\n") == 1
    assert [p.name for p in out.iterdir()] == ["results.csv"]
    assert (out / "results.csv").read_text() == "old\n"


def test_out_of_range_values_are_reported_and_the_rest_runs(tmp_path, capsys):
    assert (
        main(
            [
                "sweep",
                "quadratic",
                "sgd",
                "--grid",
                "lr=-1,0.1",
                "--steps",
                "5",
                "-o",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert "skipped: `lr` of sgd (=-1.0)" in capsys.readouterr().err
    kinds = [r["kind"] for r in csv.DictReader((tmp_path / "results.csv").read_text().splitlines())]
    assert kinds == ["invalid", ""]
    # gradient descent's stability limit at the start, 2 / lambda_max = 2 / 10, marked on the plot
    assert json.loads((tmp_path / "run.json").read_text())["eta_max_at_start"] == pytest.approx(0.2)


def test_compare_writes_report(tmp_path, capsys):
    # the comparison of the sweeps guide (docs/guide/sweeps.md), from a file: the same sweeps, so
    # a cold suite compiles them once
    cfg = tmp_path / "cmp.toml"
    cfg.write_text(
        textwrap.dedent("""
        problems = ["rosenbrock:noise=0.1", "himmelblau"]
        steps = 300
        seeds = 5
        target = 1e-4
        [steppers.SGD]
        stepper = "sgd"
        grid = { lr = "1e-4:0.1:7:log" }
        [steppers.Adam]
        stepper = "adam"
        grid = { lr = "1e-3:1:7:log" }
    """)
    )
    assert main(["compare", str(cfg), "-o", str(tmp_path / "out")]) == 0
    report = (tmp_path / "out" / "report.md").read_text()
    # lr = 0.1 leaves Himmelblau's window: 1 of SGD's 7 grid values, counted as failure; the
    # noiseless problem solves to the target in 24 steps at the best rate, every seed alike
    row = (
        "| himmelblau | SGD | lr=0.01 | 1.82e-12 [1.82e-12, 1.82e-12] | 24 [24, 24] | 100% | 14% |"
    )
    assert row in report
    assert "| rosenbrock:noise=0.1 | Adam | lr=1 | 0.00768 [0.00736, 0.00801] |" in report
    assert "![performance profile](profile.png)" in report
    assert {"ecdf.png", "profile.png", "sensitivity_himmelblau.png"} <= {
        p.name for p in (tmp_path / "out").iterdir()
    }


def test_compare_bad_config_exits_2(tmp_path, capsys):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(
        'problems = ["quadratic"]\n[steppers.A]\nstepper = "sgd"\ngrid = { rate = [0.1] }\n'
    )
    assert main(["compare", str(cfg), "-o", str(tmp_path / "out")]) == 2
    assert "it takes lr" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_four_devices_give_the_same_results_as_one(monkeypatch):
    import optbench
    from optbench.sweeps import _plan

    code = textwrap.dedent("""
        import jax, numpy as np, optbench
        # enough runs to be split over the devices (256 a device at least)
        r = optbench.sweep("rosenbrock", "adam", {"lr": np.logspace(-3, 0, 1030)}, 30, seeds=1,
                           keep_trajectories=True)
        g = optbench.sweep("rosenbrock:noise=0.1", "sgd", {"lr": np.logspace(-4, -2, 520)}, 20,
                           seeds=2)
        # first hits searched on each device in the compiled call, against the recorded losses
        same = np.array_equal(r.hits, optbench.sweeps.first_hits(r.losses, r.targets))
        np.save("OUT", np.concatenate([r.losses.ravel(), g.final_loss, [same, jax.device_count()]]))
    """)
    env = {
        **os.environ,
        "XLA_FLAGS": "--xla_force_host_platform_device_count=4",
        "JAX_PLATFORMS": "cpu",
    }
    env.pop("JAX_NUM_CPU_DEVICES", None)  # the device count is the XLA flag alone
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"optbench_shard_{os.getpid()}.npy")
    subprocess.run([sys.executable, "-c", code.replace("OUT", path)], env=env, check=True)
    four = np.load(path)
    os.unlink(path)
    # the same sweeps here on one device (every sweep stays on one below this many runs a device)
    monkeypatch.setattr(_plan, "MIN_RUNS_PER_DEVICE", 10**9)
    r = optbench.sweep(
        "rosenbrock", "adam", {"lr": np.logspace(-3, 0, 1030)}, 30, seeds=1, keep_trajectories=True
    )
    g = optbench.sweep("rosenbrock:noise=0.1", "sgd", {"lr": np.logspace(-4, -2, 520)}, 20, seeds=2)
    assert four[-1] == 4 and four[-2] == 1  # hits equal a search of the losses
    assert np.array_equal(r.hits, optbench.sweeps.first_hits(r.losses, r.targets))
    # the fast path's loop is vectorized over runs: a run's place in its shard (vector lanes or
    # the remainder loop) may change float32 rounding, never more
    np.testing.assert_allclose(
        four[:-2], np.concatenate([r.losses.ravel(), g.final_loss]), rtol=2e-5
    )


def test_two_processes_give_the_table_of_one(tmp_path, capsys):
    # the same sweep in this process and in two processes joined through JAX's coordinator on
    # 127.0.0.1 (every process its share of the chunks; process 0 writes): float64, bit for bit
    argv = ["sweep", "rosenbrock", "adam", "--grid", "lr=1e-3:1:48:log", "--steps", "50"]
    argv += ["--dtype", "float64", "--chunk-size", "8"]
    assert main([*argv, "-o", str(tmp_path / "one")]) == 0
    done = subprocess.run(
        [sys.executable, "-m", "optbench", *argv, "--processes", "2", "-o", str(tmp_path / "two")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"wrote {tmp_path / 'two'}/results.csv (48 runs)"
    one, two = (tmp_path / d / "results.csv" for d in ("one", "two"))
    assert one.read_bytes() == two.read_bytes()
    chunks = sorted(p.name[-9:] for p in (tmp_path / "two" / "chunks").glob("chunk_*.npz"))
    assert chunks == [f"{i:05d}.npz" for i in range(6)]  # both processes kept theirs
