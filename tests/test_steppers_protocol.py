"""The stepper protocol: jit vs eager, vmap vs loop, dtypes, no recompiles, validation, registry."""

import inspect

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from optbench import OptbenchError, steppers

# every stepper and every variant: (registry name, hyperparameters)
KINDS = {
    "sgd": ("sgd", {"lr": 0.05}),
    "heavy_ball": ("momentum", {"lr": 0.05, "beta": 0.8, "dampening": 0.1}),
    "ema": ("momentum", {"lr": 0.1, "beta": 0.8, "form": "ema"}),
    "nesterov": ("nesterov", {"lr": 0.05, "beta": 0.8}),
    "rmsprop": ("rmsprop", {"lr": 0.02}),
    "rmsprop_all": (
        "rmsprop",
        {"lr": 0.02, "eps": 1e-4, "eps_in_sqrt": True, "centered": True, "momentum": 0.5},
    ),
    "rprop+": ("rprop", {"lr": 0.1, "variant": "rprop+"}),
    "rprop-": ("rprop", {"lr": 0.1, "variant": "rprop-"}),
    "irprop+": ("rprop", {"lr": 0.1, "variant": "irprop+"}),
    "irprop-": ("rprop", {"lr": 0.1}),
    "adam": ("adam", {"lr": 0.05}),
    "adam_variants": (
        "adam",
        {"lr": 0.05, "eps_in_sqrt": True, "bias_correction": False, "amsgrad": True},
    ),
    "adagrad": ("adagrad", {"lr": 0.2}),
    "adamw": ("adamw", {"lr": 0.05, "weight_decay": 0.1}),
}
NUMERIC = (int, float)


def loss_fn(params):
    c = jnp.array([1.0, 4.0, 0.5], params["w"].dtype)
    return jnp.sum(c * (params["w"] - 1.0) ** 2) + 3.0 * (params["b"] + 0.2) ** 2


def start(dtype):
    return {"w": jnp.array([1.5, -0.5, 2.0], dtype), "b": jnp.array(0.7, dtype)}


def make(kind, **changes):
    name, hp = KINDS[kind]
    return steppers.get(name, **{**hp, **changes})


def numeric(kind):
    return {
        k: v
        for k, v in KINDS[kind][1].items()
        if isinstance(v, NUMERIC) and not isinstance(v, bool)
    }


def static(kind):
    return {k: v for k, v in KINDS[kind][1].items() if k not in numeric(kind)}


value_and_grad = jax.jit(jax.value_and_grad(loss_fn))  # eager paths run the stepper eagerly only


def step(stepper, params, state):
    loss, grads = value_and_grad(params)
    updates, state = stepper.update(grads, state, params, value=loss)
    return jax.tree.map(lambda p, u: p + u, params, updates), state, updates


def eager_path(stepper, params, steps):
    state, out = stepper.init(params), []
    for _ in range(steps):
        params, state, _ = step(stepper, params, state)
        out.append(params)
    return jax.tree.map(lambda *xs: np.stack(xs), *out)


def assert_trees_close(a, b, rtol, atol):
    jax.tree.map(lambda x, y: np.testing.assert_allclose(x, y, rtol=rtol, atol=atol), a, b)


@pytest.mark.parametrize("kind", list(KINDS))
def test_jit_vmap_over_lr_equals_eager_loop_and_does_not_recompile(kind, x64):
    """One compiled, vmapped run over learning rates (all numeric hyperparameters traced) equals
    eager Python loops, and a second call with new values reuses the compiled code."""
    name, traces = KINDS[kind][0], []

    def final(hp):
        stepper = steppers.get(name, **static(kind), **hp)
        params = start(jnp.float64)

        def body(carry, _):
            return step(stepper, *carry)[:2], None

        (params, _), _ = jax.lax.scan(body, (params, stepper.init(params)), None, length=6)
        return params

    @jax.jit
    def batched(hp):
        traces.append(1)  # runs only while tracing
        return jax.vmap(final)(hp)

    for lrs in ([0.01, 0.03, 0.1], [0.02, 0.05, 0.2]):
        hp = {
            **{k: jnp.full(3, v, jnp.float64) for k, v in numeric(kind).items()},
            "lr": jnp.asarray(lrs),
        }
        out = batched(hp)
        for i, lr in enumerate(lrs):
            looped = eager_path(make(kind, lr=lr), start(jnp.float64), 6)
            lane = jax.tree.map(lambda x, i=i: x[i], out)
            assert_trees_close(lane, jax.tree.map(lambda x: x[-1], looped), 1e-12, 1e-13)
    assert len(traces) == 1
    assert np.max(np.abs(out["w"][0] - out["w"][2])) > 1e-3  # the learning rate matters


