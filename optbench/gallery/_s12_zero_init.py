"""Zero initialization: hidden units that stay identical."""

from pathlib import Path

NAME = "zero_init"
TITLE = "Zero initialization: every hidden unit learns the same thing"
CAPTION = (
    "The same 2-4-1 sigmoid network trained on XOR by gradient descent, from zero weights (left) "
    "and from random weights with variance 1/fan_in (right). From zeros, every hidden unit gets "
    "the same gradient at every step, so their weights move as one line and the network behaves "
    "like a single hidden unit; random initialization breaks the symmetry."
)
REPRODUCE = """\
from optbench.networks import _pictures, _plots
study = _pictures.zero_init_study("xor", hidden=4, steps=200, lr=1.0)
_plots.zero_init_png("zero_init.png", study["steps"], study["zeros"], study["normal"])
"""


RU = {
    "title": "Нулевая инициализация: все скрытые нейроны учат одно и то же",
    "caption": (
        "Одна и та же сигмоидная сеть 2-4-1 обучена градиентным спуском на XOR из нулевых весов "
        "(слева) и из случайных весов с дисперсией 1/fan_in (справа). Из нулей каждый скрытый "
        "нейрон получает один и тот же градиент на каждом шаге, поэтому их веса движутся одной "
        "линией, и сеть ведёт себя как один скрытый нейрон; случайная инициализация ломает "
        "симметрию."
    ),
}


def render(out: Path, quick: bool) -> list[Path]:
    from optbench.gallery._figure import look
    from optbench.networks import _pictures, _plots

    study = _pictures.zero_init_study("xor", hidden=4, steps=40 if quick else 200, lr=1.0)
    path = out / "zero_init.png"
    lang, theme = look()
    return [
        _plots.zero_init_png(
            path, study["steps"], study["zeros"], study["normal"], theme=theme, lang=lang
        )
    ]
