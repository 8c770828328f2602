"""The catalog of named surfaces: lookup by name, plus the valleys, saddles and quadratics.

Formulas, domains, usual starts and minima are listed in the manual's math page (docs/math.md,
section "Test surfaces"; sources: Wikipedia, "Test functions for optimization"; Surjanovic &
Bingham's SFU Virtual Library). The classic benchmark functions live in ``_benchmarks.py``; both
register here, and ``names()`` lists them in that order.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np
from optbench.surfaces._surface import Surface

from optbench._errors import OptbenchError, closest, unknown
from optbench._spec import parse_spec

_CATALOG: dict[str, Callable[..., Surface]] = {}


def register(make: Callable[..., Surface]) -> Callable[..., Surface]:
    """Add a surface factory to the catalog under its function name."""
    _CATALOG[make.__name__] = make
    return make


def catalog_surface(fn: Callable, name: str, params: dict[str, Any], **kw: Any) -> Surface:
    """A :class:`Surface` identified by (name, params), so that compiled runs are shared."""
    s = Surface(fn, name=name, params=params, **kw)
    s._catalog = True
    return s


def real(
    surface: str, name: str, value: Any, low: float | None = None, *, open_low: bool = False
) -> float:
    """``value`` as a finite float (``> low`` or ``>= low``), or a one-sentence error."""
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    v = float(value) if ok else math.nan
    if ok and math.isfinite(v) and (low is None or (v > low if open_low else v >= low)):
        return v
    allowed = "a finite number" if low is None else f"a number {'>' if open_low else '>='} {low:g}"
    raise OptbenchError(f"`{name}` of {surface} (={value!r}) must be {allowed}.")


def dimension(surface: str, dim: Any) -> int:
    """``dim`` as a positive integer, or a one-sentence error."""
    if (
        isinstance(dim, bool)
        or not isinstance(dim, (int, np.integer, float))
        or dim != int(dim)
        or dim < 1
    ):
        raise OptbenchError(f"`dim` of {surface} (={dim!r}) must be a positive integer.")
    return int(dim)


@register
def rosenbrock(a: float = 1.0, b: float = 100.0, noise: float = 0.0) -> Surface:
    r"""Rosenbrock's banana valley :math:`(a-x)^2 + b(y-x^2)^2`, minimum 0 at :math:`(a, a^2)`.

    At the minimum (a=1, b=100) the Hessian eigenvalues are 0.3994 and 1001.6 (kappa ~ 2508), so
    plain gradient descent needs lr < 2/1001.6 ~ 0.002 there. Start (-1.5, 2) on the usual plot
    window x in [-2, 2], y in [-1, 3]. Reference: Rosenbrock (1960); Moré, Garbow & Hillstrom
    (1981), problem 1.
    """
    a, b = real("rosenbrock", "a", a), real("rosenbrock", "b", b, 0.0, open_low=True)

    def f(p):
        x, y = p[0], p[1]
        return (a - x) ** 2 + b * (y - x**2) ** 2

    return catalog_surface(
        f,
        "rosenbrock",
        {"a": a, "b": b},
        formula=r"(a-x)^2 + b(y-x^2)^2",
        bounds=[(-2.0, 2.0), (-1.0, 3.0)],
        start=[-1.5, 2.0],
        minima=[[a, a * a]],
        min_value=0.0,
        noise=noise,
    )


@register
def saddle(noise: float = 0.0) -> Surface:
    r"""The saddle :math:`x^2 - y^2`: unbounded below; stationary point 0 with eigenvalues 2, -2.

    Gradient descent started exactly on y = 0 (the stable manifold) converges to the saddle; the
    default start (1, 0.001) sits just off it, so y grows like :math:`(1 + 2\eta)^k` and the race
    shows which steppers escape fastest (adaptive ones, which normalise per coordinate, do).
    """

    def f(p):
        return p[0] ** 2 - p[1] ** 2

    return catalog_surface(
        f,
        "saddle",
        {},
        formula=r"x^2 - y^2",
        bounds=[(-2.0, 2.0), (-2.0, 2.0)],
        start=[1.0, 1e-3],
        noise=noise,
    )


@register
def monkey_saddle(noise: float = 0.0) -> Surface:
    r"""The monkey saddle :math:`x^3 - 3xy^2 = r^3\cos 3\varphi`, degenerate stationary point 0.

    The Hessian at the origin is zero and the gradient :math:`(3x^2 - 3y^2, -6xy)` is quadratic in
    the distance from it, so gradient descent stalls near the origin before sliding down one of the
    three valleys (directions :math:`\varphi = \pi, \pm\pi/3`). Unbounded below: no minimum.
    """

    def f(p):
        x, y = p[0], p[1]
        return x**3 - 3 * x * y**2

    return catalog_surface(
        f,
        "monkey_saddle",
        {},
        formula=r"x^3 - 3xy^2",
        bounds=[(-1.5, 1.5), (-1.5, 1.5)],
        start=[1.0, 0.2],
        noise=noise,
    )


@register
def quadratic(
    kappa: float = 10.0, angle: float = 0.0, dim: int = 2, scale: float = 1.0, noise: float = 0.0
) -> Surface:
    r"""An ill-conditioned quadratic :math:`\tfrac12 x^\top A x`, :math:`A =
    R\,\mathrm{diag}(\lambda)\,R^\top`.

    Eigenvalues ``scale * logspace(0, log10(kappa), dim)`` (so :math:`\lambda_{min} = scale`,
    :math:`\lambda_{max} = scale\cdot\kappa`; for ``dim=1`` the single eigenvalue is
    ``scale*kappa``), rotated by ``angle`` (radians) in the first two coordinates. The exact
    eigenvalues are the attribute ``hessian_eigenvalues`` (ascending) and A is ``matrix``: the
    theory of docs/math.md, section "Convergence on quadratics" (gradient descent, heavy ball,
    Nesterov) applies exactly.
    """
    kappa = real("quadratic", "kappa", kappa, 1.0)
    angle = real("quadratic", "angle", angle)
    scale = real("quadratic", "scale", scale, 0.0, open_low=True)
    dim = dimension("quadratic", dim)
    eig = scale * np.logspace(0.0, np.log10(kappa), dim) if dim > 1 else np.array([scale * kappa])
    rot = np.eye(dim)
    if dim >= 2:
        c, s = np.cos(angle), np.sin(angle)
        rot[:2, :2] = [[c, -s], [s, c]]
    A = rot @ np.diag(eig) @ rot.T

    def f(p):
        Am = jnp.asarray(A, dtype=p.dtype)
        return 0.5 * p @ (Am @ p)

    s = catalog_surface(
        f,
        "quadratic",
        {"kappa": kappa, "angle": angle, "dim": dim, "scale": scale},
        formula=r"\tfrac12 x^\top A x",
        bounds=[(-2.0, 2.0)] * dim,
        start=[-1.5, 1.0] + [1.0] * (dim - 2) if dim >= 2 else [1.5],
        minima=[[0.0] * dim],
        min_value=0.0,
        noise=noise,
    )
    s.hessian_eigenvalues = np.sort(eig)
    s.matrix = A
    return s


def names() -> list[str]:
    """The catalog's surface names."""
    return list(_CATALOG)


