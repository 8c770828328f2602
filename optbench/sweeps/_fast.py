"""The sweep's fast path for noiseless surfaces: a time-major scan over a vmapped step.

``jax.vmap(trajectory_fn(...))`` carries what single runs need (a PRNG key split every step,
gradient and update norms) and stacks outputs configuration-major. For a noiseless surface the key
is never used and a sweep table needs neither norm, so this path scans over time with the step
vmapped over configurations, keeps the outputs time-major ``(steps, N[, d])`` (transposed once on
the host) and carries only the runner's divergence bookkeeping. Per configuration it computes what
:func:`optbench._run.trajectory_fn` computes: the same loss record, the same freeze at the first
bad step, the same ``diverged_at`` (tested against :func:`optbench.run`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from ..steppers._base import Stepper


def eligible(problem: Any, stepper: Any) -> bool:
    """Noiseless surfaces (plain arrays, no key use) and optbench steppers with a factory."""
    return (getattr(problem, "noise", None) == 0 and hasattr(problem, "fn")
            and isinstance(stepper, Stepper) and stepper.factory is not None)


def fast_fn(problem: Any, make: Callable, steps: int, record: bool) -> Callable:
    """``(hparams (N,) each, x0 (N, d)) -> {loss (steps+1, N), diverged_at (N,), params?}``."""
    bound = float(problem.blowup)

    def step(x, state, div_at, last_loss, t, hp):
        st = make(hp)
        loss, grads = problem.loss_and_grad(x, t, None)
        alive = div_at < 0
        loss_ok = jnp.isfinite(loss)
        updates, new_state = st.update(grads, state, x, value=loss)
        new_x = (x + updates).astype(x.dtype)
        step_ok = loss_ok & jnp.all(jnp.isfinite(new_x) & (jnp.abs(new_x) <= bound))
        div_at = jnp.where(alive & ~loss_ok, t, div_at)
        div_at = jnp.where(alive & loss_ok & ~step_ok, t + 1, div_at)
        go = alive & step_ok
        x = jnp.where(go, new_x, x)
        state = jax.tree.map(lambda a, b: jnp.where(go, a, b), new_state, state)
        return x, state, div_at, jnp.where(alive & loss_ok, loss, last_loss)

    vstep = jax.vmap(step, in_axes=(0, 0, 0, 0, None, 0))

    def run(hp, x0):
        n = x0.shape[0]
        state0 = jax.vmap(lambda h, x: make(h).init(x))(hp, x0)
        loss0 = jax.vmap(problem.value)(x0)

        def body(carry, t):
            x, state, div_at, loss = vstep(*carry[:4], t, hp)
            return (x, state, div_at, loss), ((loss, x) if record else loss)

        carry0 = (x0, state0, jnp.full((n,), -1, jnp.int32), loss0)
        (x, _, div_at, last), outs = jax.lax.scan(body, carry0, jnp.arange(steps, dtype=jnp.int32))
        losses, params = outs if record else (outs, None)
        final = jax.vmap(problem.value)(x)
        final = jnp.where((div_at < 0) & jnp.isfinite(final), final, last)
        res = {"loss": jnp.concatenate([losses, final[None]]), "diverged_at": div_at}
        if record:
            res["params"] = jnp.concatenate([x0[None], params])
        return res

    return run
