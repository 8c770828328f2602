r"""A small network drawn as the lectures draw it: the forward pass in one colour, the gradient in
another.

Every unit is a circle holding its output (the inputs, the hidden activations, the outputs with
their targets); every edge carries its weight near its start and, in the second colour, the
derivative of :math:`E = \tfrac12\sum_k (O_k - T_k)^2` with respect to it near its end. The
gradient is ``jax.grad`` of that error through :func:`~optbench.networks.layer_outputs` (for the
worked example it equals the hand-derived delta rule, :func:`~optbench.networks.backprop`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from optbench._errors import OptbenchError
from optbench._io import check_path, save_figure

FORWARD, BACKWARD = "#0072B2", "#D55E00"  # Okabe-Ito blue and vermilion
MOST_UNITS = 6  # a layer wider than this leaves no room for the numbers on its edges
WORDS = {
    "en": {
        "forward": "forward: weights and unit outputs",
        "backward": "backward: ∂E/∂w, E = ½ Σ (O − T)²",
    },
    "ru": {
        "forward": "прямой проход: веса и выходы нейронов",
        "backward": "обратный проход: ∂E/∂w, E = ½ Σ (O − T)²",
    },
}


def values(model: Any, params: Any, x: Any, target: Any) -> tuple[list, list, list]:
    """``(activations, weights, gradients)``: each layer's outputs for the one input ``x`` (the
    input first), each layer's weight matrix ``(in, out)`` and ``dE/dw`` of the same shape."""
    import jax
    import jax.numpy as jnp

    from ._models import layer_outputs

    x = jnp.asarray(x, jnp.float32)[None]
    t = jnp.asarray(target, jnp.float32)

    def error(p):
        return 0.5 * jnp.sum(jnp.square(layer_outputs(model, p, x)[-1][0] - t))

    acts = [np.asarray(x[0], float)] + [
        np.asarray(a[0], float) for a in layer_outputs(model, params, x)
    ]
    grads = jax.grad(error)(params)
    weights = [np.asarray(layer["w"], float) for layer in params]
    return acts, weights, [np.asarray(g["w"], float) for g in grads]


def draw_network(
    model: Any,
    params: Any,
    x: Any,
    target: Any,
    path: str | Path,
    *,
    title: str | None = None,
    digits: int = 2,
    lang: str = "en",
) -> Path:
    """Draw ``model`` (an MLP of at most six units a layer) with ``params`` on the input ``x``
    and ``target`` into a PNG at ``path``; return the path.

    >>> from optbench import networks
    >>> w = networks.worked_example()
    >>> networks.draw_network(w.model, w.params, w.x, w.target, "net.png").name  # doctest: +SKIP
    'net.png'
    """
    path = check_path(path, (".png",))
    if getattr(model, "layers", None) is None:
        raise OptbenchError(
            f"`model` ({model.name}) is not a multilayer perceptron: draw_network draws the "
            "units and weights of networks.mlp models."
        )
    acts, weights, grads = values(model, params, x, target)
    if max(len(a) for a in acts) > MOST_UNITS:
        raise OptbenchError(
            f"`model` ({model.name}) has a layer of {max(len(a) for a in acts)} units; "
            f"draw_network draws at most {MOST_UNITS} a layer (more leave no room for the numbers)."
        )
    if lang not in WORDS:
        from optbench._errors import unknown

        raise unknown("language", lang, WORDS)
    fig = diagram(acts, weights, grads, np.asarray(target, float), title, digits, WORDS[lang])
    return save_figure(fig, path)


def diagram(
    acts: list[np.ndarray],
    weights: list[np.ndarray],
    grads: list[np.ndarray],
    target: np.ndarray,
    title: str | None,
    digits: int,
    words: dict[str, str] | None = None,
) -> Figure:
    """The figure of :func:`draw_network` from its numbers."""
    layers = len(acts)
    fig = Figure(figsize=(3.6 * layers, 5.6), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_axis_off()
    tallest = max(len(a) for a in acts)
    pos = [[(3.0 * i, (len(a) - 1) / 2 - j) for j in range(len(a))] for i, a in enumerate(acts)]
    fmt = f"{{:.{digits}f}}"
    for i, (w, g) in enumerate(zip(weights, grads)):
        for a, (xa, ya) in enumerate(pos[i]):
            for b, (xb, yb) in enumerate(pos[i + 1]):
                ax.plot([xa, xb], [ya, yb], color="0.75", lw=1.0, zorder=1)
                for share, value, colour in ((0.25, w[a, b], FORWARD), (0.72, g[a, b], BACKWARD)):
                    ax.text(
                        xa + share * (xb - xa),
                        ya + share * (yb - ya),
                        fmt.format(value) if colour == FORWARD else f"{value:+.3f}",
                        color=colour,
                        fontsize=8,
                        ha="center",
                        va="center",
                        bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none"},
                        zorder=3,
                        gid=f"{'w' if colour == FORWARD else 'dE/dw'} {i} {a} {b}",
                    )
    # the lecture's names: inputs x, hidden units H (H1., H2. with several hidden layers), outputs O
    hidden = ["H"] if layers == 3 else [f"H{i}." for i in range(1, layers - 1)]
    names = ["x", *hidden, "O"]
    for i, (a, column) in enumerate(zip(acts, pos)):
        for j, (xc, yc) in enumerate(column):
            ax.add_patch(Circle((xc, yc), 0.36, fc="white", ec=FORWARD, lw=1.8, zorder=4))
            ax.text(
                xc,
                yc + 0.08,
                fmt.format(a[j]),
                color=FORWARD,
                fontsize=11,
                ha="center",
                va="center",
                zorder=5,
                gid=f"a {i} {j}",
            )
            ax.text(
                xc,
                yc - 0.17,
                f"{names[i]}{j + 1}",
                color="0.35",
                fontsize=7,
                ha="center",
                va="center",
                zorder=5,
            )
            if i == layers - 1:
                ax.text(
                    xc + 0.5,
                    yc,
                    f"T{j + 1} = {fmt.format(target[j])}",
                    color="0.2",
                    fontsize=9,
                    ha="left",
                    va="center",
                    gid=f"t {j}",
                )
    ax.set_xlim(-0.7, 3.0 * (layers - 1) + 1.6)
    low = -(tallest - 1) / 2
    ax.set_ylim(low - 1.1, -low + 0.5)
    ax.set_aspect("equal")
    words = words or WORDS["en"]
    for y, text, colour in (
        (low - 0.65, words["forward"], FORWARD),
        (low - 0.95, words["backward"], BACKWARD),
    ):
        ax.text(-0.6, y, text, color=colour, fontsize=9, ha="left", va="center")
    if title:
        fig.suptitle(title, fontsize=11)
    return fig
