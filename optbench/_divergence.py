"""When a run counts as diverged, and why: the one rule every runner applies.

:func:`optbench.run`, :func:`optbench.sweep` (its vmapped runs and its fast path for noiseless
surfaces) and :func:`optbench.testing.drive` all judge their iterates with a :class:`Rule`, so
they always agree on the step and the kind of a divergence.

An iterate :math:`x_t` is judged first by its coordinates (never the start's, ``t = 0``), then by
its loss :math:`f_t`; the first test that fails names the kind.

Coordinates, in this order:

1. ``"inf"``: a coordinate is infinite (a NaN beside it is usually the same overflow, inf * 0).
2. ``"nan"``: a coordinate is NaN.
3. ``"blow-up"``: a coordinate exceeds the problem's ``blowup`` bound in magnitude.
4. ``"left the window"`` (surfaces only: problems with plotting ``bounds`` of shape ``(d, 2)``):
   a coordinate lies more than ``WINDOW_MARGIN`` (4) window extents beyond an edge of the
   window, i.e. outside :math:`[lo - 4(hi - lo),\\ hi + 4(hi - lo)]` per coordinate. The window
   is the surface's plotting bounds, widened to contain the start when the start lies outside
   them. Four extents, not one: a converging heavy-ball run overshoots before it settles (Polyak's
   tuning on the quadratic of condition number 1000 turned by 0.5 rad reaches 3.65 extents beyond
   the edge of its window, heavy ball at 99% of its stability bound with beta = 0.9 reaches
   1.9); a power of two, so the limits are exact whichever way XLA fuses them.

The loss, then: ``"nan"`` or ``"inf"`` when it is not finite, or when a coordinate of the
gradient at the iterate is (an adaptive stepper's zero-safe division would otherwise turn a NaN
gradient into a zero update and the run would stall unflagged), and ``"blow-up"`` when it has run
away, :math:`|f_t - m| > F \\cdot \\max(|f_0 - m|, s)` with ``F = LOSS_FACTOR`` (:math:`10^6`),
:math:`m` the problem's ``min_value`` (0 when unknown), :math:`f_0` the loss at the start and
:math:`s` the problem's ``loss_scale`` (``LOSS_SCALE`` = 1 when it has none).

A run diverges at the first step whose iterate fails: the coordinates of :math:`x_{t+1}` are
known when step t has computed its update, the loss of :math:`x_t` when step t evaluates it.

Codes (what compiled runs carry): 0 none, then the kinds above in order (``KINDS[code]``).
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

KINDS = ("", "nan", "inf", "blow-up", "left the window")
NONE, NAN, INF, BLOW_UP, WINDOW = range(len(KINDS))
LOSS_FACTOR = 1e6  # how far beyond its start (or its scale) the loss may run
LOSS_SCALE = 1.0  # the loss's own scale, for problems that do not give one (``loss_scale``)
WINDOW_MARGIN = 4.0  # window extents allowed beyond each edge ("left the window")


def kind_name(code: Any) -> str | None:
    """The kind a code names, None for 0 (not diverged)."""
    code = int(code)
    return KINDS[code] if code > 0 else None


def _first(a: Any, b: Any, xp: Any) -> Any:
    """Code ``a`` when it names a failure, else ``b``."""
    return xp.where(a > 0, a, b)


class Rule:
    """The divergence rule for one problem; its methods trace under JAX (``xp=jnp``) or run
    eagerly on NumPy values (``xp=np``).

    ``start(x0, f0)`` makes the per-run limits; ``coords(limits, x)`` and ``loss(limits, f)`` give
    the code of an iterate's coordinates and of its loss. ``x`` is the problem's parameter pytree,
    or for a surface a tuple of its ``d`` coordinates (how the sweep's fast path carries them).
    """

    def __init__(self, problem: Any, xp: Any = jnp):
        self.xp = xp
        self.bound = float(getattr(problem, "blowup", 1e12))
        m = getattr(problem, "min_value", None)
        self.ref = 0.0 if m is None else float(m)
        self.scale = float(getattr(problem, "loss_scale", None) or LOSS_SCALE)
        b = getattr(problem, "bounds", None)
        b = None if b is None else np.asarray(b, dtype=float)
        self.window = b if b is not None and b.ndim == 2 and b.shape[1] == 2 else None

    # -- limits of one run ---------------------------------------------------------------
    def start(self, x0: Any, f0: Any) -> dict[str, Any]:
        """The limits of a run from ``x0`` whose starting loss is ``f0``."""
        xp = self.xp
        f0 = xp.asarray(f0)
        gap = xp.maximum(xp.abs(f0 - self.ref), xp.asarray(self.scale, f0.dtype))
        limits = {"loss": xp.asarray(LOSS_FACTOR, f0.dtype) * gap}
        if self.window is not None:
            limits["window"] = [self._limits(c, lo, hi) for c, lo, hi in self._coords(x0)]
        return limits

    def _limits(self, c0: Any, lo: Any, hi: Any) -> tuple[Any, Any]:
        # the window widened to hold the start, then WINDOW_MARGIN extents beyond each edge
        # (a power of two: margin * ext is exact, so a fused multiply-add rounds the same)
        xp = self.xp
        lo = xp.minimum(xp.asarray(lo, c0.dtype), c0)
        hi = xp.maximum(xp.asarray(hi, c0.dtype), c0)
        ext = (hi - lo) * xp.asarray(WINDOW_MARGIN, c0.dtype)
        return lo - ext, hi + ext

    def _coords(self, x: Any) -> list[tuple[Any, Any, Any]]:
        """(coordinates, their low edges, their high edges): the whole vector at once, or one
        coordinate at a time when ``x`` is a tuple of the ``d`` coordinates."""
        w = self.window
        if isinstance(x, (tuple, list)) and len(x) == len(w) and len(w) > 1:
            return [(c, w[i, 0], w[i, 1]) for i, c in enumerate(x)]
        return [(self.xp.asarray(x), w[:, 0], w[:, 1])]

    # -- codes -------------------------------------------------------------------------------
    def coords(self, limits: dict[str, Any], x: Any) -> Any:
        """The code of iterate ``x`` judged by its coordinates (0: fine)."""
        xp = self.xp
        nan, largest = _summary(x, xp)
        inf, big = xp.isinf(largest), largest > self.bound
        code = xp.where(inf, INF, xp.where(nan, NAN, xp.where(big, BLOW_UP, NONE)))
        if self.window is not None:
            pieces = self._coords(x)
            out = _any(
                [
                    xp.any((c < lo) | (c > hi))
                    for (c, _, _), (lo, hi) in zip(pieces, limits["window"])
                ],
                xp,
            )
            code = _first(code, xp.where(out, WINDOW, NONE), xp)
        return xp.asarray(code, dtype=xp.int32)

    def loss(self, limits: dict[str, Any], f: Any, grads: Any = None) -> Any:
        """The code of an iterate whose loss is ``f`` and gradient ``grads`` (0: fine; the
        gradient, a pytree, when there is one: NaN or inf in it is ``"nan"`` or ``"inf"``)."""
        xp = self.xp
        nan, inf = xp.isnan(f), xp.isinf(f)
        if grads is not None:
            g_nan, g_largest = _summary(grads, xp)
            nan, inf = nan | g_nan, inf | xp.isinf(g_largest)
        code = xp.where(
            inf,
            INF,
            xp.where(nan, NAN, xp.where(xp.abs(f - self.ref) > limits["loss"], BLOW_UP, 0)),
        )
        return xp.asarray(code, dtype=xp.int32)

    def check_step(
        self,
        limits: dict[str, Any],
        t: Any,
        f: Any,
        grads: Any,
        x_now: Any = None,
        x_next: Any = None,
    ) -> tuple[Any, Any]:
        """The verdict of step ``t`` of a run, ``(at, code)``: the step the run goes bad at (t when
        the iterate x_t fails, by its coordinates when ``x_now`` is given and t > 0, or by its
        loss ``f`` or gradient ``grads``; t + 1 when ``x_next``, the iterate it makes, fails by
        its coordinates; -1 when neither) and the code of why (0 for none).

        Every runner calls this once a step: :func:`optbench.run` and
        :func:`optbench.testing.drive` judge the iterate a step makes (``x_next``), the sweep's
        fast path judges each iterate where it is used (``x_now``); both find the same first bad
        step and kind.
        """
        xp = self.xp
        now = self.loss(limits, f, grads)
        if x_now is not None:
            now = _first(xp.where(t > 0, self.coords(limits, x_now), NONE), now, xp)
        after = NONE if x_next is None else self.coords(limits, x_next)
        at = xp.where(now > 0, t, xp.where(xp.asarray(after) > 0, t + 1, -1))
        return xp.asarray(at, dtype=xp.int32), xp.asarray(_first(now, after, xp), dtype=xp.int32)


def _summary(tree: Any, xp: Any) -> tuple[Any, Any]:
    """``(any NaN, the largest magnitude of the rest)`` over every coordinate of ``tree``: two
    reductions over one flat vector, however many leaves (a network's: a dozen), which keeps the
    compiled check small. Scalar leaves (the sweep's fast path holds a run's coordinates one by
    one) are combined elementwise instead: no reduction, nothing concatenated."""
    leaves = [xp.asarray(a) for a in jax.tree.leaves(tree)]
    if all(a.ndim == 0 for a in leaves):
        nans = [xp.isnan(a) for a in leaves]
        sizes = [xp.where(n, 0, xp.abs(a)) for n, a in zip(nans, leaves)]
        return functools.reduce(xp.logical_or, nans), functools.reduce(xp.maximum, sizes)
    flat = xp.concatenate([xp.ravel(a) for a in leaves]) if len(leaves) > 1 else leaves[0]
    nan = xp.isnan(flat)
    return xp.any(nan), xp.max(xp.where(nan, 0, xp.abs(flat)))


def _any(flags: list[Any], xp: Any) -> Any:
    out = flags[0]
    for f in flags[1:]:
        out = out | f
    return xp.asarray(out)
