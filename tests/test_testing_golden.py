"""The golden-file fixture: written the first time, compared later, fails on a changed number."""

import json

import pytest

pytest_plugins = ["pytester"]

TEST_FILE = """
import optbench
from optbench import testing

def test_momentum(optbench_golden):
    optbench_golden.check(testing.drive("momentum:lr=0.001", "rosenbrock", steps=20))

def test_float32_run(optbench_golden):
    optbench_golden.check(optbench.run("quadratic", "sgd:lr=0.1", 20), name="sgd32")
"""


def test_golden_fixture_round_trip(pytester):
    def run(*args):
        quiet = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:benchmark")
        return pytester.runpytest(*quiet, *args)

    pytester.makepyfile(test_user=TEST_FILE)
    first = run()
    first.assert_outcomes(passed=2)
    first.stdout.fnmatch_lines(["*optbench: wrote 2 golden file(s)*"])
    path = pytester.path / "golden" / "test_user" / "test_momentum.json"
    record = json.loads(path.read_text())
    assert record["stepper"] == "momentum" and record["hparams"]["lr"] == 0.001
    assert record["problem"]["name"] == "rosenbrock" and record["dtype"] == "float64"
    assert {"jax", "numpy", "python"} <= set(record["versions"]) and len(record["params"]) == 21
    assert record["params"][0] == [-1.5, 2.0]
    f32 = json.loads((path.parent / "sgd32.json").read_text())
    assert f32["dtype"] == "float32" and f32["params"][1][0] == pytest.approx(-1.35, rel=1e-6)

    # one stored number changed by 1e-9 (far above float64's tolerance): the test fails at step 7;
    # a float32 value changed by 1e-6 relative (within float32's rtol 1e-4) still passes
    record["params"][7][1] += 1e-9
    path.write_text(json.dumps(record))
    f32["params"][3][0] *= 1 + 1e-6
    (path.parent / "sgd32.json").write_text(json.dumps(f32))
    bad = run()
    bad.assert_outcomes(passed=1, failed=1)
    bad.stdout.fnmatch_lines(
        ["*params first differs at step 7, coordinate 1*--optbench-update-golden*"]
    )

    run("--optbench-update-golden").assert_outcomes(passed=2)
    assert json.loads(path.read_text())["params"][7][1] == record["params"][7][1] - 1e-9

    # changed metadata (another learning rate) fails naming the field
    pytester.makepyfile(test_user=TEST_FILE.replace("lr=0.001", "lr=0.002"))
    meta = run("-k", "momentum")
    meta.assert_outcomes(failed=1)
    meta.stdout.fnmatch_lines(["*hparams was {'lr': 0.001*now {'lr': 0.002*"])

    path.unlink()
    ro = run("-k", "momentum", "--optbench-golden-readonly")
    ro.assert_outcomes(failed=1)
    ro.stdout.fnmatch_lines(["*test_momentum.json is missing*"])
    assert not path.exists()
