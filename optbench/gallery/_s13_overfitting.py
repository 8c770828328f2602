"""Overfitting: training vs validation curves, with the early-stopping point marked."""

from pathlib import Path

from optbench.gallery._command import command
from optbench.gallery._figure import flags

NAME = "overfitting"
TITLE = "Overfitting and early stopping"
CAPTION = (
    "A 2-64-64-1 ReLU network on 36 noisy training points (40% of the moons set held out). The "
    "training loss keeps falling towards zero while the validation loss turns up after a few "
    "epochs: the network memorizes the noise. Early stopping keeps the network at the best "
    "validation epoch (marked) and shows where training would have stopped with patience 30."
)
REPRODUCE = """\
optbench train moons:n=60,noise=0.35 --model mlp:64,64:relu --batch full --epochs 400 \\
    --validation 0.4 --patience 30 -o overfitting
"""


RU = {
    "title": "Переобучение и ранняя остановка",
    "caption": (
        "Сеть ReLU 2-64-64-1 на 36 зашумлённых обучающих точках (40% набора moons отложено). "
        "Потери на обучении продолжают падать к нулю, а на валидации разворачиваются вверх через "
        "несколько эпох: сеть запоминает шум. Ранняя остановка оставляет сеть на лучшей по "
        "валидации эпохе (отмечена) и показывает, где обучение остановилось бы при patience 30."
    ),
}


def render(out: Path, quick: bool) -> list[Path]:
    epochs = ["--epochs", "40", "--frames", "4"] if quick else ["--epochs", "400"]
    return command(
        [
            "train",
            *flags(),
            "moons:n=60,noise=0.35",
            "--model",
            "mlp:64,64:relu",
            "--batch",
            "full",
            *epochs,
            "--validation",
            "0.4",
            "--patience",
            "30",
        ],
        out,
        {"curves.png": "overfitting.png"},
    )
