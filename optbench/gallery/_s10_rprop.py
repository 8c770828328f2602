"""Rprop: the path, and each coordinate's step size over time."""

from pathlib import Path

import numpy as np

from optbench._io import save_figure
from optbench.gallery._figure import PALETTE, figure, look, say
from optbench.render._style import THEMES, colour_map

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


RU = {
    "title": "Rprop: только знак градиента, свой размер шага у каждой координаты",
    "caption": (
        "iRprop− (то, что вычисляет torch.optim.Rprop) на функции Розенброка. Каждая координата "
        "хранит свой размер шага Δ: он растёт в 1.2 раза, пока знак частной производной не "
        "меняется, и уменьшается вдвое при смене знака (величина градиента не входит в шаг). "
        "Справа видно, как Δ_x и Δ_y растут вдоль дна долины и падают при каждом перескоке."
    ),
}
WORDS = {
    "en": {
        "start": "start",
        "min": "minimum (1, 1)",
        "path": "iRprop− path, {steps} steps (Rosenbrock, log-scaled contours)",
        "step": "step",
        "size": "step size Δ",
        "sizes": "per-coordinate step sizes (×1.2 same sign, ×0.5 sign flip)",
    },
    "ru": {
        "start": "старт",
        "min": "минимум (1, 1)",
        "path": "путь iRprop−, {steps} шагов (Розенброк, логарифмические уровни)",
        "step": "шаг",
        "size": "размер шага Δ",
        "sizes": "шаги по координатам (×1.2 знак тот же, ×0.5 смена)",
    },
}


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
    w = say(WORDS)
    colours = THEMES[look().theme]  # the race's contour colours: one palette in the gallery
    ax.contourf(gx, gy, np.log10(z + 1e-3), levels=25, cmap=colour_map(colours))
    ax.contour(gx, gy, np.log10(z + 1e-3), levels=12, colors=colours["contour"], linewidths=0.5)
    ax.plot(xs[:, 0], xs[:, 1], "-", color=colours["bg"], lw=1.2)
    ax.plot(xs[:, 0], xs[:, 1], ".", color=PALETTE[1], ms=3)
    ax.plot(*xs[0], "s", color=colours["start"], mec=colours["bg"], ms=7, label=w["start"])
    ax.plot(*f.minima[0], "*", color=colours["minimum"], mec=colours["bg"], ms=14, label=w["min"])
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(w["path"].format(steps=steps), fontsize=10)
    t = np.arange(len(deltas))
    bx.semilogy(t, deltas[:, 0], color=PALETTE[0], lw=1.6, label="Δ_x")
    bx.semilogy(t, deltas[:, 1], color=PALETTE[1], lw=1.6, label="Δ_y")
    bx.set_xlabel(w["step"])
    bx.set_ylabel(w["size"])
    bx.legend(fontsize=9)
    bx.set_title(w["sizes"], fontsize=10)
    return [save_figure(fig, out / "rprop.png")]
