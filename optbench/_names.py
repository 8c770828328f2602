"""Names a reader can recognise for things that have none of their own; no JAX imported here.

A label, a CSV row or a JSON record never shows a memory address: a schedule shows its own text
(``cosine(0.1→0 in 200)``), a function its name, an optax transform the transforms it chains.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any


def callable_name(value: Any) -> str:
    """A schedule's own text, else the function's or the class's name (``lambda`` for one)."""
    if type(value).__str__ is not object.__str__:  # a schedule with a text of its own
        return str(value)
    name = getattr(value, "__qualname__", None) or type(value).__name__
    return "lambda" if name.endswith("<lambda>") else name.rsplit(".", 1)[-1]


def signature_defaults(fn: Any) -> dict[str, Any]:
    """The keyword defaults of a function or class (empty where it has no signature)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}
    return {k: p.default for k, p in params.items() if p.default is not inspect.Parameter.empty}


def check_keywords(fn: Any, hparams: Any, where: str, skip: tuple[str, ...] = ()) -> list[str]:
    """Refuse a keyword ``fn`` does not accept, in one sentence naming ``where`` and suggesting the
    closest; return the required keywords ``hparams`` leaves out (callers say what to do).

    A function that takes ``**kwargs``, or has no signature, accepts anything.
    """
    from ._errors import OptbenchError, closest

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return []
    ps = {k: p for k, p in params.items() if k not in skip}
    if any(p.kind is p.VAR_KEYWORD for p in ps.values()):
        return []
    known = [k for k, p in ps.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for key in hparams:
        if key not in known:
            hint = closest(key, known)
            did = f" Did you mean {hint!r}?" if hint else ""
            takes = f"it takes {', '.join(known)}" if known else "it takes none"
            raise OptbenchError(f"{where} has no hyperparameter {key!r}; {takes}.{did}")
    return [k for k in known if ps[k].default is inspect.Parameter.empty and k not in hparams]


def stepper_name(stepper: Any) -> str:
    """What to call an optimizer object that carries no ``label`` of its own.

    An optax transform made by a factory (``optax.scale_by_adam(...)``, or ``optax.adam``, a chain
    of such) is named by the factories and their arguments that differ from the defaults, read
    from the closures of its ``update`` function: ``optax chain(scale_by_adam(b1=0.5),
    scale_by_learning_rate(learning_rate=0.01))``. Anything else is named by its class.
    """
    text = _transform(stepper, depth=0)
    if text is not None:
        return f"optax {text}" if type(stepper).__module__.startswith("optax") else text
    return type(stepper).__name__


def _transform(obj: Any, depth: int) -> str | None:
    """``factory(arg=value, ...)`` for a transform (or its ``update`` function) made inside a
    factory, else None."""
    fns = [getattr(obj, "update", obj), getattr(obj, "init", None)]
    fns = [f for f in fns if inspect.isfunction(f)]  # closures, not an object's methods
    qualname = getattr(fns[0], "__qualname__", "") if fns else ""
    if ".<locals>." not in qualname or depth > 4:
        return None
    factory = qualname.split(".<locals>.", 1)[0]
    cells: dict[str, Any] = {}
    for fn in fns:
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
            try:
                cells.setdefault(name, cell.cell_contents)
            except ValueError:  # an empty cell
                pass
    inner = [v for v in cells.values() if callable(getattr(v, "update", None))]
    if len(inner) == 1 and len(cells) == 1:  # a wrapper (optax's with_extra_args_support)
        return _transform(inner[0], depth + 1)
    if factory == "chain":
        parts = [_transform(t, depth + 1) for t in _chained(cells)]
        return None if None in parts or not parts else f"chain({', '.join(parts)})"
    defaults = signature_defaults(getattr(sys.modules.get(fns[0].__module__), factory, None))
    args = []
    for name, value in sorted(cells.items()):
        if isinstance(value, (bool, int, float, str)):
            if name in defaults and type(defaults[name]) is type(value) and defaults[name] == value:
                continue
            args.append(f"{name}={value:g}" if isinstance(value, float) else f"{name}={value!r}")
        elif inspect.isfunction(value) and any(w in name for w in _RATES):
            args.append(f"{name}={callable_name(value)}")
    return f"{factory}({', '.join(args)})"


_RATES = ("learning_rate", "step_size", "schedule")  # closed-over functions worth naming


def _chained(cells: dict[str, Any]) -> list[Any]:
    """What a ``chain`` closes over: its transforms, or their ``update`` functions."""
    for value in cells.values():
        if (
            isinstance(value, tuple)
            and value
            and all(callable(getattr(t, "update", t)) for t in value)
        ):
            return list(value)
    return []
