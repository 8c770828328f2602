"""Himmelblau's convergence basins for two steppers."""

from pathlib import Path

import numpy as np

NAME = "himmelblau_basins"
TITLE = "Himmelblau's four minima: which one does each start reach?"
CAPTION = (
    "Every start on a grid over [−5, 5]² is run for 300 steps (one vmapped sweep over starts) and "
    "coloured by the minimum it reaches; grey means none. Gradient descent's basins follow the "
    "valleys of the surface; momentum carries runs across ridges, so its basins are fragmented."
)
REPRODUCE = """\
import numpy as np, optbench
from optbench.sweeps import plots
surf = optbench.surfaces.get("himmelblau")
xs = np.linspace(-5, 5, 61)
starts = np.array([[x, y] for y in xs for x in xs])
for spec, lr in (("sgd", 0.01), ("momentum", 0.002)):
    res = optbench.sweep(surf, spec, {"lr": [lr]}, 300, starts=starts, keep_trajectories=True)
    plots.basins(starts, res.params[:, -1], surf.minima, (61, 61), f"basins_{spec}.png")
"""


RU = {
    "title": "Четыре минимума Химмельблау: куда приходит каждый старт?",
    "caption": (
        "Каждый старт на сетке по [−5, 5]² проходит 300 шагов (один векторизованный перебор "
        "стартов) и окрашен в цвет минимума, куда пришёл; серый — никуда. Бассейны градиентного "
        "спуска следуют долинам поверхности; момент переносит спуски через хребты, поэтому его "
        "бассейны раздроблены."
    ),
}


def render(out: Path, quick: bool) -> list[Path]:
    import optbench
    from optbench.sweeps import plots

    surf = optbench.surfaces.get("himmelblau")
    n = 9 if quick else 61
    xs = np.linspace(-5, 5, n)
    starts = np.array([[x, y] for y in xs for x in xs])
    files = []
    for spec, lr in (("sgd", 0.01), ("momentum", 0.002)):
        res = optbench.sweep(
            surf, spec, {"lr": [lr]}, 60 if quick else 300, starts=starts, keep_trajectories=True
        )
        files.append(
            plots.basins(
                starts,
                res.params[:, -1],
                surf.minima,
                (n, n),
                out / f"{NAME}_{spec}.png",
                title=f"{spec}, lr={lr}",
            )
        )
    return files
