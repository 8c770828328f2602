"""Logistic regression vs an MLP on data that no straight line separates."""

from pathlib import Path

from optbench.gallery._command import command
from optbench.gallery._figure import flags

NAME = "logreg_vs_mlp"
TITLE = "Logistic regression vs a multilayer perceptron on concentric circles"
CAPTION = (
    "A single sigmoid neuron draws one straight boundary, so on two concentric circles it stays "
    "near chance (about 50%). Two hidden tanh layers bend the boundary into a closed curve and "
    "reach about 100%. Both are trained by the same Adam stepper on the same data."
)
REPRODUCE = """\
optbench train circles --model logistic --epochs 60 --frames 36 -o logistic
optbench train circles --model mlp:16,16:tanh --epochs 60 --frames 36 -o mlp
"""


RU = {
    "title": "Логистическая регрессия и многослойный перцептрон на концентрических окружностях",
    "caption": (
        "Один сигмоидный нейрон проводит одну прямую границу, поэтому на двух концентрических "
        "окружностях остаётся около случайного уровня (около 50%). Два скрытых слоя с tanh "
        "изгибают границу в замкнутую кривую и доходят почти до 100%. Обе модели обучены одним и "
        "тем же Adam на одних данных."
    ),
}


def render(out: Path, quick: bool) -> list[Path]:
    extra = ["--epochs", "8", "--frames", "6"] if quick else ["--epochs", "60", "--frames", "36"]
    files = []
    for model, name in (("logistic", "logistic"), ("mlp:16,16:tanh", "mlp")):
        files += command(
            ["train", "circles", "--model", model, *extra, *flags()],
            out,
            {"boundary.gif": f"{NAME}_{name}.gif"},
        )
    return files
