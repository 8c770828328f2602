"""Learning-rate sensitivity of every lecture stepper on Rosenbrock, from one sweep each."""

from pathlib import Path

import numpy as np

NAME = "lr_sensitivity"
TITLE = "Learning-rate sensitivity on Rosenbrock"
CAPTION = (
    "Final loss after 500 steps from (−1.5, 2) against the learning rate, 25 log-spaced values per "
    "stepper, each stepper's grid one compiled, vmapped sweep. Crosses mark rates at which the run "
    "diverged (counted, not hidden); the dashed line is η_max = 2/λ_max of the Hessian at the "
    "start. Gradient descent and momentum only work in a narrow band ending near η_max; the "
    "adaptive steppers tolerate rates over orders of magnitude."
)
REPRODUCE = """\
import numpy as np, optbench
from optbench.sweeps import plots
lrs = np.logspace(-5, 0, 25)
res = {name: optbench.sweep("rosenbrock", name, {"lr": lrs}, steps=500)
       for name in ("sgd", "momentum", "nesterov", "rmsprop", "rprop", "adam")}
plots.sensitivity(res, "lr_sensitivity.png", eta_max=optbench.analysis.lr_limits("rosenbrock").eta_max)
"""  # noqa: E501


RU = {
    "title": "Чувствительность к шагу обучения на функции Розенброка",
    "caption": (
        "Итоговые потери после 500 шагов из (−1.5, 2) в зависимости от шага обучения, 25 значений"
        " в логарифмической шкале на метод, сетка каждого метода — один скомпилированный "
        "векторизованный перебор. Крестики отмечают шаги, при которых спуск разошёлся (посчитаны,"
        " не скрыты); штриховая линия — η_max = 2/λ_max гессиана на старте. Градиентный спуск и "
        "момент работают лишь в узкой полосе, кончающейся около η_max; адаптивные методы терпят "
        "шаги в пределах нескольких порядков."
    ),
}


WORDS = {
    "en": {"title": "Rosenbrock, {steps} steps from (−1.5, 2)"},
    "ru": {"title": "Розенброк, {steps} шагов из (−1.5, 2)"},
}


def render(out: Path, quick: bool) -> list[Path]:
    import optbench
    from optbench.analysis import lr_limits
    from optbench.gallery._figure import look, say
    from optbench.sweeps import plots

    lrs = np.logspace(-5, 0, 6 if quick else 25)
    steps = 50 if quick else 500
    res = {
        name: optbench.sweep("rosenbrock", name, {"lr": lrs}, steps=steps)
        for name in ("sgd", "momentum", "nesterov", "rmsprop", "rprop", "adam")
    }
    eta_max = float(lr_limits("rosenbrock").eta_max)
    return [
        plots.sensitivity(
            res,
            out / f"{NAME}.png",
            eta_max=eta_max,
            title=say(WORDS)["title"].format(steps=steps),
            lang=look().lang,
        )
    ]
