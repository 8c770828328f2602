"""Hyperparameter grids: parsing ``lr=1e-4:1:41:log,b1=0.8,0.9`` and checking names and values."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._errors import OptbenchError, closest
from .._spec import Eta, parse_eta

_RANGE = re.compile(r"^([^:]+):([^:]+):([^:]+)(?::(lin|log))?$")


def _number(text: str, what: str, where: str = "`--grid`") -> float:
    try:
        return float(text)
    except ValueError:
        raise OptbenchError(f"{where} value {text!r} in {what!r} is not a number.") from None


def _value(text: str, what: str, where: str = "`--grid`") -> float | Eta:
    """A number, or a rate in units of the problem's curvature (``0.5eta_max``)."""
    eta = parse_eta(text, f"{where} value for {what!r}")
    return eta if eta is not None else _number(text, what, where)


def parse_grid(text: str, where: str = "`--grid`") -> dict[str, np.ndarray]:
    """``"lr=1e-4:1:41:log,b1=0.8,0.9,0.99"`` -> ``{"lr": 41 log-spaced values, "b1": [...]}``.

    A value is a list ``a,b,c`` or a range ``start:stop:count[:lin|log]`` (both ends included).
    ``where`` names the text in error messages (a TOML file's grid names its table).
    """
    items: dict[str, list[str]] = {}
    current = None
    for part in [p.strip() for p in text.split(",")]:
        if "=" in part:
            current, _, part = (s.strip() for s in part.partition("="))
            if not current.isidentifier():
                raise OptbenchError(
                    f"{where} (={text!r}) has {current!r} where a hyperparameter name goes."
                )
            if current in items:
                raise OptbenchError(f"{where} (={text!r}) names {current!r} twice.")
            items[current] = []
        if current is None or not part:
            raise OptbenchError(
                f"{where} (={text!r}) must look like lr=1e-4:1:41:log,b1=0.8,0.9,0.99."
            )
        items[current].append(part)
    return {name: _values(name, parts, where) for name, parts in items.items()}


def _values(name: str, parts: list[str], where: str = "`--grid`") -> Any:
    """One hyperparameter's values: an array, or a list of :class:`Eta` for rates in units."""
    m = _RANGE.match(parts[0]) if len(parts) == 1 else None
    if m:
        lo, hi = _value(m[1], name, where), _value(m[2], name, where)
        unit = {getattr(v, "unit", None) for v in (lo, hi)}
        if len(unit) > 1:
            raise OptbenchError(
                f"{where} range for {name!r} (={parts[0]!r}) mixes units; write both ends "
                "as numbers or both in the same unit, e.g. 0.1eta_max:2eta_max:20."
            )
        unit = unit.pop()
        if unit is not None:
            lo, hi = lo.factor, hi.factor
        count = _number(m[3], name, where)
        if count != int(count) or count < 1:
            raise OptbenchError(f"{where} count {m[3]!r} for {name!r} must be a positive integer.")
        if m[4] == "log":
            if lo <= 0 or hi <= 0:
                raise OptbenchError(
                    f"{where} log range for {name!r} needs positive ends, got {lo}:{hi}."
                )
            values = np.logspace(np.log10(lo), np.log10(hi), int(count))
        else:
            values = np.linspace(lo, hi, int(count))
        return values if unit is None else [Eta(float(f), unit) for f in values]
    if any(":" in p for p in parts):
        raise OptbenchError(
            f"{where} range for {name!r} (={','.join(parts)!r}) must be start:stop:count[:lin|log]."
        )
    values = [_value(p, name, where) for p in parts]
    return values if any(isinstance(v, Eta) for v in values) else np.array(values)


def grid_in_units(grid: Any, curvature: Any) -> tuple[Any, dict[str, Any]]:
    """``grid`` with rates given in units (``Eta`` values, or text such as
    ``"0.1eta_max:2eta_max:20:log"``) turned into numbers for the problem ``curvature`` belongs
    to; and a record of them for ``run.json`` (empty when there were none)."""
    if not isinstance(grid, Mapping):
        return grid, {}
    out, units = {}, {}
    for name, values in grid.items():
        if isinstance(values, str):
            values = _values(name, [p.strip() for p in values.split(",")])
        elif isinstance(values, (list, tuple)) and any(isinstance(v, str) for v in values):
            values = [_value(str(v), name) if isinstance(v, str) else v for v in values]
        if isinstance(values, (list, tuple)) and any(isinstance(v, Eta) for v in values):
            if not all(isinstance(v, Eta) for v in values):
                raise OptbenchError(
                    f"`grid[{name!r}]` mixes numbers and rates in units; give all of them one "
                    "way, e.g. 0.1eta_max:2eta_max:20."
                )
            rates = [curvature.rate(v, f"`grid[{name!r}]`") for v in values]
            units[name] = {
                "given": [str(v) for v in values],
                "value": rates,
                **curvature.record(),
            }
            values = np.array(rates)
        out[name] = values
    return out, units


def check_grid(grid: Any, stepper_name: str, known: list[str]) -> dict[str, np.ndarray]:
    """The grid as name -> 1-D float array; unknown names list the stepper's real
    hyperparameters."""
    if not isinstance(grid, Mapping) or not grid:
        raise OptbenchError(
            f"`grid` (={grid!r}) must be a non-empty mapping like {{'lr': [0.01, 0.1]}}."
        )
    out = {}
    for name, values in grid.items():
        if name not in known:
            hint = closest(str(name), known)
            did = f" Did you mean {hint!r}?" if hint else ""
            raise OptbenchError(
                f"`grid` names {name!r}, which stepper {stepper_name!r} does not have; "
                f"it takes {', '.join(known)}.{did}"
            )
        try:
            arr = np.atleast_1d(np.asarray(values, dtype=float))
        except (TypeError, ValueError):
            arr = np.zeros((0,))  # ragged, or text: refused below
        if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
            raise OptbenchError(
                f"`grid[{name!r}]` (={values!r}) must be a non-empty flat list of finite numbers."
            )
        out[name] = arr
    return out


def configurations(grid: dict[str, np.ndarray]) -> list[dict[str, float]]:
    """The cartesian product, first name slowest (as ``itertools.product``)."""
    names = list(grid)
    return [dict(zip(names, map(float, combo))) for combo in itertools.product(*grid.values())]
