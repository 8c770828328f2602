"""Spec values beyond numbers: rates in units of eta_max / eta_opt, schedules written as calls,
optax factories in sweeps, labels for sweeps and comparisons, network aliases."""

import json

import jax
import numpy as np
import pytest

import optbench
from optbench import OptbenchError
from optbench._spec import Call, Eta, parse_spec, split_top
from optbench.cli import main
from optbench.steppers import schedules
from optbench.sweeps import parse_grid

# quadratic (kappa=10): f = (x^2 + 10 y^2) / 2, Hessian diag(1, 10): eta_max = 0.2, eta_opt = 0.1
ETA_MAX, ETA_OPT = 0.2, 0.1


# -- the syntax --------------------------------------------------------------------------------
def test_rich_values_parse_into_units_and_calls():
    name, p = parse_spec(
        "adam:lr=warmup_cosine(0,0.5eta_max,20,300),b1=0.5,eps=0.9*eta_opt", rich=True
    )
    assert name == "adam"
    assert p == {
        "lr": Call("warmup_cosine", (0, Eta(0.5, "eta_max"), 20, 300)),
        "b1": 0.5,
        "eps": Eta(0.9, "eta_opt"),
    }
    assert str(Eta(1.0, "eta_max")) == "η_max" and str(Eta(0.5, "eta_opt")) == "0.5 η_opt"
    # surfaces and data sets keep plain values
    assert parse_spec("rosenbrock:b=100")[1] == {"b": 100}
    assert split_top("a=f(1,2),b=3") == ["a=f(1,2)", "b=3"]


@pytest.mark.parametrize(
    "spec, message",
    [
        (
            "sgd:lr=abceta_max",
            "`lr` of stepper 'sgd:lr=abceta_max' (='abceta_max') must be a number times "
            "eta_max, e.g. 0.5eta_max or 0.5*eta_max.",
        ),
        (
            "sgd:lr=-1eta_max",
            "`lr` of stepper 'sgd:lr=-1eta_max' (='-1eta_max') must be a positive multiple "
            "of eta_max.",
        ),
        ("sgd:lr=cosine(1", "stepper 'sgd:lr=cosine(1' leaves a parenthesis open."),
        ("sgd:lr=1),b=2", "stepper 'sgd:lr=1),b=2' closes a parenthesis it never opened."),
        (
            "sgd:lr=cosin(0.1,5)",
            "stepper 'sgd:lr=cosin(0.1,5)': unknown schedule 'cosin'; did you mean 'cosine'? "
            "Known: constant, cosine, exp, inverse_time, step, warmup_cosine.",
        ),
        (
            "sgd:lr=cosine(0.1)",
            "schedule cosine(...) in stepper 'sgd:lr=cosine(0.1)' takes lr, steps, "
            "[final_lr]; got 1 argument.",
        ),
        (
            "sgd:lr=cosine(abc,3)",
            "`lr` of schedule cosine(...) (='abc') in stepper 'sgd:lr=cosine(abc,3)' must be "
            "a number.",
        ),
        (
            "sgd:lr=warmup_cosine(0,0.1,20,10)",
            "`steps` of WarmupCosine (=10) must exceed `warmup_steps` (=20): the cosine part "
            "runs from warmup_steps to steps.",
        ),
    ],
)
def test_bad_rich_values_are_one_sentence(spec, message):
    with pytest.raises(OptbenchError) as err:
        optbench.run("quadratic", spec, steps=2)
    assert str(err.value) == message


# -- rates in units of the curvature -----------------------------------------------------------
def test_eta_units_resolve_from_the_hessian_at_the_start():
    t = optbench.run("quadratic", "sgd:lr=0.5eta_max", steps=20)
    ref = optbench.run("quadratic", f"sgd:lr={0.5 * ETA_MAX}", steps=20)
    assert t.hparams["lr"] == pytest.approx(0.5 * ETA_MAX, rel=1e-12)
    np.testing.assert_array_equal(t.params, ref.params)
    assert t.label == "SGD (lr=0.5 η_max)" and ref.label == "SGD (lr=0.1)"
    rec = t.extras["units"]["lr"]
    assert rec["given"] == "0.5 η_max" and rec["at"] == [-1.5, 1.0]
    assert rec["eta_max"] == pytest.approx(ETA_MAX) and rec["lambda_max"] == pytest.approx(10.0)
    # eta_opt, with a star; and read at the start actually used
    # (20 steps here and below: programs the suite compiles anyway, the race scenes' included)
    assert optbench.run("quadratic", "sgd:lr=0.9*eta_opt", steps=20).hparams["lr"] == pytest.approx(
        0.9 * ETA_OPT
    )
    r = optbench.run("rosenbrock", "sgd:lr=eta_max", steps=20, start=[1.0, 1.0])
    # Rosenbrock's Hessian at (1, 1): [[802, -400], [-400, 200]]
    lmax = np.linalg.eigvalsh([[802.0, -400.0], [-400.0, 200.0]])[-1]
    assert r.hparams["lr"] == pytest.approx(2 / lmax, rel=1e-9)
    assert r.extras["units"]["lr"]["at"] == [1.0, 1.0]


