"""Progress lines: shown on a terminal or when asked, never inside quiet(), nothing otherwise."""

import io

import numpy as np

import optbench
from optbench import networks, render
from optbench._progress import Progress, quiet


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_line_counts_estimates_and_stays_silent_off_a_terminal():
    bar = Progress(40, "frames", "race.gif", stream=Terminal())
    assert bar.line(10, 2.0) == (
        "race.gif [#######.......................] 10/40 frames, 2.0 s, about 6.0 s left"
    )
    assert bar.line(40, 125.0) == "race.gif [" + "#" * 30 + "] 40/40 frames, 2 min 05 s"
    bar.update(40)
    bar.close()
    assert bar.stream.getvalue().startswith("\rrace.gif [" + "#" * 30 + "] 40/40 frames")
    assert bar.stream.getvalue().endswith("\n")
    piped = Progress(40, "frames", "race.gif", stream=io.StringIO())  # not a terminal
    piped.update(40)
    piped.close()
    assert piped.stream.getvalue() == ""
    with quiet():  # asked for, but inside a quiet block
        inner = Progress(3, "runs", "sweep", show=True, stream=Terminal())
        inner.update(3)
    assert inner.stream.getvalue() == ""


def test_sweep_frames_and_epochs_report_what_they_count(capsys, tmp_path):
    # the sweep of test_sweep_warnings (5 rates, 3 seeds, 30 steps), compiled once for both
    optbench.sweep("quadratic", "sgd", {"lr": np.linspace(0.01, 0.1, 5)}, 30, 3, progress=True)
    assert "\rsweep [" + "#" * 30 + "] 15/15 runs" in capsys.readouterr().err
    runs = optbench.race("quadratic", ["sgd:lr=0.1"], steps=20)  # a run the suite compiles anyway
    quad = optbench.surfaces.get("quadratic")
    render.animate(runs, quad, tmp_path / "r.gif", fps=5, duration=1, size=200, progress=True)
    assert "\rr.gif [" + "#" * 30 + "] 5/5 frames" in capsys.readouterr().err
    # 160 training points, 32 a batch: 5 steps an epoch (test_cli_train's logistic regression,
    # whose run, compiled without the progress callback, the quiet run below reuses)
    problem = networks.problem("logistic", "circles", batch_size=32, validation=0.2)
    t = optbench.run(problem, "adam:lr=0.1", 40, progress=True)
    err = capsys.readouterr().err
    assert "\rAdam (lr=0.1) [" + "#" * 30 + "] 8/8 epochs" in err and err.endswith("\n")
    quiet_run = optbench.run(problem, "adam:lr=0.1", 40)  # the default: no line, same numbers
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(t.loss, quiet_run.loss)
