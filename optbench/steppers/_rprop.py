"""Rprop: per-coordinate step sizes adapted to the sign of successive gradients (four variants)."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from .._errors import OptbenchError
from .._names import signature_defaults as defaults_of
from ._base import (
    LR,
    Range,
    Stepper,
    check_choice,
    check_ranges,
    is_traced,
    make_label,
    publishes,
    tree_cast_like,
    tree_full_like,
    tree_zeros_like,
)

VARIANTS = ("rprop+", "rprop-", "irprop+", "irprop-")
_DISPLAY = {"rprop+": "Rprop+", "rprop-": "Rprop−", "irprop+": "iRprop+", "irprop-": "iRprop−"}


class RpropState(NamedTuple):
    count: jax.Array  # number of updates done
    step_size: Any  # Delta_t, per coordinate
    prev_grad: Any  # g*_{t-1}: the previous gradient, or 0 after a sign change
    prev_update: Any  # Delta w_{t-1}, the last applied update (rprop+ / irprop+ only, else None)
    prev_value: Any  # E(t-1), the previous loss (irprop+ only, else None)


RANGES = {
    "lr": LR,
    "eta_minus": Range(0.0, 1.0, low_open=True, high_open=True),
    "eta_plus": Range(1.0, low_open=True),
    "min_step": Range(0.0, low_open=True),
    "max_step": Range(0.0, low_open=True),
}


def _check_steps(min_step: Any, max_step: Any) -> None:
    check_ranges(RANGES, {"min_step": min_step, "max_step": max_step}, "rprop")
    if not (is_traced(min_step) or is_traced(max_step)):
        lo, hi = float(min_step), float(max_step)
        if lo > hi:
            raise OptbenchError(
                f"`min_step` of rprop (={min_step!r}) must be <= `max_step` (={max_step!r})."
            )


@publishes(RANGES)
def rprop(
    lr: Any = 0.01,
    eta_minus: Any = 0.5,
    eta_plus: Any = 1.2,
    min_step: Any = 1e-6,
    max_step: Any = 50.0,
    variant: str = "irprop-",
) -> Stepper:
    r"""Rprop: a step of fixed size :math:`\Delta` against the gradient's sign, per coordinate.

    With the stored previous gradient :math:`g^*_{t-1}` (:math:`g^*_0 = 0`) and
    :math:`s = g^*_{t-1} g_t`, every variant adapts the step size the same way:

    .. math::
       \Delta_t = \operatorname{clip}\big(\Delta_{t-1}\cdot
       \{\eta^+ \text{ if } s>0;\ \eta^- \text{ if } s<0;\ 1 \text{ if } s=0\},\
       \Delta_{min}, \Delta_{max}\big), \qquad \Delta_0 = \texttt{lr}

    and they differ in what a sign change (:math:`s<0`) does to the weight and the memory:

    - ``"rprop-"``: nothing special; :math:`\Delta w_t = -\operatorname{sign}(g_t)\Delta_t`,
      :math:`g^*_t = g_t`.
    - ``"irprop-"`` (Igel & Hüsken 2000; what ``torch.optim.Rprop`` computes): where :math:`s<0`
      set :math:`g_t \leftarrow 0` first, so the weight stays put and the next step is an
      :math:`s=0` step with the already reduced :math:`\Delta`.
    - ``"rprop+"`` (Riedmiller & Braun 1993, weight backtracking): where :math:`s<0` undo the
      previous step, :math:`\Delta w_t = -\Delta w_{t-1}`, and set :math:`g^*_t = 0`; elsewhere as
      ``rprop-``.
    - ``"irprop+"`` (Igel & Hüsken 2000): as ``rprop+``, but the step is undone only if the loss
      went up, :math:`E(t) > E(t-1)`; otherwise the weight stays put. Needs the loss:
      ``update(grads, state, params, value=loss)`` (the runner passes it).

    As in torch, the clip is applied on every step (also when :math:`s = 0`), so an ``lr`` above
    ``max_step`` is clipped on the first step; the papers assume :math:`\Delta_0` inside the range.

    Args:
      lr: the initial step size :math:`\Delta_0 > 0` (torch's ``lr``; the papers use 0.1).
        Default 0.01. A schedule is not meaningful here and is rejected.
      eta_minus, eta_plus: :math:`0 < \eta^- < 1 < \eta^+`. Defaults 0.5, 1.2.
      min_step, max_step: :math:`0 < \Delta_{min} \le \Delta_{max}`. Defaults 1e-6, 50.
      variant: ``"irprop-"`` (default), ``"rprop+"``, ``"rprop-"`` or ``"irprop+"``.

    Returns:
      A :class:`Stepper`. ``variant="irprop-"`` equals ``torch.optim.Rprop(lr, etas=(eta_minus,
      eta_plus), step_sizes=(min_step, max_step))``.

    Known difference: ``optax.rprop(lr)`` (0.2.8) means iRprop− but emits each update one step late:
    its first update is 0, and on a fixed gradient sequence its update t is 0 where
    :math:`s_t < 0` and otherwise this stepper's update t−1 (optax PR #1725).

    References:
      Riedmiller & Braun (1993), A direct adaptive method for faster backpropagation learning: the
      RPROP algorithm, IEEE ICNN, 586-591; Igel & Hüsken (2000), Improving the Rprop learning
      algorithm, NC'2000, 115-121.
    """
    if callable(lr):
        raise OptbenchError(
            f"`lr` of rprop (={lr!r}) is the initial step size and must be a number, "
            "not a schedule."
        )
    check_ranges(RANGES, {"lr": lr, "eta_minus": eta_minus, "eta_plus": eta_plus}, "rprop")
    _check_steps(min_step, max_step)
    check_choice("variant", variant, VARIANTS, stepper="rprop")
    backtracks = variant in ("rprop+", "irprop+")
    freezes = variant != "rprop-"

    def init(params):
        leaves = jax.tree.leaves(params)
        return RpropState(
            count=jnp.zeros([], jnp.int32),
            step_size=tree_full_like(params, lr),
            prev_grad=tree_zeros_like(params),
            prev_update=tree_zeros_like(params) if backtracks else None,
            prev_value=jnp.array(jnp.inf, jnp.result_type(*leaves))
            if variant == "irprop+"
            else None,
        )

    def update(grads, state, params=None, **extra):
        value = extra.get("value")
        if variant == "irprop+" and value is None:
            raise OptbenchError(
                "rprop variant 'irprop+' needs the loss: call "
                "update(grads, state, params, value=loss)."
            )
        # E(t) > E(t-1); at t = 1 prev_value is +inf, and s = 0 everywhere anyway
        worse = value > state.prev_value if variant == "irprop+" else True

        def per_coordinate(g, g_prev, step, last):
            s = jnp.sign(g * g_prev)  # torch computes sign(g * prev) too (it may underflow to 0)
            factor = jnp.where(s > 0, eta_plus, jnp.where(s < 0, eta_minus, 1.0))
            step = jnp.clip(step * factor, min_step, max_step)
            flipped = s < 0
            g_kept = jnp.where(flipped, 0.0, g) if freezes else g
            move = -jnp.sign(g_kept) * step
            if backtracks:
                move = jnp.where(flipped, jnp.where(worse, -last, 0.0), move)
            return move, step, g_kept

        leaves, treedef = jax.tree.flatten(grads)
        last = state.prev_update if backtracks else state.prev_grad  # unused without backtracking
        rest = (treedef.flatten_up_to(t) for t in (state.prev_grad, state.step_size, last))
        per_leaf = list(map(per_coordinate, leaves, *rest))
        moves, steps, kept = (treedef.unflatten([out[k] for out in per_leaf]) for k in range(3))
        updates = tree_cast_like(moves, grads)
        new_state = RpropState(
            count=state.count + 1,
            step_size=tree_cast_like(steps, grads),
            prev_grad=tree_cast_like(kept, grads),
            prev_update=updates if backtracks else None,
            prev_value=(
                jnp.asarray(value).astype(state.prev_value.dtype) if variant == "irprop+" else None
            ),
        )
        return updates, new_state

    hp = {
        "lr": lr,
        "eta_minus": eta_minus,
        "eta_plus": eta_plus,
        "min_step": min_step,
        "max_step": max_step,
        "variant": variant,
    }
    formula = (
        r"\Delta \leftarrow \Delta\cdot\eta^{\pm},\ "
        r"\theta \leftarrow \theta - \Delta\,\mathrm{sign}(g)"
    )
    return Stepper(
        init,
        update,
        "rprop",
        hp,
        make_label(_DISPLAY[variant], hp, ("lr",), defaults_of(rprop), {"variant": ""}),
        formula,
        rprop,
    )
