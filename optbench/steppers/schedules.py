r"""Learning-rate schedules: pass one as ``lr=`` to any stepper.

A schedule is a frozen dataclass, so it is hashable and equal by value (the compiled runner keys its
cache on it), and it is called with the 0-based update index ``count`` (``learning_rate(lr, count)``
in :mod:`optbench.steppers._base`): the first update uses ``schedule(0)``.

- ``Constant(lr)``: :math:`\eta_0` (``optax.constant_schedule``).
- ``StepDecay(lr, every, factor)``: :math:`\eta_0\,\gamma^{\lfloor t/k \rfloor}` (torch ``StepLR``).
- ``Exponential(lr, gamma)``: :math:`\eta_0\,\gamma^{t}` (torch ``ExponentialLR``).
- ``InverseTime(lr, decay)``: :math:`\eta_0 / (1 + d\,t)` (torch Adagrad's ``lr_decay``).
- ``Cosine(lr, steps, final_lr)``: :math:`\eta_T + \tfrac12(\eta_0-\eta_T)(1+\cos(\pi\min(t,T)/T))`
  (``optax.cosine_decay_schedule``).
- ``WarmupCosine(init_lr, lr, warmup_steps, steps, final_lr)``: a linear rise from ``init_lr`` to
  ``lr`` in ``warmup_steps``, then a cosine down to ``final_lr`` at step ``steps``
  (``optax.warmup_cosine_decay_schedule``).

In a spec each is written as a call, arguments in the order above (:data:`SPEC_NAMES`):
``adam:lr=cosine(0.05,300)``, ``sgd:lr=step(0.1,100,0.5)``,
``adam:lr=warmup_cosine(0,0.05,20,300)``. Every schedule's ``lr`` is its peak, the value a sweep
over ``lr`` replaces (:func:`with_peak`).

>>> from optbench import steppers
>>> s = steppers.adam(lr=steppers.schedules.Cosine(0.1, steps=200))
>>> str(s.hparams["lr"])
'cosine(0.1→0 in 200)'

References:
  Loshchilov & Hutter (2017), SGDR: stochastic gradient descent with warm restarts, ICLR (cosine);
  Goodfellow, Bengio & Courville (2016), Deep Learning, §8.3.1 (step, exponential and 1/t decay).
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from typing import Any

import jax.numpy as jnp

from .._errors import OptbenchError, unknown
from ._base import check_range, is_traced


def _check_count(name: str, value: Any, schedule: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise OptbenchError(f"`{name}` of {schedule} (={value!r}) must be a positive integer.")
    return value


def _check_lr(lr: Any, schedule: str) -> None:
    if is_traced(lr):  # a swept peak, inside the compiled sweep
        return
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr):
        raise OptbenchError(f"`lr` of {schedule} (={lr!r}) must be a finite number > 0.")
    check_range("lr", lr, 0.0, low_open=True, stepper=schedule)


def _g(x: float) -> str:
    return "·" if is_traced(x) else f"{x:g}"  # "·": a peak the sweep varies


@dataclasses.dataclass(frozen=True)
class Constant:
    r""":math:`\eta(t) = \eta_0`: the same as passing the number, for where a schedule is needed."""

    lr: float

    def __post_init__(self) -> None:
        _check_lr(self.lr, "Constant")

    def __call__(self, count: Any) -> Any:
        return jnp.full(jnp.shape(count), self.lr, dtype=float)

    def __str__(self) -> str:
        return _g(self.lr)


@dataclasses.dataclass(frozen=True)
class StepDecay:
    r""":math:`\eta(t) = \eta_0\,\gamma^{\lfloor t/k \rfloor}`: times ``factor`` every ``every``.

    Equals ``torch.optim.lr_scheduler.StepLR(step_size=every, gamma=factor)`` stepped once per
    update, and ``optax.exponential_decay(lr, every, factor, staircase=True)``.
    """

    lr: float
    every: int
    factor: float = 0.5

    def __post_init__(self) -> None:
        _check_lr(self.lr, "StepDecay")
        _check_count("every", self.every, "StepDecay")
        check_range("factor", self.factor, 0.0, 1.0, low_open=True, stepper="StepDecay")

    def __call__(self, count: Any) -> Any:
        return self.lr * self.factor ** (jnp.asarray(count) // self.every).astype(float)

    def __str__(self) -> str:
        return f"step({_g(self.lr)}×{_g(self.factor)}/{self.every})"


@dataclasses.dataclass(frozen=True)
class Exponential:
    r""":math:`\eta(t) = \eta_0\,\gamma^t`.

    Equals ``torch.optim.lr_scheduler.ExponentialLR(gamma)`` stepped once per update and
    ``optax.exponential_decay(lr, 1, gamma)``.
    """

    lr: float
    gamma: float

    def __post_init__(self) -> None:
        _check_lr(self.lr, "Exponential")
        check_range("gamma", self.gamma, 0.0, 1.0, low_open=True, stepper="Exponential")

    def __call__(self, count: Any) -> Any:
        return self.lr * self.gamma ** jnp.asarray(count).astype(float)

    def __str__(self) -> str:
        return f"exp({_g(self.lr)}×{_g(self.gamma)}^t)"


@dataclasses.dataclass(frozen=True)
class InverseTime:
    r""":math:`\eta(t) = \eta_0 / (1 + d\,t)`: the 1/t decay of stochastic approximation.

    Robbins & Monro (1951) need :math:`\sum \eta_t = \infty` and :math:`\sum \eta_t^2 < \infty`;
    1/t meets both.

    Equals the learning rate ``torch.optim.Adagrad(lr, lr_decay=d)`` uses internally; optax has no
    1/t schedule (``optax.polynomial_schedule`` decays to a fixed end value instead).
    """

    lr: float
    decay: float

    def __post_init__(self) -> None:
        _check_lr(self.lr, "InverseTime")
        check_range("decay", self.decay, 0.0, stepper="InverseTime")

    def __call__(self, count: Any) -> Any:
        return self.lr / (1.0 + self.decay * jnp.asarray(count).astype(float))

    def __str__(self) -> str:
        return f"{_g(self.lr)}/(1+{_g(self.decay)}t)"


@dataclasses.dataclass(frozen=True)
class Cosine:
    r""":math:`\eta(t) = \eta_T + \tfrac12(\eta_0 - \eta_T)(1 + \cos(\pi \min(t, T)/T))`: cosine.

    Equals ``optax.cosine_decay_schedule(lr, steps, alpha=final_lr/lr)`` and, for ``t <= T``,
    ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=steps, eta_min=final_lr)``.
    """

    lr: float
    steps: int
    final_lr: float = 0.0

    def __post_init__(self) -> None:
        _check_lr(self.lr, "Cosine")
        _check_count("steps", self.steps, "Cosine")
        check_range("final_lr", self.final_lr, 0.0, self.lr, stepper="Cosine")

    def __call__(self, count: Any) -> Any:
        t = jnp.minimum(jnp.asarray(count), self.steps).astype(float)
        return self.final_lr + 0.5 * (self.lr - self.final_lr) * (
            1.0 + jnp.cos(jnp.pi * t / self.steps)
        )

    def __str__(self) -> str:
        return f"cosine({_g(self.lr)}→{_g(self.final_lr)} in {self.steps})"


@dataclasses.dataclass(frozen=True)
class WarmupCosine:
    r"""A linear warm-up from ``init_lr`` to ``lr`` over ``warmup_steps`` updates, then a cosine
    from ``lr`` down to ``final_lr`` at update ``steps`` (and ``final_lr`` after):

    .. math::
       \eta(t) = \eta_i + (\eta_0 - \eta_i)\,t/W \quad (t < W), \qquad
       \eta(t) = \eta_T + \tfrac12(\eta_0 - \eta_T)(1 + \cos(\pi\,\min(t - W, T - W)/(T - W))).

    Equals ``optax.warmup_cosine_decay_schedule(init_lr, lr, warmup_steps, steps, final_lr)``
    (whose ``decay_steps`` also counts the warm-up).
    """

    init_lr: float
    lr: float
    warmup_steps: int
    steps: int
    final_lr: float = 0.0

    def __post_init__(self) -> None:
        _check_lr(self.lr, "WarmupCosine")
        if not is_traced(self.lr):
            check_range("init_lr", self.init_lr, 0.0, self.lr, stepper="WarmupCosine")
            check_range("final_lr", self.final_lr, 0.0, self.lr, stepper="WarmupCosine")
        _check_count("warmup_steps", self.warmup_steps, "WarmupCosine")
        _check_count("steps", self.steps, "WarmupCosine")
        if self.steps <= self.warmup_steps:
            raise OptbenchError(
                f"`steps` of WarmupCosine (={self.steps}) must exceed `warmup_steps` "
                f"(={self.warmup_steps}): the cosine part runs from warmup_steps to steps."
            )

    def __call__(self, count: Any) -> Any:
        t = jnp.asarray(count).astype(float)
        w, span = self.warmup_steps, self.steps - self.warmup_steps
        rise = self.init_lr + (self.lr - self.init_lr) * t / w
        c = jnp.clip(t - w, 0, span) / span
        fall = self.final_lr + 0.5 * (self.lr - self.final_lr) * (1.0 + jnp.cos(jnp.pi * c))
        return jnp.where(t < w, rise, fall)

    def __str__(self) -> str:
        return (
            f"warmup_cosine({_g(self.init_lr)}↗{_g(self.lr)} in {self.warmup_steps}"
            f"→{_g(self.final_lr)} in {self.steps})"
        )


SPEC_NAMES = {
    "constant": Constant,
    "step": StepDecay,
    "exp": Exponential,
    "inverse_time": InverseTime,
    "cosine": Cosine,
    "warmup_cosine": WarmupCosine,
}
"""The names schedules go by in specs: ``lr=cosine(0.05,300)``."""

SCHEDULES = tuple(SPEC_NAMES.values())


def from_call(name: str, args: tuple, what: str = "") -> Any:
    """The schedule a spec writes as ``name(arg, ...)``, e.g. ``from_call("cosine", (0.05, 300))``.

    Arguments go in the order of the class's fields; a wrong name or count is one sentence.
    """
    where = f" in {what}" if what else ""
    if name not in SPEC_NAMES:
        err = str(unknown("schedule", name, SPEC_NAMES))
        raise OptbenchError(f"{what}: {err}" if what else err)
    cls = SPEC_NAMES[name]
    fields = list(inspect.signature(cls).parameters.values())
    needed = [f.name for f in fields if f.default is inspect.Parameter.empty]
    if not len(needed) <= len(args) <= len(fields):
        sig = ", ".join(f.name if f in fields[: len(needed)] else f"[{f.name}]" for f in fields)
        raise OptbenchError(
            f"schedule {name}(...){where} takes {sig}; got {len(args)} argument"
            f"{'' if len(args) == 1 else 's'}."
        )
    for f, a in zip(fields, args):
        if isinstance(a, str) or a is None or isinstance(a, bool):
            raise OptbenchError(
                f"`{f.name}` of schedule {name}(...) (={a!r}){where} must be a number."
            )
    if any(f.name.endswith("steps") or f.name == "every" for f in fields):
        args = tuple(
            int(a) if (f.name.endswith("steps") or f.name == "every") and a == int(a) else a
            for f, a in zip(fields, args)
        )
    return cls(*args)


def is_schedule(value: Any) -> bool:
    """Whether ``value`` is one of optbench's schedules (whose peak a sweep can vary)."""
    return isinstance(value, SCHEDULES)


def with_peak(schedule: Any, lr: Any) -> Any:
    """``schedule`` with its peak ``lr`` replaced (``lr`` may be traced): a sweep over the peak."""
    return dataclasses.replace(schedule, lr=lr)
