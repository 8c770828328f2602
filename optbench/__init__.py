"""optbench: optimizer benchmarking and visualization.

JAX-differentiated test surfaces and small networks, optimized by pluggable steppers (optax's
protocol), run by one compiled loop, and rendered as lecture-ready animations and plots.

Attributes are imported lazily so that ``optbench --help`` does not import JAX. Importing optbench
changes nothing in the process: the speed settings for sweeps are :func:`optbench.configure`.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "run": ("optbench._run", "run"),
    "race": ("optbench._run", "race"),
    "Trajectory": ("optbench._run", "Trajectory"),
    "OptbenchError": ("optbench._errors", "OptbenchError"),
    "configure": ("optbench._config", "configure"),
    "steppers": ("optbench.steppers", None),
    "surfaces": ("optbench.surfaces", None),
    "analysis": ("optbench.analysis", None),
    "networks": ("optbench.networks", None),
    "testing": ("optbench.testing", None),
    "sweeps": ("optbench.sweeps", None),
    "sweep": ("optbench.sweeps", "sweep"),
    "compare": ("optbench.sweeps", "compare"),
    "render": ("optbench.render", None),
    "gallery": ("optbench.gallery", None),
    "show": ("optbench._notebook", "show"),
    "explorer": ("optbench.explorer", None),
    "explore": ("optbench.explorer", "explore"),
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        mod = importlib.import_module(module)
        value = mod if attr is None else getattr(mod, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'optbench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))
