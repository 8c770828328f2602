"""The sweep's fast path for noiseless surfaces: a time-major scan over a vmapped step.

``jax.vmap(trajectory_fn(...))`` carries what single runs need (a PRNG key split every step,
gradient and update norms) and stacks outputs configuration-major. For a noiseless surface the key
is never used and a sweep table needs neither norm, so this path scans over time with the step
vmapped over configurations and keeps every carried quantity as arrays of shape ``(N,)``: the
iterate is carried coordinate by coordinate (a tuple of ``d`` arrays, the stepper sees that tuple
as its parameter pytree), so every fused loop XLA makes of the step (gradient, moments, update,
checks, running minimum; about a dozen for Adam, split where a square root or a division feeds
several results) is a vectorized loop over the configurations, and XLA compiles the whole scan
into one kernel (``optbench._compile_loops_whole``). Records are time-major, ``(steps+1, N)`` and
``(steps+1, d, N)``, written row by row into buffers the caller donates, viewed run-major on the
host.

It carries only what the outputs need. A run is checked where its iterate is used: at step t it
goes bad when x_t (t > 0) or the loss at x_t fails the divergence rule of
:mod:`optbench._divergence` (the same :class:`~optbench._divergence.Rule` the runner applies),
which is the runner's first bad step, with the same kind. Nothing is frozen in the loop: after
``diverged_at`` a run's loss record, best and final value stop changing, and its iterate and state
are never read again; only the recorded trajectory keeps the runner's frozen iterate. Integer state
counters that are the same for every configuration are kept once; the running minimum of the
recorded loss (NaN counting as +inf) is recorded and searched for the first hit of every target in
the same compiled call (the targets are an argument, so new ones do not recompile). Per
configuration it computes what :func:`optbench._run.trajectory_fn` computes: the same loss record,
the same trajectory, the same ``diverged_at`` (tested against :func:`optbench.run`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._divergence import Rule
from ..steppers._base import Stepper
from ._table import search_time_major


def eligible(problem: Any, stepper: Any) -> bool:
    """Noiseless surfaces (plain arrays, no key use) and optbench steppers with a factory."""
    return (
        getattr(problem, "noise", None) == 0
        and hasattr(problem, "fn")
        and isinstance(stepper, Stepper)
        and stepper.factory is not None
    )


def fast_fn(problem: Any, make: Callable, steps: int, record: bool, search: bool) -> Callable:
    """``(hparams (N,) each, x0 (N, d), limits (T,), records) -> dict`` of arrays.

    ``limits``: the targets as :func:`optbench.sweeps._table.thresholds` gives them. ``records``:
    buffers of :func:`record_shapes` (any values: every row is overwritten), returned filled under
    the same keys: ``run_min`` (steps+1, N), the running minimum of the loss record, and with
    ``record`` ``loss`` (steps+1, N) and ``params`` (steps+1, d, N), time-major. A caller that
    donates them lets XLA write in place, with no fresh buffer to fill first. Other keys: ``hits``
    (N, T) with ``search``, the first step whose loss reaches each target (-1: never); ``best``
    (N,) the smallest recorded loss (NaN counting as +inf), ``first`` and ``final`` (N,) the first
    and last recorded loss, ``diverged_at`` (N,) and ``kind`` (N,) its code
    (``optbench._divergence.KINDS``).
    """
    rule = Rule(problem)

    def value_and_grad(xs):
        # forward mode, one constant basis tangent per coordinate: no gradient vector is built
        # (reverse mode pads each partial into one), so the step stays elementwise per coordinate
        x = jnp.stack(xs)
        d = len(xs)
        grads = []
        for i in range(d):
            loss, g = jax.jvp(problem.fn, (x,), (jnp.asarray(np.eye(d)[i], x.dtype),))
            grads.append(g)
        return loss, tuple(grads)

    def step(xs, state, div_at, kind, last, best, kept, t, hp, lim):
        """Step t: the loss at x_t joins the record, then x_{t+1} = x_t + update.

        x_t is checked where it is used, not where it is made: a run goes bad at t when x_t
        (t > 0) or the loss at x_t fails the rule, which is the runner's first bad step. Nothing
        is frozen: after that the run's iterate and state are never read again (its loss record,
        best and final value stop at ``div_at``). ``kept`` (None without ``record``) is the
        iterate kept for the trajectory, the runner's frozen one: x_t while the run is alive and
        x_t passes the rule, else the last iterate that did.
        """
        st = make(hp)
        loss, grads = value_and_grad(xs)
        alive = div_at < 0
        at, code = rule.check_step(lim, t, loss, grads, x_now=xs)
        good = at < 0
        div_at = jnp.where(alive & ~good, t, div_at)
        kind = jnp.where(alive, code, kind)
        last = jnp.where(alive & good, loss, last)
        best = jnp.minimum(best, jnp.where(jnp.isnan(last), jnp.inf, last))
        updates, new_state = st.update(grads, state, xs, value=loss)
        new_xs = tuple((x + u).astype(x.dtype) for x, u in zip(xs, updates))
        if kept is not None:
            kept = tuple(jnp.where(alive & good, x, k) for x, k in zip(xs, kept))
        return new_xs, new_state, div_at, kind, last, best, kept

    def run(hp, x0, limits, records):
        # integer scalars of the state (Adam's update count) are the same for every configuration
        # when they depend on nothing batched: kept once, not per configuration (vmap checks it,
        # and raises ValueError otherwise, which falls back to a per-configuration state)
        d = x0.shape[1]
        one = jax.eval_shape(
            lambda h, x: make(h).init(x),
            {k: v[0] for k, v in hp.items()},
            tuple(x0[0, i] for i in range(d)),
        )
        counts = jax.tree.map(lambda s: s.ndim == 0 and jnp.issubdtype(s.dtype, jnp.integer), one)
        if any(jax.tree.leaves(counts)):
            try:
                return _run(
                    hp, x0, limits, records, jax.tree.map(lambda c: None if c else 0, counts)
                )
            except ValueError:
                pass
        return _run(hp, x0, limits, records, 0)

    def _run(hp, x0, limits, records, axes):
        vstep = jax.vmap(
            step,
            in_axes=(0, axes, 0, 0, 0, 0, 0, None, 0, 0),
            out_axes=(0, axes, 0, 0, 0, 0, 0),
        )
        n, d = x0.shape
        xs0 = tuple(x0[:, i] for i in range(d))
        state0 = jax.vmap(lambda h, x: make(h).init(x), in_axes=(0, 0), out_axes=axes)(hp, xs0)
        loss0 = jax.vmap(problem.value)(x0)
        lim = jax.vmap(rule.start)(xs0, loss0)  # each run's divergence limits

        def body(state, _):
            # row t of every record is written in place into the buffers passed in (donated by
            # the caller): x_t and the loss record and running minimum up to it
            t, carry, recs = state
            new = vstep(*carry, t, hp, lim)
            rows = {"run_min": new[5]}
            if record:
                rows.update(loss=new[4], params=jnp.stack(new[6]))
            recs = {k: jax.lax.dynamic_update_index_in_dim(recs[k], rows[k], t, 0) for k in recs}
            return (t + 1, new, recs), None

        carry0 = (
            xs0,
            state0,
            jnp.full((n,), -1, jnp.int32),
            jnp.zeros((n,), jnp.int32),
            loss0,
            jnp.full((n,), jnp.inf, loss0.dtype),
            xs0 if record else None,
        )
        (_, carry, recs), _ = jax.lax.scan(
            body, (jnp.int32(0), carry0, dict(records)), None, length=steps + 1
        )
        div_at, kind, last, best = carry[2:6]
        res = {
            "first": loss0,
            "final": last,
            "diverged_at": div_at,
            "kind": kind,
            "best": best,
            **recs,
        }
        if search:
            res["hits"] = search_time_major(recs["run_min"], limits)
        return res

    return run


def record_shapes(n: int, d: int, steps: int, record: bool) -> dict[str, tuple[int, ...]]:
    """Shapes of the buffers :func:`fast_fn`'s ``run`` writes its records into (time-major)."""
    shapes = {"run_min": (steps + 1, n)}
    if record:
        shapes.update(loss=(steps + 1, n), params=(steps + 1, d, n))
    return shapes
