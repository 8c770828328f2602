"""The same valley: gradient descent vs momentum vs Nesterov."""

from pathlib import Path

from optbench.gallery._race import race

NAME = "valley_momentum"
TITLE = "The same valley: gradient descent vs momentum vs Nesterov"
CAPTION = (
    "On the κ = 20 valley, plain gradient descent at η = 0.05 needs hundreds of steps along the "
    "flat direction. Heavy-ball momentum (β = 0.6) and Nesterov (β = 0.6) at the same η accumulate "
    "speed along the valley floor and reach the minimum several times sooner; Nesterov's "
    "look-ahead damps the overshoot."
)
REPRODUCE = """\
optbench race quadratic:kappa=20,angle=0.5 sgd:lr=0.05 momentum:lr=0.05,beta=0.6 \\
    nesterov:lr=0.05,beta=0.6 --steps 120 --start=-1.8,1.2
"""


RU = {
    "title": "Та же долина: градиентный спуск, момент и Нестеров",
    "caption": (
        "В долине с κ = 20 обычному градиентному спуску при η = 0.05 нужны сотни шагов вдоль "
        "пологого направления. Метод тяжёлого шара (β = 0.6) и Нестеров (β = 0.6) при том же η "
        "набирают скорость вдоль дна долины и приходят в минимум в несколько раз быстрее; "
        "заглядывание вперёд у Нестерова гасит перелёт."
    ),
}


def render(out: Path, quick: bool) -> list[Path]:
    return race(
        NAME,
        [
            "quadratic:kappa=20,angle=0.5",
            "sgd:lr=0.05",
            "momentum:lr=0.05,beta=0.6",
            "nesterov:lr=0.05,beta=0.6",
            "--steps",
            "120",
            "--start=-1.8,1.2",
            "--duration",
            "6",
        ],
        out,
        quick,
        convergence=True,
    )
