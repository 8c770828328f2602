"""The Rosenbrock race of the lecture steppers: the README's first command."""

from pathlib import Path

from optbench.gallery._race import race

NAME = "rosenbrock_race"
TITLE = "Rosenbrock race of the lecture steppers"
CAPTION = (
    "SGD, momentum, Nesterov, RMSprop, Rprop and Adam from (−1.5, 2) on Rosenbrock's banana "
    "valley, 300 steps each with the learning rates in the legend. Gradient descent is limited by "
    "the steep walls (η_max ≈ 0.001 at the start) and barely moves along the floor; momentum and "
    "Nesterov build up speed along it; the adaptive steppers normalise the step per coordinate."
)
REPRODUCE = "optbench race rosenbrock\n"


def render(out: Path, quick: bool) -> list[Path]:
    return race(NAME, ["rosenbrock"], out, quick, convergence=True)
