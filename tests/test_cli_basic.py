"""``optbench list`` and ``optbench lr`` in-process, their errors, and a JAX-free ``--help``."""

import subprocess
import sys
import textwrap
import types

import pytest

from optbench.cli import main


def run_cli(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_all_sections(capsys):
    status, out, err = run_cli(capsys, "list")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Surfaces")
    row = {line.split()[0]: line for line in lines if line.startswith("  ") and line.split()}
    assert "(a-x)^2 + b(y-x^2)^2" in row["rosenbrock"] and "0 at (1, 1)" in row["rosenbrock"]
    assert "a=1, b=100, noise=0" in row["rosenbrock"]
    assert "0 at (3, 2) and 3 more" in row["himmelblau"]
    assert "-1.03163 at (0.089842, -0.712656) and 1 more" in row["six_hump_camel"]
    assert "3 at (0, -1)" in row["goldstein_price"]
    assert "none (unbounded below)" in row["saddle"]
    assert "kappa=10, angle=0, dim=2, scale=1, noise=0" in row["quadratic"]
    for name in ["beale", "booth", "rastrigin", "ackley", "monkey_saddle", "styblinski_tang"]:
        assert name in row
    assert "Steppers (NAME[:key=value,...])" in lines
    assert (
        row["momentum"].split(None, 1)[1] == "lr=(required), beta=0.9, form=heavy_ball, dampening=0"
    )
    assert row["sgd"].split(None, 1)[1] == "lr=(required)"


def test_list_one_section(capsys):
    status, out, _ = run_cli(capsys, "list", "steppers")
    assert status == 0 and out.startswith("Steppers") and "rosenbrock" not in out


def test_list_shows_networks_when_the_package_provides_names(capsys, monkeypatch):
    import optbench.networks  # the real one first: the lazy attribute must not cache the fake

    fake = types.ModuleType("optbench.networks")
    fake.names = lambda: ["mlp", "logistic"]
    fake.defaults = lambda name: {"hidden": 32, "activation": "tanh"} if name == "mlp" else {}
    monkeypatch.setitem(sys.modules, "optbench.networks", fake)
    monkeypatch.setattr(optbench, "networks", fake, raising=False)
    status, out, _ = run_cli(capsys, "list", "networks")
    assert status == 0
    assert out.splitlines() == [
        "Networks (NAME[:key=value,...])",
        "  name      parameters (defaults)",
        "  mlp       hidden=32, activation=tanh",
        "  logistic",
    ]


def test_lr_on_the_quadratic(capsys):
    status, out, err = run_cli(capsys, "lr", "quadratic:kappa=10,angle=0.3")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "quadratic (kappa=10, angle=0.3, dim=2, scale=1) at (-1.5, 1), exact Hessian"
    assert lines[1].split() == ["direction", "eigenvalue", "1/lambda"]
    assert lines[2].split() == ["1", "1", "1"] and lines[3].split() == ["2", "10", "0.1"]
    assert "  eta_opt = 1/lambda_max          = 0.1" in lines
    assert "  eta_max = 2/lambda_max          = 0.2" in lines
    assert "  kappa   = lambda_max/lambda_min = 10" in lines


def test_lr_at_a_point_and_by_power_iteration(capsys):
    status, out, _ = run_cli(capsys, "lr", "rosenbrock", "--at", "1,1")
    assert status == 0
    assert "0.399361" in out and "1001.6" in out and "= 0.0019968" in out and "= 2508.01" in out
    status, out, _ = run_cli(capsys, "lr", "booth", "--at=-3,2", "--method", "power")
    assert status == 0 and "booth at (-3, 2), power iteration" in out and "= 9\n" in out  # 18 / 2


def test_lr_on_a_user_file(capsys, tmp_path):
    path = tmp_path / "bowl.py"
    path.write_text(
        textwrap.dedent("""
        def bowl(x):
            return 2.0 * x[0] ** 2 + 0.5 * x[1] ** 2
    """)
    )
    status, out, _ = run_cli(capsys, "lr", f"{path}:bowl")
    assert status == 0 and "bowl at (-1.5, 1.5)" in out
    assert "  eta_max = 2/lambda_max          = 0.5" in out.splitlines()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lr", "rosenbrok"], "unknown surface 'rosenbrok'; did you mean 'rosenbrock'?"),
        (["lr", "rosenbrock:bb=1"], "surface 'rosenbrock' has no parameter 'bb'"),
        (["lr", "rosenbrock", "--at", "1,x"], "`--at` (='1,x') must be comma-separated numbers"),
        (
            ["lr", "rosenbrock", "--at", "1,2,3"],
            "`--at` (='1,2,3') has 3 coordinate(s) but surface 'rosenbrock' is 2-D.",
        ),
        (["lr", "rosenbrock", "--at", "nan,1"], "`--at` (='nan,1') must be finite"),
        (
            ["lr", "quadratic", "--method", "powr"],
            "argument --method: invalid choice 'powr'; did you mean 'power'?",
        ),
        (
            ["list", "surfacs"],
            "argument section: invalid choice 'surfacs'; did you mean 'surfaces'?",
        ),
    ],
)
def test_bad_input_is_one_line_and_status_2(capsys, argv, message):
    status, out, err = run_cli(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("optbench: error: ") and err.count("\n") == 1
    assert message in err


def test_building_the_parser_imports_neither_jax_nor_matplotlib():
    code = (
        "import optbench.cli, sys; optbench.cli.build_parser(); "
        "print('jax' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]
