"""Sweeps and comparisons: every hyperparameter grid in one compiled call, honest statistics.

``sweep`` runs a grid x seeds x starts as one ``jit(vmap(run))``; ``compare`` tunes several
steppers on one budget and reports bootstrap intervals; ``optbench.sweeps.plots`` draws the results
(NumPy in, no JAX). Attributes load lazily so the plotting module can be imported without JAX.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "sweep": "._sweep",
    "SweepResult": "._table",
    "coco_targets": "._table",
    "first_hits": "._table",
    "parse_grid": "._grid",
    "compare": "._compare",
    "Comparison": "._compare",
    "bootstrap_ci": "._compare",
}

__all__ = [
    "Comparison",
    "SweepResult",
    "bootstrap_ci",
    "coco_targets",
    "compare",
    "first_hits",
    "parse_grid",
    "sweep",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'optbench.sweeps' has no attribute {name!r}")
