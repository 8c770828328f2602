"""`optbench check`: the verdict and exit status, the table, the one-step lag, and bad input."""

import sys
import textwrap

import pytest

from optbench.cli import main

STUDENT = '''
import numpy as np

def make_momentum(lr=0.001, beta=0.9, bug_from=0):
    """heavy-ball momentum; from step bug_from on the step is scaled by 1 + 2**-44"""
    def update(params, grads, state):
        t, b = state if state is not None else (0, None)
        b = grads if b is None else beta * b + grads
        step = -lr * b
        if bug_from and t + 1 >= bug_from:
            step = step * (1 + 2.0**-44)
        return params + step, (t + 1, b)
    return update

def update(params, grads, state):
    return make_momentum()(params, grads, state)

not_an_optimizer = 3
'''


@pytest.fixture
def student(tmp_path, monkeypatch):
    """A user's module in the current directory, as `optbench check` finds it."""
    (tmp_path / "student_check_opt.py").write_text(textwrap.dedent(STUDENT))
    monkeypatch.chdir(tmp_path)
    yield "student_check_opt"
    sys.modules.pop("student_check_opt", None)


def test_planted_bug_is_found_at_step_50(student, capsys):
    code = main(
        [
            "check",
            f"{student}:make_momentum:bug_from=50",
            "--against",
            f"{student}:update",
            "--steps",
            "80",
            "--atol",
            "0",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "first divergence at step 50: coordinate" in out and out.rstrip().endswith("disagree")
    rows = [line.split() for line in out.splitlines() if line[:6].strip().isdigit()]
    assert [int(r[0]) for r in rows] == [1, 2, 3, 4, 5, 10, 20, 50]
    assert all(float(r[1]) == 0 for r in rows[:-1]) and 0 < float(rows[-1][1]) < 1e-14
    # the same bug is within the default tolerance, and the student's update equals optbench's
    assert (
        main(
            [
                "check",
                f"{student}:make_momentum:bug_from=50",
                "--against",
                "momentum:lr=0.001",
                "--steps",
                "80",
            ]
        )
        == 0
    )
    assert "agree: every step within 1e-10" in capsys.readouterr().out


def test_torch_rprop_agrees_with_irprop_minus(capsys):
    pytest.importorskip("torch")
    assert main(["check", "torch.optim.Rprop:lr=0.01", "--against", "rprop:variant=irprop-"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "target     torch.optim.Rprop (lr=0.01)"
    assert "agree: every step within 1e-10 (largest difference 0)." in out


def test_optax_rprop_reports_the_one_step_lag(capsys):
    pytest.importorskip("optax")
    assert (
        main(["check", "optax.rprop:learning_rate=0.01", "--against", "rprop", "--steps", "50"])
        == 1
    )
    out = capsys.readouterr().out
    # optax's first update is 0 (docs/math.md, "optax.rprop is one step late"): x stays at -1.5,
    # iRprop- moves to -1.49
    assert (
        "first divergence at step 1: coordinate 0 is -1.5 (optax.rprop (learning_rate=0.01)) "
        "vs -1.49" in out
    )
    assert "the target lags one step behind" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["nosuchmodule_xyz.adam", "--against", "sgd:lr=0.1"], "cannot import 'nosuchmodule_xyz'"),
        (
            ["optax.adma:learning_rate=0.1", "--against", "sgd:lr=0.1"],
            "'optax' has no attribute 'adma'",
        ),
        (
            ["optax.sgd:lr=0.1", "--against", "sgd:lr=0.1"],
            "optax.sgd has no hyperparameter 'lr'; it takes learning_rate",
        ),
        (
            ["optax.sgd", "--against", "sgd:lr=0.1"],
            "optax.sgd needs learning_rate, e.g. optax.sgd:learning_rate=0.01.",
        ),
        (["sgd:lr=0.1", "--against", "numpy.pi"], "numpy.pi (=3.14159"),
        (
            ["sgd:lr=0.1", "--against", "adma:lr=0.1"],
            "unknown stepper 'adma'; did you mean 'adam'?",
        ),
        (
            ["sgd:lr=0.1", "--against", "sgd:lr=0.1", "--atol", "-1"],
            "`atol` (=-1.0) must be a finite number >= 0.",
        ),
        (
            ["sgd:lr=0.1", "--against", "sgd:lr=0.1", "--problem", "rosenbrok"],
            "did you mean 'rosenbrock'?",
        ),
    ],
)
def test_bad_input_exits_2(argv, message, capsys):
    pytest.importorskip("optax")
    assert main(["check", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("optbench: error: ") and message in err and err.count("\n") == 1


def test_not_an_optimizer_and_rejected_hyperparameters(student, capsys):
    assert main(["check", f"{student}:not_an_optimizer", "--against", "sgd:lr=0.1"]) == 2
    assert "is not an optimizer; expected an optbench stepper" in capsys.readouterr().err
    assert main(["check", f"{student}:make_momentum:lrr=0.1", "--against", "sgd:lr=0.1"]) == 2
    err = capsys.readouterr().err
    assert "has no hyperparameter 'lrr'; it takes lr, beta, bug_from. Did you mean 'lr'?" in err


def test_torch_requested_but_not_installed(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    assert main(["check", "torch.optim.Adam:lr=0.01", "--against", "adam:lr=0.01"]) == 2
    assert capsys.readouterr().err == (
        "optbench: error: torch is not installed; `pip install torch` to compare against "
        "torch.optim.\n"
    )


def test_start_dtype_and_the_entry_point_form(capsys):
    pytest.importorskip("optax")
    argv = [
        "check",
        "optax:sgd:learning_rate=0.01,momentum=0.9",
        "--against",
        "momentum:lr=0.01",
        "--problem",
        "quadratic",
        "--start=0.5,-0.5",
        "--steps",
        "30",
        "--dtype",
        "float32",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "target     optax.sgd (learning_rate=0.01, momentum=0.9)"
    assert "quadratic from (0.5, -0.5), 30 steps, float32, agree when |difference| <= 0.0001" in out
    assert main(["check", "sgd:lr=0.1", "--against", "sgd:lr=0.1", "--start=1,2,3"]) == 2
    err = capsys.readouterr().err
    assert "`--start` (=[1.0, 2.0, 3.0]) has 3 coordinate(s) but surface 'rosenbrock' is 2-D" in err
    assert main(["check", "sgd:lr=0.1", "--against", "sgd:lr=0.1", "--start=1,x"]) == 2
    assert "`--start` (='1,x') must be comma-separated numbers" in capsys.readouterr().err
