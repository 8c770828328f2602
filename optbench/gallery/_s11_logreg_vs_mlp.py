"""Logistic regression vs an MLP on data that no straight line separates."""

from pathlib import Path

from optbench.gallery._command import command

NAME = "logreg_vs_mlp"
TITLE = "Logistic regression vs a multilayer perceptron on concentric circles"
CAPTION = (
    "A single sigmoid neuron draws one straight boundary, so on two concentric circles it stays "
    "near chance (about 50%). Two hidden tanh layers bend the boundary into a closed curve and "
    "reach about 100%. Both are trained by the same Adam stepper on the same data."
)
REPRODUCE = """\
optbench train circles --model logistic --epochs 60 -o logistic
optbench train circles --model mlp:16,16:tanh --epochs 60 -o mlp
"""


def render(out: Path, quick: bool) -> list[Path]:
    extra = ["--epochs", "8", "--frames", "6"] if quick else ["--epochs", "60"]
    files = []
    for model, name in (("logistic", "logistic"), ("mlp:16,16:tanh", "mlp")):
        files += command(
            ["train", "circles", "--model", model, *extra],
            out,
            {"boundary.gif": f"{NAME}_{name}.gif"},
        )
    return files
