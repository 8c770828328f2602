"""The one syntax for names with parameters: ``NAME[:key=value,key=value]``.

Used for surfaces, steppers, models and data sets alike, on the command line and in the API.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ._errors import OptbenchError

UNITS = ("eta_max", "eta_opt")  # learning rates in units of the problem's curvature
_UNIT_TEXT = {"eta_max": "η_max", "eta_opt": "η_opt"}
_ETA = re.compile(r"^(.*?)\s*\*?\s*(eta_max|eta_opt|η_max|η_opt)$")
_CALL = re.compile(r"^([A-Za-z_]\w*)\s*\((.*)\)$", re.S)


@dataclasses.dataclass(frozen=True)
class Eta:
    """A learning rate written in the problem's units, ``0.5eta_max``: ``factor`` times LeCun's
    eta_max = 2/lambda_max (or eta_opt = 1/lambda_max) of the Hessian at the start point."""

    factor: float
    unit: str

    def __str__(self) -> str:
        head = "" if self.factor == 1 else f"{self.factor:g} "
        return head + _UNIT_TEXT[self.unit]


@dataclasses.dataclass(frozen=True)
class Call:
    """A value written as a call, ``cosine(0.05,300)``: a schedule, made when the stepper is."""

    name: str
    args: tuple

    def __str__(self) -> str:
        return f"{self.name}({','.join(map(str, self.args))})"


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


def parse_eta(text: str, what: str) -> Eta | None:
    """``"0.5eta_max"``, ``"0.5*eta_max"``, ``"eta_opt"`` -> :class:`Eta`; None for other text."""
    m = _ETA.match(text.strip())
    if not m:
        return None
    unit = m[2].replace("η", "eta")
    try:
        factor = float(m[1]) if m[1].strip() else 1.0
    except ValueError:
        raise OptbenchError(
            f"{what} (={text!r}) must be a number times {unit}, e.g. 0.5{unit} or 0.5*{unit}."
        ) from None
    if not factor > 0 or factor == float("inf"):
        raise OptbenchError(f"{what} (={text!r}) must be a positive multiple of {unit}.")
    return Eta(factor, unit)


def parse_rich_value(text: str, what: str = "value") -> Any:
    """:func:`parse_value`, plus the values a stepper takes: ``0.5eta_max`` (:class:`Eta`) and
    calls such as ``cosine(0.05,300)`` (:class:`Call`, arguments parsed the same way)."""
    text = text.strip()
    eta = parse_eta(text, what)
    if eta is not None:
        return eta
    m = _CALL.match(text)
    if m:
        inner = m[2].strip()
        parts = split_top(inner, what, text) if inner else []
        args = tuple(parse_rich_value(a, what) for a in parts)
        return Call(m[1], args)
    if "(" in text or ")" in text:
        raise OptbenchError(
            f"{what} (={text!r}) is not a value: a call is written NAME(arg,...), e.g. "
            "cosine(0.05,300)."
        )
    return parse_value(text)


def split_top(text: str, what: str = "spec", whole: str | None = None) -> list[str]:
    """``text`` split at the commas outside parentheses: ``"lr=cosine(1,2),b1=0.9"`` -> 2 parts."""
    parts, depth, cur = [], 0, []
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise OptbenchError(f"{what} {whole or text!r} closes a parenthesis it never opened.")
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if depth:
        raise OptbenchError(f"{what} {whole or text!r} leaves a parenthesis open.")
    parts.append("".join(cur))
    return parts


def parse_spec(spec: str, what: str = "spec", rich: bool = False) -> tuple[str, dict[str, Any]]:
    """Split ``"adam:lr=0.01,b1=0.8"`` into ``("adam", {"lr": 0.01, "b1": 0.8})``.

    With ``rich`` (steppers), values may also be ``0.5eta_max`` or a call like
    ``cosine(0.05,300)`` (see :func:`parse_rich_value`).

    >>> parse_spec("rosenbrock:a=1,b=100")
    ('rosenbrock', {'a': 1, 'b': 100})
    >>> parse_spec("adam:lr=cosine(0.05,300),b1=0.5", rich=True)
    ('adam', {'lr': Call(name='cosine', args=(0.05, 300)), 'b1': 0.5})
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
        for item in split_top(rest, what, spec):
            key, eq, value = item.partition("=")
            key = key.strip()
            if not eq or not key or not key.isidentifier() or not value.strip():
                # a stepper's example is its learning rate; other specs show the key given
                example = "lr=0.01" if rich or not key.isidentifier() else f"{key}=VALUE"
                raise OptbenchError(
                    f"{what} {spec!r} has a malformed parameter {item!r}; expected key=value, "
                    f"e.g. {name}:{example}."
                )
            if key in params:
                raise OptbenchError(f"{what} {spec!r} gives {key!r} twice.")
            params[key] = (
                parse_rich_value(value, f"`{key}` of {what} {spec!r}")
                if rich
                else parse_value(value)
            )
    return name, params


def format_spec(name: str, params: dict[str, Any]) -> str:
    """The inverse of :func:`parse_spec` for simple values."""
    if not params:
        return name
    return name + ":" + ",".join(f"{k}={v}" for k, v in params.items())
