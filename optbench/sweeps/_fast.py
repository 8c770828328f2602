"""The sweep's fast path for noiseless surfaces: a time-major scan over a vmapped step.

``jax.vmap(trajectory_fn(...))`` carries what single runs need (a PRNG key split every step,
gradient and update norms) and stacks outputs configuration-major. For a noiseless surface the key
is never used and a sweep table needs neither norm, so this path scans over time with the step
vmapped over configurations and keeps every carried quantity as arrays of shape ``(N,)``: the
iterate is carried coordinate by coordinate (a tuple of ``d`` arrays, the stepper sees that tuple
as its parameter pytree), so every fused loop XLA makes of the step (gradient, update, divergence
test, running minimum; about 18 of them for Adam, split where a square root or a division feeds
several results) is a vectorized loop over the configurations. Recorded outputs are time-major,
``(steps+1, N)`` and ``(steps+1, d, N)``, viewed run-major on the host.

It carries only what the outputs need: a stopped run freezes its iterate and loss (its optimizer
state is never read again); integer state counters that are the same for every configuration are
kept once; the running minimum of the recorded loss (NaN counting as +inf) is carried, stored
time-major and searched for the first hit of every target in the same compiled call (the targets
are an argument, so new ones do not recompile). Per configuration it computes what
:func:`optbench._run.trajectory_fn` computes: the same loss record, the same freeze at the first
bad step, the same ``diverged_at`` (tested against :func:`optbench.run`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..steppers._base import Stepper
from ._table import search_time_major


def eligible(problem: Any, stepper: Any) -> bool:
    """Noiseless surfaces (plain arrays, no key use) and optbench steppers with a factory."""
    return (getattr(problem, "noise", None) == 0 and hasattr(problem, "fn")
            and isinstance(stepper, Stepper) and stepper.factory is not None)


def fast_fn(problem: Any, make: Callable, steps: int, record: bool, search: bool) -> Callable:
    """``(hparams (N,) each, x0 (N, d), limits (T,)) -> dict`` of arrays.

    ``limits``: the targets as :func:`optbench.sweeps._table.thresholds` gives them. Keys:
    ``hits`` (N, T) the first step whose loss reaches each target (-1: never), or without
    ``search`` (targets not known yet) ``run_min`` (steps+1, N), the running minimum of the loss
    record, to search later; ``best`` (N,) the smallest recorded loss (NaN counting as +inf),
    ``first`` and ``final`` (N,) the first and last recorded loss, ``diverged_at`` (N,); with
    ``record``, ``loss`` (steps+1, N) and ``params`` (steps+1, d, N), time-major.
    """
    bound = float(problem.blowup)
    finite_bound = bool(np.isfinite(bound))

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

    def step(xs, state, div_at, last, best, t, hp, live):
        """Step t: the loss at x_t joins the record; x_{t+1} is taken unless t is the last row."""
        st = make(hp)
        loss, grads = value_and_grad(xs)
        alive = div_at < 0
        loss_ok = jnp.isfinite(loss)
        last = jnp.where(alive & loss_ok, loss, last)
        best = jnp.minimum(best, jnp.where(jnp.isnan(last), jnp.inf, last))
        updates, new_state = st.update(grads, state, xs, value=loss)
        new_xs = tuple((x + u).astype(x.dtype) for x, u in zip(xs, updates))
        # |x| <= bound is False for NaN and, with a finite bound, for +-inf
        step_ok = loss_ok
        for x in new_xs:
            step_ok = step_ok & (jnp.abs(x) <= bound if finite_bound
                                 else jnp.isfinite(x) & (jnp.abs(x) <= bound))
        # the first bad step: t when the loss at x_t is not finite, else t + 1 (x_{t+1} is bad)
        div_at = jnp.where(live & alive & ~step_ok, jnp.where(loss_ok, t + 1, t), div_at)
        go = live & alive & step_ok
        # a stopped run keeps its x frozen; its state is never read again
        return tuple(jnp.where(go, n, x) for n, x in zip(new_xs, xs)), new_state, div_at, last, best

    def run(hp, x0, limits):
        # integer scalars of the state (Adam's update count) are the same for every configuration
        # when they depend on nothing batched: kept once, not per configuration (vmap checks it,
        # and raises ValueError otherwise, which falls back to a per-configuration state)
        d = x0.shape[1]
        one = jax.eval_shape(lambda h, x: make(h).init(x), {k: v[0] for k, v in hp.items()},
                             tuple(x0[0, i] for i in range(d)))
        counts = jax.tree.map(lambda s: s.ndim == 0 and jnp.issubdtype(s.dtype, jnp.integer), one)
        if any(jax.tree.leaves(counts)):
            try:
                return _run(hp, x0, limits, jax.tree.map(lambda c: None if c else 0, counts))
            except ValueError:
                pass
        return _run(hp, x0, limits, 0)

    def _run(hp, x0, limits, axes):
        vstep = jax.vmap(step, in_axes=(0, axes, 0, 0, 0, None, 0, None),
                         out_axes=(0, axes, 0, 0, 0))
        n, d = x0.shape
        xs0 = tuple(x0[:, i] for i in range(d))
        state0 = jax.vmap(lambda h, x: make(h).init(x), in_axes=(0, 0), out_axes=axes)(hp, xs0)
        loss0 = jax.vmap(problem.value)(x0)

        def body(carry, t):
            # rows 0..steps of every record come straight out of the scan (no concatenation):
            # row t holds x_t and the loss record and running minimum up to it
            new = vstep(*carry, t, hp, t < steps)
            _, _, _, last, best = new
            return new, ((last, best, jnp.stack(carry[0])) if record else best)

        carry0 = (xs0, state0, jnp.full((n,), -1, jnp.int32), loss0,
                  jnp.full((n,), jnp.inf, loss0.dtype))
        carry, outs = jax.lax.scan(body, carry0, jnp.arange(steps + 1, dtype=jnp.int32))
        _, _, div_at, last, best = carry
        res = {"first": loss0, "final": last, "diverged_at": div_at, "best": best}
        if record:
            res["loss"], run_min, res["params"] = outs
        else:
            run_min = outs
        if search:
            res["hits"] = search_time_major(run_min, limits)
        else:
            res["run_min"] = run_min
        return res

    return run
