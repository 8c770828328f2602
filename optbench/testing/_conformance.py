"""Conformance: run a family's known facts on a user's implementation, each reported with numbers.

``conformance(factory, family="adam")`` calls ``factory(**hyperparameters)`` and checks facts that
any correct implementation of the family satisfies, independent of how it is written:

* the family's first-step formula (Adam: lr*g/(|g|+eps), about lr*sign(g) when |g| >> eps;
  Kingma & Ba 2015, section 3) and its behaviour under a constant gradient (Adam's bias correction
  makes every step lr*g/(|g|+eps); momentum's step t is lr*g*(1-beta^t)/(1-beta); Rprop's step
  grows by eta_plus up to max_step);
* golden values on the fixed gradient sequence g = 1, 1, -1, 1, 0.5 from theta = 0, as printed in
  the manual's math page (docs/math.md, section "Golden sequences"; torch.optim and optax agree on
  them);
* equality with optbench's own stepper of the family (the reference) on a seeded fixed gradient
  sequence spanning six orders of magnitude, and on a float64 Rosenbrock trajectory.

The factory receives optbench's hyperparameter names (``lr``, ``beta``, ``b1``, ``b2``, ``eps``,
``decay``, ``eta_minus``, ``eta_plus``, ``min_step``, ``max_step``), translated when its signature
uses another library's: ``learning_rate``, ``momentum``, torch's ``betas``/``etas``/``step_sizes``
tuples and ``alpha``, and ``nesterov=True``/``eps_in_sqrt=False`` where accepted. Families follow
torch.optim's conventions: heavy-ball momentum (first buffer = g), torch's Nesterov form, RMSprop
with eps outside the square root, Rprop = iRprop-.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from .._errors import OptbenchError, unknown
from ._adapters import Adapter, TorchAdapter, _is_torch_class, adapt
from ._compare import compare, drive_gradients

GOLDEN_G = [1.0, 1.0, -1.0, 1.0, 0.5]

# family -> (hyperparameters for the fixed-sequence facts, for the trajectory, golden theta, tol)
FAMILIES: dict[str, tuple[dict, dict, list, float]] = {
    "sgd": ({"lr": 0.1}, {"lr": 1e-3}, [-0.1, -0.2, -0.1, -0.2, -0.25], 1e-12),
    "momentum": (
        {"lr": 0.1, "beta": 0.9},
        {"lr": 1e-3, "beta": 0.9},
        [-0.1, -0.29, -0.361, -0.5249, -0.72241],
        1e-12,
    ),
    "nesterov": (
        {"lr": 0.1, "beta": 0.9},
        {"lr": 1e-3, "beta": 0.9},
        [-0.19, -0.461, -0.4249, -0.67241, -0.900169],
        1e-12,
    ),
    "adam": (
        {"lr": 0.1, "b1": 0.9, "b2": 0.999, "eps": 1e-8},
        {"lr": 0.01, "b1": 0.9, "b2": 0.999, "eps": 1e-8},
        [-0.099999999, -0.199999998, -0.2261992597, -0.2738584625, -0.3261813666],
        1e-9,
    ),
    "rmsprop": (
        {"lr": 0.01, "decay": 0.99, "eps": 1e-8},
        {"lr": 1e-3, "decay": 0.99, "eps": 1e-8},
        [-0.09999999, -0.1708881055, -0.1128632004, -0.1632399193, -0.1877810109],
        1e-9,
    ),
    "rprop": (
        {"lr": 0.1, "eta_minus": 0.5, "eta_plus": 1.2, "min_step": 1e-6, "max_step": 50.0},
        {"lr": 0.01, "eta_minus": 0.5, "eta_plus": 1.2, "min_step": 1e-6, "max_step": 50.0},
        [-0.1, -0.22, -0.22, -0.28, -0.352],
        1e-12,
    ),
}
ALIASES = {
    "lr": ("learning_rate",),
    "beta": ("momentum",),
    "b1": ("beta1", "beta_1"),
    "b2": ("beta2", "beta_2"),
    "eps": ("epsilon",),
    "decay": ("alpha", "rho"),
    "min_step": ("min_step_size",),
    "max_step": ("max_step_size",),
}
PACKED = {
    "betas": ("b1", "b2"),
    "etas": ("eta_minus", "eta_plus"),
    "step_sizes": ("min_step", "max_step"),
}
FLAGS = {"nesterov": {"nesterov": True}, "rmsprop": {"eps_in_sqrt": False}}
REFERENCE_OPTIONS = {"rprop": {"variant": "irprop-"}}


def families() -> list[str]:
    """The families :func:`conformance` knows."""
    return list(FAMILIES)


@dataclasses.dataclass(frozen=True)
class Fact:
    """One checked fact: ``passed`` when ``measured <= tolerance`` (a largest difference)."""

    name: str
    passed: bool
    measured: float
    tolerance: float
    detail: str = ""
    measure: str = "max |difference|"

    def __str__(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        return (
            f"{mark}  {self.name}: {self.measure} {self.measured:.3g} "
            f"(tolerance {self.tolerance:g}){self.detail}"
        )


@dataclasses.dataclass(frozen=True)
class ConformanceReport:
    family: str
    facts: list
    ignored: tuple = ()

    @property
    def passed(self) -> bool:
        return all(f.passed for f in self.facts)

    def __str__(self) -> str:
        held = sum(f.passed for f in self.facts)
        head = f"{self.family} conformance: {held}/{len(self.facts)} facts hold"
        if self.ignored:
            head += f" (the factory takes no {', '.join(self.ignored)}; its own values were used)"
        return "\n".join([head] + [f"  {f}" for f in self.facts])


def _translate(factory: Callable, family: str, hp: dict) -> tuple[dict, list]:
    """``hp`` in the names ``factory`` accepts, and the names it does not accept."""
    skip = ("params",) if _is_torch_class(factory) else ()
    try:
        ps = {k: p for k, p in inspect.signature(factory).parameters.items() if k not in skip}
    except (TypeError, ValueError):
        return dict(hp), []
    if any(p.kind is p.VAR_KEYWORD for p in ps.values()):
        return dict(hp), []
    out, ignored = {}, []
    for packed, names in PACKED.items():
        if packed in ps and all(n in hp for n in names) and not any(n in ps for n in names):
            out[packed] = tuple(hp[n] for n in names)
    done = {n for p in out for n in PACKED[p]}
    for name, value in hp.items():
        if name in done:
            continue
        spelled = next((a for a in (name, *ALIASES.get(name, ())) if a in ps), None)
        if spelled is None:
            ignored.append(name)
        else:
            out[spelled] = value
    out.update({k: v for k, v in FLAGS.get(family, {}).items() if k in ps})
    return out, ignored


def _make(factory: Any, family: str, hp: dict) -> tuple[Adapter, list]:
    kw, ignored = _translate(factory, family, hp)
    if _is_torch_class(factory):
        return TorchAdapter(factory, **kw), ignored
    try:
        made = factory(**kw)
    except (TypeError, ValueError) as err:
        raise OptbenchError(f"`factory` rejects {kw}: {err}") from None
    return adapt(made), ignored


def _reference(family: str, hp: dict) -> Adapter:
    from .. import steppers

    return adapt(steppers.get(family, **hp, **REFERENCE_OPTIONS.get(family, {})))


def _first_steps(family: str, hp: dict, g: np.ndarray, steps: int) -> np.ndarray:
    """Closed-form steps theta_t - theta_{t-1} under the constant gradient g, t = 1..steps."""
    t = np.arange(1, steps + 1)[:, None]
    lr = hp["lr"]
    if family == "sgd":
        return np.broadcast_to(-lr * g, (steps, g.size))
    if family == "momentum":
        return -lr * g * (1 - hp["beta"] ** t) / (1 - hp["beta"])
    if family == "nesterov":  # b_t = g(1-beta^t)/(1-beta); step = lr (g + beta b_t)
        return -lr * (g + hp["beta"] * g * (1 - hp["beta"] ** t) / (1 - hp["beta"]))
    if family == "adam":  # bias correction: m_hat = g, v_hat = g^2 at every step
        return np.broadcast_to(-lr * g / (np.abs(g) + hp["eps"]), (steps, g.size))
    if family == "rmsprop":  # v_t = (1 - decay^t) g^2
        return -lr * g / (np.sqrt(1 - hp["decay"] ** t) * np.abs(g) + hp["eps"])
    if family == "rprop":
        return -np.sign(g) * np.minimum(lr * hp["eta_plus"] ** (t - 1), hp["max_step"])
    raise AssertionError(family)


CONSTANT_FACT = {
    "sgd": "every step is -lr*g",
    "momentum": "under a constant gradient step t is -lr*g*(1-beta^t)/(1-beta) (first buffer = g)",
    "nesterov": "under a constant gradient step t is -lr*(g + beta*g*(1-beta^t)/(1-beta))",
    "adam": "bias correction: under a constant gradient every step is -lr*g/(|g|+eps)",
    "rmsprop": "under a constant gradient step t is -lr*g/(sqrt(1-decay^t)|g| + eps)",
    "rprop": "under a constant gradient the step grows by eta_plus from lr up to max_step",
}


def conformance(
    factory: Any, family: str = "adam", steps: int = 100, **hparams: Any
) -> ConformanceReport:
    """Check a user's implementation of ``family`` against the family's known facts.

    Args:
      factory: ``factory(**hyperparameters)`` returns anything :func:`~optbench.testing.adapt`
        takes (an optax transformation, an optbench stepper, an update function), or a
        ``torch.optim.Optimizer`` class.
      family: one of :func:`families`: sgd, momentum, nesterov, rmsprop, rprop, adam.
      steps: the length of the Rosenbrock trajectory compared with the reference.
      hparams: override the hyperparameters of the reference-equality facts.

    Returns:
      A :class:`ConformanceReport`; ``report.passed`` is True when every fact holds.
    """
    if family not in FAMILIES:
        raise unknown("conformance family", family, FAMILIES)
    if not callable(factory):
        raise OptbenchError(
            f"`factory` (={factory!r}) must be callable: factory(**hyperparameters) -> optimizer."
        )
    fixed_hp, traj_hp, golden, gtol = FAMILIES[family]
    traj_hp = {**traj_hp, **hparams}
    facts, ignored = [], set()

    def make(hp):
        adapter, ign = _make(factory, family, hp)
        ignored.update(ign)
        return adapter

    def check(name: str, err: float, tol: float, detail: str, measure: str = "max |difference|"):
        facts.append(Fact(name, bool(err <= tol), float(err), tol, detail, measure))

    g0, lr = np.array([-7.0, 3e3, 0.25]), fixed_hp["lr"]
    if family == "adam":
        first = np.diff(drive_gradients(make(fixed_hp), g0[None], start=np.zeros(3)), axis=0)[0]
        err = np.max(np.abs(first + lr * np.sign(g0)))
        check(
            "first step is about -lr*sign(g) when |g| >> eps",
            err,
            1e-6 * lr,
            f" (lr={lr}, g={g0.tolist()})",
        )
    n = 12
    xs = drive_gradients(make(fixed_hp), np.tile(g0, (n, 1)), start=np.zeros(3))
    expect = _first_steps(family, fixed_hp, g0, n)
    err = np.max(np.abs(np.diff(xs, axis=0) - expect) / np.maximum(np.abs(expect), 1e-300))
    check(CONSTANT_FACT[family], err, 1e-12, f" ({n} steps)", "max relative difference")
    got = drive_gradients(make(fixed_hp), GOLDEN_G)[1:, 0]
    hp_text = ", ".join(f"{k}={v}" for k, v in fixed_hp.items())
    check(
        "golden values on g = 1, 1, -1, 1, 0.5",
        np.max(np.abs(got - np.asarray(golden))),
        gtol,
        f" ({hp_text}; got {', '.join(f'{v:.10g}' for v in got)})",
    )
    rng = np.random.default_rng(0)
    seq = rng.normal(size=(50, 3)) * 10.0 ** rng.uniform(-3, 3, size=(50, 3))
    mine = drive_gradients(make(traj_hp), seq)
    ref = drive_gradients(_reference(family, traj_hp), seq)
    check(
        "equals optbench's reference on a fixed gradient sequence",
        np.max(np.abs(mine - ref)),
        1e-10,
        " (50 seeded steps, |g| from 1e-3 to 1e3)",
    )
    result = compare(make(traj_hp), _reference(family, traj_hp), "rosenbrock", steps, atol=1e-10)
    where = "" if result.agree else f"; first divergence at step {result.first_divergence}"
    check(
        "equals optbench's reference on a Rosenbrock trajectory",
        result.abs_diff.max(),
        1e-10,
        f" ({steps} steps, float64{where})",
    )
    return ConformanceReport(family, facts, tuple(sorted(ignored)))
