"""The sweep's fast path for noiseless surfaces: a time-major scan over a vmapped step.

``jax.vmap(trajectory_fn(...))`` carries what single runs need (a PRNG key split every step,
gradient and update norms) and stacks outputs configuration-major. For a noiseless surface the key
is never used and a sweep table needs neither norm, so this path scans over time with the step
vmapped over configurations (on the minor axis: x is ``(d, N)``), keeps the outputs time-major
``(steps+1, N[, d])`` (viewed run-major on the host, no copy) and carries only what the outputs
need: a stopped run freezes its iterate and loss (its optimizer state is never read again), and
integer state counters that are the same for every configuration are kept once. Per configuration
it computes what :func:`optbench._run.trajectory_fn` computes: the same loss record, the same
freeze at the first bad step, the same ``diverged_at`` (tested against :func:`optbench.run`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..steppers._base import Stepper


def eligible(problem: Any, stepper: Any) -> bool:
    """Noiseless surfaces (plain arrays, no key use) and optbench steppers with a factory."""
    return (getattr(problem, "noise", None) == 0 and hasattr(problem, "fn")
            and isinstance(stepper, Stepper) and stepper.factory is not None)


def fast_fn(problem: Any, make: Callable, steps: int, record: bool) -> Callable:
    """``(hparams (N,) each, x0 (N, d)) -> {loss (steps+1, N), diverged_at (N,), params?}``."""
    bound = float(problem.blowup)
    finite_bound = bool(np.isfinite(bound))

    def step(x, state, div_at, last_loss, t, hp):
        st = make(hp)
        loss, grads = problem.loss_and_grad(x, t, None)
        alive = div_at < 0
        loss_ok = jnp.isfinite(loss)
        updates, new_state = st.update(grads, state, x, value=loss)
        new_x = (x + updates).astype(x.dtype)
        # |x| <= bound is False for NaN and, with a finite bound, for +-inf
        x_ok = jnp.abs(new_x) <= bound if finite_bound else jnp.isfinite(new_x) & (jnp.abs(new_x) <= bound)
        step_ok = loss_ok & jnp.all(x_ok)
        # the first bad step: t when the loss at x_t is not finite, else t + 1 (x_{t+1} is bad)
        div_at = jnp.where(alive & ~step_ok, jnp.where(loss_ok, t + 1, t), div_at)
        go = alive & step_ok
        x = jnp.where(go, new_x, x)
        state = new_state  # a stopped run keeps its x frozen; its state is never read again
        return x, state, div_at, jnp.where(alive & loss_ok, loss, last_loss)

    def run(hp, x0):
        # integer scalars of the state (Adam's update count) are the same for every configuration
        # when they depend on nothing batched: kept once, not per configuration (vmap checks it,
        # and raises ValueError otherwise, which falls back to a per-configuration state)
        one = jax.eval_shape(lambda h, x: make(h).init(x), {k: v[0] for k, v in hp.items()}, x0[0])
        counts = jax.tree.map(lambda s: s.ndim == 0 and jnp.issubdtype(s.dtype, jnp.integer), one)
        if any(jax.tree.leaves(counts)):
            try:
                return _run(hp, x0, jax.tree.map(lambda c: None if c else -1, counts))
            except ValueError:
                pass
        return _run(hp, x0, -1)

    def _run(hp, x0, axes):
        # configurations on the last (minor, contiguous) axis: x is (d, N), so a step reads and
        # writes each coordinate of all configurations as one contiguous vector
        vstep = jax.vmap(step, in_axes=(-1, axes, -1, -1, None, -1), out_axes=(-1, axes, -1, -1))
        n = x0.shape[0]
        x0 = jnp.moveaxis(x0, 0, -1)
        state0 = jax.vmap(lambda h, x: make(h).init(x), in_axes=(-1, -1), out_axes=axes)(hp, x0)
        loss0 = jax.vmap(problem.value, in_axes=-1)(x0)

        def body(carry, t):
            x, state, div_at, loss = vstep(*carry[:4], t, hp)
            return (x, state, div_at, loss), ((loss, x) if record else loss)

        carry0 = (x0, state0, jnp.full((n,), -1, jnp.int32), loss0)
        (x, _, div_at, last), outs = jax.lax.scan(body, carry0, jnp.arange(steps, dtype=jnp.int32))
        losses, params = outs if record else (outs, None)
        final = jax.vmap(problem.value, in_axes=-1)(x)
        final = jnp.where((div_at < 0) & jnp.isfinite(final), final, last)
        res = {"loss": jnp.concatenate([losses, final[None]]), "diverged_at": div_at}
        if record:
            res["params"] = jnp.concatenate([x0[None], params])
        return res

    return run
