"""The lecture's surfaces in 3-D: Rosenbrock's valley, the saddle beside its contour, the monkey
saddle."""

from pathlib import Path

from optbench.gallery._race import race

NAME = "surfaces_3d"
TITLE = "Rosenbrock, the saddle and the monkey saddle in 3-D"
CAPTION = (
    "The surfaces as the lecture slides draw them, shaded, with their contour projected below and "
    "the paths riding on them. Rosenbrock's height is log10 of the value above the minimum, so the "
    "curved valley floor shows; the saddle x² − y² is drawn beside its contour, a run starting a "
    "hair off y = 0 sliding off along y; on the monkey saddle x³ − 3xy² three valleys leave the "
    "flat centre. (`--rotate 60` turns the camera over the animation: every frame then differs, "
    "and the GIF is some 25 times larger.)"
)
REPRODUCE = """\
optbench race rosenbrock momentum:lr=0.001 rprop adam:lr=0.05 --view 3d --log-height
optbench race saddle sgd:lr=0.05 adam:lr=0.02 --start=1,0.001 --view both --size 1200x600
optbench race monkey_saddle sgd:lr=0.02 adam:lr=0.02 --start=0.5,0.05 --view 3d
"""

RU = {
    "title": "Розенброк, седло и «обезьянье седло» в 3-D",
    "caption": (
        "Поверхности так, как их рисуют слайды лекции: с заливкой, с линиями уровня, "
        "спроецированными вниз, и путями, идущими по поверхности. Высота у Розенброка — log10 "
        "значения над минимумом, поэтому видно изогнутое дно долины; седло x² − y² нарисовано "
        "рядом со своими линиями уровня, спуск, начатый чуть в стороне от y = 0, соскальзывает "
        "вдоль y; на «обезьяньем седле» x³ − 3xy² три долины уходят от плоского центра. "
        "(`--rotate 60` поворачивает камеру за время анимации: тогда каждый кадр свой, и GIF "
        "примерно в 25 раз больше.)"
    ),
}


def render(out: Path, quick: bool) -> list[Path]:
    common = ["--steps", "150", "--duration", "5"]
    rosenbrock = race(
        f"{NAME}_rosenbrock",
        ["rosenbrock", "momentum:lr=0.001", "rprop", "adam:lr=0.05", "--view", "3d"]
        + ["--log-height", *common],
        out,
        quick,
    )
    saddle = race(
        f"{NAME}_saddle",
        ["saddle", "sgd:lr=0.05", "adam:lr=0.02", "--start=1,0.001", "--view", "both", *common],
        out,
        quick,
        size=(1200, 600),
    )
    monkey = race(
        f"{NAME}_monkey",
        ["monkey_saddle", "sgd:lr=0.02", "adam:lr=0.02", "--start=0.5,0.05", "--view", "3d"]
        + common,
        out,
        quick,
    )
    return rosenbrock + saddle + monkey