def defaults(name: str) -> dict[str, Any]:
    """The parameters surface ``name`` takes, with their defaults."""
    if name not in _CATALOG:
        raise unknown("surface", name, _CATALOG)
    return {k: p.default for k, p in inspect.signature(_CATALOG[name]).parameters.items()}


def get(name: str, **params: Any) -> Surface:
    """The catalog surface ``name`` made with ``params`` (``noise=sigma`` works for every surface).

    >>> get("rosenbrock", b=10).minima
    array([[1., 1.]])
    """
    if name not in _CATALOG:
        raise unknown("surface", name, _CATALOG)
    make = _CATALOG[name]
    known = list(inspect.signature(make).parameters)
    for key in params:
        if key not in known:
            hint = closest(key, known)
            did = f" Did you mean {hint!r}?" if hint else ""
            raise OptbenchError(
                f"surface {name!r} has no parameter {key!r}; it takes {', '.join(known)}.{did}"
            )
    if "noise" in params:
        params["noise"] = real(name, "noise", params["noise"], 0.0)
    return make(**params)


def get_spec(spec: str) -> Surface:
    """A surface from ``"NAME[:key=value,...]"`` or a user's ``"path/to/file.py:function"``."""
    if isinstance(spec, str) and ".py:" in spec:
        from optbench.surfaces._user import load_user_surface

        return load_user_surface(spec)
    name, params = parse_spec(spec, "surface")
    return get(name, **params)
