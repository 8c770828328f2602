"""Batch vs minibatch vs stochastic gradient descent on LeCun's set-1, with the slide's numbers."""

from pathlib import Path

NAME = "batch_vs_stochastic"
TITLE = "Batch, minibatch and stochastic descent on one loss surface (LeCun's experiment)"
CAPTION = (
    "A linear neuron with two weights on LeCun's set-1 (100 points, two Gaussian classes, scaled "
    "so that the Hessian's λ_max is the slide's 0.84): its full-batch loss is a 2-D surface and "
    "η_max = 2/λ_max = 2.38. Batch descent at η = 2 converges; at η = 2.5, past η_max, it "
    "oscillates with growing amplitude and diverges. Minibatch (10 examples) and stochastic (1 "
    "example) updates at η = 0.2 wander noisily into the same basin."
)
REPRODUCE = """\
import optbench
from optbench import networks, render
from optbench.analysis import lr_limits
batch = networks.problem("linear", "set1")
eta_max = lr_limits(batch, method="power").eta_max  # 2 / 0.84 = 2.38
surface = batch.surface()
runs = [optbench.run(surface, "sgd:lr=2", 300),
        optbench.run(surface, "sgd:lr=2.5", 300),  # diverges
        optbench.run(networks.problem("linear", "set1", batch_size=10).surface(), "sgd:lr=0.2", 300),
        optbench.run(networks.problem("linear", "set1", batch_size=1).surface(), "sgd:lr=0.2", 300)]
render.animate(runs, surface, "batch_vs_stochastic.gif")
"""  # noqa: E501


RU = {
    "title": (
        "Пакетный, мини-пакетный и стохастический спуск на одной поверхности потерь (опыт ЛеКуна)"
    ),
    "caption": (
        "Линейный нейрон с двумя весами на наборе set-1 ЛеКуна (100 точек, два гауссовых класса, "
        "масштаб подобран так, что λ_max гессиана равно 0.84, как на слайде): его полнопакетные "
        "потери — двумерная поверхность, и η_max = 2/λ_max = 2.38. Пакетный спуск при η = 2 "
        "сходится; при η = 2.5, за η_max, он колеблется с растущей амплитудой и расходится. Мини-"
        "пакетные (10 примеров) и стохастические (1 пример) шаги при η = 0.2 с шумом приходят в "
        "ту же яму."
    ),
}


WORDS = {
    "en": {
        "batch": "batch",
        "past": "batch, past η_max",
        "mini": "minibatch 10",
        "online": "stochastic (1 example)",
    },
    "ru": {
        "batch": "пакетный",
        "past": "пакетный, за η_max",
        "mini": "мини-пакет 10",
        "online": "стохастический (1 пример)",
    },
}


def render(out: Path, quick: bool) -> list[Path]:
    import dataclasses

    import optbench
    from optbench import networks, render
    from optbench.analysis import lr_limits
    from optbench.gallery._figure import look, say

    steps = 30 if quick else 300
    batch = networks.problem("linear", "set1")
    limits = lr_limits(batch, method="power")
    eta_max = float(limits.eta_max)
    surface = batch.surface()
    mini = networks.problem("linear", "set1", batch_size=10).surface()
    online = networks.problem("linear", "set1", batch_size=1).surface()
    w = say(WORDS)
    runs = [
        (surface, 2.0, w["batch"]),
        (surface, 2.5, w["past"]),
        (mini, 0.2, w["mini"]),
        (online, 0.2, w["online"]),
    ]
    trajectories = []
    for problem, lr, what in runs:
        t = optbench.run(problem, optbench.steppers.sgd(lr), steps)
        trajectories.append(dataclasses.replace(t, label=f"{what}, lr={lr:.3g}"))
    kw = {"fps": 8, "duration": 1, "size": 300} if quick else {"fps": 25, "duration": 8}
    path = render.animate(
        trajectories,
        surface,
        out / f"{NAME}.gif",
        title=f"η_max = 2/λ_max = 2/{limits.lambda_max:.2f} = {eta_max:.2f}",
        lang=look().lang,
        theme=look().theme,
        **kw,
    )
    return [path]
