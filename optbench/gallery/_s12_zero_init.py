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


def render(out: Path, quick: bool) -> list[Path]:
    from optbench.networks import _pictures, _plots

    study = _pictures.zero_init_study("xor", hidden=4, steps=40 if quick else 200, lr=1.0)
    return [
        _plots.zero_init_png(out / "zero_init.png", study["steps"], study["zeros"], study["normal"])
    ]
