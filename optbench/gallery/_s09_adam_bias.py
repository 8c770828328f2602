"""Adam with and without bias correction: the first steps."""

from pathlib import Path

from optbench.gallery._race import race

NAME = "adam_bias_correction"
TITLE = "Adam with and without bias correction: the first steps"
CAPTION = (
    "Both moments start at zero. With bias correction (m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)) the first "
    "step is about lr·sign(g). Without it the first step is lr·(1−β₁)g/√((1−β₂)g²) ≈ 3.2·lr, and "
    "the early steps overshoot before the averages warm up. Under the paths, each run's own "
    "effective step η m̂/(√v̂ + ε) per coordinate, recorded from the stepper's state."
)
REPRODUCE = """\
optbench race quadratic:kappa=10 adam:lr=0.2 adam:lr=0.2,bias_correction=false --steps 40 \\
    --panels --show state --size 900x660
"""


RU = {
    "title": "Adam с поправкой смещения и без неё: первые шаги",
    "caption": (
        "Оба момента стартуют с нуля. С поправкой смещения (m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)) "
        "первый шаг примерно lr·sign(g). Без неё первый шаг lr·(1−β₁)g/√((1−β₂)g²) ≈ 3.2·lr, и "
        "ранние шаги перелетают, пока средние не разогреются. Под путями — эффективный шаг "
        "η m̂/(√v̂ + ε) каждого запуска по координатам, записанный из состояния метода."
    ),
}


def render(out: Path, quick: bool) -> list[Path]:
    return race(
        NAME,
        [
            "quadratic:kappa=10",
            "adam:lr=0.2",
            "adam:lr=0.2,bias_correction=false",
            "--steps",
            "40",
            "--panels",
            "--show",
            "state",
            "--duration",
            "5",
            "--fps",
            "8",
        ],
        out,
        quick,
        size=(900, 660),  # two panels of 440 px over the state strip
    )
