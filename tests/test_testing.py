"""optbench.testing: adapters, drive, compare and assert_same find a planted ulp-scale bug."""

import numpy as np
import pytest

import optbench
from optbench import testing
from optbench._errors import OptbenchError


def make_momentum(lr=1e-3, beta=0.9, bug_from=0, bug=2.0**-44):
    """A student's heavy-ball momentum in NumPy; from step ``bug_from`` on, the step is scaled."""

    def update(params, grads, state):
        t, b = state if state is not None else (0, None)
        b = grads if b is None else beta * b + grads
        step = -lr * b
        if bug_from and t + 1 >= bug_from:
            step = step * (1 + bug)
        return params + step, (t + 1, b)

    return update


def test_drive_reproduces_the_compiled_runner():
    # same gradients, same stepper: the Python-driven run equals optbench.run to rounding
    ref = optbench.run("rosenbrock", "momentum:lr=0.001", 200, dtype="float64")
    t = testing.drive("momentum:lr=0.001", "rosenbrock", 200)
    assert t.params.shape == (201, 2) and t.dtype == "float64" and t.diverged_at is None
    np.testing.assert_allclose(t.params, ref.params, rtol=0, atol=1e-14)
    np.testing.assert_allclose(t.loss, ref.loss, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(t.update_norm, ref.update_norm, rtol=1e-12, atol=1e-15)
    # divergence is recorded and frozen as the runner does (lr = 0.25 on diag(1, 10): |1.5^8| is
    # beyond the window [-2, 2] widened by four extents on each side, [-18, 18])
    bad = testing.drive("sgd:lr=0.25", "quadratic", 40)  # 40 steps, as test_divergence's runs
    ref = optbench.run("quadratic", "sgd:lr=0.25", 40)
    assert bad.diverged_at == ref.diverged_at == 8
    assert bad.diverged_kind == ref.diverged_kind == "left the window"
    np.testing.assert_allclose(bad.params, ref.params, rtol=1e-6)
    np.testing.assert_allclose(bad.grad_norm, ref.grad_norm, rtol=1e-6)


def test_drive_gradients_golden_momentum():
    # docs/math.md, section "Golden sequences": lr = 0.1, mu = 0.9 on g = 1, 1, -1, 1, 0.5
    xs = testing.drive_gradients("momentum:lr=0.1", [1, 1, -1, 1, 0.5])
    np.testing.assert_allclose(xs[:, 0], [0, -0.1, -0.29, -0.361, -0.5249, -0.72241], atol=1e-15)
    fn = testing.drive_gradients(make_momentum(lr=0.1), [1, 1, -1, 1, 0.5])
    np.testing.assert_allclose(fn, xs, atol=1e-15)


def test_planted_bug_found_at_its_step():
    # the bug scales the update by 1 + 2**-44 from step 50 on: about 5 ulps of the iterate
    bad, good = make_momentum(bug_from=50), make_momentum()
    c = testing.compare(bad, good, "rosenbrock", steps=80, atol=0)
    assert c.first_divergence == 50 and c.first_start == 0
    assert np.all(c.abs_diff[0, :50] == 0) and 0 < c.abs_diff[0, 50] < 1e-14
    with pytest.raises(AssertionError, match=r"first divergence at step 50: coordinate \d is "):
        testing.assert_same(bad, good, steps=80, atol=0)
    # below the default float64 tolerance the two agree, and equal implementations always do
    assert testing.compare(bad, good, steps=80).agree
    ok = testing.assert_same(good, "momentum:lr=0.001", steps=200)
    assert ok.agree and ok.abs_diff.max() < 1e-14 and ok.max_abs.shape == (201,)


def test_several_starts_and_the_divergence_message():
    starts = [[-1.5, 2.0], [0.5, -0.5]]
    c = testing.compare("sgd:lr=0.001", "sgd:lr=0.0011", "rosenbrock", steps=10, starts=starts)
    assert len(c.a) == 2 and c.abs_diff.shape == (2, 11) and c.first_divergence == 1
    # step 1 is x0 - lr*g(x0): the difference is 1e-4 * |g(x0)|; g(-1.5, 2) = (-155, 50)
    assert c.first_start == 0 and c.abs_diff[0, 1] == pytest.approx(1e-4 * 155.0, rel=1e-9)
    assert "first divergence at step 1 from start 0 (-1.5, 2.0): coordinate 0" in str(c)


def test_optax_and_torch_adapters_match_the_steppers():
    optax = pytest.importorskip("optax")
    assert testing.assert_same(
        optax.sgd(1e-3, momentum=0.9, nesterov=True), "nesterov:lr=0.001", steps=100, atol=1e-13
    ).agree
    torch = pytest.importorskip("torch")
    t = testing.adapt(torch.optim.SGD, lr=1e-3, momentum=0.9)
    assert t.label == "torch.optim.SGD (lr=0.001, momentum=0.9)"
    assert testing.assert_same(t, "momentum:lr=0.001", steps=100, atol=1e-13).agree
    # float32: torch and JAX both in single precision, compared at the float32 tolerance
    c = testing.compare(t, "momentum:lr=0.001", steps=50, dtype="float32")
    assert c.agree and c.a[0].params.dtype == np.float32 and c.abs_diff.max() < 1e-5


def test_lag_detects_a_one_step_late_update():
    def late(params, grads, state):  # emits the previous step's gradient step (zero at first)
        prev = state if state is not None else np.zeros_like(grads)
        return params + prev, -0.1 * grads

    assert testing.lag(late, "sgd:lr=0.1") == 1
    assert testing.lag("sgd:lr=0.1", late) == -1
    assert testing.lag("sgd:lr=0.1", "sgd:lr=0.1") == 0
    assert testing.lag("sgd:lr=0.1", "sgd:lr=0.2") is None


def test_bad_input_is_one_sentence():
    with pytest.raises(OptbenchError, match=r"is not an optimizer; expected an optbench stepper"):
        testing.adapt(42)
    with pytest.raises(OptbenchError, match=r"`atol` \(=-1\) must be a finite number >= 0"):
        testing.compare("sgd:lr=0.1", "sgd:lr=0.1", atol=-1)
    with pytest.raises(OptbenchError, match=r"surface such as 'rosenbrock'"):
        testing.drive(
            "sgd:lr=0.1",
            object.__new__(
                type(
                    "P",
                    (),
                    {k: 0 for k in ("initial", "loss_and_grad", "value", "cache_key", "describe")},
                )
            ),
            3,
        )
    with pytest.raises(
        OptbenchError, match=r"must return \(params, state\) with params an array of shape \(2,\)"
    ):
        testing.drive(lambda p, g, s: ("x", s), "rosenbrock", 2)
    with pytest.raises(OptbenchError, match=r"unknown stepper 'adma'"):
        testing.resolve("adma:lr=0.1")


def test_torch_missing_is_reported(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(OptbenchError, match=r"^torch is not installed; `pip install torch`"):
        testing.resolve("torch.optim.Adam:lr=0.01")
    with pytest.raises(OptbenchError, match=r"^torch is not installed"):
        testing.TorchAdapter(object, lr=0.1)


def make_adam(lr=0.01, b1=0.9, b2=0.999, eps=1e-8, bug_from=0):
    """Kingma & Ba's Algorithm 1 in NumPy; from step ``bug_from`` on, eps is 1e-8 * (1 + 2**-10)."""

    def update(params, grads, state):
        t, m, v = state if state is not None else (0, 0.0, 0.0)
        t, m, v = t + 1, b1 * m + (1 - b1) * grads, b2 * v + (1 - b2) * grads**2
        e = eps * (1 + 2.0**-10) if bug_from and t >= bug_from else eps
        return params - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + e), (t, m, v)

    return update


def test_planted_adam_bug_and_torch_adam():
    # eps off by one part in 1024 from step 50: the step changes by ~lr * 1e-11 / |g|
    c = testing.compare(make_adam(bug_from=50), make_adam(), steps=60, atol=0)
    assert c.first_divergence == 50 and np.all(c.abs_diff[0, :50] == 0)
    assert testing.assert_same(make_adam(), "adam:lr=0.01", steps=200, atol=1e-12).agree
    torch = pytest.importorskip("torch")
    assert testing.assert_same(
        testing.adapt(torch.optim.Adam, lr=0.01), make_adam(), steps=200, atol=1e-12
    ).agree


def test_a_diverged_run_is_a_verdict_of_its_own_not_agreement():
    # both NaN from step 0 (Ackley's gradient at its minimum is 0/0): nothing to compare
    c = testing.compare("adam:lr=0.01", "rmsprop:lr=0.01", "ackley", steps=5, starts=[0.0, 0.0])
    assert (c.agree, c.verdict, c.compared_steps()) == (False, "diverged", 0)
    assert c.divergence() == (
        "diverged: Adam (lr=0.01) diverged at step 0 (nan), RMSprop (lr=0.01, decay=0.99) "
        "diverged at step 0 (nan); no iterate could be compared."
    )
    # both leave the window at step 31 (1.05 eta_max): equal up to there, and no further verdict
    c = testing.compare("sgd:lr=0.21", make_sgd(0.21), "quadratic", steps=40)
    assert (c.verdict, c.compared_steps()) == ("diverged", 31)
    assert c.runs_diverged == ((31, "left the window", 31, "left the window"),)
    assert np.all(c.abs_diff[0, :31] <= 1e-13) and np.all(c.abs_diff[0, 31:] == 0)
    # one side only: a student's SGD that returns NaN from its fifth step
    c = testing.compare(make_sgd(0.1, nan_from=5), "sgd:lr=0.1", "quadratic", steps=10)
    assert c.verdict == "diverged" and c.runs_diverged[0][:2] == (5, "nan")
    assert c.divergence().endswith(
        "diverged at step 5 (nan), SGD (lr=0.1) did not; the 5 iterates before agree within "
        "atol 1e-10, and none after can be compared."
    )
    with pytest.raises(AssertionError, match="^diverged: "):
        testing.assert_same(make_sgd(0.1, nan_from=5), "sgd:lr=0.1", "quadratic", steps=10)


def make_sgd(lr, nan_from=0):
    def update(params, grads, state):
        t = 0 if state is None else state
        new = params - lr * grads
        return (new * np.nan if nan_from and t + 1 >= nan_from else new), t + 1

    return update
