"""The stepper protocol (optax's): ``init(params) -> state`` and
``update(grads, state, params) -> (updates, state)``.

New parameters are ``params + updates``. A :class:`Stepper` is a NamedTuple whose first two fields
are ``init`` and ``update``, so it drops into any optax/flax loop, plus what plots and the runner
need: the registry ``name``, the ``hparams`` it was made with, a display ``label``, a LaTeX
``formula`` and the ``factory`` that rebuilds it with other (possibly traced) hyperparameter values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._errors import OptbenchError, closest
from .._names import callable_name


class Stepper(NamedTuple):
    """An optimizer: ``init`` and ``update`` as in ``optax.GradientTransformation``; metadata."""

    init: Callable[[Any], Any]
    update: Callable[..., tuple[Any, Any]]
    name: str = ""
    hparams: Mapping[str, Any] = {}
    label: str = ""
    formula: str = ""
    factory: Callable[..., Stepper] | None = None

    def replace_hparams(self, **changes: Any) -> Stepper:
        """The same stepper made with some hyperparameters changed (values may be traced arrays)."""
        if self.factory is None:
            raise OptbenchError(
                f"stepper {self.label or self.name!r} has no factory to rebuild it from."
            )
        return self.factory(**{**self.hparams, **changes})


def is_traced(value: Any) -> bool:
    """True for values inside ``jit``/``vmap``: those pass through validation unchecked."""
    return isinstance(value, jax.core.Tracer)


def _concrete(value: Any) -> float | None:
    """A Python float for a concrete scalar; None for traced values, schedules and larger arrays."""
    if callable(value) or is_traced(value):
        return None
    try:
        arr = jnp.asarray(value) if not isinstance(value, (int, float)) else value
        if getattr(arr, "size", 1) != 1:
            return None
        return float(arr)
    except (TypeError, ValueError):
        return None


@dataclasses.dataclass(frozen=True)
class Range:
    """The values a hyperparameter may take: ``low <(=) x <(=) high`` (None: unbounded), and
    finite when ``finite``. Steppers publish theirs as data (``factory.ranges``), so a sweep
    checks a whole grid with NumPy before anything compiles."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    finite: bool = False

    def text(self, name: str) -> str:
        lo = "" if self.low is None else f"{self.low} {'<' if self.low_open else '<='} "
        hi = "" if self.high is None else f" {'<' if self.high_open else '<='} {self.high}"
        return f"{lo}{name}{hi}"

    def holds(self, values: Any) -> np.ndarray:
        """Which of ``values`` (an array) lie in the range."""
        v = np.asarray(values, dtype=float)
        ok = ~np.isnan(v)
        if self.low is not None:
            ok &= v > self.low if self.low_open else v >= self.low
        if self.high is not None:
            ok &= v < self.high if self.high_open else v <= self.high
        if self.finite:
            ok &= np.isfinite(v)
        return ok

    def message(self, name: str, value: Any, stepper: str = "") -> str:
        """The sentence for a number outside the range."""
        where = f" of {stepper}" if stepper else ""
        if self.finite and value == np.inf and self.high is None:
            return f"`{name}`{where} (={value!r}) must be a finite number > {self.low:g}."
        return f"`{name}`{where} (={value!r}) must satisfy {self.text(name)}."

    def check(self, name: str, value: Any, stepper: str = "") -> None:
        """Raise an error naming ``name``, ``value`` and the range if ``value`` lies outside.

        Traced values pass unchecked; text, switches, None and schedules are refused as not
        numbers (only ``lr`` takes a schedule, and :func:`check_lr` lets it through).
        """
        where = f" of {stepper}" if stepper else ""
        if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
            raise OptbenchError(
                f"`{name}`{where} (={value!r}) must be a number with {self.text(name)}."
            )
        if callable(value) and not is_traced(value):  # e.g. b1=cosine(0.9,100)
            raise OptbenchError(
                f"`{name}`{where} (={value}) must be a number with {self.text(name)}; only `lr` "
                "takes a schedule."
            )
        v = _concrete(value)
        if v is None or is_traced(self.low) or is_traced(self.high):  # a schedule's swept peak
            return
        if not self.holds(v):
            raise OptbenchError(self.message(name, value, stepper))


LR = Range(0.0, low_open=True, finite=True)  # 0 < lr < inf
UNIT = Range(0.0, 1.0, high_open=True)  # a decay or momentum factor, 0 <= beta < 1
NONNEGATIVE = Range(0.0)


def check_range(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    stepper: str = "",
) -> None:
    """:meth:`Range.check` for a range given by its ends."""
    Range(low, high, low_open, high_open).check(name, value, stepper)


