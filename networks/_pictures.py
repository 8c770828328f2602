r"""The numbers behind the network pictures, computed with JAX and handed to ``_plots`` as NumPy.

* :func:`boundary_frames`: the network's class-1 probability (or predicted class) on a grid, for a
  few steps of a run: the moving decision boundary.
* :func:`landscape_slice`: the loss on the plane through the final parameters spanned by the first
  two principal directions of the trajectory (Li et al. 2018, "Visualizing the loss landscape of
  neural nets", §6): PCA of :math:`\{\theta_t - \theta_T\}`, the path projected on it, and the
  fraction of the trajectory's variance each direction explains.
* :func:`zero_init_study`: the same MLP started from all-zero and from random weights: with zeros
  every hidden unit gets the same gradient, so their incoming weights stay identical.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from optbench._errors import OptbenchError

from ._problem import NetworkProblem, compiled


def frame_steps(steps: int, frames: int) -> np.ndarray:
    """``frames`` step indices from 0 to ``steps``, denser early, where training moves most."""
    t = np.linspace(0.0, 1.0, max(2, frames)) ** 2
    return np.unique(np.round(t * steps).astype(int))


def grid_bounds(x: np.ndarray, margin: float = 0.25) -> np.ndarray:
    """A plot window around 2-D inputs: ``[[x_lo, x_hi], [y_lo, y_hi]]`` widened by ``margin``."""
    lo, hi = x.min(0), x.max(0)
    pad = margin * (hi - lo)
    return np.stack([lo - pad, hi + pad], 1)


def boundary_frames(
    problem: NetworkProblem, params: Any, steps: np.ndarray, resolution: int = 120
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xs, ys, field)``: field[f, i, j] at input (xs[j], ys[i]) for the params at ``steps[f]``.

    Two classes: the probability of class 1 (for a linear output, :math:`(1+\tanh z)/2`); more
    classes: the predicted class divided by (classes - 1).
    """
    b = grid_bounds(problem.data.x)
    xs = np.linspace(b[0, 0], b[0, 1], resolution)
    ys = np.linspace(b[1, 0], b[1, 1], resolution)
    grid = jnp.asarray(np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2), jnp.float32)
    model = problem.model

    def field(p):
        z = model.apply(p, grid)
        if z.shape[-1] > 1:
            return jnp.argmax(z, -1) / (z.shape[-1] - 1)
        return (
            jax.nn.sigmoid(z[:, 0]) if model.output == "sigmoid" else 0.5 + 0.5 * jnp.tanh(z[:, 0])
        )

    chosen = jax.tree.map(lambda a: jnp.asarray(a[np.asarray(steps)]), params)
    fn = compiled(
        ("boundary", problem.cache_key(), resolution), lambda: lambda ps: jax.lax.map(field, ps)
    )
    out = np.asarray(fn(chosen), dtype=np.float32)
    return xs, ys, out.reshape(len(steps), resolution, resolution)


def landscape_slice(
    problem: NetworkProblem,
    params: Any,
    resolution: int = 60,
    margin: float = 0.3,
    examples: int = 256,
) -> dict[str, np.ndarray]:
    """The training loss on the trajectory's PCA plane through the final parameters.

    The loss at each of the ``resolution`` x ``resolution`` points is the training objective on
    at most ``examples`` training examples (a seeded sample when there are more): the picture's
    shape, at a fraction of the cost for a larger set (a CNN on the 1437 digits: 9 s -> 2 s).

    Returns NumPy ``a`` and ``b`` (grid coordinates along PC1 and PC2), ``loss`` (``(len(b),
    len(a))``), ``path`` (the iterates projected, ``(steps + 1, 2)``), ``explained`` (the variance
    fraction of PC1 and PC2) and ``examples`` (how many training examples the loss is on).
    """
    leaves = [np.asarray(leaf, np.float64) for leaf in jax.tree.leaves(params)]
    flat = np.concatenate([leaf.reshape(len(leaf), -1) for leaf in leaves], axis=1)
    if flat.shape[1] < 2:
        raise OptbenchError(
            f"a loss-landscape slice needs two or more parameters; this model has {flat.shape[1]}."
        )
    final = flat[-1]
    centred = flat - final
    _, s, vt = np.linalg.svd(centred - centred.mean(0), full_matrices=False)
    var = s**2
    explained = var[:2] / var.sum() if var.sum() > 0 else np.zeros(2)
    dirs = vt[:2] if len(vt) >= 2 else np.eye(2, flat.shape[1])
    path = centred @ dirs.T
    span = np.abs(path).max(0)
    span = np.where(span > 0, span, 1.0) * (1 + margin)
    a = np.linspace(-span[0], span[0], resolution)
    b = np.linspace(-span[1], span[1], resolution)
    A, B = np.meshgrid(a, b)
    points = final + A.reshape(-1, 1) * dirs[0] + B.reshape(-1, 1) * dirs[1]
    _, unravel = ravel_pytree(jax.tree.map(lambda x: x[-1], params))
    n = len(problem.x_train)
    pick = (
        np.arange(n)
        if n <= examples
        else np.sort(np.random.default_rng(0).choice(n, examples, replace=False))
    )
    x_sub, t_sub = jnp.asarray(problem.x_train[pick]), jnp.asarray(problem.t_train[pick])

    def objective(w: jax.Array) -> jax.Array:
        p = unravel(w)
        return problem.data_loss(p, x_sub, t_sub) + problem.penalty(p)

    value = compiled(
        ("landscape", problem.cache_key(), len(pick)),
        lambda: lambda ps: jax.lax.map(objective, ps, batch_size=256),
    )
    loss = np.asarray(value(jnp.asarray(points, jnp.float32)), np.float64).reshape(A.shape)
    return {
        "a": a,
        "b": b,
        "loss": loss,
        "path": path,
        "explained": np.asarray(explained),
        "examples": len(pick),
    }


def zero_init_study(
    data: Any = "xor", hidden: int = 4, steps: int = 200, lr: float = 1.0, seed: int = 0
) -> dict[str, np.ndarray]:
    """Train an MLP (sigmoid hidden units) from zero and from random weights with gradient descent.

    Returns NumPy ``steps`` and, for ``"zeros"`` and ``"normal"``, the incoming weight of every
    hidden unit from the first input at every step, ``(steps + 1, hidden)``, and the final accuracy
    (``zeros_acc``, ``normal_acc``).
    """
    from optbench import run

    from ._models import mlp

    out: dict[str, Any] = {"steps": np.arange(steps + 1)}
    for init in ("zeros", "normal"):
        prob = NetworkProblem(mlp([2, hidden, 1], "sigmoid", "sigmoid", init=init), data, seed=seed)
        t = run(prob, f"sgd:lr={lr}", steps, key=seed)
        out[init] = np.asarray(t.params[0]["w"][:, 0, :])
        out[f"{init}_acc"] = float(t.extras["per_epoch"]["train_acc"][-1])
    return out
