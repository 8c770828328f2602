"""Golden values: every stepper and variant on fixed gradient sequences, float64, to 1e-12.

Two kinds of reference: the numbers printed in the manual's math page (docs/math.md, section
"Golden sequences"; torch and optax agree on them) and hand calculations, and NumPy float64
transcriptions of the papers' update rules, written here coordinate by coordinate in the papers'
own notation, independently of optbench's vectorised code.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from optbench import steppers
from optbench.steppers import schedules

G1 = [1.0, 1.0, -1.0, 1.0, 0.5]  # the sequence of docs/math.md ("Golden sequences"), theta_0 = 0
# two coordinates, sign changes, exact zeros (a zero first gradient checks eps = 0)
G2 = np.array(
    [
        [0.0, -2.0],
        [1.0, 0.5],
        [-1.0, 0.25],
        [1.0, -3.0],
        [0.5, 0.0],
        [-0.25, 2.0],
        [2.0, 1.0],
        [0.0, -1.0],
        [0.75, -0.5],
        [-1.5, -0.5],
        [-1.0, 0.3],
        [0.2, 0.3],
    ]
)
E2 = np.array([5.0, 4.0, 4.5, 3.0, 3.5, 2.0, 2.5, 1.0, 1.5, 0.5, 0.7, 0.2])  # losses for irprop+
THETA0 = np.array([0.5, -1.0])


def path(stepper, grads, theta0=None, values=None):
    """The iterates theta_1..theta_T of ``stepper`` fed a fixed gradient sequence (float64)."""
    grads = np.asarray(grads, dtype=np.float64).reshape(len(grads), -1)
    with jax.enable_x64(True):
        theta = jnp.zeros(grads.shape[1]) if theta0 is None else jnp.asarray(theta0, jnp.float64)
        state, out = stepper.init(theta), []
        for t, g in enumerate(grads):
            extra = {} if values is None else {"value": values[t]}
            updates, state = stepper.update(jnp.asarray(g), state, theta, **extra)
            theta = theta + updates
            out.append(np.asarray(theta))
    return np.stack(out)


# -- the numbers of docs/math.md ("Golden sequences") and hand calculations -----------------------
DOC = [
    (steppers.momentum(0.1, beta=0.9), [-0.1, -0.29, -0.361, -0.5249, -0.72241]),
    (steppers.nesterov(0.1, beta=0.9), [-0.19, -0.461, -0.4249, -0.67241, -0.900169]),
    (
        steppers.rmsprop(lr=0.01),
        [-0.09999999, -0.1708881055, -0.1128632004, -0.1632399193, -0.1877810109],
    ),
    (steppers.rprop(lr=0.1), [-0.1, -0.22, -0.22, -0.28, -0.352]),
    (
        steppers.adam(lr=0.1),
        [-0.099999999, -0.199999998, -0.2261992597, -0.2738584625, -0.3261813666],
    ),
    (steppers.adagrad(lr=0.1), [-0.1, -0.1707106781, -0.1129756512, -0.1629756512, -0.1872292137]),
]


@pytest.mark.parametrize("stepper, expected", DOC, ids=[s.name for s, _ in DOC])
def test_printed_golden_values(stepper, expected):
    # printed to 10 significant digits in the source, so compared to that precision
    np.testing.assert_allclose(path(stepper, G1)[:, 0], expected, rtol=0, atol=1.1e-10)


HAND = {
    # step 3 flips the sign: Rprop+ takes back its -0.12; Rprop- steps +0.06; iRprop- stays
    ("rprop+", None): [-0.1, -0.22, -0.1, -0.16, -0.232],
    ("rprop-", None): [-0.1, -0.22, -0.16, -0.19, -0.226],
    ("irprop-", None): [-0.1, -0.22, -0.22, -0.28, -0.352],
    ("irprop+", (3.0, 2.0, 2.5, 2.0, 1.0)): [-0.1, -0.22, -0.1, -0.16, -0.232],  # loss went up
    ("irprop+", (3.0, 2.0, 1.5, 1.0, 0.5)): [-0.1, -0.22, -0.22, -0.28, -0.352],  # loss went down
}


@pytest.mark.parametrize("variant, values", list(HAND), ids=[f"{v}-{bool(e)}" for v, e in HAND])
def test_rprop_variants_by_hand(variant, values):
    got = path(steppers.rprop(lr=0.1, variant=variant), G1, values=values)[:, 0]
    np.testing.assert_allclose(got, HAND[(variant, values)], rtol=0, atol=1e-15)


def test_rprop_clamps_even_without_a_sign_change():
    # torch.optim.Rprop(lr=100) clips the very first step to max_step = 50 (docs/math.md, Rprop)
    assert path(steppers.rprop(lr=100.0), [2.0, 1.0])[:, 0].tolist() == [-50.0, -100.0]


def test_momentum_ema_and_dampening_by_hand():
    # ema: v = 0.5, 0.75, -0.125 -> theta = -0.05, -0.125, -0.1125 (lr 0.1, beta 0.5)
    got = path(steppers.momentum(0.1, beta=0.5, form="ema"), [1.0, 1.0, -1.0])[:, 0]
    np.testing.assert_allclose(got, [-0.05, -0.125, -0.1125], rtol=0, atol=1e-15)
    # torch does not dampen the first buffer value: steps 1.0 then 1.4 (docs/math.md, Momentum)
    got = path(steppers.momentum(1.0, beta=0.9, dampening=0.5), [1.0, 1.0])[:, 0]
    np.testing.assert_allclose(got, [-1.0, -2.4], rtol=0, atol=1e-15)


# -- NumPy transcriptions of the papers' rules -----------------------------------------------------
def np_momentum(grads, lr, beta, dampening=0.0, form="heavy_ball", nesterov=False):
    theta, b, out = np.zeros(grads.shape[1]), np.zeros(grads.shape[1]), []
    for t, g in enumerate(grads):
        if form == "ema":
            b = beta * b + (1 - beta) * g
        else:
            b = g.copy() if t == 0 else beta * b + (1 - dampening) * g
        theta = theta - lr(t) * (g + beta * b if nesterov else b)
        out.append(theta)
    return np.array(out)


def np_rmsprop(grads, lr, decay, eps, eps_in_sqrt=False, centered=False, momentum=0.0):
    v, gbar, b, theta = (np.zeros(grads.shape[1]) for _ in range(4))
    out = []
    for g in grads:
        v = decay * v + (1 - decay) * g**2
        gbar = decay * gbar + (1 - decay) * g
        s = v - gbar**2 if centered else v
        d = np.sqrt(s + eps) if eps_in_sqrt else np.sqrt(s) + eps
        with np.errstate(invalid="ignore"):
            b = momentum * b + np.where(d > 0, g / d, 0.0)
        theta = theta - lr * b
        out.append(theta)
    return np.array(out)


def np_rprop(grads, lr, variant, values=None, eta_minus=0.5, eta_plus=1.2, dmin=1e-6, dmax=50.0):
    """Igel & Hüsken (2000), Figs. 1-4, one weight at a time, with torch's clip on every step."""
    n = grads.shape[1]
    delta, g_star, dw, theta = [lr] * n, [0.0] * n, [0.0] * n, [0.0] * n
    e_prev, out = np.inf, []
    for t, gt in enumerate(grads):
        for i in range(n):
            g, s = gt[i], g_star[i] * gt[i]
            if s > 0:
                delta[i] = min(delta[i] * eta_plus, dmax)
            elif s < 0:
                delta[i] = max(delta[i] * eta_minus, dmin)
            else:
                delta[i] = min(max(delta[i], dmin), dmax)
            if s < 0 and variant == "rprop+":
                dw[i] = -dw[i]
                g = 0.0
            elif s < 0 and variant == "irprop+":
                dw[i] = -dw[i] if values[t] > e_prev else 0.0
                g = 0.0
            elif s < 0 and variant == "irprop-":
                g = 0.0
                dw[i] = 0.0
            else:
                dw[i] = -np.sign(g) * delta[i]
            theta[i] += dw[i]
            g_star[i] = g
        if values is not None:
            e_prev = values[t]
        out.append(list(theta))
    return np.array(out)


