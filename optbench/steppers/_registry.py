"""Steppers by name: ``get("adam", lr=0.01)``, ``names()``, ``register(name, factory)``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._errors import OptbenchError, unknown
from .._names import check_keywords, signature_defaults
from ._base import Stepper

_FACTORIES: dict[str, Callable[..., Any]] = {}


def register(name: str, factory: Callable[..., Any]) -> None:
    """Make ``factory`` available as ``get(name, ...)``, on the command line and in sweeps.

    ``factory(**hparams)`` must return an object with ``init`` and ``update`` (an optbench
    :class:`Stepper` or any ``optax.GradientTransformation``).
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise OptbenchError(f"stepper name {name!r} must be an identifier, e.g. 'my_adam'.")
    if not callable(factory):
        raise OptbenchError(
            f"factory for stepper {name!r} must be callable, got {type(factory).__name__}."
        )
    _FACTORIES[name] = factory


def names() -> list[str]:
    """The registered stepper names, in registration order."""
    return list(_FACTORIES)


def factory(name: str) -> Callable[..., Any]:
    if name not in _FACTORIES:
        raise unknown("stepper", name, _FACTORIES)
    return _FACTORIES[name]


def ranges(name: str) -> dict[str, Any]:
    """The ranges the stepper ``name`` publishes for its hyperparameters (``factory.ranges``, a
    dict of :class:`~optbench.steppers._base.Range`; empty when it publishes none)."""
    return dict(getattr(factory(name), "ranges", None) or {})


def hparam_names(name: str) -> list[str]:
    """The keyword names a stepper's factory accepts."""
    return list(inspect.signature(factory(name)).parameters)


def defaults(name: str) -> dict[str, Any]:
    """The factory's default hyperparameters (``lr`` may have none)."""
    return signature_defaults(factory(name))


def get(name: str, **hparams: Any) -> Stepper:
    """Make the stepper registered as ``name`` with ``hparams``.

    Unknown names and unknown hyperparameter names raise an error with the closest suggestion.
    """
    make = factory(name)
    missing = check_keywords(make, hparams, f"stepper {name!r}")
    if missing:
        raise OptbenchError(
            f"stepper {name!r} needs {', '.join(missing)}, e.g. {name}:{missing[0]}=0.01."
        )
    return make(**hparams)
