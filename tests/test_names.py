"""Every run is named truly: a label names the stepper's variant and every hyperparameter that
differs from its default, two runs of one race never share a label, and files carry the stepper's
name and hyperparameters in columns."""

from __future__ import annotations

import json

import numpy as np
import pytest

import optbench
from optbench import OptbenchError, render, steppers
from optbench.steppers import schedules


@pytest.mark.parametrize(
    "stepper, label",
    [
        (steppers.adam(0.05), "Adam (lr=0.05)"),
        (steppers.adam(0.05, b1=0.5), "Adam (lr=0.05, b1=0.5)"),
        (steppers.adam(eps_in_sqrt=True), "Adam, eps inside the root (lr=0.001)"),
        (
            steppers.adam(amsgrad=True, bias_correction=False),
            "AMSGrad w/o bias correction (lr=0.001)",
        ),
        (steppers.momentum(0.01, form="ema"), "Momentum, EMA form (lr=0.01, beta=0.9)"),
        (steppers.momentum(0.01, dampening=0.5), "Momentum (lr=0.01, beta=0.9, dampening=0.5)"),
        (steppers.nesterov(0.1, beta=0.5), "Nesterov (lr=0.1, beta=0.5)"),
        (
            steppers.rmsprop(centered=True, eps_in_sqrt=True, eps=1e-6),
            "RMSprop, eps inside the root, centered (lr=0.01, decay=0.99, eps=1e-06)",
        ),
        (steppers.rmsprop(momentum=0.9), "RMSprop (lr=0.01, decay=0.99, momentum=0.9)"),
        (steppers.rprop(variant="rprop+", eta_plus=1.3), "Rprop+ (lr=0.01, eta_plus=1.3)"),
        (steppers.adagrad(initial_accumulator=0.1), "AdaGrad (lr=0.01, initial_accumulator=0.1)"),
        (steppers.adamw(), "AdamW (lr=0.001, weight_decay=0.01)"),
        (steppers.adam(schedules.Cosine(0.1, steps=200)), "Adam (lr=cosine(0.1→0 in 200))"),
        (steppers.sgd(lambda count: 0.1), "SGD (lr=lambda)"),
    ],
)
def test_a_label_names_the_variant_and_every_changed_hyperparameter(stepper, label):
    assert stepper.label == label


def test_runs_of_one_race_never_share_a_label():
    runs = optbench.race(
        "quadratic",
        ["adam:lr=0.05", "adam:lr=0.05,b1=0.5", "adam:lr=0.05", ("my SGD", "sgd:lr=0.1")],
        steps=20,  # (20 steps here and below: programs the suite compiles anyway)
    )
    assert [t.label for t in runs] == [
        "Adam (lr=0.05)",
        "Adam (lr=0.05, b1=0.5)",
        "Adam (lr=0.05) [2]",
        "my SGD",
    ]
    assert optbench.run("quadratic", "sgd:lr=0.1", 20, label="plain GD").label == "plain GD"
    with pytest.raises(OptbenchError, match=r"`label` \(=''\) must be a non-empty string"):
        optbench.run("quadratic", "sgd:lr=0.1", 3, label="")


def test_an_optax_transform_is_named_by_what_it_chains():
    optax = pytest.importorskip("optax")
    names = [
        optbench.run("quadratic", tx, 2).label
        for tx in (optax.adam(0.05), optax.adam(0.05, b1=0.5), optax.sgd(0.1, momentum=0.9))
    ]
    assert names == [
        "optax chain(scale_by_adam(), scale(step_size=-0.05))",
        "optax chain(scale_by_adam(b1=0.5), scale(step_size=-0.05))",
        "optax chain(trace(decay=0.9), scale(step_size=-0.1))",
    ]


def test_an_object_without_a_label_is_named_by_its_class_never_an_address():
    class HalfStep:
        def init(self, params):
            return ()

        def update(self, grads, state, params=None):
            return -0.5 * grads, state

    t = optbench.run("quadratic", HalfStep(), 2)
    assert t.label == "HalfStep" and "0x" not in t.label


