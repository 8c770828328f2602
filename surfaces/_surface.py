"""The :class:`Surface`: a scalar function of a point, with what plots and analysis need to know."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from optbench._errors import OptbenchError


def _check_noise(noise: Any) -> float:
    """The gradient-noise level as a float >= 0, or a one-sentence error."""
    try:
        sigma = float(noise)
    except (TypeError, ValueError):
        sigma = float("nan")
    if not (sigma >= 0 and np.isfinite(sigma)):
        raise OptbenchError(f"`noise` (={noise!r}) must be a finite number >= 0.")
    return sigma


class Surface:
    r"""A differentiable test function :math:`f: \mathbb{R}^d \to \mathbb{R}`.

    Gradients and Hessians come from JAX (``jax.grad``, ``jax.hessian``), not finite differences.

    Args:
      fn: a JAX-traceable function of a point ``x`` of shape ``(d,)`` returning a scalar.
      bounds: plot bounds, a sequence of ``(low, high)`` per coordinate.
      start: the default start point, shape ``(d,)``.
      minima: the known minima, shape ``(k, d)`` (may be empty).
      min_value: the minimum value where known, else None.
      name, formula: a short name and a LaTeX formula for plots and ``optbench list``.
      noise: standard deviation of Gaussian noise added to each gradient (seeded by the run's key).
      params: the parameters the surface was made with (for ``run.json`` and labels).
    """

    def __init__(
        self,
        fn: Callable[[jax.Array], jax.Array],
        *,
        bounds: Sequence[Sequence[float]],
        start: Sequence[float],
        minima: Any = (),
        min_value: float | None = None,
        name: str | None = None,
        formula: str = "",
        noise: float = 0.0,
        params: dict[str, Any] | None = None,
    ):
        if not callable(fn):
            raise OptbenchError(f"`fn` must be a callable of a point, got {type(fn).__name__}.")
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "surface")
        self.formula = formula
        self.params = dict(params or {})
        pairs = "must be a sequence of (low, high) pairs of finite numbers with low < high"
        try:
            self.bounds = np.asarray(bounds, dtype=float)
        except (TypeError, ValueError):
            raise OptbenchError(f"`bounds` (={bounds!r}) {pairs}.") from None
        if (
            self.bounds.ndim != 2
            or self.bounds.shape[1] != 2
            or self.bounds.shape[0] < 1
            or not np.all(np.isfinite(self.bounds))
            or np.any(self.bounds[:, 0] >= self.bounds[:, 1])
        ):
            raise OptbenchError(f"`bounds` (={bounds!r}) {pairs}.")
        self.dim = self.bounds.shape[0]
        self.start = self.check_point(start, "start")
        given = minima
        try:
            minima = np.asarray(minima, dtype=float)
        except (TypeError, ValueError):
            minima = np.full(1, np.nan)  # refused below
        if minima.size and (
            minima.shape[-1] != self.dim or minima.ndim > 2 or not np.all(np.isfinite(minima))
        ):
            raise OptbenchError(
                f"`minima` (={given!r}) must be points of {self.dim} finite "
                f"coordinates, like the {self.dim}-D bounds."
            )
        self.minima = minima.reshape(-1, self.dim) if minima.size else np.zeros((0, self.dim))
        if min_value is not None and (
            isinstance(min_value, bool)
            or not isinstance(min_value, (int, float, np.number))
            or not np.isfinite(min_value)
        ):
            raise OptbenchError(f"`min_value` (={min_value!r}) must be a finite number or None.")
        self.min_value = None if min_value is None else float(min_value)
        self.noise = _check_noise(noise)

    # -- what the runner needs -------------------------------------------------------------
    def __call__(self, x: jax.Array) -> jax.Array:
        return self.fn(x)

    def check_point(self, point: Any, what: str = "start") -> np.ndarray:
        """``point`` as a float array of shape (d,), or a one-sentence error."""
        try:
            arr = np.asarray(point, dtype=float)
        except (TypeError, ValueError):
            raise OptbenchError(f"`{what}` (={point!r}) must be {self.dim} numbers.") from None
        if arr.shape != (self.dim,):
            raise OptbenchError(
                f"`{what}` (={point!r}) has {arr.size} coordinate(s) but surface {self.name!r} "
                f"is {self.dim}-D."
            )
        if not np.all(np.isfinite(arr)):
            raise OptbenchError(f"`{what}` (={point!r}) must be finite (no NaN or inf).")
        return arr

    def cache_key(self) -> Hashable:
        """Equal for surfaces that compute the same thing, so compiled runs are reused."""
        params = tuple(sorted((k, repr(v)) for k, v in self.params.items()))
        return ("surface", self.name, None if self._catalog else self.fn, params, self.noise)

    _catalog = False  # True on catalog surfaces, whose (name, params) identify the function

    @property
    def blowup(self) -> float:
        """Coordinates beyond this magnitude count as divergence (a 'blow-up')."""
        return 1e6 * max(1.0, float(np.max(np.abs(self.bounds))))

    def initial(self, start: Any, key: Any = None) -> np.ndarray:
        """The start point of a run: ``start`` checked, or the surface's default start."""
        return self.start.copy() if start is None else self.check_point(start, "start")

    def value(self, x: jax.Array) -> jax.Array:
        """f(x) without noise: what a trajectory records as its loss."""
        return self.fn(x)

    def describe(self) -> dict[str, Any]:
        """What ``run.json`` records to rebuild this surface."""
        return {
            "kind": "surface",
            "name": self.name,
            "params": dict(self.params),
            "noise": self.noise,
        }

    @property
    def uses_key(self) -> bool:
        """Whether :meth:`loss_and_grad` draws from its key (gradient noise)."""
        return self.noise > 0

    def loss_and_grad(
        self, x: jax.Array, step: jax.Array, key: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        """f(x) and the (possibly noisy) gradient the stepper sees."""
        value, grad = jax.value_and_grad(self.fn)(x)
        if self.noise > 0:
            grad = grad + self.noise * jax.random.normal(key, grad.shape, grad.dtype)
        return value, grad

    def _repr_png_(self) -> bytes | None:  # a notebook shows a 2-D surface's contour
        from optbench._notebook import surface_png

        return surface_png(self)

    def grid(
        self, resolution: int = 200, bounds: Any = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(xs, ys, Z)`` for contour plots of a 2-D surface: Z[i, j] = f(xs[j], ys[i]), as NumPy.

        Evaluated with one vectorized JAX call, so renderers never import JAX themselves.
        """
        if self.dim != 2:
            raise OptbenchError(
                f"surface {self.name!r} is {self.dim}-D; only 2-D surfaces can be drawn."
            )
        b = self.bounds if bounds is None else np.asarray(bounds, dtype=float)
        xs = np.linspace(b[0, 0], b[0, 1], resolution)
        ys = np.linspace(b[1, 0], b[1, 1], resolution)
        X, Y = np.meshgrid(xs, ys)
        pts = jnp.asarray(np.stack([X.ravel(), Y.ravel()], axis=1), dtype=jnp.float32)
        if "_batched" not in self.__dict__:  # compiled once per surface, reused by every render
            self._batched = jax.jit(jax.vmap(self.fn))
        Z = np.asarray(self._batched(pts)).reshape(X.shape).astype(float)
        return xs, ys, Z

    def with_noise(self, sigma: float) -> Surface:
        """The same surface whose gradients carry Gaussian noise of standard deviation ``sigma``."""
        other = object.__new__(Surface)
        other.__dict__.update(self.__dict__)
        other.noise = _check_noise(sigma)
        return other

    def check_scalar(self) -> None:
        """Raise a one-sentence error unless ``fn`` returns a scalar at the start."""
        try:
            out = jax.eval_shape(self.fn, jax.ShapeDtypeStruct((self.dim,), jnp.float32))
        except Exception as err:  # noqa: BLE001 - the user's function failed; say so in one line
            raise OptbenchError(
                f"surface {self.name!r} could not be evaluated at a point of shape ({self.dim},): "
                f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
            ) from None
        if getattr(out, "shape", None) != ():
            raise OptbenchError(
                f"surface {self.name!r} must return a scalar, but returns shape {tuple(out.shape)}."
            )

    def __repr__(self) -> str:
        ps = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"Surface({self.name}{', ' + ps if ps else ''})"
