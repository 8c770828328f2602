"""AdamW: Adam with decoupled weight decay."""

from __future__ import annotations

from typing import Any

import jax

from .._errors import OptbenchError
from .._names import signature_defaults as defaults_of
from ._adam import RANGES as ADAM_RANGES
from ._adam import adam_direction, adam_init, check_adam
from ._base import (
    NONNEGATIVE,
    Stepper,
    check_ranges,
    learning_rate,
    make_label,
    publishes,
    tree_cast_like,
)


@publishes({**ADAM_RANGES, "weight_decay": NONNEGATIVE})
def adamw(
    lr: Any = 1e-3,
    b1: Any = 0.9,
    b2: Any = 0.999,
    eps: Any = 1e-8,
    weight_decay: Any = 1e-2,
) -> Stepper:
    r"""AdamW (Loshchilov & Hutter 2019): Adam plus a weight decay that bypasses the moments.

    .. math::
       \theta_t = \theta_{t-1} - \eta_t\big(\hat m_t / (\sqrt{\hat v_t} + \epsilon)
       + \lambda\, \theta_{t-1}\big)

    with :math:`\hat m_t, \hat v_t` exactly as in :func:`~optbench.steppers.adam` (same state,
    :class:`AdamState`). The decay :math:`\lambda` is multiplied by the full learning rate
    :math:`\eta_t`, as in torch and optax, so :math:`\lambda = \lambda_{paper}/\alpha`. Coupled L2
    (adding :math:`\lambda\theta` to :math:`g`) would instead be divided by :math:`\sqrt{\hat v}`.

    Args:
      lr: learning rate :math:`\eta > 0`, a number, a JAX array or a schedule. Default 1e-3.
      b1, b2: :math:`0 \le \beta_1, \beta_2 < 1`. Defaults 0.9, 0.999.
      eps: :math:`\epsilon \ge 0`, outside the root. Default 1e-8.
      weight_decay: :math:`\lambda \ge 0`. Default 1e-2 (torch's; optax's default is 1e-4).

    Returns:
      A :class:`Stepper` equal to ``torch.optim.AdamW(lr, betas=(b1, b2), eps=eps,
      weight_decay=weight_decay)`` and ``optax.adamw(lr, b1, b2, eps, weight_decay=weight_decay)``.
      ``update`` needs ``params``.

    References:
      Loshchilov & Hutter (2019), Decoupled weight decay regularization, ICLR, arXiv:1711.05101.
    """
    check_adam(lr, b1, b2, eps, "adamw")
    check_ranges(adamw.ranges, {"weight_decay": weight_decay}, "adamw")

    def init(params):
        return adam_init(params, amsgrad=False)

    def update(grads, state, params=None, **extra):
        if params is None:
            raise OptbenchError(
                "adamw needs the parameters for its weight decay: call "
                "update(grads, state, params)."
            )
        eta = learning_rate(lr, state.count)
        dirs, new_state = adam_direction(
            grads, state, b1, b2, eps, eps_in_sqrt=False, bias_correction=True, amsgrad=False
        )
        updates = jax.tree.map(lambda d, p: -eta * (d + weight_decay * p), dirs, params)
        return tree_cast_like(updates, grads), new_state

    hp = {"lr": lr, "b1": b1, "b2": b2, "eps": eps, "weight_decay": weight_decay}
    formula = (
        r"\theta \leftarrow \theta - \eta\,(\hat m / (\sqrt{\hat v}+\epsilon)"
        r" + \lambda \theta)"
    )
    return Stepper(
        init,
        update,
        "adamw",
        hp,
        make_label("AdamW", hp, ("lr", "weight_decay"), defaults_of(adamw)),
        formula,
        adamw,
    )
