"""The saddle x^2 - y^2: stalling on the stable manifold, escaping from a tiny offset."""

from pathlib import Path

from optbench.gallery._race import race

NAME = "saddle"
TITLE = "The saddle x² − y²: stuck on y = 0, escaping from a tiny offset"
CAPTION = (
    "Started exactly on y = 0 (left), gradient descent converges to the saddle point: the gradient "
    "has no y-component there. From y₀ = 10⁻³ (right), y grows like (1 + 2η)ᵗ and every stepper "
    "escapes; the adaptive steppers (RMSprop, Adam) rescale the tiny y-gradient and leave first."
)
REPRODUCE = """\
optbench race saddle sgd:lr=0.05 adam:lr=0.02 --start=1,0 --steps 100
optbench race saddle sgd:lr=0.05 momentum:lr=0.02 rmsprop:lr=0.02 adam:lr=0.02 --start=1,0.001 --steps 100
"""  # noqa: E501


RU = {
    "title": "Седло x² − y²: застревание на y = 0 и уход от крошечного сдвига",
    "caption": (
        "Начав ровно на y = 0 (слева), градиентный спуск сходится к седловой точке: у градиента "
        "там нет y-компоненты. От y₀ = 10⁻³ (справа) y растёт как (1 + 2η)ᵗ, и уходит каждый "
        "метод; адаптивные (RMSprop, Adam) масштабируют крошечный y-градиент и уходят первыми."
    ),
}


def render(out: Path, quick: bool) -> list[Path]:
    common = ["--steps", "100", "--duration", "5"]
    a = race(
        f"{NAME}_on_axis",
        ["saddle", "sgd:lr=0.05", "adam:lr=0.02", "--start=1,0", *common],
        out,
        quick,
    )
    b = race(
        f"{NAME}_offset",
        [
            "saddle",
            "sgd:lr=0.05",
            "momentum:lr=0.02",
            "rmsprop:lr=0.02",
            "adam:lr=0.02",
            "--start=1,0.001",
            *common,
        ],
        out,
        quick,
    )
    return a + b
