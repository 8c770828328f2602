"""Drive two optimizers on one problem with the same gradient function and compare the iterates.

Each implementation runs its own trajectory: at step t it receives the problem's gradient at *its*
iterate, computed by one compiled JAX function shared by both (with the step's noise key, split as
in :func:`optbench.run`, so noisy surfaces hand both the same noise). An optbench stepper driven
here reproduces :func:`optbench.run` to rounding (the runner's gradient is compiled inside its scan;
measured 3e-16 over 200 float64 Rosenbrock steps). The per-step difference is
:math:`\\max_i |\\theta^a_{t,i} - \\theta^b_{t,i}|`; step t *diverges* when
:math:`|\\theta^a_t - \\theta^b_t| > atol + rtol\\,|\\theta^b_t|` for some coordinate
(``numpy.isclose``'s rule, the second optimizer being the reference).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from .._cache import CompileCache
from .._errors import OptbenchError
from ._adapters import adapt

# default tolerance on |difference|: a few hundred thousand ulps of an O(1) iterate, enough for
# rounding amplified over a few hundred steps, far below any real difference in the math
DEFAULT_ATOL = {"float64": 1e-10, "float32": 1e-4}

_GRADIENTS = CompileCache(16)


def _surface(problem: Any) -> Any:
    from .._run import resolve_problem

    surface = resolve_problem(problem)
    if not hasattr(surface, "dim") or not hasattr(surface, "fn"):
        raise OptbenchError(
            f"`problem` (={problem!r}) must be a surface such as 'rosenbrock'; optbench.testing "
            "compares optimizers on surfaces."
        )
    return surface


def _gradient_fn(surface: Any, dtype: str) -> Callable:
    import jax

    key = (surface.cache_key(), dtype)
    return _GRADIENTS.get(key, lambda: jax.jit(surface.loss_and_grad))


def _starts(surface: Any, starts: Any) -> list[np.ndarray]:
    if starts is None:
        return [surface.start.copy()]
    arr = np.asarray(starts, dtype=float) if not isinstance(starts, str) else None
    if arr is None or arr.ndim not in (1, 2) or arr.size == 0:
        raise OptbenchError(f"`starts` (={starts!r}) must be a point or a list of points.")
    return [surface.check_point(p, "starts") for p in np.atleast_2d(arr)]


def drive(
    optimizer: Any,
    problem: Any = "rosenbrock",
    steps: int = 200,
    start: Any = None,
    dtype: str = "float64",
    key: int = 0,
) -> Any:
    """Run any optimizer (see :func:`~optbench.testing.adapt`) on a surface: a Trajectory.

    Divergence is handled as in :func:`optbench.run`, by the same rule
    (:mod:`optbench._divergence`): the first bad step is recorded as ``diverged_at``, its kind as
    ``diverged_kind``, and the run freezes there.
    """
    import jax
    import jax.numpy as jnp

    from .._divergence import Rule, kind_name
    from .._run import Trajectory, check_dtype, check_steps, dtype_context

    surface, steps, dtype = _surface(problem), check_steps(steps), check_dtype(dtype)
    adapter = adapt(optimizer)
    x0 = _starts(surface, start)[0]
    rule = Rule(surface, xp=np)
    with dtype_context(dtype):
        grad_fn = _gradient_fn(surface, dtype)
        x = x0.astype(dtype)
        limits = rule.start(x, np.asarray(surface.value(jnp.asarray(x))))
        kind = 0
        adapter.start(x.copy())
        rng = jax.random.PRNGKey(int(key))
        xs, losses, gnorms, unorms, div = [x], [], [], [], None
        for t in range(steps):
            rng, sub = jax.random.split(rng)
            loss, g = grad_fn(jnp.asarray(x), jnp.int32(t), sub)
            loss, g = float(loss), np.asarray(g)
            new, alive = None, div is None
            at, code = map(int, rule.check_step(limits, t, loss, g))  # x_t: its loss, gradient
            if alive and at < 0:  # then the iterate the step makes
                new = np.asarray(adapter.step(g, loss), dtype=dtype)
                at, code = map(int, rule.check_step(limits, t, loss, g, x_next=new))
                if at >= 0:
                    div, kind, new = at, code, None
            elif alive:  # x_t is bad: the run freezes at the last good iterate, x_{t-1}
                div, kind = t, code
                if t > 0:
                    x = xs[-1] = xs[-2]
            ok = alive and at != t
            losses.append(loss if ok or not losses else losses[-1])
            gnorms.append(float(np.linalg.norm(g)) if ok else 0.0)
            unorms.append(float(np.linalg.norm(new - x)) if new is not None else 0.0)
            x = new if new is not None else x
            xs.append(x)
        final = float(surface.value(jnp.asarray(x)))
        if div is None and int(rule.loss(limits, final)):  # the last iterate's loss is judged too
            div, kind = steps, int(rule.loss(limits, final))
            xs[-1] = xs[-2]
    hp = {k: _plain(v) for k, v in adapter.hparams.items()}
    return Trajectory(
        params=np.stack(xs),
        loss=np.array(losses + [final if div is None else losses[-1]], dtype=dtype),
        grad_norm=np.array(gnorms, dtype=dtype),
        update_norm=np.array(unorms, dtype=dtype),
        diverged_at=div,
        diverged_kind=None if div is None else kind_name(kind),
        label=adapter.label,
        stepper=adapter.name,
        hparams=hp,
        problem=surface.describe(),
        start=x0,
        steps=steps,
        key=int(key),
        dtype=dtype,
        extras={"implementation": type(adapter).__name__},
    )


def _plain(value: Any) -> Any:
    from .._run import to_python

    value = to_python(value)
    return list(value) if isinstance(value, tuple) else value


def drive_gradients(
    optimizer: Any, grads: Any, start: Any = 0.0, dtype: str = "float64"
) -> np.ndarray:
    """The iterates ``(T + 1, d)`` of an optimizer fed the fixed gradients ``grads`` ``(T, d)``.

    The gradients do not depend on the iterate: this is how golden values are written (the
    manual's math page, docs/math.md, section "Golden sequences": e.g. g = 1, 1, -1, 1, 0.5). The
    loss handed to the optimizer is 0.
    """
    from .._run import check_dtype, dtype_context

    dtype = check_dtype(dtype)
    g = np.asarray(grads, dtype=dtype)
    if g.ndim == 1:
        g = g[:, None]
    x = np.broadcast_to(np.asarray(start, dtype=dtype), g.shape[1:]).copy()
    adapter = adapt(optimizer)
    with dtype_context(dtype):
        adapter.start(x.copy())
        xs = [x] + [np.asarray(adapter.step(gt, 0.0), dtype=dtype) for gt in g]
    return np.stack(xs)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """What :func:`compare` found.

    Attributes:
      a, b: the trajectories (one :class:`optbench.Trajectory` per start), b is the reference.
      abs_diff: ``(starts, steps + 1)`` the largest absolute coordinate difference per step.
      rel_diff: ``(starts, steps + 1)`` the largest ``|a - b| / max(|a|, |b|)`` per step (0 where
        both are 0).
      atol, rtol: the tolerance; first_divergence: the first step exceeding it (None: none did),
      first_start: the index of the start where it happened.
      runs_diverged: per start, ``(a's diverged_at, a's kind, b's diverged_at, b's kind)``. Steps
        from the first divergence of either run on are not compared (their iterates are frozen,
        not computed), so a run that diverged is a verdict of its own, never agreement.
    """

    a: list
    b: list
    abs_diff: np.ndarray
    rel_diff: np.ndarray
    atol: float
    rtol: float
    first_divergence: int | None
    first_start: int | None
    runs_diverged: tuple = ()

    @property
    def agree(self) -> bool:
        """The iterates agree at every step and neither run diverged."""
        return self.first_divergence is None and not self.diverged

    @property
    def diverged(self) -> bool:
        return any(d[0] is not None or d[2] is not None for d in self.runs_diverged)

    @property
    def verdict(self) -> str:
        """``"agree"``, ``"disagree"`` (the iterates differ before any run diverged) or
        ``"diverged"`` (they agree up to the step where a run diverged)."""
        if self.first_divergence is not None:
            return "disagree"
        return "diverged" if self.diverged else "agree"

    def compared_steps(self, start: int = 0) -> int:
        """How many iterates of ``start`` were compared: up to either run's divergence."""
        da, _, db, _ = self.runs_diverged[start] if self.runs_diverged else (None, 0, None, 0)
        ends = [d for d in (da, db) if d is not None]
        return min(ends) if ends else self.abs_diff.shape[1]

    @property
    def max_abs(self) -> np.ndarray:
        """``(steps + 1,)``: the largest absolute difference over starts and coordinates."""
        return self.abs_diff.max(axis=0)

    def divergence(self) -> str:
        """One sentence: the first diverging step, the two values and the difference; or which
        run diverged, at which step and how."""
        if self.agree:
            return (
                f"agree: within atol {self.atol:g}, rtol {self.rtol:g} at all "
                f"{self.abs_diff.shape[1] - 1} "
                f"steps (largest difference {self.abs_diff.max():.3g})."
            )
        if self.first_divergence is None:  # a run diverged, and they agree up to there
            s = next(
                i for i, d in enumerate(self.runs_diverged) if d[0] is not None or d[2] is not None
            )
            da, ka, db, kb = self.runs_diverged[s]
            a, b = self.a[s].label, self.b[s].label
            where = f" from start {s}" if len(self.a) > 1 else ""
            said = [
                f"{label} diverged at step {d} ({k})" if d is not None else f"{label} did not"
                for label, d, k in ((a, da, ka), (b, db, kb))
            ]
            n = self.compared_steps(s)
            before = (
                f"the {n} iterates before agree within atol {self.atol:g}, and none after can be "
                "compared"
                if n
                else "no iterate could be compared"
            )
            return f"diverged{where}: {said[0]}, {said[1]}; {before}."
        s, t = self.first_start, self.first_divergence
        pa, pb = self.a[s].params[t], self.b[s].params[t]
        bad = np.abs(pa - pb) > self.atol + self.rtol * np.abs(pb)
        i = int(np.argmax(np.where(bad, np.abs(pa - pb), -1.0)))
        where = (
            f" from start {s} {tuple(float(v) for v in self.a[s].start)}" if len(self.a) > 1 else ""
        )
        return (
            f"first divergence at step {t}{where}: coordinate {i} is {float(pa[i])!r} "
            f"({self.a[s].label}) vs {float(pb[i])!r} ({self.b[s].label}), "
            f"difference {abs(pa[i] - pb[i]):.3g} > atol {self.atol:g}"
            + (f" + rtol {self.rtol:g}*|reference|" if self.rtol else "")
            + "."
        )

    def __str__(self) -> str:
        return self.divergence()


def compare(
    a: Any,
    b: Any,
    problem: Any = "rosenbrock",
    steps: int = 200,
    starts: Any = None,
    dtype: str = "float64",
    atol: float | None = None,
    rtol: float = 0.0,
    key: int = 0,
) -> Comparison:
    """Drive ``a`` and ``b`` on ``problem`` from each start and compare their iterates step by step.

    Args:
      a: the optimizer under test; b: the reference. Anything :func:`~optbench.testing.adapt` takes:
        optbench steppers or specs (``"adam:lr=0.01"``), optax transformations, torch.optim classes
        (``adapt(torch.optim.Adam, lr=0.01)``), update functions.
      problem: a surface or a spec such as ``"rosenbrock"``.
      steps: number of steps; starts: a point or a list of points (default: the surface's start).
      dtype: ``"float64"`` (default) or ``"float32"``.
      atol, rtol: step t diverges when some coordinate has ``|a - b| > atol + rtol*|b|``;
        atol defaults to 1e-10 in float64 and 1e-4 in float32.

    Returns:
      A :class:`Comparison`.
    """
    atol = _tolerance(atol, "atol", DEFAULT_ATOL.get(str(dtype), 1e-10))
    rtol = _tolerance(rtol, "rtol", 0.0)
    surface = _surface(problem)
    a, b = adapt(a), adapt(b)
    ta, tb = [], []
    for x0 in _starts(surface, starts):
        ta.append(drive(a, surface, steps, x0, dtype, key))
        tb.append(drive(b, surface, steps, x0, dtype, key))
    pa, pb = np.stack([t.params for t in ta]), np.stack([t.params for t in tb])
    diff = np.abs(pa - pb)
    diff = np.where(np.isnan(diff) & ~(np.isnan(pa) & np.isnan(pb)), np.inf, np.nan_to_num(diff))
    scale = np.maximum(np.abs(pa), np.abs(pb))
    rel = np.where(diff == 0, 0.0, diff / np.where(scale > 0, scale, 1.0))
    # only iterates that both runs computed are compared: up to either one's divergence
    runs = tuple(
        (x.diverged_at, x.diverged_kind, y.diverged_at, y.diverged_kind) for x, y in zip(ta, tb)
    )
    ends = [min(d for d in (r[0], r[2], steps + 1) if d is not None) for r in runs]
    compared = np.arange(steps + 1)[None, :] < np.array(ends)[:, None]
    bad = (diff > atol + rtol * np.abs(pb)).any(axis=2) & compared  # (starts, steps + 1)
    diff, rel = np.where(compared, diff.max(axis=2), 0.0), np.where(compared, rel.max(axis=2), 0.0)
    first, first_start = None, None
    if bad.any():
        steps_bad = np.where(bad.any(axis=0))[0]
        first = int(steps_bad[0])
        first_start = int(np.argmax(bad[:, first]))
    return Comparison(ta, tb, diff, rel, atol, rtol, first, first_start, runs)


def _tolerance(value: Any, name: str, default: float) -> float:
    if value is None:
        return default
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    if not ok or not value >= 0 or not np.isfinite(value):
        raise OptbenchError(f"`{name}` (={value!r}) must be a finite number >= 0.")
    return float(value)


def assert_same(
    a: Any, b: Any, problem: Any = "rosenbrock", steps: int = 200, **kwargs: Any
) -> Comparison:
    """:func:`compare`, raising an AssertionError naming the first diverging step when they differ.

    The message gives the step, the coordinate, both values and the difference; keyword arguments
    (``starts``, ``dtype``, ``atol``, ``rtol``, ``key``) are those of :func:`compare`.
    """
    result = compare(a, b, problem, steps, **kwargs)
    if not result.agree:
        raise AssertionError(result.divergence())
    return result


def lag(
    a: Any, b: Any, grad: Any = (1.0, -2.0), steps: int = 10, atol: float = 1e-12
) -> int | None:
    """Whether ``a`` emits ``b``'s updates one step late (1), early (-1) or in step (0), or None.

    Both are fed the same constant gradient; ``a`` lags ``b`` when a's first update is zero and
    its update at step t equals b's at step t-1 (t = 2..steps). optax.rprop lags torch.optim.Rprop
    this way (docs/math.md, section "optax.rprop is one step late"; optax PR #1725).
    """
    g = np.tile(np.asarray(grad, dtype=float), (steps, 1))
    ua = np.diff(drive_gradients(a, g), axis=0)
    ub = np.diff(drive_gradients(b, g), axis=0)
    if np.all(np.abs(ua - ub) <= atol):
        return 0
    for shift, (x, y) in ((1, (ua, ub)), (-1, (ub, ua))):
        if (
            np.all(np.abs(x[0]) <= atol)
            and np.any(np.abs(y[0]) > atol)
            and np.all(np.abs(x[1:] - y[:-1]) <= atol)
        ):
            return shift
    return None