def test_the_csv_carries_name_and_hyperparameters_in_columns(tmp_path):
    runs = optbench.race("quadratic", ["adam:lr=0.05", "adam:lr=0.05,b1=0.5"], steps=20)
    path = render.trajectories_csv(runs, tmp_path / "t.csv")
    header = path.read_text().splitlines()[0]
    assert header == "step,stepper,name,hparams,x0,x1,loss,diverged_at,diverged_kind"
    back = render.read_trajectories_csv(path)
    assert list(back) == ["Adam (lr=0.05)", "Adam (lr=0.05, b1=0.5)"]
    second = back["Adam (lr=0.05, b1=0.5)"]
    assert second["name"] == "adam"
    assert second["hparams"] == {
        "amsgrad": False,
        "b1": 0.5,
        "b2": 0.999,
        "bias_correction": True,
        "eps": 1e-08,
        "eps_in_sqrt": False,
        "lr": 0.05,
    }
    assert json.dumps(second["hparams"], sort_keys=True) in path.read_text().replace('""', '"')


def test_a_sweep_row_names_the_stepper_and_every_hyperparameter():
    res = optbench.sweep("quadratic", "adam:b2=0.99", {"lr": [0.01, 0.1]}, 2)  # as test_specs
    head, first, second = res.to_csv(wall_time=False).splitlines()[:3]
    assert head.split(",")[:8] == [
        "stepper",
        "lr",
        "b1",
        "b2",
        "eps",
        "eps_in_sqrt",
        "bias_correction",
        "amsgrad",
    ]
    assert first.split(",")[:8] == [
        "adam",
        "0.01",
        "0.9",
        "0.99",
        "1e-08",
        "False",
        "True",
        "False",
    ]
    assert second.split(",")[:2] == ["adam", "0.1"]
    assert res.to_records()[1]["b2"] == 0.99


@pytest.mark.parametrize(
    "spec, message",
    [
        ("adam:lr=abc", "`lr` of adam (='abc') must be a number with 0.0 < lr."),
        ("adam:b1=foo", "`b1` of adam (='foo') must be a number with 0.0 <= b1 < 1.0."),
        (
            "momentum:lr=0.1,beta=high",
            "`beta` of momentum (='high') must be a number with 0.0 <= beta < 1.0.",
        ),
        ("sgd:lr=none", "`lr` of sgd (=None) must be a number with 0.0 < lr."),
        ("rprop:eta_plus=a", "`eta_plus` of rprop (='a') must be a number with 1.0 < eta_plus."),
    ],
)
def test_text_where_a_number_belongs_is_one_sentence_and_exit_2(spec, message, tmp_path, capsys):
    from optbench.cli import main

    out = tmp_path / "out"
    assert main(["race", "quadratic", spec, "--steps", "3", "-o", str(out)]) == 2
    assert capsys.readouterr().err == f"optbench: error: {message}\n"
    assert not out.exists()
    with pytest.raises(OptbenchError) as err:
        optbench.run("quadratic", spec, 3)
    assert str(err.value) == message


def test_any_optax_optimizer_or_user_factory_is_raceable_by_name(tmp_path, monkeypatch):
    optax = pytest.importorskip("optax")
    lion, adam = optbench.race(  # 100 steps: the steppers guide's lion run
        "rosenbrock", ["optax.lion:learning_rate=0.01", "optax.adam:learning_rate=0.05"], 100
    )
    assert (lion.label, lion.stepper, lion.hparams) == (
        "optax.lion (learning_rate=0.01)",
        "optax.lion",
        {"learning_rate": 0.01},
    )
    np.testing.assert_array_equal(
        lion.params, optbench.run("rosenbrock", optax.lion(0.01), 100).params
    )
    assert adam.label == "optax.adam (learning_rate=0.05)"
    # a user's own factory, imported only because the spec names it
    (tmp_path / "my_steppers.py").write_text(
        "import optax\n\ndef heavy(lr=0.1):\n    return optax.sgd(lr, momentum=0.95)\n"
    )
    monkeypatch.chdir(tmp_path)
    mine = optbench.run("quadratic", "my_steppers:heavy:lr=0.01", 5)
    assert (mine.label, mine.stepper) == ("my_steppers.heavy (lr=0.01)", "my_steppers.heavy")
    with pytest.raises(OptbenchError) as err:
        optbench.run("quadratic", "optax.lino:learning_rate=0.1", 5)
    assert str(err.value) == (
        "'optax' has no attribute 'lino' (in 'optax.lino:learning_rate=0.1'); did you mean 'lion'?"
    )
