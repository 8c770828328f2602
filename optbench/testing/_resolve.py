"""Command-line targets: ``adam:lr=0.01``, ``optax.rprop:learning_rate=0.01``, ``torch.optim.Adam``.

One syntax, unambiguous because optbench stepper names have no dot and parameters always hold ``=``:

* ``NAME[:key=value,...]``, NAME without a dot: an optbench stepper from the registry.
* ``DOTTED.PATH[:key=value,...]``: the longest importable prefix is the module, the rest attributes.
* ``MODULE:ATTRIBUTE[:key=value,...]``: the entry-point form, for a module without a dot.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from typing import Any

from .._errors import OptbenchError, closest
from ._adapters import (
    NOT_AN_OPTIMIZER,
    TORCH_MISSING,
    Adapter,
    FunctionAdapter,
    JaxAdapter,
    TorchAdapter,
    _hp_text,
    _is_torch_class,
    check_hparams,
    import_torch,
)


def resolve(spec: str) -> Adapter:
    """The adapter for a target written on the command line.

    * ``NAME[:key=value,...]``, NAME without a dot: an optbench stepper (``adam:lr=0.01``).
    * ``DOTTED.PATH[:key=value,...]``: the module is the longest importable prefix, the rest an
      attribute (``optax.rprop:learning_rate=0.01``, ``torch.optim.Adam:lr=0.01``).
    * ``MODULE:ATTRIBUTE[:key=value,...]``: the entry-point form, for a module without a dot
      (``my_adam:make:lr=0.01``); the segment after the first ``:`` names the attribute because it
      holds no ``=``.

    The imported object is used as in :func:`adapt`; a factory (a function or class that is not an
    update function) is called with the ``key=value`` parameters and must return an optimizer.
    The current directory is searched for user modules.
    """
    from .._spec import parse_spec

    found = locate(spec)
    if found is None:
        from .._values import resolve_params
        from ..steppers import get

        # the stepper syntax of race and run: schedules (lr=cosine(0.05,300)) are made here; a
        # rate in units of a problem's curvature (lr=0.5eta_max) is one sentence saying so
        name, params = parse_spec(spec, "stepper", rich=True)
        values, _ = resolve_params(params, what=f"stepper {spec.strip()!r}")
        return JaxAdapter(get(name, **values))
    return _from_object(*found)


def locate(spec: str) -> tuple[Any, dict[str, Any], str] | None:
    """``(object, params, dotted name)`` for a dotted or ``module:attribute`` target, imported;
    None for an optbench stepper name (``adam:lr=0.01``)."""
    from .._spec import parse_spec

    if not isinstance(spec, str) or not spec.strip():
        raise OptbenchError(
            f"optimizer {spec!r} is empty; expected e.g. adam:lr=0.01 or "
            "optax.adam:learning_rate=0.01."
        )
    head, _, rest = spec.strip().partition(":")
    attr = ""
    if rest and "=" not in rest.partition(":")[0]:
        attr, _, rest = rest.partition(":")
    if "." not in head and not attr:
        return None
    dotted = head + (f".{attr.strip()}" if attr.strip() else "")
    _, params = parse_spec(f"{dotted}:{rest}" if rest else dotted, "optimizer")
    obj, where = _import(head, attr.strip(), spec)
    return obj, params, where


def _import(head: str, attr: str, spec: str) -> tuple[Any, str]:
    """The object a path names, with one-sentence errors for what does not resolve."""
    parts = head.split(".") + ([attr] if attr else [])
    if parts[0] == "torch":
        import_torch()
    n_mod = len(head.split("."))
    # a module of the working folder is found when nothing installed has its name: installed
    # packages win (an unrelated optax.py here does not replace optax)
    added = os.getcwd() not in sys.path
    if added:
        sys.path.append(os.getcwd())
    try:
        module, err = None, None
        for i in range(n_mod, 0, -1):
            name = ".".join(parts[:i])
            try:
                module = importlib.import_module(name)
                break
            except SystemExit as e:
                raise OptbenchError(
                    f"importing {name!r} for {spec!r} called sys.exit({e.code!r})."
                ) from None
            except ModuleNotFoundError as e:
                err = e
                if e.name == "torch":
                    raise OptbenchError(TORCH_MISSING) from None
                if (
                    e.name
                    and e.name != ".".join(parts[:i])
                    and not ".".join(parts[:i]).startswith(e.name + ".")
                ):
                    raise OptbenchError(
                        f"importing {'.'.join(parts[:i])!r} for {spec!r} failed: {e}."
                    ) from None
            except Exception as e:  # noqa: BLE001 - the user's module failed; say so in one line
                first = (str(e).splitlines() or [""])[0]
                raise OptbenchError(
                    f"importing {name!r} for {spec!r} failed: {type(e).__name__}: {first}"
                ) from None
        if module is None:
            raise OptbenchError(
                f"cannot import {parts[0]!r} for {spec!r} ({err}); check the spelling, or that the "
                "module is installed or in the current directory."
            )
    finally:
        if added:
            sys.path.remove(os.getcwd())
    obj = module
    for j, name in enumerate(parts[i:]):
        if not hasattr(obj, name):
            where = ".".join(parts[: i + j])
            hint = closest(name, [n for n in dir(obj) if not n.startswith("_")])
            did = f"; did you mean {hint!r}?" if hint else "."
            raise OptbenchError(f"{where!r} has no attribute {name!r} (in {spec!r}){did}")
        obj = getattr(obj, name)
    return obj, ".".join(parts)


def _is_update_function(obj: Any) -> bool:
    """A function of three positional parameters without defaults: update(params, grads, state)."""
    if isinstance(obj, type) or not callable(obj):
        return False
    try:
        ps = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return False
    required = [
        p
        for p in ps
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        and p.default is inspect.Parameter.empty
    ]
    return len(required) == 3


def _from_object(obj: Any, params: dict[str, Any], where: str) -> Adapter:
    if _is_torch_class(obj):
        return TorchAdapter(obj, **params)
    if hasattr(obj, "init") and hasattr(obj, "update") and not isinstance(obj, type):
        if params:
            raise OptbenchError(
                f"{where} is already an optimizer; it takes no key=value parameters."
            )
        return JaxAdapter(obj, name=where)
    if _is_update_function(obj) and not params:
        return FunctionAdapter(obj, label=where)
    if callable(obj):
        check_hparams(obj, params, where)
        try:
            made = obj(**params)
        except (TypeError, ValueError) as err:
            raise OptbenchError(
                f"{where} rejects {_hp_text(params) or 'no arguments'}: {err}."
            ) from None
        if hasattr(made, "init") and hasattr(made, "update"):
            if any(isinstance(v, str) for v in params.values()):
                try_one_step(made, params, where)
            label = f"{where} ({_hp_text(params)})" if params else where
            return JaxAdapter(made, label=label, name=where, hparams=params)
        if isinstance(made, Adapter):
            return made
        if _is_update_function(made):
            return FunctionAdapter(made, label=f"{where} ({_hp_text(params)})" if params else where)
        raise OptbenchError(
            f"{where} returned {type(made).__name__}, which is not an optimizer; "
            f"expected {NOT_AN_OPTIMIZER}."
        )
    raise OptbenchError(f"{where} (={obj!r}) is not an optimizer; expected {NOT_AN_OPTIMIZER}.")


def try_one_step(transform: Any, params: dict[str, Any], where: str) -> None:
    """One init and update on a tiny vector, for a factory given text (``learning_rate=abc``):
    optax takes any value and fails only inside the run, after files are written."""
    import jax.numpy as jnp

    from ._adapters import _takes_value

    x = jnp.zeros(2)
    try:
        state = transform.init(x)
        extra = {"value": jnp.zeros(())} if _takes_value(transform) else {}
        transform.update(jnp.ones(2), state, x, **extra)
    except Exception as err:  # noqa: BLE001 - whatever the library raises, one sentence
        text = ", ".join(f"{k}={v!r}" for k, v in params.items() if isinstance(v, str))
        why = (str(err).strip().splitlines() or [type(err).__name__])[0].rstrip(".")
        raise OptbenchError(f"{where} rejects {text} (text, not a number): {why}.") from None
