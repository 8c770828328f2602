"""Cross-implementation: optbench steppers against torch.optim and optax, float64, 200 steps.

The reference trajectories are stored in ``tests/reference/steppers.npz`` (regenerate with
``python tests/reference/make_reference.py``), so these tests run without torch. Where torch or
optax import, a few runs are also recomputed live with the same code. optbench's side is its
steppers' ``init``/``update`` in a jitted scan; a few cases also go through ``optbench.run``.

Known disagreements are asserted as such: optax's default RMSprop (eps inside the root), optax's
AMSGrad (max of the bias-corrected v) and optax.rprop's one-step-stale updates.
"""

import importlib.util
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import optbench
from optbench import steppers

TOL = 1e-10
HERE = os.path.dirname(os.path.abspath(__file__))


def _load_reference_module():
    spec = importlib.util.spec_from_file_location(
        "optbench_make_reference", os.path.join(HERE, "reference", "make_reference.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


R = _load_reference_module()
CASES = {case.key: case for case in R.CASES}


@pytest.fixture(scope="module")
def data():
    with np.load(R.DATA) as npz:
        return {k: npz[k] for k in npz.files}


_COMPILED = {}


def trajectory(stepper_name, hparams, prob, start):
    """optbench's iterates, float64: ``init``/``update`` in one jitted ``lax.scan``, numeric
    hyperparameters traced, so each stepper kind compiles once per problem."""
    traced = {k: v for k, v in hparams.items() if isinstance(v, float)}
    fixed = tuple(sorted((k, v) for k, v in hparams.items() if k not in traced))
    key = (stepper_name, fixed, prob)
    if key not in _COMPILED:
        fn = R.problem(prob).fn

        def run(hp, x0):
            stepper = steppers.get(stepper_name, **dict(fixed), **hp)

            def body(carry, _):
                x, state = carry
                updates, state = stepper.update(jax.grad(fn)(x), state, x, value=fn(x))
                return (x + updates, state), x + updates

            _, xs = jax.lax.scan(body, (x0, stepper.init(x0)), None, length=R.STEPS)
            return jnp.concatenate([x0[None], xs])

        _COMPILED[key] = jax.jit(run)
    with jax.enable_x64(True):
        return np.asarray(
            _COMPILED[key](
                {k: jnp.float64(v) for k, v in traced.items()}, jnp.asarray(start, jnp.float64)
            )
        )


@pytest.fixture(scope="module")
def ours():
    """optbench's trajectory for (case, problem, run), computed once per module."""
    cache = {}

    def get(case, prob, run):
        if (case.key, prob, run) not in cache:
            setting, start = R.RUNS[run]
            xs = trajectory(case.stepper, case.hparams(setting), prob, R.STARTS[prob][start])
            assert xs.dtype == np.float64 and np.all(np.isfinite(xs))
            cache[(case.key, prob, run)] = xs
        return cache[(case.key, prob, run)]

    return get


def max_diff(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


@pytest.mark.parametrize("key", list(CASES))
def test_equals_stored_torch_and_optax(key, data, ours):
    case, compared = CASES[key], 0
    for prob in R.PROBLEMS:
        for run in range(len(R.RUNS)):
            for source in ("torch", "optax"):
                ref = data.get(R.data_key(source, key, prob, run))
                if ref is not None:
                    assert ref.shape == (R.STEPS + 1, 2)
                    assert max_diff(ours(case, prob, run), ref) <= TOL, (source, prob, run)
                    compared += 1
    assert compared >= 2 * len(R.RUNS)


@pytest.mark.parametrize(
    "key, prob", [("nesterov", "rosenbrock"), ("rprop", "quadratic"), ("amsgrad", "rosenbrock")]
)
def test_the_runner_reproduces_the_references(key, prob, data):
    """The same comparison through ``optbench.run``, the runner every user goes through."""
    case = CASES[key]
    for run, (setting, start) in enumerate(R.RUNS):
        t = optbench.run(
            R.problem(prob),
            steppers.get(case.stepper, **case.settings[setting]),
            R.STEPS,
            start=R.STARTS[prob][start],
            dtype="float64",
        )
        assert t.diverged_at is None and t.params.dtype == np.float64
        assert max_diff(t.params, data[R.data_key("torch", key, prob, run)]) <= TOL


def test_reference_covers_the_issue():
    """torch: SGD, heavy ball with/without dampening, Nesterov, RMSprop plain/centered/momentum,
    Rprop, Adam with/without amsgrad, AdamW, Adagrad; the ema form against torch's lr*(1-beta)."""
    with_torch = {k for k, c in CASES.items() if c.torch is not None}
    assert with_torch >= {
        "sgd",
        "heavy_ball",
        "heavy_ball_dampened",
        "ema",
        "nesterov",
        "rmsprop",
        "rmsprop_centered",
        "rmsprop_momentum",
        "rprop",
        "adam",
        "amsgrad",
        "adamw",
        "adagrad",
    }
    assert len(R.PROBLEMS) == 2 and R.STEPS >= 200
    assert {s for _, s in R.RUNS} == {0, 1, 2} and {s for s, _ in R.RUNS} == {0, 1}


def test_trajectories_actually_move(data):
    """A stored trajectory that sat still would make the equality checks above vacuous."""
    for key, ref in data.items():
        if key.startswith(("torch/", "optax/")):
            assert max_diff(ref[-1], ref[0]) > 1e-2, key


# -- known disagreements ---------------------------------------------------------------------------
def test_rmsprop_eps_placement_differs_from_optax_default(data, ours):
    """optax.rmsprop puts eps inside the root by default; torch (and our default) outside.

    ``eps_in_sqrt=True`` equals optax's default (case rmsprop_eps_in_sqrt); the torch form does not:
    with eps = 1e-4 the trajectories part by ~1e-5, with eps = 1e-8 by only 4e-11 to 1e-9.
    """
    case = CASES["rmsprop"]
    for prob in R.PROBLEMS:
        diffs = [
            max_diff(ours(case, prob, run), data[R.data_key("differs", "rmsprop", prob, run)])
            for run in range(len(R.RUNS))
        ]
        assert diffs[2] > 1e-6, (prob, diffs)  # setting 1 has eps = 1e-4
        assert max(diffs[:2]) < 1e-8, (prob, diffs)  # eps = 1e-8: small but nonzero
        assert min(diffs) > 1e-11, (prob, diffs)


def test_three_amsgrad_conventions(data, ours):
    """torch (= ours) maxes the raw v then corrects; optax.amsgrad maxes the corrected v-hat;
    the paper does not correct (= ours with bias_correction=False, stored in amsgrad_paper)."""
    torch_form, paper_form = CASES["amsgrad"], CASES["amsgrad_paper"]
    for prob in R.PROBLEMS:
        for run in range(len(R.RUNS)):
            optax_default = data[R.data_key("differs", "amsgrad", prob, run)]
            assert max_diff(ours(torch_form, prob, run), optax_default) > 1e-2
            assert max_diff(ours(paper_form, prob, run), optax_default) > 1e-2
            assert max_diff(ours(torch_form, prob, run), ours(paper_form, prob, run)) > 1e-2


def rprop_updates(grads, lr):
    stepper = steppers.rprop(lr=lr)
    with jax.enable_x64(True):
        state, out = stepper.init(jnp.zeros(grads.shape[1])), []
        for g in grads:
            u, state = stepper.update(jnp.asarray(g), state)
            out.append(np.asarray(u))
    return np.stack(out), grads


def check_optax_rprop_is_one_step_stale(optax_updates, grads, lr):
    """docs/math.md, "optax.rprop is one step late": optax[1] = 0; optax[t] = 0 where s_t < 0,
    else ours[t-1]."""
    mine, _ = rprop_updates(grads, lr)
    assert np.all(optax_updates[0] == 0)
    # s_t < 0 exactly where iRprop- refuses to move although the gradient is nonzero
    flipped = (mine == 0) & (grads != 0)
    expected = np.where(flipped[1:], 0.0, mine[:-1])
    np.testing.assert_allclose(optax_updates[1:], expected, rtol=0, atol=1e-15)
    assert flipped[1:].any() and max_diff(optax_updates, mine) > 1e-2  # the lag is real


def test_optax_rprop_is_one_step_stale_stored(data):
    check_optax_rprop_is_one_step_stale(
        data["rprop_fixed/optax_updates"], data["rprop_fixed/grads"], R.RPROP_FIXED["lr"]
    )


def test_optax_rprop_golden_values():
    """docs/math.md, "Golden sequences": optax.rprop gives 0, -0.1, -0.1, -0.1, -0.16 where
    torch gives -0.1, -0.22, -0.22, -0.28, -0.352; the relation rebuilds optax's from ours."""
    grads = np.array([1.0, 1.0, -1.0, 1.0, 0.5])[:, None]
    mine, _ = rprop_updates(grads, 0.1)
    np.testing.assert_allclose(
        np.cumsum(mine[:, 0]), [-0.1, -0.22, -0.22, -0.28, -0.352], atol=1e-15
    )
    flipped = (mine == 0) & (grads != 0)
    stale = np.concatenate([[0.0], np.where(flipped[1:, 0], 0.0, mine[:-1, 0])])
    np.testing.assert_allclose(np.cumsum(stale), [0.0, -0.1, -0.1, -0.1, -0.16], atol=1e-15)


# -- live recomputation (cheap: one run per case and library) --------------------------------------
@pytest.mark.parametrize("key", [k for k, c in CASES.items() if c.torch is not None])
def test_live_torch(key, data, ours):
    pytest.importorskip("torch")
    case = CASES[key]
    for prob in R.PROBLEMS:
        live = R.torch_trajectory(case.torch, case.hparams(0), prob, R.STARTS[prob][0])
        assert max_diff(live, ours(case, prob, 0)) <= TOL, prob
        assert max_diff(live, data[R.data_key("torch", key, prob, 0)]) <= TOL, prob


@pytest.mark.parametrize("key", [k for k, c in CASES.items() if c.optax or c.differs])
def test_live_optax(key, data, ours):
    pytest.importorskip("optax")
    case, prob = CASES[key], "quadratic"
    run = len(R.RUNS) - 1  # the second setting; run 0 is stored for every case
    setting, start = R.RUNS[run]
    if case.optax is not None:
        live = R.optax_trajectory(case.optax, case.hparams(setting), prob, R.STARTS[prob][start])
        assert max_diff(live, ours(case, prob, run)) <= TOL
    if case.differs is not None:
        live = R.optax_trajectory(case.differs, case.hparams(setting), prob, R.STARTS[prob][start])
        assert max_diff(live, data[R.data_key("differs", key, prob, run)]) <= TOL
        assert max_diff(live, ours(case, prob, run)) > 1e-6


def test_live_optax_rprop_is_one_step_stale(data):
    pytest.importorskip("optax")
    grads = data["rprop_fixed/grads"]
    live = R.optax_rprop_updates(grads, R.RPROP_FIXED["lr"])
    np.testing.assert_allclose(live, data["rprop_fixed/optax_updates"], rtol=0, atol=1e-15)
    check_optax_rprop_is_one_step_stale(live, grads, R.RPROP_FIXED["lr"])
