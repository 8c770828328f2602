"""Learning-rate schedules: closed forms, equality with optax and torch schedules, validation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from optbench import OptbenchError, steppers, surfaces
from optbench._run import compiled_run
from optbench.steppers import schedules as S

T = np.arange(40)
CLOSED_FORM = [
    (S.Constant(0.3), 0.3 + 0 * T),
    (S.StepDecay(0.1, every=7, factor=0.3), 0.1 * 0.3 ** (T // 7)),
    (S.Exponential(0.2, gamma=0.9), 0.2 * 0.9**T),
    (S.InverseTime(0.5, decay=0.25), 0.5 / (1 + 0.25 * T)),
    (
        S.Cosine(0.1, steps=30, final_lr=0.01),
        0.01 + 0.045 * (1 + np.cos(np.pi * np.minimum(T, 30) / 30)),
    ),
]


@pytest.mark.parametrize("schedule, expected", CLOSED_FORM, ids=lambda x: type(x).__name__)
def test_closed_form(schedule, expected, x64):
    np.testing.assert_allclose(schedule(jnp.asarray(T, jnp.int32)), expected, rtol=1e-14)
    assert float(schedule(jnp.int32(0))) == pytest.approx(schedule.lr, rel=1e-15)


def test_equal_to_optax_schedules(x64):
    optax = pytest.importorskip("optax")
    pairs = [
        (S.Constant(0.3), optax.constant_schedule(0.3)),
        (
            S.StepDecay(0.1, every=7, factor=0.3),
            optax.exponential_decay(0.1, 7, 0.3, staircase=True),
        ),
        (S.Exponential(0.2, gamma=0.9), optax.exponential_decay(0.2, 1, 0.9)),
        (S.Cosine(0.1, steps=30, final_lr=0.01), optax.cosine_decay_schedule(0.1, 30, alpha=0.1)),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours(jnp.asarray(T)), [theirs(t) for t in T], rtol=1e-12)


def test_equal_to_torch_schedulers():
    torch = pytest.importorskip("torch")
    sched = torch.optim.lr_scheduler
    pairs = [
        (S.StepDecay(0.1, every=7, factor=0.3), lambda o: sched.StepLR(o, step_size=7, gamma=0.3)),
        (S.Exponential(0.2, gamma=0.9), lambda o: sched.ExponentialLR(o, gamma=0.9)),
        (
            S.Cosine(0.1, steps=30, final_lr=0.01),
            lambda o: sched.CosineAnnealingLR(o, T_max=30, eta_min=0.01),
        ),
    ]
    for ours, make in pairs:
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=ours.lr)
        scheduler, lrs = make(opt), []
        for _ in range(31):  # torch's closed form continues periodically after T_max; ours stays
            lrs.append(scheduler.get_last_lr()[0])
            opt.step()
            scheduler.step()
        with jax.enable_x64(True):
            np.testing.assert_allclose(ours(jnp.arange(31)), lrs, rtol=1e-12)


def test_inverse_time_is_torch_adagrad_lr_decay():
    """torch.optim.Adagrad(lr, lr_decay=d) uses lr / (1 + (t-1) d): our adagrad(lr=InverseTime)."""
    torch = pytest.importorskip("torch")
    g = np.array([[1.0, -2.0], [0.5, 0.25], [-1.0, 3.0], [2.0, 1.0], [0.1, -0.5]])
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adagrad([p], lr=0.3, lr_decay=0.7, foreach=False)
    stepper = steppers.adagrad(lr=S.InverseTime(0.3, decay=0.7))
    with jax.enable_x64(True):
        theta = jnp.zeros(2)
        state = stepper.init(theta)
        for gt in g:
            p.grad = torch.from_numpy(gt.copy())
            opt.step()
            updates, state = stepper.update(jnp.asarray(gt), state, theta)
            theta = theta + updates
            np.testing.assert_allclose(theta, p.detach().numpy(), rtol=0, atol=1e-15)


def test_value_semantics_and_labels():
    a, b = S.Cosine(0.1, steps=200), S.Cosine(0.1, steps=200)
    assert a == b and hash(a) == hash(b) and a != S.Cosine(0.1, steps=100)
    with pytest.raises(AttributeError):
        a.lr = 0.2  # frozen
    assert [str(s) for s, _ in CLOSED_FORM] == [
        "0.3",
        "step(0.1×0.3/7)",
        "exp(0.2×0.9^t)",
        "0.5/(1+0.25t)",
        "cosine(0.1→0.01 in 30)",
    ]
    # equal schedules share one compiled run (the runner keys its cache on the schedule's value)
    quad = surfaces.get("quadratic")
    assert compiled_run(quad, steppers.sgd(a), 5, "float32") is compiled_run(
        quad, steppers.sgd(b), 5, "float32"
    )


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: S.Constant(0.0), "`lr` of Constant (=0.0) must satisfy 0.0 < lr."),
        (lambda: S.Constant("0.1"), "`lr` of Constant (='0.1') must be a finite number > 0."),
        (
            lambda: S.StepDecay(0.1, every=0),
            "`every` of StepDecay (=0) must be a positive integer.",
        ),
        (
            lambda: S.StepDecay(0.1, every=2.5),
            "`every` of StepDecay (=2.5) must be a positive integer.",
        ),
        (
            lambda: S.StepDecay(0.1, every=2, factor=1.5),
            "`factor` of StepDecay (=1.5) must satisfy",
        ),
        (
            lambda: S.Exponential(0.1, gamma=0.0),
            "`gamma` of Exponential (=0.0) must satisfy 0.0 < gamma",
        ),
        (
            lambda: S.InverseTime(0.1, decay=-1.0),
            "`decay` of InverseTime (=-1.0) must satisfy 0.0 <= decay.",
        ),
        (lambda: S.Cosine(0.1, steps=10, final_lr=0.2), "`final_lr` of Cosine (=0.2) must satisfy"),
    ],
)
def test_bad_schedules_are_named(make, message):
    with pytest.raises(OptbenchError) as err:
        make()
    assert message in str(err.value)
