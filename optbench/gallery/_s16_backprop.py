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


def render(out: Path, quick: bool) -> list[Path]:
    from optbench import networks

    w = networks.worked_example()
    title = "∂E/∂w(H1→O1) = I (O − T) O (1 − O) = 0.13 (0.35 − 0.9) 0.35 (1 − 0.35) = −0.016"
    return [
        networks.draw_network(w.model, w.params, w.x, w.target, out / f"{NAME}.png", title=title)
    ]
