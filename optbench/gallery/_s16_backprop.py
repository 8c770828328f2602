"""The lecture's worked 3-3-2 network: the forward pass and the gradient on one diagram."""

from pathlib import Path

NAME = "backprop"
TITLE = "Backpropagation through the worked 3-3-2 network"
CAPTION = (
    "The lecture's network (three inputs, three sigmoid hidden units, two sigmoid outputs, no "
    "biases) on x = (0.5, 0.9, −0.3): in blue each weight and each unit's output, hidden "
    "(0.13, 0.96, 0.40) and output (0.35, 0.85); in vermilion the derivative of "
    "E = ½ Σ (O − T)² with respect to every weight, from jax.grad through the public API. The "
    "weight from H1 to O1 gets I (O − T) O (1 − O) = 0.13 (0.35 − 0.9) 0.35 (1 − 0.35) = −0.016, "
    "as the slide writes it."
)
REPRODUCE = """\
from optbench import networks
w = networks.worked_example()
hidden, out = networks.layer_outputs(w.model, w.params, w.x[None])   # (.13 .96 .40), (.35 .85)
networks.draw_network(w.model, w.params, w.x, w.target, "backprop.png")
"""


RU = {
    "title": "Обратное распространение в разобранной сети 3-3-2",
    "caption": (
        "Сеть из лекции (три входа, три сигмоидных скрытых нейрона, два сигмоидных выхода, без "
        "смещений) на x = (0.5, 0.9, −0.3): синим — каждый вес и выход каждого нейрона, скрытые "
        "(0.13, 0.96, 0.40) и выходные (0.35, 0.85); красным — производная E = ½ Σ (O − T)² по "
        "каждому весу, через jax.grad в публичном API. Вес от H1 к O1 получает I (O − T) O (1 − "
        "O) = 0.13 (0.35 − 0.9) 0.35 (1 − 0.35) = −0.016, как на слайде."
    ),
}


def render(out: Path, quick: bool) -> list[Path]:
    from optbench import networks
    from optbench.gallery._figure import look

    w = networks.worked_example()
    title = "∂E/∂w(H1→O1) = I (O − T) O (1 − O) = 0.13 (0.35 − 0.9) 0.35 (1 − 0.35) = −0.016"
    path, lang = out / f"{NAME}.png", look().lang
    return [networks.draw_network(w.model, w.params, w.x, w.target, path, title=title, lang=lang)]
