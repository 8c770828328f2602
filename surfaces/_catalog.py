"""The catalog of named surfaces (formulas, domains, starts and minima: OPTIMIZER_MATH.md section 7)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

from optbench._errors import OptbenchError, closest, unknown
from optbench._spec import parse_spec
from optbench.surfaces._surface import Surface

_CATALOG: dict[str, Callable[..., Surface]] = {}


def _register(make: Callable[..., Surface]) -> Callable[..., Surface]:
    _CATALOG[make.__name__] = make
    return make


def _catalog_surface(fn, name: str, params: dict[str, Any], **kw: Any) -> Surface:
    s = Surface(fn, name=name, params=params, **kw)
    s._catalog = True
    return s


@_register
def rosenbrock(a: float = 1.0, b: float = 100.0, noise: float = 0.0) -> Surface:
    r"""Rosenbrock's banana valley :math:`(a-x)^2 + b(y-x^2)^2`, minimum 0 at :math:`(a, a^2)`."""
    def f(p):
        x, y = p[0], p[1]
        return (a - x) ** 2 + b * (y - x**2) ** 2

    return _catalog_surface(f, "rosenbrock", {"a": a, "b": b}, formula=r"(a-x)^2 + b(y-x^2)^2",
                            bounds=[(-2.0, 2.0), (-1.0, 3.0)], start=[-1.5, 2.0], minima=[[a, a * a]],
                            min_value=0.0, noise=noise)


@_register
def quadratic(kappa: float = 10.0, angle: float = 0.0, dim: int = 2, scale: float = 1.0,
              noise: float = 0.0) -> Surface:
    r"""An ill-conditioned quadratic :math:`\tfrac12 x^\top A x`, :math:`A = R\,\mathrm{diag}(\lambda)\,R^\top`.

    Eigenvalues ``scale * logspace(0, log10(kappa), dim)`` (so :math:`\lambda_{min} = scale`,
    :math:`\lambda_{max} = scale\cdot\kappa`), rotated by ``angle`` (radians) in the first two coordinates.
    """
    if kappa < 1:
        raise OptbenchError(f"`kappa` of quadratic (={kappa!r}) must be >= 1.")
    if int(dim) != dim or dim < 1:
        raise OptbenchError(f"`dim` of quadratic (={dim!r}) must be a positive integer.")
    if not scale > 0:
        raise OptbenchError(f"`scale` of quadratic (={scale!r}) must be > 0.")
    dim = int(dim)
    eig = scale * np.logspace(0.0, np.log10(kappa), dim) if dim > 1 else np.array([scale * kappa])
    rot = np.eye(dim)
    if dim >= 2:
        c, s = np.cos(angle), np.sin(angle)
        rot[:2, :2] = [[c, -s], [s, c]]
    A = rot @ np.diag(eig) @ rot.T

    def f(p):
        Am = jnp.asarray(A, dtype=p.dtype)
        return 0.5 * p @ (Am @ p)

    s = _catalog_surface(f, "quadratic", {"kappa": kappa, "angle": angle, "dim": dim, "scale": scale},
                         formula=r"\tfrac12 x^\top A x", bounds=[(-2.0, 2.0)] * dim,
                         start=[-1.5, 1.0] + [1.0] * (dim - 2) if dim >= 2 else [1.5],
                         minima=[[0.0] * dim], min_value=0.0, noise=noise)
    s.hessian_eigenvalues = np.sort(eig)
    s.matrix = A
    return s


def names() -> list[str]:
    """The catalog's surface names."""
    return list(_CATALOG)


def get(name: str, **params: Any) -> Surface:
    """The catalog surface ``name`` made with ``params`` (``noise=sigma`` works for every surface)."""
    if name not in _CATALOG:
        raise unknown("surface", name, _CATALOG)
    make = _CATALOG[name]
    known = list(inspect.signature(make).parameters)
    for key in params:
        if key not in known:
            hint = closest(key, known)
            did = f" Did you mean {hint!r}?" if hint else ""
            raise OptbenchError(f"surface {name!r} has no parameter {key!r}; it takes {', '.join(known)}.{did}")
    return make(**params)


def get_spec(spec: str) -> Surface:
    """A surface from ``"NAME[:key=value,...]"`` or ``"path/to/file.py:function"``."""
    name, params = parse_spec(spec, "surface") if ".py:" not in spec else (spec, {})
    if ".py:" in name:
        from optbench.surfaces._user import load_user_surface

        return load_user_surface(spec)
    return get(name, **params)
