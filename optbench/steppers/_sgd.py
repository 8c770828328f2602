"""Gradient descent, heavy-ball momentum and Nesterov momentum."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from .._errors import OptbenchError
from .._names import signature_defaults as defaults_of
from ._base import (
    LR,
    UNIT,
    Range,
    Stepper,
    check_choice,
    check_ranges,
    is_traced,
    learning_rate,
    make_label,
    publishes,
    shown_if_nonzero,
    tree_zeros_like,
)


class SGDState(NamedTuple):
    count: jax.Array  # number of updates done


class MomentumState(NamedTuple):
    count: jax.Array
    buffer: Any  # b_t, same tree as params


@publishes({"lr": LR})
def sgd(lr: Any) -> Stepper:
    r"""Plain gradient descent.

    .. math:: \theta_t = \theta_{t-1} - \eta\, g_t

    Args:
      lr: learning rate :math:`\eta > 0`, a number, a JAX array or a schedule ``count -> lr``.

    Returns:
      A :class:`Stepper`. Equals ``torch.optim.SGD(lr=lr)`` and ``optax.sgd(lr)``.

    >>> import jax.numpy as jnp
    >>> s = sgd(0.1); p = jnp.array([1.0, -2.0]); st = s.init(p)
    >>> u, st = s.update(2 * p, st, p); p + u     # f = sum(p**2)
    Array([ 0.8, -1.6], dtype=float32)
    """
    check_ranges(sgd.ranges, {"lr": lr}, "sgd")

    def init(params):
        return SGDState(count=jnp.zeros([], jnp.int32))

    def update(grads, state, params=None, **extra):
        eta = learning_rate(lr, state.count)
        updates = jax.tree.map(lambda g: (-eta * g).astype(g.dtype), grads)
        return updates, SGDState(count=state.count + 1)

    hp = {"lr": lr}
    return Stepper(
        init,
        update,
        "sgd",
        hp,
        make_label("SGD", hp, ("lr",), defaults_of(sgd)),
        r"\theta \leftarrow \theta - \eta g",
        sgd,
    )


@publishes({"lr": LR, "beta": UNIT, "dampening": Range(0.0, 1.0)})
def momentum(lr: Any, beta: Any = 0.9, form: str = "heavy_ball", dampening: Any = 0.0) -> Stepper:
    r"""Momentum, in torch's heavy-ball form or the lecture's exponentially-weighted form.

    ``form="heavy_ball"`` (torch ``SGD(lr, momentum=beta, dampening=dampening)``; optax
    ``sgd(lr, momentum=beta)`` when dampening is 0; Polyak 1964):

    .. math::
       b_1 = g_1,\quad b_t = \beta b_{t-1} + (1-\tau) g_t,\quad
       \theta_t = \theta_{t-1} - \eta\, b_t

    (torch does not dampen the first buffer value.)

    ``form="ema"`` (Andrew Ng's lecture form; equals torch ``SGD(lr=lr*(1-beta), momentum=beta)``):

    .. math::
       v_t = \beta v_{t-1} + (1-\beta) g_t,\ v_0 = 0,\quad \theta_t = \theta_{t-1} - \eta\, v_t

    Args:
      lr: learning rate :math:`\eta > 0` or a schedule.
      beta: momentum coefficient, :math:`0 \le \beta < 1`.
      form: ``"heavy_ball"`` or ``"ema"``.
      dampening: :math:`\tau \in [0, 1]`, heavy-ball form only.

    Returns:
      A :class:`Stepper`.

    References:
      Polyak (1964); Sutskever et al. (2013), ICML.
    """
    check_ranges(momentum.ranges, {"lr": lr, "beta": beta}, "momentum")
    check_choice("form", form, ("heavy_ball", "ema"), stepper="momentum")
    check_ranges(momentum.ranges, {"dampening": dampening}, "momentum")
    if form == "ema" and shown_if_nonzero(dampening) and not is_traced(dampening):
        raise OptbenchError(
            f"`dampening` of momentum (={dampening!r}) applies to "
            "form='heavy_ball' only; the ema form is already damped by (1-beta)."
        )

    def init(params):
        return MomentumState(count=jnp.zeros([], jnp.int32), buffer=tree_zeros_like(params))

    def update(grads, state, params=None, **extra):
        eta = learning_rate(lr, state.count)
        first = state.count == 0
        if form == "ema":
            buf = jax.tree.map(lambda b, g: beta * b + (1 - beta) * g, state.buffer, grads)
        else:
            buf = jax.tree.map(
                lambda b, g: jnp.where(first, g, beta * b + (1 - dampening) * g),
                state.buffer,
                grads,
            )
        updates = jax.tree.map(lambda b, g: (-eta * b).astype(g.dtype), buf, grads)
        buf = jax.tree.map(lambda b, g: b.astype(g.dtype), buf, grads)
        return updates, MomentumState(count=state.count + 1, buffer=buf)

    hp = {"lr": lr, "beta": beta, "form": form, "dampening": dampening}
    damped = r"(1-\tau) g" if shown_if_nonzero(dampening) else "g"
    formula = (
        r"v \leftarrow \beta v + (1-\beta) g,\ \theta \leftarrow \theta - \eta v"
        if form == "ema"
        else rf"b \leftarrow \beta b + {damped},\ \theta \leftarrow \theta - \eta b"
    )
    return Stepper(
        init,
        update,
        "momentum",
        hp,
        make_label("Momentum", hp, ("lr", "beta"), defaults_of(momentum), {"form": "EMA form"}),
        formula,
        momentum,
    )


@publishes({"lr": LR, "beta": UNIT})
def nesterov(lr: Any, beta: Any = 0.9) -> Stepper:
    r"""Nesterov momentum in torch's form.

    Equals torch ``SGD(lr, momentum=beta, nesterov=True)`` and
    ``optax.sgd(lr, momentum=beta, nesterov=True)``:

    .. math::
       b_1 = g_1,\quad b_t = \beta b_{t-1} + g_t,\quad
       \theta_t = \theta_{t-1} - \eta\,(g_t + \beta b_t)

    Relation to Sutskever's look-ahead form
    :math:`v_{t+1} = \beta v_t - \eta \nabla f(\theta_t + \beta v_t),\
    \theta_{t+1} = \theta_t + v_{t+1}`: with :math:`v = -\eta b` and a constant learning rate, the
    sequence reported here is Sutskever's *look-ahead point* :math:`\Theta_t = \theta_t + \beta v_t`
    (Bengio et al. 2012), so the gradient is always taken at the reported point and no second
    evaluation is needed. On a quadratic all these forms share the characteristic polynomial
    :math:`z^2 - (1-\eta\lambda)(1+\beta) z + (1-\eta\lambda)\beta`. With a learning-rate
    schedule they differ: torch (and this stepper) keep :math:`\eta` outside the buffer.

    Args:
      lr: learning rate :math:`\eta > 0` or a schedule.
      beta: momentum coefficient, :math:`0 \le \beta < 1`.

    References:
      Nesterov (1983); Sutskever et al. (2013); Bengio, Boulanger-Lewandowski & Pascanu (2012).
    """
    check_ranges(nesterov.ranges, {"lr": lr, "beta": beta}, "nesterov")

    def init(params):
        return MomentumState(count=jnp.zeros([], jnp.int32), buffer=tree_zeros_like(params))

    def update(grads, state, params=None, **extra):
        eta = learning_rate(lr, state.count)
        buf = jax.tree.map(lambda b, g: (beta * b + g).astype(g.dtype), state.buffer, grads)
        updates = jax.tree.map(lambda b, g: (-eta * (g + beta * b)).astype(g.dtype), buf, grads)
        return updates, MomentumState(count=state.count + 1, buffer=buf)

    hp = {"lr": lr, "beta": beta}
    return Stepper(
        init,
        update,
        "nesterov",
        hp,
        make_label("Nesterov", hp, ("lr", "beta"), defaults_of(nesterov)),
        r"b \leftarrow \beta b + g,\ \theta \leftarrow \theta - \eta (g + \beta b)",
        nesterov,
    )