def check_ranges(ranges: Mapping[str, Range], values: Mapping[str, Any], stepper: str) -> None:
    """Check each of ``values`` against its published range (``lr`` by :func:`check_lr`)."""
    for name, value in values.items():
        if name == "lr":
            check_lr(value, stepper)
        else:
            ranges[name].check(name, value, stepper)


def publishes(ranges: Mapping[str, Range]) -> Callable[[Callable], Callable]:
    """Decorate a stepper factory with the ranges of its hyperparameters (``factory.ranges``)."""

    def mark(factory: Callable) -> Callable:
        factory.ranges = dict(ranges)
        return factory

    return mark


def check_choice(name: str, value: Any, choices: tuple[str, ...], *, stepper: str = "") -> None:
    """Raise a ValueError when a string option is not one of ``choices``, suggesting the closest."""
    if value not in choices:
        hint = closest(str(value), choices)
        did = f" Did you mean {hint!r}?" if hint else ""
        where = f" of {stepper}" if stepper else ""
        raise OptbenchError(
            f"`{name}`{where} (={value!r}) must be one of {', '.join(map(repr, choices))}.{did}"
        )


def check_flag(name: str, value: Any, *, stepper: str = "") -> None:
    """Raise a ValueError unless a switch such as ``centered`` is a Python bool."""
    if not isinstance(value, bool):
        where = f" of {stepper}" if stepper else ""
        raise OptbenchError(f"`{name}`{where} (={value!r}) must be True or False.")


def shown_if_nonzero(value: Any) -> bool:
    """Whether a hyperparameter belongs in a legend: False only for a concrete 0."""
    v = _concrete(value)
    return v is None or v != 0.0


def learning_rate(lr: Any, count: jax.Array) -> Any:
    """The learning rate of the update numbered ``count`` (0 for the first): lr or lr(count)."""
    return lr(count) if callable(lr) else lr


def check_lr(lr: Any, stepper: str) -> None:
    """0 < lr < inf for a number; a schedule is checked when it is made."""
    if not callable(lr):
        LR.check("lr", lr, stepper)


def safe_div(num: jax.Array, den: jax.Array) -> jax.Array:
    """num / den where den > 0, and 0 where den == 0 (an all-zero gradient history with eps = 0)."""
    positive = den > 0
    return jnp.where(positive, num / jnp.where(positive, den, 1), jnp.zeros_like(num))


def tree_cast_like(tree: Any, like: Any) -> Any:
    """``tree`` with every leaf cast to the dtype of the matching leaf of ``like``."""
    return jax.tree.map(lambda x, p: jnp.asarray(x).astype(p.dtype), tree, like)


def tree_zeros_like(tree: Any) -> Any:
    return jax.tree.map(jnp.zeros_like, tree)


def tree_full_like(tree: Any, value: Any) -> Any:
    return jax.tree.map(lambda x: jnp.full_like(x, value), tree)


def _fmt(value: Any) -> str:
    if isinstance(value, (bool, str)):
        return str(value)
    if callable(value):
        return callable_name(value)
    v = _concrete(value)
    if v is None:
        return "·"
    return f"{v:g}"


def _differs(value: Any, default: Any) -> bool:
    """Whether a hyperparameter's value is not its default (a traced value counts as set)."""
    if callable(value) or callable(default) or isinstance(value, (bool, str)):
        return type(value) is not type(default) or value != default
    a, b = _concrete(value), _concrete(default)
    if a is None or b is None:
        return True
    return a != b


def make_label(
    display: str,
    hparams: Mapping[str, Any],
    shown: tuple[str, ...],
    defaults: Mapping[str, Any] | None = None,
    words: Mapping[str, str] | None = None,
) -> str:
    """``"Adam, eps inside the root (lr=0.01, b1=0.5)"``: what ran, told apart from the rest.

    Args:
      display: the stepper's name as a reader knows it, with its variant (``"AMSGrad"``).
      hparams: every hyperparameter the stepper was made with.
      shown: the numbers always named (the learning rate), in this order.
      defaults: the factory's defaults; every other number that differs from its default is
        named too, in the order of ``hparams``.
      words: for switches (bools and strings), the words that say a non-default value, or ``""``
        when ``display`` already tells it; a switch without words is named as ``key=value``.
    """
    defaults = dict(defaults or {})
    words = dict(words or {})
    told, parts = [], [f"{k}={_fmt(hparams[k])}" for k in shown if k in hparams]
    for k, v in hparams.items():
        if k in shown or k not in defaults or not _differs(v, defaults[k]):
            continue
        if k in words:
            if words[k]:  # "": already told by ``display``
                told.append(words[k])
        else:
            parts.append(f"{k}={_fmt(v)}")
    head = ", ".join([display, *told])
    return f"{head} ({', '.join(parts)})" if parts else head
