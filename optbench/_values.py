"""Spec values that need more than parsing: ``lr=0.5eta_max`` and ``lr=cosine(0.05,300)``.

:func:`optbench._spec.parse_spec` (with ``rich=True``) leaves these as :class:`~optbench._spec.Eta`
and :class:`~optbench._spec.Call`; :func:`resolve_params` turns them into numbers and schedules for
one problem at one point. ``eta_max = 2/lambda_max`` and ``eta_opt = 1/lambda_max`` are LeCun's
rates from the Hessian's largest eigenvalue there (:func:`optbench.analysis.lr_limits`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._errors import OptbenchError
from ._spec import Call, Eta


class Curvature:
    """``lr_limits`` of one problem at one point, computed once and only when a value asks."""

    def __init__(self, problem: Any, at: Any):
        self.problem, self.at, self._limits = problem, at, None

    def rate(self, eta: Eta, what: str) -> float:
        if self.problem is None:
            raise OptbenchError(
                f"{what} (={eta}) is in units of the problem's curvature; give the stepper "
                "together with a problem (run, race, sweep) or give a number."
            )
        if self._limits is None:
            from .analysis import lr_limits

            self._limits = lr_limits(self.problem, at=self.at)
        value = float(getattr(self._limits, eta.unit))
        if not (math.isfinite(value) and value > 0):
            name = self.problem.describe().get("name", "the problem")
            raise OptbenchError(
                f"{what} (={eta}) needs a finite {eta.unit}, but the Hessian of {name!r} at "
                f"{self.where()} has no positive eigenvalue ({eta.unit} = {value:g}); give a "
                "number instead."
            )
        return eta.factor * value

    def where(self) -> Any:
        at = self._limits.at if self._limits is not None else self.at
        if isinstance(at, np.ndarray) or np.ndim(at) == 1:
            return [float(v) for v in np.asarray(at).ravel()]
        return "the initial parameters"

    def record(self) -> dict[str, Any]:
        """What the units were resolved from, for ``run.json``."""
        lim = self._limits
        return {
            "eta_max": float(lim.eta_max),
            "eta_opt": float(lim.eta_opt),
            "lambda_max": float(lim.lambda_max),
            "at": self.where(),
        }


def resolve_value(value: Any, curvature: Curvature, key: str, owner: str) -> Any:
    """One spec value (``key`` of ``owner``, for messages) as the stepper takes it: a number for
    :class:`Eta`, a schedule for a :class:`Call` (its arguments resolved first); anything else
    unchanged."""
    if isinstance(value, Eta):
        return curvature.rate(value, f"`{key}` of {owner}")
    if isinstance(value, Call):
        from .steppers.schedules import from_call

        args = tuple(resolve_value(a, curvature, key, owner) for a in value.args)
        return from_call(value.name, args, owner)
    return value


def resolve_params(
    params: dict[str, Any], problem: Any = None, at: Any = None, what: str = "stepper"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(values, units)``: ``params`` with every :class:`Eta` and :class:`Call` resolved, and a
    record of the values given in units (``{"lr": {"given": "0.5 η_max", "value": 0.0025,
    "eta_max": ..., "at": [x, y]}}``; empty when none were)."""
    curvature = Curvature(problem, at)
    values, units = {}, {}
    for key, value in params.items():
        values[key] = resolve_value(value, curvature, key, what)
        if _has_eta(value):
            units[key] = {"given": str(value), "value": _plain(values[key])}
    if units:
        for rec in units.values():
            rec.update(curvature.record())
    return values, units


def _has_eta(value: Any) -> bool:
    return isinstance(value, Eta) or (
        isinstance(value, Call) and any(_has_eta(a) for a in value.args)
    )


def _plain(value: Any) -> Any:
    return value if isinstance(value, (int, float)) else str(value)


def relabel(label: str, given: dict[str, Any], values: dict[str, Any]) -> str:
    """``label`` with each value given in units shown as written: ``"SGD (lr=0.5 η_max)"``."""
    from .steppers._base import _fmt

    for key, rec in given.items():
        if isinstance(values[key], (int, float)):
            label = label.replace(f"{key}={_fmt(values[key])}", f"{key}={rec['given']}", 1)
    return label