@pytest.mark.parametrize("kind", list(KINDS))
def test_float32_agrees_with_float64_and_dtypes_are_kept(kind):
    with jax.enable_x64(True):
        p64 = eager_path(make(kind), start(jnp.float64), 10)
        # float32 params with float64 JAX-array hyperparameters still give float32 everywhere
        hp64 = {k: jnp.asarray(v, jnp.float64) for k, v in numeric(kind).items()}
        stepper = steppers.get(KINDS[kind][0], **static(kind), **hp64)
        for dtype in (jnp.float32, jnp.float64):
            params = start(dtype)
            state = stepper.init(params)
            for _ in range(2):
                params, state, updates = step(stepper, params, state)
            for leaf in jax.tree.leaves((params, updates)):
                assert leaf.dtype == dtype
            for field, value in state._asdict().items():
                for leaf in jax.tree.leaves(value):
                    assert leaf.dtype == (jnp.int32 if field == "count" else dtype), field
    p32 = eager_path(make(kind), start(jnp.float32), 10)
    assert_trees_close(p32, p64, 1e-5, 1e-5)


def test_schedule_keeps_dtype_and_matches_lr_sequence(x64):
    sched = steppers.schedules.StepDecay(0.1, every=2, factor=0.5)
    stepper = steppers.sgd(sched)
    params = {"w": jnp.ones(2, jnp.float32)}
    state, lrs = stepper.init(params), []
    for _ in range(5):
        updates, state = stepper.update({"w": jnp.ones(2, jnp.float32)}, state, params)
        assert updates["w"].dtype == jnp.float32
        lrs.append(-float(updates["w"][0]))
    np.testing.assert_allclose(lrs, [0.1, 0.1, 0.05, 0.05, 0.025], rtol=1e-7)


# -- the public names and defaults of issue 2 ------------------------------------------------------
SIGNATURES = {
    "sgd": "(lr)",
    "momentum": "(lr, beta=0.9, form='heavy_ball', dampening=0.0)",
    "nesterov": "(lr, beta=0.9)",
    "rmsprop": "(lr=0.01, decay=0.99, eps=1e-08, eps_in_sqrt=False, centered=False, momentum=0.0)",
    "rprop": "(lr=0.01, eta_minus=0.5, eta_plus=1.2, min_step=1e-06, max_step=50.0, "
    "variant='irprop-')",
    "adam": "(lr=0.001, b1=0.9, b2=0.999, eps=1e-08, eps_in_sqrt=False, bias_correction=True, "
    "amsgrad=False)",
    "adagrad": "(lr=0.01, eps=1e-10, initial_accumulator=0.0)",
    "adamw": "(lr=0.001, b1=0.9, b2=0.999, eps=1e-08, weight_decay=0.01)",
}


def test_factory_names_and_defaults():
    assert set(SIGNATURES) <= set(steppers.names())
    for name, sig in SIGNATURES.items():
        params = inspect.signature(getattr(steppers, name)).parameters.values()
        assert (
            "("
            + ", ".join(
                str(p).split(":")[0] + ("" if p.default is p.empty else f"={p.default!r}")
                for p in params
            )
            + ")"
            == sig
        ), name
        s = steppers.get(name, lr=0.1)
        assert s.name == name and s.factory is getattr(steppers, name) and s.formula
        assert s.label.endswith("(lr=0.1)") or "lr=0.1," in s.label


def test_labels_name_the_variant():
    assert steppers.rprop(variant="rprop+").label == "Rprop+ (lr=0.01)"
    assert steppers.adam(amsgrad=True).label == "AMSGrad (lr=0.001)"
    assert steppers.rmsprop(momentum=0.9).label == "RMSprop (lr=0.01, decay=0.99, momentum=0.9)"
    cos = steppers.schedules.Cosine(0.1, steps=200)
    assert steppers.adam(cos).label == "Adam (lr=cosine(0.1→0 in 200))"
    assert r"\sqrt{\hat v+\epsilon}" in steppers.adam(eps_in_sqrt=True).formula


def test_registry_errors_and_user_steppers():
    with pytest.raises(OptbenchError, match=r"unknown stepper 'adma'; did you mean 'adam'\?"):
        steppers.get("adma")
    with pytest.raises(
        OptbenchError, match=r"no hyperparameter 'variants'.*Did you mean 'variant'"
    ):
        steppers.get("rprop", variants="rprop+")

    def halved_sgd(lr: float = 0.1):
        return steppers.sgd(lr / 2)

    steppers.register("halved_sgd_for_test", halved_sgd)
    try:
        assert steppers.get("halved_sgd_for_test").hparams == {"lr": 0.05}
        assert steppers.defaults("halved_sgd_for_test") == {"lr": 0.1}
    finally:
        steppers._registry._FACTORIES.pop("halved_sgd_for_test")


