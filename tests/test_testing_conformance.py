"""conformance(): a family's facts hold for correct implementations, fail with numbers otherwise."""

import numpy as np
import pytest

from optbench import steppers, testing
from optbench._errors import OptbenchError
from optbench.steppers._registry import factory


def ema_momentum(lr, beta=0.9):
    """The lecture's EMA momentum, v = beta v + (1 - beta) g: another first buffer than torch's."""
    return steppers.momentum(lr, beta, form="ema")


@pytest.mark.parametrize("family", ["sgd", "momentum", "nesterov"])
def test_optbench_and_optax_conform(family):
    optax = pytest.importorskip("optax")
    report = testing.conformance(getattr(steppers, family), family, steps=60)
    assert report.passed and len(report.facts) == 4, str(report)
    # optax.sgd takes learning_rate, momentum and nesterov: translated from lr and beta
    assert testing.conformance(optax.sgd, family, steps=60).passed


def test_torch_class_conforms():
    torch = pytest.importorskip("torch")
    report = testing.conformance(torch.optim.SGD, "nesterov", steps=60)
    assert report.passed, str(report)
    assert all(f.measured < 1e-13 for f in report.facts)


def test_a_different_convention_fails_with_numbers():
    report = testing.conformance(ema_momentum, "momentum", steps=60)
    assert not report.passed
    by_name = {f.name.split(" (")[0]: f for f in report.facts}
    const = next(f for n, f in by_name.items() if n.startswith("under a constant gradient"))
    # step 1 of the EMA form is lr*(1-beta)*g instead of lr*g: relative error 1 - 0.1 = 0.9
    assert not const.passed and const.measured == pytest.approx(0.9, rel=1e-12)
    golden = by_name["golden values on g = 1, 1, -1, 1, 0.5"]
    # EMA theta_1 = -0.1 * 0.1 = -0.01 vs the golden -0.1; the gap grows to step 5
    assert not golden.passed and golden.measured > 0.09
    assert "FAIL  golden values" in str(report) and "facts hold" in str(report)


def test_a_factory_with_its_own_names_and_a_fixed_constant():
    def my_sgd(learning_rate):
        return lambda p, g, s: (p - learning_rate * g, s)

    assert testing.conformance(my_sgd, "sgd", steps=30).passed

    def fixed_beta(lr):  # ignores beta: the report says so, and beta = 0.9 is what it hard-codes
        return steppers.momentum(lr)

    report = testing.conformance(fixed_beta, "momentum", steps=30)
    assert report.passed and report.ignored == ("beta",) and "takes no beta" in str(report)


def test_bad_family_and_factory():
    with pytest.raises(
        OptbenchError, match=r"unknown conformance family 'adma'; did you mean 'adam'"
    ):
        testing.conformance(steppers.sgd, "adma")
    with pytest.raises(OptbenchError, match=r"`factory` \(=3\) must be callable"):
        testing.conformance(3, "sgd")
    assert set(testing.families()) == {"sgd", "momentum", "nesterov", "adam", "rmsprop", "rprop"}


def numpy_adam(lr, b1=0.9, b2=0.999, eps=1e-8, bias_correction=True):
    """A student's Adam (Kingma & Ba 2015, Algorithm 1) in NumPy, as an update function."""

    def update(params, grads, state):
        t, m, v = state if state is not None else (0, 0.0, 0.0)
        t, m, v = t + 1, b1 * m + (1 - b1) * grads, b2 * v + (1 - b2) * grads**2
        mh, vh = (m / (1 - b1**t), v / (1 - b2**t)) if bias_correction else (m, v)
        return params - lr * mh / (np.sqrt(vh) + eps), (t, m, v)

    return update


def test_student_adam_conforms_and_without_bias_correction_fails():
    report = testing.conformance(numpy_adam, "adam", steps=60)
    assert report.passed and len(report.facts) == 5, str(report)
    broken = testing.conformance(
        lambda **hp: numpy_adam(**hp, bias_correction=False), "adam", steps=60
    )
    first, const = broken.facts[0], broken.facts[1]
    # uncorrected: step 1 is lr*(1-b1)*g/(sqrt(1-b2)|g|) = lr*0.1/0.0316 = 3.16 lr instead of lr
    assert not first.passed and first.measured == pytest.approx(
        0.1 * (0.1 / np.sqrt(0.001) - 1), rel=1e-6
    )
    assert not const.passed and not broken.passed


def test_optax_rprop_fails_with_its_documented_lag():
    optax = pytest.importorskip("optax")
    report = testing.conformance(optax.rprop, "rprop", steps=30)
    golden = report.facts[1]
    # docs/math.md, "Golden sequences": optax.rprop gives 0, -0.1, -0.1, -0.1, -0.16 against
    # -0.1, -0.22, ...
    assert not golden.passed and "got 0, -0.1, -0.1, -0.1, -0.16)" in golden.detail
    assert golden.measured == pytest.approx(0.192, abs=1e-12)
    assert report.facts[-1].detail.endswith("first divergence at step 1)")


@pytest.mark.parametrize("family", ["adam", "rmsprop", "rprop"])
def test_adaptive_families(family):
    report = testing.conformance(factory(family), family, steps=60)
    assert report.passed, str(report)
    torch = pytest.importorskip("torch")
    cls = {"adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop, "rprop": torch.optim.Rprop}[
        family
    ]
    report = testing.conformance(cls, family, steps=60)
    assert report.passed and all(f.measured <= f.tolerance for f in report.facts), str(report)
