"""Learning rate in 1-D on a parabola: LeCun's eta_opt = 1/lambda and eta_max = 2/lambda."""

from pathlib import Path

import numpy as np

import optbench
from optbench._io import save_figure
from optbench.analysis import lr_limits
from optbench.gallery._figure import PALETTE, figure, say

NAME = "lr_1d"
TITLE = "Learning rate on a parabola: below, at, and above eta_opt and eta_max"
CAPTION = (
    "Gradient descent on f(x) = x² (λ = 2, so η_opt = 1/λ = 0.5 and η_max = 2/λ = 1). "
    "Below η_opt the steps creep, at η_opt one step lands on the minimum, between η_opt and η_max "
    "the iterate oscillates but converges, at η_max it bounces forever, above η_max it diverges."
)
REPRODUCE = """\
import optbench
from optbench.analysis import lr_limits
lim = lr_limits("quadratic:dim=1,kappa=1,scale=2")      # eta_opt = 0.5, eta_max = 1.0
for lr in (0.2, 0.5, 0.8, 1.0, 1.1):
    t = optbench.run("quadratic:dim=1,kappa=1,scale=2", f"sgd:lr={lr}", steps=8, dtype="float64")
    print(lr, t.params[:, 0].round(3))
"""

SPEC = "quadratic:dim=1,kappa=1,scale=2"


RU = {
    "title": "Шаг обучения на параболе: меньше, равен и больше eta_opt и eta_max",
    "caption": (
        "Градиентный спуск на f(x) = x² (λ = 2, поэтому η_opt = 1/λ = 0.5 и η_max = 2/λ = 1). При"
        " шаге меньше η_opt итерации ползут, при η_opt один шаг попадает в минимум, между η_opt и"
        " η_max итерация колеблется, но сходится, при η_max прыгает вечно, выше η_max расходится."
    ),
}
WORDS = {"en": {"diverges": "diverges"}, "ru": {"diverges": "расходится"}}


def render(out: Path, quick: bool) -> list[Path]:
    lim = lr_limits(SPEC)
    cases = [
        (0.4 * lim.eta_opt, "< η_opt"),
        (lim.eta_opt, "= η_opt"),
        (1.6 * lim.eta_opt, "η_opt < η < η_max"),
        (lim.eta_max, "= η_max"),
        (1.1 * lim.eta_max, "> η_max"),
    ]
    steps = 4 if quick else 8
    fig = figure(15, 3.4)
    axes = fig.subplots(1, len(cases), sharey=True)
    xs = np.linspace(-2.2, 2.2, 200)
    lam = float(lim.lambda_max)
    for ax, (lr, what), colour in zip(axes, cases, PALETTE):
        t = optbench.run(SPEC, optbench.steppers.sgd(lr), steps=steps, dtype="float64")
        x = t.params[:, 0]
        ax.plot(xs, 0.5 * lam * xs**2, color="0.6", lw=1.5)
        ax.plot(x, 0.5 * lam * x**2, "-o", color=colour, ms=4, lw=1.2)
        ax.plot(x[0], 0.5 * lam * x[0] ** 2, "s", color="black", ms=6)
        ax.set_title(f"η = {lr:.2f}  ({what})", fontsize=10)
        ax.set_xlim(-2.2, 2.2)
        ax.set_ylim(-0.2, 5.0)
        ax.set_xlabel("x")
        last = say(WORDS)["diverges"] if abs(x[-1]) > abs(x[0]) else f"x_{steps} = {x[-1]:+.3f}"
        ax.text(0.5, 0.92, last, transform=ax.transAxes, ha="center", fontsize=9)
    axes[0].set_ylabel("f(x) = x²")
    fig.suptitle(f"λ = {lam:g}:  η_opt = 1/λ = {lim.eta_opt:g},  η_max = 2/λ = {lim.eta_max:g}")
    return [save_figure(fig, out / "lr_1d.png")]
