"""Adam, with switches for eps placement, bias correction and AMSGrad."""

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


class AdamState(NamedTuple):
    count: jax.Array  # number of updates done
    mu: Any  # m_t, first moment
    nu: Any  # v_t, second moment (raw, not bias-corrected)
    nu_max: Any  # max_{s<=t} v_s (amsgrad only, else None)


def adam_direction(
    grads: Any,
    state: AdamState,
    b1: Any,
    b2: Any,
    eps: Any,
    eps_in_sqrt: bool,
    bias_correction: bool,
    amsgrad: bool,
) -> tuple[Any, AdamState]:
    r"""Adam's step direction :math:`\hat m_t / (\sqrt{\hat v_t} + \epsilon)` and the new state.

    Shared by :func:`adam` and :func:`~optbench.steppers.adamw` (which adds the decoupled decay).
    """
    t = state.count + 1
    mu = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, state.mu, grads)
    nu = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, state.nu, grads)
    nu_max = jax.tree.map(jnp.maximum, state.nu_max, nu) if amsgrad else None
    second = nu_max if amsgrad else nu

    def direction(m, v, g):
        if bias_correction:
            # 1 - b**t as -expm1(t log(1 - (1 - b))): with b a Python float, 1 - b stays exact, so
            # float32 runs do not inherit float32(0.999)'s 1e-5 relative error in 1 - b2
            tf = t.astype(g.dtype)
            m = m / -jnp.expm1(tf * jnp.log1p(-(1 - b1)))
            v = v / -jnp.expm1(tf * jnp.log1p(-(1 - b2)))
        return safe_div(m, jnp.sqrt(v + eps) if eps_in_sqrt else jnp.sqrt(v) + eps)

    dirs = jax.tree.map(direction, mu, second, grads)
    new_state = AdamState(
        count=t,
        mu=tree_cast_like(mu, grads),
        nu=tree_cast_like(nu, grads),
        nu_max=None if nu_max is None else tree_cast_like(nu_max, grads),
    )
    return dirs, new_state


def adam_init(params: Any, amsgrad: bool) -> AdamState:
    return AdamState(
        count=jnp.zeros([], jnp.int32),
        mu=tree_zeros_like(params),
        nu=tree_zeros_like(params),
        nu_max=tree_zeros_like(params) if amsgrad else None,
    )


RANGES = {"lr": LR, "b1": UNIT, "b2": UNIT, "eps": NONNEGATIVE}


def check_adam(lr: Any, b1: Any, b2: Any, eps: Any, stepper: str) -> None:
    check_ranges(RANGES, {"lr": lr, "b1": b1, "b2": b2, "eps": eps}, stepper)


# how a label says a switch that is not at its default ("": the display name says it)
_WORDS = {"eps_in_sqrt": "eps inside the root", "amsgrad": "", "bias_correction": ""}