def test_eta_units_need_positive_curvature_and_a_problem():
    with pytest.raises(OptbenchError) as err:
        optbench.run("monkey_saddle", "sgd:lr=0.5eta_max", steps=2, start=[0.0, 0.0])
    assert str(err.value) == (
        "`lr` of stepper 'sgd:lr=0.5eta_max' (=0.5 η_max) needs a finite eta_max, but the "
        "Hessian of 'monkey_saddle' at [0.0, 0.0] has no positive eigenvalue (eta_max = inf); "
        "give a number instead."
    )
    from optbench._run import resolve_stepper

    with pytest.raises(OptbenchError, match="give the stepper together with a problem"):
        resolve_stepper("sgd:lr=0.5eta_max")


# -- schedules in specs ------------------------------------------------------------------------
def test_schedule_specs_make_the_schedules():
    assert optbench.run("quadratic", "adam:lr=cosine(0.05,300)", steps=2).label == (
        "Adam (lr=cosine(0.05→0 in 300))"
    )
    spec = optbench.run("quadratic", "sgd:lr=step(0.1,5,0.5)", steps=12)
    obj = optbench.run("quadratic", optbench.steppers.sgd(lr=schedules.StepDecay(0.1, 5)), 12)
    np.testing.assert_array_equal(spec.params, obj.params)
    assert schedules.from_call("inverse_time", (0.1, 0.5)) == schedules.InverseTime(0.1, 0.5)
    assert schedules.from_call("exp", (0.1, 0.9)) == schedules.Exponential(0.1, 0.9)


def test_warmup_cosine_equals_optax():
    optax = pytest.importorskip("optax")
    ours = schedules.from_call("warmup_cosine", (0.01, 0.05, 20, 300, 0.001))
    ref = optax.warmup_cosine_decay_schedule(0.01, 0.05, 20, 300, 0.001)
    t = np.arange(0, 320)
    # each schedule over every step in one compiled call, as the runner calls it (op by op, JAX
    # would compile each operation on its own)
    np.testing.assert_allclose(jax.jit(ours)(t), jax.jit(ref)(t), rtol=1e-6, atol=1e-9)
    assert float(ours(0)) == pytest.approx(0.01) and float(ours(20)) == pytest.approx(0.05)
    assert str(ours) == "warmup_cosine(0.01↗0.05 in 20→0.001 in 300)"


# -- sweeps ------------------------------------------------------------------------------------
def test_grid_in_units_of_eta_max():
    grid = parse_grid("lr=0.1eta_max:1.6eta_max:5:log")
    assert [str(v) for v in grid["lr"]] == [
        "0.1 η_max",
        "0.2 η_max",
        "0.4 η_max",
        "0.8 η_max",
        "1.6 η_max",
    ]
    res = optbench.sweep("quadratic", "sgd", grid, steps=50)  # the sweeps guide's sweep
    np.testing.assert_allclose(res.hparams["lr"], ETA_MAX * np.array([0.1, 0.2, 0.4, 0.8, 1.6]))
    units = res.meta["units"]["lr"]
    assert units["given"][0] == "0.1 η_max" and units["at"] == [-1.5, 1.0]
    # the API takes the same text, and lists of rates
    res2 = optbench.sweep("quadratic", "sgd", {"lr": ["0.5eta_max", "eta_max"]}, steps=30)
    np.testing.assert_allclose(res2.hparams["lr"], [0.1, 0.2])
    with pytest.raises(OptbenchError, match="mixes units"):
        parse_grid("lr=0.1eta_max:2:3")


def test_a_schedules_peak_is_swept():
    # the sweep of the sweeps guide (docs/guide/sweeps.md), checked run by run
    res = optbench.sweep("rosenbrock", "adam:lr=cosine(0.05,300)", {"lr": [0.01, 0.05]}, steps=300)
    for peak, final in zip([0.01, 0.05], res.final_loss):
        one = optbench.run("rosenbrock", f"adam:lr=cosine({peak},300)", steps=300)
        assert final == pytest.approx(one.final_loss, rel=1e-6)
    cols = res.columns()
    assert list(cols["lr_schedule"]) == ["cosine(lr→0 in 300)"] * 2
    assert res.meta["label"] == "adam (lr=cosine(·→0 in 300))"


def test_optax_factories_sweep_and_race():
    optax = pytest.importorskip("optax")
    # the sweep of the sweeps guide (docs/guide/sweeps.md), checked run by run
    res = optbench.sweep(
        "rosenbrock", "optax.adam:b2=0.99", {"learning_rate": [0.01, 0.05]}, steps=300
    )
    assert res.meta["label"] == "optax.adam (b2=0.99)"
    assert list(res.columns()["b2"]) == [0.99, 0.99]
    for lr, final in zip([0.01, 0.05], res.final_loss):
        ref = optbench.run("rosenbrock", optax.adam(lr, b2=0.99), steps=300)
        assert final == pytest.approx(ref.final_loss, rel=1e-5)
    with pytest.raises(OptbenchError) as err:
        optbench.sweep("rosenbrock", "optax.adam", {"b1": [0.9]}, steps=2)
    assert str(err.value) == (
        "`grid` or the stepper spec must give learning_rate for stepper 'optax.adam' (no default)."
    )


