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
import math
from typing import Any

import jax.numpy as jnp

from .._errors import OptbenchError
from ._base import check_range


def _check_count(name: str, value: Any, schedule: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise OptbenchError(f"`{name}` of {schedule} (={value!r}) must be a positive integer.")
    return value


def _check_lr(lr: Any, schedule: str) -> None:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr):
        raise OptbenchError(f"`lr` of {schedule} (={lr!r}) must be a finite number > 0.")
    check_range("lr", lr, 0.0, low_open=True, stepper=schedule)


def _g(x: float) -> str:
    return f"{x:g}"


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
