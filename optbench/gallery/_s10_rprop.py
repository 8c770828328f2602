"""Rprop: the path, and each coordinate's step size over time."""

from pathlib import Path

import numpy as np

from optbench._io import save_figure
from optbench.gallery._figure import PALETTE, figure

NAME = "rprop"
TITLE = "Rprop: only the sign of the gradient, one step size per coordinate"
CAPTION = (
    "iRprop− (what torch.optim.Rprop computes) on Rosenbrock. Each coordinate keeps its own step "
    "size Δ: ×1.2 while the gradient's sign holds, ×0.5 when it flips (and that coordinate skips "
    "the step). The right panel shows Δ_x and Δ_y growing along the valley floor and collapsing "
    "at each overshoot."
)
REPRODUCE = """\
import jax, jax.numpy as jnp
from optbench import steppers, surfaces
f = surfaces.get("rosenbrock")
opt = steppers.rprop(lr=0.01)                    # irprop-, = torch.optim.Rprop(lr=0.01)
x = jnp.array(f.start, jnp.float32); state = opt.init(x)
for t in range(600):
    g = jax.grad(f)(x)
    u, state = opt.update(g, state, x)
    x = x + u                                    # state.step_size holds (Δ_x, Δ_y)
"""


def replay(steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Iterates (steps+1, 2) and step sizes (steps+1, 2) of iRprop- on Rosenbrock."""
    import jax
    import jax.numpy as jnp

    from optbench import steppers, surfaces

    f = surfaces.get("rosenbrock")
    opt = steppers.rprop(lr=0.01)

    @jax.jit
    def step(x, state):
        u, state = opt.update(jax.grad(f)(x), state, x)
        return x + u, state

    x = jnp.asarray(f.start, jnp.float32)
    state = opt.init(x)
    xs, deltas = [np.asarray(x)], [np.asarray(state.step_size)]
    for _ in range(steps):
        x, state = step(x, state)
        xs.append(np.asarray(x))
        deltas.append(np.asarray(state.step_size))
    return np.array(xs), np.array(deltas)


def render(out: Path, quick: bool) -> list[Path]:
    from optbench import surfaces

    steps = 60 if quick else 600
    xs, deltas = replay(steps)
    f = surfaces.get("rosenbrock")
    gx, gy, z = f.grid(120 if quick else 300)
    fig = figure(12, 4.6)
    ax, bx = fig.subplots(1, 2, width_ratios=[1.1, 1])
    ax.contourf(gx, gy, np.log10(z + 1e-3), levels=25, cmap="viridis")
    ax.plot(xs[:, 0], xs[:, 1], "-", color="white", lw=1.2)
    ax.plot(xs[:, 0], xs[:, 1], ".", color=PALETTE[1], ms=3)
    ax.plot(*xs[0], "s", color="black", ms=7, label="start")
    ax.plot(*f.minima[0], "*", color="white", mec="black", ms=14, label="minimum (1, 1)")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(f"iRprop− path, {steps} steps (Rosenbrock, log-scaled contours)", fontsize=10)
    t = np.arange(len(deltas))
    bx.semilogy(t, deltas[:, 0], color=PALETTE[0], lw=1.6, label="Δ_x")
    bx.semilogy(t, deltas[:, 1], color=PALETTE[1], lw=1.6, label="Δ_y")
    bx.set_xlabel("step")
    bx.set_ylabel("step size Δ")
    bx.legend(fontsize=9)
    bx.set_title("per-coordinate step sizes (×1.2 same sign, ×0.5 sign flip)", fontsize=10)
    return [save_figure(fig, out / "rprop.png")]