def test_torch_runs_eagerly_on_surfaces_only():
    pytest.importorskip("torch")
    theirs, ours = optbench.race(
        "rosenbrock", ["torch.optim.Adam:lr=0.05", "adam:lr=0.05"], steps=20
    )
    assert theirs.label == "torch.optim.Adam (lr=0.05)" and theirs.stepper == "torch.optim.Adam"
    np.testing.assert_allclose(theirs.params, ours.params, atol=2e-6)
    assert theirs.extras["implementation"] == "TorchAdapter"
    with pytest.raises(OptbenchError, match="a sweep cannot vmap it"):
        optbench.sweep("rosenbrock", "torch.optim.Adam", {"lr": [0.1]}, steps=2)
    net = optbench.networks.problem("logistic", "xor")
    with pytest.raises(OptbenchError, match="which optbench does on surfaces only"):
        optbench.run(net, "torch.optim.SGD:lr=0.1", steps=2)
    with pytest.raises(OptbenchError) as err:
        optbench.run("quadratic", "torch.optim.Adam:betas=0.8", steps=2)
    assert str(err.value).startswith("torch.optim.Adam rejects betas=0.8: ")


def test_sweep_and_compare_labels():
    res = optbench.sweep("quadratic", "momentum:lr=0.5eta_max", {"beta": [0.5]}, steps=2)
    assert res.meta["label"] == "momentum (lr=0.5 η_max)"
    named = optbench.sweep("quadratic", "adam", {"lr": [0.1]}, steps=2, label="my Adam")
    assert named.meta["label"] == "my Adam"
    with pytest.raises(OptbenchError, match="must be a non-empty string"):
        optbench.sweep("quadratic", "adam", {"lr": [0.1]}, steps=2, label="")
    # the sweeps of test_names' row test and of `named` above: programs compiled anyway
    c = optbench.compare(
        "quadratic",
        [("adam", {"lr": [0.1]}), ("adam", {"lr": [0.1]}), ("adam:b2=0.99", {"lr": [0.01, 0.1]})],
        steps=2,
        seeds=1,
    )
    assert [r["stepper"] for r in c.rows] == ["adam", "adam [2]", "adam (b2=0.99)"]


# -- the command line --------------------------------------------------------------------------
def test_race_records_units_in_run_json(tmp_path):
    args = ["race", "quadratic", "sgd:lr=0.5eta_max", "adam:lr=cosine(0.05,30)"]
    assert (
        main([*args, "--steps", "20", "--format", "png", "--size", "160", "-o", str(tmp_path)]) == 0
    )
    rec = json.loads((tmp_path / "run.json").read_text())
    sgd, adam = rec["steppers"]
    assert sgd["label"] == "SGD (lr=0.5 η_max)" and sgd["hparams"]["lr"] == pytest.approx(0.1)
    assert sgd["units"]["lr"]["at"] == [-1.5, 1.0] and "units" not in adam
    assert adam["label"] == "Adam (lr=cosine(0.05→0 in 30))"


def test_lr_on_a_network(capsys):
    from optbench import networks
    from optbench.analysis import lr_limits

    assert main(["lr", "xor", "--model", "mlp:3:tanh"]) == 0
    out = capsys.readouterr().out
    problem = networks.problem("mlp:3:tanh", "xor")
    ref = lr_limits(problem, at=problem.initial(None, 0))
    assert out.splitlines()[0] == (
        "mlp 2-3-1 tanh on xor at the initial weights (seed 0), exact Hessian"
    )
    assert f"eta_max = 2/lambda_max          = {ref.eta_max:.6g}" in out
    assert "        ...    (3 more)" in out  # 13 weights: the 5 largest and 5 smallest directions
    assert main(["lr", "xor", "--at", "1,2"]) == 2


# -- aliases -----------------------------------------------------------------------------------
def test_model_and_loss_aliases():
    from optbench import networks

    assert (
        networks.problem("logreg", "moons", "bce").describe()
        == networks.problem("logistic", "moons", "binary_cross_entropy").describe()
    )
    assert networks.problem("logistic", "moons", "ce").loss_name == "binary_cross_entropy"
    assert networks.problem("logistic", "spiral:classes=3", "cross_entropy").loss_name == (
        "softmax_cross_entropy"
    )
    with pytest.raises(OptbenchError) as err:
        networks.problem("logistic", "moons", "bse")
    assert str(err.value).startswith("unknown loss 'bse'; did you mean 'mse'?")


def test_list_names_schedules_and_aliases(capsys):
    assert main(["list", "steppers"]) == 0
    out = capsys.readouterr().out
    assert "  warmup_cosine  warmup_cosine(init_lr, lr, warmup_steps, steps, [final_lr])" in out
    assert main(["list", "networks"]) == 0
    out = capsys.readouterr().out
    assert "  logistic  also logreg, logistic_regression" in out
    assert "  binary_cross_entropy               also bce, binary_crossentropy" in out
