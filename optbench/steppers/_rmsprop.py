"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from .._names import signature_defaults as defaults_of
from ._base import (
    LR,
    NONNEGATIVE,
    UNIT,
    Stepper,
    check_flag,
    check_ranges,
    learning_rate,
    make_label,
    publishes,
    safe_div,
    tree_cast_like,
    tree_zeros_like,
)


class RMSpropState(NamedTuple):
    count: jax.Array  # number of updates done
    square_avg: Any  # v_t, the running mean of g**2
    grad_avg: Any  # gbar_t, the running mean of g (centered only, else None)
    momentum_buffer: Any  # b_t, zero-initialised as in torch


# how a label says a switch that is not at its default
_WORDS = {"eps_in_sqrt": "eps inside the root", "centered": "centered"}


@publishes({"lr": LR, "decay": UNIT, "eps": NONNEGATIVE, "momentum": UNIT})
def rmsprop(
    lr: Any = 0.01,
    decay: Any = 0.99,
    eps: Any = 1e-8,
    eps_in_sqrt: bool = False,
    centered: bool = False,
    momentum: Any = 0.0,
) -> Stepper:
    r"""RMSprop (Hinton, Lecture 6e), with torch's defaults, eps placement and momentum.

    .. math::
       v_t = \rho\, v_{t-1} + (1-\rho)\, g_t^2, \qquad v_0 = 0

       s_t = v_t \quad\text{or, centered,}\quad
       s_t = v_t - \bar g_t^2,\ \ \bar g_t = \rho\, \bar g_{t-1} + (1-\rho)\, g_t,\ \ \bar g_0 = 0

       d_t = \sqrt{s_t} + \epsilon \quad\text{(default, torch)}
       \qquad\text{or}\qquad d_t = \sqrt{s_t + \epsilon} \quad(\texttt{eps\_in\_sqrt=True})

       b_t = \mu\, b_{t-1} + g_t / d_t,\quad b_0 = 0, \qquad \theta_t = \theta_{t-1} - \eta\, b_t

    With ``momentum=0`` this is :math:`\theta_t = \theta_{t-1} - \eta\, g_t / d_t`. The learning
    rate is outside the momentum buffer (torch); optax and Graves (2013) put it inside, which
    differs only when :math:`\eta` follows a schedule. There is no bias correction. With ``eps=0``
    (the lecture writes none) a coordinate whose gradients have all been 0 gets update 0, not 0/0.

    Args:
      lr: learning rate :math:`\eta > 0`, a number, a JAX array or a schedule. Default 0.01.
      decay: :math:`0 \le \rho < 1` (torch's ``alpha``). Default 0.99.
      eps: :math:`\epsilon \ge 0`. Default 1e-8.
      eps_in_sqrt: False: :math:`\epsilon` outside the root (torch). True: inside (the
        Keras/TF1/optax form; the lecture's rule has no :math:`\epsilon`).
      centered: divide by the running standard deviation instead of the RMS (Graves 2013).
      momentum: :math:`0 \le \mu < 1`. Default 0.

    Returns:
      A :class:`Stepper` equal to ``torch.optim.RMSprop(lr, alpha=decay, eps=eps, centered=centered,
      momentum=momentum)`` (``eps_in_sqrt=False``), and to ``optax.rmsprop(lr, decay=decay, eps=eps,
      eps_in_sqrt=eps_in_sqrt, centered=centered, momentum=momentum or None)`` for a constant
      ``lr``.

    Known differences: optax's *default* is ``decay=0.9, eps_in_sqrt=True`` and torch's is
    ``alpha=0.99`` with :math:`\epsilon` outside: the same :math:`\rho` still gives different
    trajectories unless ``eps_in_sqrt`` is set to match. TF1 starts :math:`v_0 = 1`.

    >>> import jax.numpy as jnp
    >>> s = rmsprop(lr=0.01); p = jnp.array([1.0]); u, st = s.update(2 * p, s.init(p), p)
    >>> round(float(u[0]), 6)   # the first step is ~ -lr * sign(g) / sqrt(1 - rho)
    -0.1

    References:
      Hinton, Srivastava & Swersky (2012), Neural Networks for Machine Learning, Lecture 6e;
      Graves (2013), Generating sequences with recurrent neural networks, arXiv:1308.0850, §4.
    """
    check_ranges(rmsprop.ranges, {"lr": lr, "decay": decay, "eps": eps}, "rmsprop")
    check_flag("eps_in_sqrt", eps_in_sqrt, stepper="rmsprop")
    check_flag("centered", centered, stepper="rmsprop")
    check_ranges(rmsprop.ranges, {"momentum": momentum}, "rmsprop")

    def init(params):
        return RMSpropState(
            count=jnp.zeros([], jnp.int32),
            square_avg=tree_zeros_like(params),
            grad_avg=tree_zeros_like(params) if centered else None,
            momentum_buffer=tree_zeros_like(params),
        )

    def update(grads, state, params=None, **extra):
        eta = learning_rate(lr, state.count)
        v = jax.tree.map(lambda v, g: decay * v + (1 - decay) * g * g, state.square_avg, grads)
        if centered:
            gbar = jax.tree.map(lambda m, g: decay * m + (1 - decay) * g, state.grad_avg, grads)
            # v - gbar^2 >= 0 in exact arithmetic; clamp the rounding so sqrt never sees -1e-20
            s = jax.tree.map(lambda v, m: jnp.maximum(v - m * m, 0), v, gbar)
        else:
            gbar, s = None, v
        if eps_in_sqrt:
            denom = jax.tree.map(lambda s: jnp.sqrt(s + eps), s)
        else:
            denom = jax.tree.map(lambda s: jnp.sqrt(s) + eps, s)
        buf = jax.tree.map(
            lambda b, g, d: momentum * b + safe_div(g, d), state.momentum_buffer, grads, denom
        )
        updates = tree_cast_like(jax.tree.map(lambda b: -eta * b, buf), grads)
        new_state = RMSpropState(
            count=state.count + 1,
            square_avg=tree_cast_like(v, grads),
            grad_avg=None if gbar is None else tree_cast_like(gbar, grads),
            momentum_buffer=tree_cast_like(buf, grads),
        )
        return updates, new_state

    hp = {
        "lr": lr,
        "decay": decay,
        "eps": eps,
        "eps_in_sqrt": eps_in_sqrt,
        "centered": centered,
        "momentum": momentum,
    }
    root = r"\sqrt{s+\epsilon}" if eps_in_sqrt else r"(\sqrt{s}+\epsilon)"
    s_def = r"s = v - \bar g^2" if centered else r"s = v"
    formula = (
        rf"v \leftarrow \rho v + (1-\rho) g^2,\ {s_def},\ "
        rf"\theta \leftarrow \theta - \eta\, g / {root}"
    )
    return Stepper(
        init,
        update,
        "rmsprop",
        hp,
        make_label("RMSprop", hp, ("lr", "decay"), defaults_of(rmsprop), _WORDS),
        formula,
        rmsprop,
    )