@publishes(RANGES)
def adam(
    lr: Any = 1e-3,
    b1: Any = 0.9,
    b2: Any = 0.999,
    eps: Any = 1e-8,
    eps_in_sqrt: bool = False,
    bias_correction: bool = True,
    amsgrad: bool = False,
) -> Stepper:
    r"""Adam (Kingma & Ba 2015, Algorithm 1), as torch and optax compute it.

    .. math::
       m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
       \qquad m_0 = v_0 = 0

       \hat m_t = m_t / (1-\beta_1^t), \qquad \hat v_t = v_t / (1-\beta_2^t)

       \theta_t = \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
       \quad\text{or, with } \texttt{eps\_in\_sqrt=True},\quad
       \theta_t = \theta_{t-1} - \eta\, \hat m_t / \sqrt{\hat v_t + \epsilon}

    ``bias_correction=False`` uses :math:`m_t, v_t` themselves. Both start biased towards 0, the
    slow :math:`v` more so, so the early steps are too *large*: the first is
    :math:`\eta(1-\beta_1)/\sqrt{1-\beta_2}\,\operatorname{sign}(g_1) \approx 3.16\,\eta` for the
    defaults instead of :math:`\eta` -- the reason for the correction (Kingma & Ba §3).

    ``amsgrad=True`` replaces :math:`v_t` by :math:`v^{max}_t = \max(v^{max}_{t-1}, v_t)`, taken
    over the *raw* :math:`v` and then bias-corrected, as torch does. With
    ``amsgrad=True, bias_correction=False`` it is Reddi et al.'s Algorithm 2 (plus
    :math:`\epsilon`).

    Args:
      lr: learning rate :math:`\eta > 0`, a number, a JAX array or a schedule. Default 1e-3.
      b1, b2: :math:`0 \le \beta_1, \beta_2 < 1`. Defaults 0.9, 0.999.
      eps: :math:`\epsilon \ge 0`. Default 1e-8.
      eps_in_sqrt: put :math:`\epsilon` inside the square root (default False, as torch/optax).
      bias_correction: divide by :math:`1-\beta^t` (default True).
      amsgrad: use the running maximum of :math:`v` (default False).

    Returns:
      A :class:`Stepper` equal to ``torch.optim.Adam(lr, betas=(b1, b2), eps=eps, amsgrad=amsgrad)``
      and ``optax.adam(lr, b1, b2, eps)``; with ``eps_in_sqrt=True`` to
      ``optax.adam(lr, b1, b2, eps=0, eps_root=eps)``.

    Known differences (the three AMSGrad conventions): torch takes the max of the raw :math:`v` and
    then corrects (= this stepper); ``optax.amsgrad`` by default takes the max of the corrected
    :math:`\hat v_t` (different trajectories); the paper has no correction at all
    (= ``optax.amsgrad(..., bias_correction_mu=False, bias_correction_nu=False)`` = this stepper
    with ``bias_correction=False``). Keras/TF1 use the paper's "efficient" form with
    :math:`\hat\epsilon` in place of :math:`\epsilon\sqrt{1-\beta_2^t}`.

    >>> import jax.numpy as jnp
    >>> s = adam(lr=0.1); p = jnp.array([3.0]); u, st = s.update(jnp.array([-7.0]), s.init(p), p)
    >>> round(float(u[0]), 6)    # the first step is ~ lr * sign(-g)
    0.1

    References:
      Kingma & Ba (2015), Adam: a method for stochastic optimization, ICLR, arXiv:1412.6980;
      Reddi, Kale & Kumar (2018), On the convergence of Adam and beyond, ICLR.
    """
    check_adam(lr, b1, b2, eps, "adam")
    check_flag("eps_in_sqrt", eps_in_sqrt, stepper="adam")
    check_flag("bias_correction", bias_correction, stepper="adam")
    check_flag("amsgrad", amsgrad, stepper="adam")

    def init(params):
        return adam_init(params, amsgrad)

    def update(grads, state, params=None, **extra):
        eta = learning_rate(lr, state.count)
        dirs, new_state = adam_direction(
            grads, state, b1, b2, eps, eps_in_sqrt, bias_correction, amsgrad
        )
        return tree_cast_like(jax.tree.map(lambda d: -eta * d, dirs), grads), new_state

    hp = {
        "lr": lr,
        "b1": b1,
        "b2": b2,
        "eps": eps,
        "eps_in_sqrt": eps_in_sqrt,
        "bias_correction": bias_correction,
        "amsgrad": amsgrad,
    }
    display = "AMSGrad" if amsgrad else "Adam"
    if not bias_correction:
        display += " w/o bias correction"
    root = r"\sqrt{\hat v+\epsilon}" if eps_in_sqrt else r"(\sqrt{\hat v}+\epsilon)"
    formula = rf"\theta \leftarrow \theta - \eta\, \hat m / {root}"
    return Stepper(
        init,
        update,
        "adam",
        hp,
        make_label(display, hp, ("lr",), defaults_of(adam), _WORDS),
        formula,
        adam,
    )
