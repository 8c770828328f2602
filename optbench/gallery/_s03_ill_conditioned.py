"""Gradient descent on an ill-conditioned quadratic at 0.5, 0.95 and 1.05 times eta_max."""

from pathlib import Path

from optbench.gallery._race import race

NAME = "ill_conditioned"
TITLE = "An ill-conditioned valley: gradient descent at 0.5, 0.95 and 1.05 × η_max"
CAPTION = (
    "f = ½xᵀAx with Hessian eigenvalues 1 and 20, rotated by 0.5 rad, so η_max = 2/λ_max = 0.1 "
    "(`optbench lr quadratic:kappa=20,angle=0.5`). At 0.5·η_max the path goes straight down the "
    "steep direction and then crawls along the valley; at 0.95·η_max it zigzags across the valley "
    "(|1 − ηλ_max| = 0.9); at 1.05·η_max the zigzag grows by 1.1 per step and the run diverges."
)
REPRODUCE = """\
optbench lr quadratic:kappa=20,angle=0.5          # eta_max = 0.1
optbench race quadratic:kappa=20,angle=0.5 sgd:lr=0.05 sgd:lr=0.095 sgd:lr=0.105 \\
    --steps 80 --panels --start=-1.8,1.2 --size 1350x450
"""


RU = {
    "title": "Плохо обусловленная долина: градиентный спуск при 0.5, 0.95 и 1.05 × η_max",
    "caption": (
        "f = ½xᵀAx с собственными числами гессиана 1 и 20, повёрнутая на 0.5 рад, поэтому η_max ="
        " 2/λ_max = 0.1 (`optbench lr quadratic:kappa=20,angle=0.5`). При 0.5·η_max путь идёт "
        "прямо вниз по крутому направлению, а затем ползёт вдоль долины; при 0.95·η_max он "
        "мечется зигзагом поперёк долины (|1 − ηλ_max| = 0.9); при 1.05·η_max зигзаг растёт в 1.1"
        " раза за шаг, и спуск расходится."
    ),
}


def render(out: Path, quick: bool) -> list[Path]:
    return race(
        NAME,
        [
            "quadratic:kappa=20,angle=0.5",
            "sgd:lr=0.05",
            "sgd:lr=0.095",
            "sgd:lr=0.105",
            "--steps",
            "80",
            "--panels",
            "--start=-1.8,1.2",
            "--duration",
            "6",
        ],
        out,
        quick,
        convergence=True,
        size=(1350, 450),  # three panels of 450 px
    )
