"""The compiled runner: shapes, golden runs, divergence, dtypes, compile reuse, vmap, noise."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optbench
from optbench import steppers, surfaces
from optbench._errors import OptbenchError
from optbench._run import _COMPILED, compiled_run, trajectory_fn

STEPS = 20


@pytest.fixture(scope="module")
def quad():
    """diag(1, 10): gradient descent moves each coordinate by (1 - lr*lambda) per step."""
    return surfaces.get("quadratic", kappa=10.0)


def test_shapes_start_and_golden_values(quad):
    t = optbench.run(quad, steppers.sgd(0.1), STEPS)
    assert t.params.shape == (STEPS + 1, 2) and t.loss.shape == (STEPS + 1,)
    assert t.grad_norm.shape == (STEPS,) and t.update_norm.shape == (STEPS,)
    assert t.params.dtype == np.float32 and t.dtype == "float32"
    np.testing.assert_array_equal(t.params[0], [-1.5, 1.0])
    k = np.arange(STEPS + 1)
    # x_k = (-1.5 * 0.9^k, 0^k): the stiff direction is solved in one step at lr = 1/lambda
    np.testing.assert_allclose(t.params[:, 0], -1.5 * 0.9**k, rtol=1e-5)
    np.testing.assert_allclose(t.params[1:, 1], 0.0, atol=1e-7)
    np.testing.assert_allclose(
        t.loss, 0.5 * t.params[:, 0] ** 2 + 5 * t.params[:, 1] ** 2, rtol=1e-5
    )
    np.testing.assert_allclose(t.grad_norm[0], np.hypot(1.5, 10.0), rtol=1e-6)
    np.testing.assert_allclose(t.update_norm, 0.1 * t.grad_norm, rtol=1e-5)
    assert t.diverged_at is None and t.label == "SGD (lr=0.1)" and t.stepper == "sgd"
    assert t.hparams == {"lr": 0.1} and t.problem["name"] == "quadratic"


def test_higher_dimensional_quadratic():
    # eigenvalues 1, sqrt(10), 10 on the axes (angle 0): coordinate i shrinks by 1 - lr * lambda_i
    t = optbench.run("quadratic:dim=3", "sgd:lr=0.1", 5, dtype="float64")
    assert t.params.shape == (6, 3)
    factors = 1 - 0.1 * np.array([1.0, np.sqrt(10.0), 10.0])
    np.testing.assert_allclose(
        t.params, [-1.5, 1.0, 1.0] * factors ** np.arange(6)[:, None], atol=1e-15
    )


def test_divergence_is_recorded_and_frozen(quad):
    # lr = 0.25: the stiff coordinate is multiplied by 1 - 2.5 = -1.5 per step; the window
    # [-2, 2] with four extents (16) beyond each edge ends at 18, first passed by |1.5^8| = 25.6
    # (|1.5^7| = 17.1 is not), so the iterate x_8 is the first bad one.
    t = optbench.run(quad, steppers.sgd(0.25), 40)  # 40 steps, as test_divergence's runs
    assert t.diverged_at == 8 and t.diverged_kind == "left the window"
    np.testing.assert_allclose(t.params[7, 1], (-1.5) ** 7, rtol=1e-6)
    np.testing.assert_array_equal(t.params[8:], np.broadcast_to(t.params[7], (33, 2)))
    assert np.all(np.isfinite(t.params)) and np.all(np.isfinite(t.loss))
    assert np.all(t.update_norm[7:] == 0) and t.update_norm[6] > 0


def test_nan_loss_freezes_without_raising():
    # f = sqrt(x) + y^2 from (1, 1), lr 1: x_1 = 0.5, x_2 = 0.5 - 0.5/sqrt(0.5) < 0 and y goes
    # 1, -1, 1, so f(x_2) = NaN
    s = surfaces.Surface(
        lambda p: jnp.sqrt(p[0]) + p[1] ** 2, bounds=[(-2, 2), (-2, 2)], start=[1.0, 1.0]
    )
    t = optbench.run(s, "sgd:lr=1.0", 8)
    assert t.diverged_at == 2
    # frozen at x_1, the last good iterate, in the parameters and the loss alike
    np.testing.assert_array_equal(t.params[2:], np.broadcast_to([0.5, -1.0], (7, 2)))
    assert np.all(np.isfinite(t.loss)) and np.all(np.isfinite(t.params))
    np.testing.assert_array_equal(t.loss[2:], t.loss[1])
    assert t.loss[1] == np.float32(np.sqrt(0.5) + 1.0)


def test_float64_per_call_and_float32_default(quad):
    t64 = optbench.run(quad, steppers.sgd(0.1), STEPS, dtype="float64")
    assert t64.params.dtype == np.float64 and t64.loss.dtype == np.float64
    np.testing.assert_allclose(t64.params[:, 0], -1.5 * 0.9 ** np.arange(STEPS + 1), rtol=1e-14)
    t32 = optbench.run(quad, steppers.sgd(0.1), STEPS)
    assert t32.params.dtype == np.float32 and jnp.ones(1).dtype == jnp.float32
    np.testing.assert_allclose(t32.params, t64.params, rtol=1e-5, atol=1e-7)


def test_new_lr_reuses_the_compiled_run(quad):
    optbench.run(quad, steppers.sgd(0.1), STEPS)
    size = len(_COMPILED)
    t = optbench.run(quad, steppers.sgd(0.05), STEPS)
    optbench.run(quad, "sgd:lr=0.02", STEPS)
    assert len(_COMPILED) == size
    assert compiled_run(quad, steppers.sgd(0.3), STEPS, "float32")._cache_size() == 1
    np.testing.assert_allclose(t.params[:, 0], -1.5 * 0.95 ** np.arange(STEPS + 1), rtol=1e-5)


def test_vmap_over_learning_rates_equals_separate_runs_and_compiles_once(quad):
    stepper = steppers.momentum(0.1, beta=0.8)
    one = trajectory_fn(quad, stepper, STEPS, True)
    fn = jax.jit(jax.vmap(one, in_axes=({"lr": 0, "beta": None}, None, None)))
    lrs = jnp.array([0.02, 0.1, 0.15], jnp.float32)
    x0, key = jnp.asarray(quad.start, jnp.float32), jax.random.PRNGKey(0)
    out = fn({"lr": lrs, "beta": jnp.float32(0.8)}, x0, key)
    fn({"lr": lrs * 0.5, "beta": jnp.float32(0.7)}, x0, key)
    assert fn._cache_size() == 1
    assert out["params"].shape == (3, STEPS + 1, 2)
    for i, lr in enumerate([0.02, 0.1, 0.15]):
        t = optbench.run(quad, steppers.momentum(lr, beta=0.8), STEPS)
        np.testing.assert_allclose(out["params"][i], t.params, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(out["loss"][i], t.loss, rtol=1e-6, atol=1e-7)


def test_race_one_trajectory_per_stepper(quad):
    ts = optbench.race(
        quad,
        ["sgd:lr=0.1", steppers.momentum(0.1, 0.5), "nesterov:lr=0.1"],
        STEPS,
        start=[1.0, -1.0],
    )
    assert [t.stepper for t in ts] == ["sgd", "momentum", "nesterov"]
    for t in ts:
        np.testing.assert_array_equal(t.params[0], [1.0, -1.0])
    np.testing.assert_allclose(ts[0].params[:, 0], 0.9 ** np.arange(STEPS + 1), rtol=1e-5)
    alone = optbench.run(quad, steppers.momentum(0.1, 0.5), STEPS, start=[1.0, -1.0])
    np.testing.assert_array_equal(ts[1].params, alone.params)


def test_gradient_noise_is_seeded(quad):
    noisy = surfaces.get("quadratic", kappa=10.0, noise=0.5)
    a = optbench.run(noisy, "sgd:lr=0.1", STEPS, key=3)
    b = optbench.run(noisy, "sgd:lr=0.1", STEPS, key=3)
    c = optbench.run(noisy, "sgd:lr=0.1", STEPS, key=4)
    clean = optbench.run(quad, "sgd:lr=0.1", STEPS, key=3)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.allclose(a.params, c.params) and not np.allclose(a.params, clean.params)
    # the noise is in the gradient only (-lr * (A x0 + 0.5 z), z ~ N(0, I)): the loss is exact
    assert a.loss[0] == clean.loss[0]


def test_optax_transform_is_a_stepper(quad):
    # torch SGD(momentum) == optax.sgd(momentum) == optbench momentum (docs/math.md, Momentum)
    ours = optbench.run(quad, steppers.momentum(0.05, beta=0.9), STEPS, dtype="float64")
    theirs = optbench.run(quad, optax.sgd(0.05, momentum=0.9), STEPS, dtype="float64")
    np.testing.assert_allclose(theirs.params, ours.params, rtol=1e-13, atol=1e-15)
    nes = optbench.run(quad, optax.sgd(0.05, momentum=0.9, nesterov=True), STEPS, dtype="float64")
    ours_nes = optbench.run(quad, steppers.nesterov(0.05, 0.9), STEPS, dtype="float64")
    np.testing.assert_allclose(nes.params, ours_nes.params, rtol=1e-13, atol=1e-15)
    assert theirs.stepper == "custom"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"steps": 0}, ["`steps`", "0", "positive integer"]),
        ({"steps": -3}, ["`steps`", "-3"]),
        ({"steps": 2.5}, ["`steps`", "2.5"]),
        ({"start": [1.0, 2.0, 3.0]}, ["`start`", "3 coordinate", "2-D"]),
        ({"start": [np.nan, 1.0]}, ["`start`", "finite"]),
        ({"start": [np.inf, 1.0]}, ["`start`", "finite"]),
        ({"dtype": "float16"}, ["`dtype`", "float16", "float32, float64"]),
        ({"key": 1.5}, ["`key`", "1.5"]),
        ({"problem": "rosenbrok"}, ["surface 'rosenbrok'", "did you mean 'rosenbrock'"]),
        ({"problem": "quadratic:kapa=3"}, ["'kapa'", "Did you mean 'kappa'"]),
        ({"problem": lambda x: x @ x}, ["`problem`", "Surface("]),
        ({"stepper": "sgdd:lr=0.1"}, ["stepper 'sgdd'", "did you mean 'sgd'"]),
        ({"stepper": "sgd:lr=-1"}, ["`lr`", "-1"]),
        ({"stepper": 3}, ["`stepper`", "3"]),
    ],
)
def test_bad_input_names_the_argument(kwargs, words):
    args = {"problem": "quadratic", "stepper": "sgd:lr=0.1", "steps": 5, **kwargs}
    with pytest.raises(OptbenchError) as err:
        optbench.run(**args)
    for w in words:
        assert w in str(err.value)


def test_non_scalar_function_and_bad_race():
    vec = surfaces.Surface(lambda p: p * 2, bounds=[(-1, 1), (-1, 1)], start=[0.5, 0.5], name="vec")
    with pytest.raises(
        OptbenchError, match=r"surface 'vec' must return a scalar, but returns shape \(2,\)"
    ):
        optbench.run(vec, "sgd:lr=0.1", 5)
    with pytest.raises(OptbenchError, match="`steppers`"):
        optbench.race("quadratic", [], 5)
    with pytest.raises(OptbenchError, match="`steppers`"):
        optbench.race("quadratic", "sgd:lr=0.1", 5)
