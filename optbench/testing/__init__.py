"""Regression-test optimizer math: compare implementations, golden files, conformance checks.

>>> from optbench import testing
>>> testing.assert_same("sgd:lr=0.001", "momentum:lr=0.001,beta=0.0", steps=20).agree
True

Attributes are imported lazily: the pytest plugin (``optbench.testing.plugin``) loads in every
pytest run and must not import JAX.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "Adapter": "optbench.testing._adapters",
    "JaxAdapter": "optbench.testing._adapters",
    "TorchAdapter": "optbench.testing._adapters",
    "FunctionAdapter": "optbench.testing._adapters",
    "adapt": "optbench.testing._adapters",
    "resolve": "optbench.testing._resolve",
    "Comparison": "optbench.testing._compare",
    "compare": "optbench.testing._compare",
    "assert_same": "optbench.testing._compare",
    "drive": "optbench.testing._compare",
    "drive_gradients": "optbench.testing._compare",
    "lag": "optbench.testing._compare",
    "conformance": "optbench.testing._conformance",
    "families": "optbench.testing._conformance",
    "Fact": "optbench.testing._conformance",
    "ConformanceReport": "optbench.testing._conformance",
    "Golden": "optbench.testing.plugin",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'optbench.testing' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))