def np_adam(
    grads,
    lr,
    b1=0.9,
    b2=0.999,
    eps=1e-8,
    eps_in_sqrt=False,
    bias_correction=True,
    amsgrad=False,
    weight_decay=None,
    theta0=None,
):
    m, v, vmax = (np.zeros(grads.shape[1]) for _ in range(3))
    theta, out = (np.zeros(grads.shape[1]) if theta0 is None else theta0.copy()), []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        vmax = np.maximum(vmax, v)
        vv = vmax if amsgrad else v
        mh, vh = (m / (1 - b1**t), vv / (1 - b2**t)) if bias_correction else (m, vv)
        step = mh / (np.sqrt(vh + eps) if eps_in_sqrt else np.sqrt(vh) + eps)
        if weight_decay is not None:
            step = step + weight_decay * theta
        theta = theta - lr * step
        out.append(theta)
    return np.array(out)


def np_adagrad(grads, lr, eps=1e-10, g0=0.0):
    acc, theta, out = np.full(grads.shape[1], g0), np.zeros(grads.shape[1]), []
    for g in grads:
        acc = acc + g**2
        d = np.sqrt(acc) + eps
        with np.errstate(invalid="ignore"):
            theta = theta - lr * np.where(d > 0, g / d, 0.0)
        out.append(theta)
    return np.array(out)