# -- validation ------------------------------------------------------------------------------------
BAD = [
    (steppers.sgd, {"lr": 0.0}, "`lr` of sgd (=0.0)"),
    (steppers.sgd, {"lr": float("nan")}, "`lr` of sgd (=nan)"),
    (
        steppers.momentum,
        {"lr": 0.1, "beta": 1.0},
        "`beta` of momentum (=1.0) must satisfy 0.0 <= beta < 1.0",
    ),
    (steppers.momentum, {"lr": 0.1, "form": "emma"}, "Did you mean 'ema'?"),
    (
        steppers.momentum,
        {"lr": 0.1, "form": "ema", "dampening": 0.5},
        "`dampening` of momentum (=0.5) applies to form='heavy_ball' only",
    ),
    (steppers.nesterov, {"lr": 0.1, "beta": -0.1}, "`beta` of nesterov (=-0.1)"),
    (steppers.rmsprop, {"decay": 1.5}, "`decay` of rmsprop (=1.5) must satisfy 0.0 <= decay < 1.0"),
    (steppers.rmsprop, {"eps": -1e-8}, "`eps` of rmsprop (=-1e-08) must satisfy 0.0 <= eps"),
    (steppers.rmsprop, {"centered": "yes"}, "`centered` of rmsprop (='yes') must be True or False"),
    (steppers.rmsprop, {"momentum": 1.0}, "`momentum` of rmsprop (=1.0)"),
    (
        steppers.rprop,
        {"eta_minus": 1.0},
        "`eta_minus` of rprop (=1.0) must satisfy 0.0 < eta_minus < 1.0",
    ),
    (steppers.rprop, {"eta_plus": 0.9}, "`eta_plus` of rprop (=0.9) must satisfy 1.0 < eta_plus"),
    (steppers.rprop, {"min_step": 0.0}, "`min_step` of rprop (=0.0) must satisfy 0.0 < min_step"),
    (
        steppers.rprop,
        {"min_step": 1.0, "max_step": 0.5},
        "`min_step` of rprop (=1.0) must be <= `max_step` (=0.5)",
    ),
    (
        steppers.rprop,
        {"variant": "irprop"},
        "`variant` of rprop (='irprop') must be one of 'rprop+', ",
    ),
    (steppers.rprop, {"lr": steppers.schedules.Constant(0.1)}, "`lr` of rprop"),
    (steppers.adam, {"b1": 1.0}, "`b1` of adam (=1.0) must satisfy 0.0 <= b1 < 1.0"),
    (steppers.adam, {"b2": -0.5}, "`b2` of adam (=-0.5)"),
    (steppers.adam, {"amsgrad": 1}, "`amsgrad` of adam (=1) must be True or False"),
    (steppers.adagrad, {"initial_accumulator": -1.0}, "`initial_accumulator` of adagrad (=-1.0)"),
    (steppers.adamw, {"weight_decay": -0.1}, "`weight_decay` of adamw (=-0.1)"),
    (steppers.adam, {"lr": jnp.array(-1.0)}, "`lr` of adam (=Array(-1., dtype=float32"),
]


@pytest.mark.parametrize("factory, kwargs, message", BAD, ids=[m.split(")")[0] for *_, m in BAD])
def test_bad_hyperparameters_are_named(factory, kwargs, message):
    with pytest.raises(OptbenchError) as err:
        factory(**kwargs)
    assert message in str(err.value)
    assert isinstance(err.value, ValueError) and str(err.value).endswith((".", "?"))


def test_traced_hyperparameters_pass_unchecked():
    def first_update(lr, beta):
        s = steppers.rmsprop(lr=lr, decay=beta, momentum=beta)
        return s.update(jnp.ones(2), s.init(jnp.zeros(2)))[0]

    out = jax.jit(first_update)(-1.0, 0.5)  # invalid but traced: computed, not checked
    np.testing.assert_allclose(out, 1.0 / (np.sqrt(0.5) + 1e-8), rtol=1e-6)


def test_irprop_plus_needs_the_loss():
    s = steppers.rprop(variant="irprop+")
    with pytest.raises(
        OptbenchError,
        match=r"'irprop\+' needs the loss: call update\(grads, state, params, value=loss\)",
    ):
        s.update(jnp.ones(2), s.init(jnp.zeros(2)), jnp.zeros(2))


def test_adamw_needs_params():
    s = steppers.adamw()
    with pytest.raises(OptbenchError, match="adamw needs the parameters"):
        s.update(jnp.ones(2), s.init(jnp.zeros(2)))
