"""The one syntax for names with parameters: ``NAME[:key=value,key=value]``.

Used for surfaces, steppers, models and data sets alike, on the command line and in the API.
"""

from __future__ import annotations

from typing import Any

from ._errors import OptbenchError


def parse_value(text: str) -> Any:
    """``"0.1"`` -> 0.1, ``"3"`` -> 3, ``"true"`` -> True, ``"none"`` -> None, else the string."""
    low = text.strip().lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    if low in ("none", "null"):
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text.strip()


def parse_spec(spec: str, what: str = "spec") -> tuple[str, dict[str, Any]]:
    """Split ``"adam:lr=0.01,b1=0.8"`` into ``("adam", {"lr": 0.01, "b1": 0.8})``.

    >>> parse_spec("rosenbrock:a=1,b=100")
    ('rosenbrock', {'a': 1, 'b': 100})
    """
    if not isinstance(spec, str) or not spec.strip():
        raise OptbenchError(f"{what} {spec!r} is empty; expected NAME[:key=value,...].")
    name, _, rest = spec.strip().partition(":")
    name = name.strip()
    if not name:
        raise OptbenchError(
            f"{what} {spec!r} has no name before ':'; expected NAME[:key=value,...]."
        )
    params: dict[str, Any] = {}
    if rest.strip():
        for item in rest.split(","):
            key, eq, value = item.partition("=")
            key = key.strip()
            if not eq or not key or not key.isidentifier() or not value.strip():
                raise OptbenchError(
                    f"{what} {spec!r} has a malformed parameter {item!r}; expected key=value, "
                    f"e.g. {name}:lr=0.01."
                )
            if key in params:
                raise OptbenchError(f"{what} {spec!r} gives {key!r} twice.")
            params[key] = parse_value(value)
    return name, params


def format_spec(name: str, params: dict[str, Any]) -> str:
    """The inverse of :func:`parse_spec` for simple values."""
    if not params:
        return name
    return name + ":" + ",".join(f"{k}={v}" for k, v in params.items())
