"""Hyperparameter grids: parsing ``lr=1e-4:1:41:log,b1=0.8,0.9`` and checking names and values."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._errors import OptbenchError, closest

_RANGE = re.compile(r"^([^:]+):([^:]+):([^:]+)(?::(lin|log))?$")


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise OptbenchError(f"`--grid` value {text!r} in {what!r} is not a number.") from None


def parse_grid(text: str) -> dict[str, np.ndarray]:
    """``"lr=1e-4:1:41:log,b1=0.8,0.9,0.99"`` -> ``{"lr": 41 log-spaced values, "b1": [...]}``.

    A value is a list ``a,b,c`` or a range ``start:stop:count[:lin|log]`` (both ends included).
    """
    items: dict[str, list[str]] = {}
    current = None
    for part in [p.strip() for p in text.split(",")]:
        if "=" in part:
            current, _, part = (s.strip() for s in part.partition("="))
            if not current.isidentifier():
                raise OptbenchError(
                    f"`--grid` (={text!r}) has {current!r} where a hyperparameter name goes."
                )
            if current in items:
                raise OptbenchError(f"`--grid` (={text!r}) names {current!r} twice.")
            items[current] = []
        if current is None or not part:
            raise OptbenchError(
                f"`--grid` (={text!r}) must look like lr=1e-4:1:41:log,b1=0.8,0.9,0.99."
            )
        items[current].append(part)
    grid = {}
    for name, parts in items.items():
        m = _RANGE.match(parts[0]) if len(parts) == 1 else None
        if m:
            lo, hi = _number(m[1], name), _number(m[2], name)
            count = _number(m[3], name)
            if count != int(count) or count < 1:
                raise OptbenchError(
                    f"`--grid` count {m[3]!r} for {name!r} must be a positive integer."
                )
            if m[4] == "log":
                if lo <= 0 or hi <= 0:
                    raise OptbenchError(
                        f"`--grid` log range for {name!r} needs positive ends, got {lo}:{hi}."
                    )
                grid[name] = np.logspace(np.log10(lo), np.log10(hi), int(count))
            else:
                grid[name] = np.linspace(lo, hi, int(count))
        elif any(":" in p for p in parts):
            raise OptbenchError(
                f"`--grid` range for {name!r} (={','.join(parts)!r}) must be "
                "start:stop:count[:lin|log]."
            )
        else:
            grid[name] = np.array([_number(p, name) for p in parts])
    return grid


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
        arr = np.atleast_1d(np.asarray(values, dtype=float))
        if arr.ndim != 1 or arr.size == 0:
            raise OptbenchError(
                f"`grid[{name!r}]` (={values!r}) must be a non-empty list of numbers."
            )
        out[name] = arr
    return out


def configurations(grid: dict[str, np.ndarray]) -> list[dict[str, float]]:
    """The cartesian product, first name slowest (as ``itertools.product``)."""
    names = list(grid)
    return [dict(zip(names, map(float, combo))) for combo in itertools.product(*grid.values())]
