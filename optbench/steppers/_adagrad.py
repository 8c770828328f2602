"""AdaGrad: divide by the root of the sum of all past squared gradients."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from .._names import signature_defaults as defaults_of
from ._base import (
    LR,
    NONNEGATIVE,
    Stepper,
    check_ranges,
    learning_rate,
    make_label,
    publishes,
    safe_div,
    tree_cast_like,
    tree_full_like,
)


class AdagradState(NamedTuple):
    count: jax.Array  # number of updates done
    sum_sq: Any  # G_t = G_0 + sum_{s<=t} g_s**2


@publishes({"lr": LR, "eps": NONNEGATIVE, "initial_accumulator": NONNEGATIVE})
def adagrad(lr: Any = 0.01, eps: Any = 1e-10, initial_accumulator: Any = 0.0) -> Stepper:
    r"""AdaGrad, diagonal form (Duchi, Hazan & Singer 2011), as torch computes it.

    .. math::
       G_t = G_{t-1} + g_t^2,\quad G_0 = \texttt{initial\_accumulator}, \qquad
       \theta_t = \theta_{t-1} - \eta\, g_t / (\sqrt{G_t} + \epsilon)

    The effective step shrinks like :math:`1/\sqrt{t}` for gradients of constant size. Where
    :math:`G_t = 0` and :math:`\epsilon = 0` the update is 0.

    Args:
      lr: learning rate :math:`\eta > 0`, a number, a JAX array or a schedule. Default 0.01.
      eps: :math:`\epsilon \ge 0`, outside the root. Default 1e-10.
      initial_accumulator: :math:`G_0 \ge 0`. Default 0.

    Returns:
      A :class:`Stepper` equal to ``torch.optim.Adagrad(lr, eps=eps,
      initial_accumulator_value=initial_accumulator)``.

    Known difference: ``optax.adagrad(lr, initial_accumulator_value=0.1, eps=1e-7)`` starts at
    :math:`G_0 = 0.1` and puts :math:`\epsilon` inside the root; with
    ``initial_accumulator_value=G_0`` and ``eps=0`` on both sides they are equal.

    References:
      Duchi, Hazan & Singer (2011), Adaptive subgradient methods for online learning and stochastic
      optimization, JMLR 12:2121-2159.
    """
    values = {"lr": lr, "eps": eps, "initial_accumulator": initial_accumulator}
    check_ranges(adagrad.ranges, values, "adagrad")

    def init(params):
        return AdagradState(
            count=jnp.zeros([], jnp.int32), sum_sq=tree_full_like(params, initial_accumulator)
        )

    def update(grads, state, params=None, **extra):
        eta = learning_rate(lr, state.count)
        sum_sq = jax.tree.map(lambda s, g: s + g * g, state.sum_sq, grads)
        updates = jax.tree.map(lambda s, g: -eta * safe_div(g, jnp.sqrt(s) + eps), sum_sq, grads)
        return tree_cast_like(updates, grads), AdagradState(
            state.count + 1, tree_cast_like(sum_sq, grads)
        )

    hp = {"lr": lr, "eps": eps, "initial_accumulator": initial_accumulator}
    formula = r"G \leftarrow G + g^2,\ \theta \leftarrow \theta - \eta\, g / (\sqrt{G}+\epsilon)"
    return Stepper(
        init,
        update,
        "adagrad",
        hp,
        make_label("AdaGrad", hp, ("lr",), defaults_of(adagrad)),
        formula,
        adagrad,
    )
