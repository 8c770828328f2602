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


RU = {
    "title": "Гонка методов лекции на функции Розенброка",
    "caption": (
        "SGD, момент, Нестеров, RMSprop, Rprop и Adam из (−1.5, 2) в банановой долине Розенброка,"
        " по 300 шагов с шагами обучения из легенды. Градиентный спуск ограничен крутыми стенками"
        " (η_max ≈ 0.001 на старте) и едва движется по дну; момент и Нестеров разгоняются вдоль "
        "него; адаптивные методы нормируют шаг по каждой координате."
    ),
}


def render(out: Path, quick: bool) -> list[Path]:
    return race(NAME, ["rosenbrock"], out, quick, convergence=True)