def const(lr):
    return lambda t: lr


TRANSCRIBED = {
    "sgd": (steppers.sgd(0.1), lambda: np_momentum(G2, const(0.1), 0.0)),
    "heavy_ball": (steppers.momentum(0.1, 0.9), lambda: np_momentum(G2, const(0.1), 0.9)),
    "heavy_ball_dampened": (
        steppers.momentum(0.1, 0.8, dampening=0.3),
        lambda: np_momentum(G2, const(0.1), 0.8, dampening=0.3),
    ),
    "ema": (
        steppers.momentum(0.1, 0.7, form="ema"),
        lambda: np_momentum(G2, const(0.1), 0.7, form="ema"),
    ),
    "nesterov": (
        steppers.nesterov(0.1, 0.8),
        lambda: np_momentum(G2, const(0.1), 0.8, nesterov=True),
    ),
    "momentum_schedule": (
        steppers.momentum(schedules.Exponential(0.1, 0.8), 0.9),
        lambda: np_momentum(G2, lambda t: 0.1 * 0.8**t, 0.9),
    ),
    "rmsprop": (steppers.rmsprop(0.01), lambda: np_rmsprop(G2, 0.01, 0.99, 1e-8)),
    "rmsprop_eps_in_sqrt": (
        steppers.rmsprop(0.01, decay=0.9, eps=1e-3, eps_in_sqrt=True),
        lambda: np_rmsprop(G2, 0.01, 0.9, 1e-3, eps_in_sqrt=True),
    ),
    "rmsprop_lecture_eps0": (
        steppers.rmsprop(0.01, decay=0.9, eps=0.0, eps_in_sqrt=True),
        lambda: np_rmsprop(G2, 0.01, 0.9, 0.0, eps_in_sqrt=True),
    ),
    "rmsprop_eps0": (steppers.rmsprop(0.01, eps=0.0), lambda: np_rmsprop(G2, 0.01, 0.99, 0.0)),
    "rmsprop_centered": (
        steppers.rmsprop(0.01, decay=0.9, centered=True),
        lambda: np_rmsprop(G2, 0.01, 0.9, 1e-8, centered=True),
    ),
    "rmsprop_momentum": (
        steppers.rmsprop(0.01, momentum=0.8),
        lambda: np_rmsprop(G2, 0.01, 0.99, 1e-8, momentum=0.8),
    ),
    "rmsprop_centered_momentum": (
        steppers.rmsprop(0.01, decay=0.95, eps=1e-4, eps_in_sqrt=True, centered=True, momentum=0.5),
        lambda: np_rmsprop(G2, 0.01, 0.95, 1e-4, eps_in_sqrt=True, centered=True, momentum=0.5),
    ),
    "rprop+": (steppers.rprop(0.1, variant="rprop+"), lambda: np_rprop(G2, 0.1, "rprop+")),
    "rprop-": (steppers.rprop(0.1, variant="rprop-"), lambda: np_rprop(G2, 0.1, "rprop-")),
    "irprop-": (steppers.rprop(0.1, variant="irprop-"), lambda: np_rprop(G2, 0.1, "irprop-")),
    "irprop+": (steppers.rprop(0.1, variant="irprop+"), lambda: np_rprop(G2, 0.1, "irprop+", E2)),
    "rprop_tight": (
        steppers.rprop(0.3, eta_minus=0.3, eta_plus=1.5, min_step=0.05, max_step=0.5),
        lambda: np_rprop(G2, 0.3, "irprop-", None, 0.3, 1.5, 0.05, 0.5),
    ),
    "adam": (steppers.adam(0.1), lambda: np_adam(G2, 0.1)),
    "adam_eps_in_sqrt": (
        steppers.adam(0.1, eps=1e-3, eps_in_sqrt=True),
        lambda: np_adam(G2, 0.1, eps=1e-3, eps_in_sqrt=True),
    ),
    "adam_no_bias_correction": (
        steppers.adam(0.1, bias_correction=False),
        lambda: np_adam(G2, 0.1, bias_correction=False),
    ),
    "amsgrad": (
        steppers.adam(0.1, b2=0.9, amsgrad=True),
        lambda: np_adam(G2, 0.1, b2=0.9, amsgrad=True),
    ),
    "amsgrad_paper": (
        steppers.adam(0.1, b1=0.8, b2=0.9, amsgrad=True, bias_correction=False),
        lambda: np_adam(G2, 0.1, 0.8, 0.9, amsgrad=True, bias_correction=False),
    ),
    "amsgrad_eps_in_sqrt": (
        steppers.adam(0.1, b2=0.9, eps=1e-3, eps_in_sqrt=True, amsgrad=True),
        lambda: np_adam(G2, 0.1, b2=0.9, eps=1e-3, eps_in_sqrt=True, amsgrad=True),
    ),
    "adagrad": (steppers.adagrad(0.1), lambda: np_adagrad(G2, 0.1)),
    "adagrad_eps0": (steppers.adagrad(0.1, eps=0.0), lambda: np_adagrad(G2, 0.1, eps=0.0)),
    "adagrad_initial": (
        steppers.adagrad(0.1, initial_accumulator=0.1),
        lambda: np_adagrad(G2, 0.1, g0=0.1),
    ),
}


@pytest.mark.parametrize("key", list(TRANSCRIBED))
def test_equals_numpy_transcription(key):
    stepper, reference = TRANSCRIBED[key]
    values = E2 if key == "irprop+" else None
    got = path(stepper, G2, values=values)
    want = reference()
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_adamw_equals_numpy_transcription():
    got = path(steppers.adamw(0.1, weight_decay=0.3), G2, theta0=THETA0)
    np.testing.assert_allclose(
        got, np_adam(G2, 0.1, weight_decay=0.3, theta0=THETA0), rtol=0, atol=1e-12
    )


def test_variants_really_differ():
    """The transcriptions above would be a weak check if the variants happened to coincide on G2."""
    paths = {
        k: path(TRANSCRIBED[k][0], G2, values=E2 if k == "irprop+" else None)
        for k in ("rprop+", "rprop-", "irprop-", "irprop+")
    }
    keys = list(paths)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            assert np.max(np.abs(paths[a] - paths[b])) > 1e-3, (a, b)
