"""Activation functions and their derivatives (the derivatives by JAX, as backpropagation
uses them)."""

from pathlib import Path

import numpy as np

from optbench._io import save_figure
from optbench.gallery._figure import PALETTE, figure, say

NAME = "activations"
TITLE = "Activation functions and their derivatives"
CAPTION = (
    "Sigmoid, tanh, ReLU and LeakyReLU (slope 0.01) with their derivatives, taken by automatic "
    "differentiation exactly as backpropagation uses them. The sigmoid's derivative never exceeds "
    "0.25 and vanishes for large |z|; tanh's peaks at 1; ReLU's is 0 or 1."
)
REPRODUCE = """\
import jax, jax.numpy as jnp
from optbench import networks
z = jnp.linspace(-5, 5, 401)
for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
    f = networks.activation(name)
    df = jax.vmap(jax.grad(f))(z)          # the derivative backpropagation multiplies by
"""


RU = {
    "title": "Функции активации и их производные",
    "caption": (
        "Сигмоида, tanh, ReLU и LeakyReLU (наклон 0.01) с производными, взятыми автоматическим "
        "дифференцированием так же, как их использует обратное распространение. Производная "
        "сигмоиды не больше 0.25 и исчезает при больших |z|; у tanh максимум 1; у ReLU 0 или 1."
    ),
}
WORDS = {"en": {"sigmoid": "sigmoid σ(z)"}, "ru": {"sigmoid": "сигмоида σ(z)"}}


def curves() -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    import jax
    import jax.numpy as jnp

    from optbench import networks

    z = jnp.linspace(-5.0, 5.0, 401)
    out = {}
    for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
        f = networks.activation(name)
        out[name] = (np.asarray(f(z)), np.asarray(jax.vmap(jax.grad(f))(z)))
    return np.asarray(z), out


def render(out: Path, quick: bool) -> list[Path]:
    z, data = curves()
    fig = figure(14, 3.6)
    axes = fig.subplots(1, 4)
    titles = {
        "sigmoid": say(WORDS)["sigmoid"],
        "tanh": "tanh z",
        "relu": "ReLU max(0, z)",
        "leaky_relu": "LeakyReLU max(0.01z, z)",
    }
    for ax, (name, (f, df)) in zip(axes, data.items()):
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.plot(z, f, color=PALETTE[0], lw=2, label="f(z)")
        ax.plot(z, df, color=PALETTE[1], lw=2, ls="--", label="f′(z)")
        ax.set_title(titles[name], fontsize=11)
        ax.set_xlabel("z")
        ax.set_ylim(-1.2, 2.0)
        ax.legend(loc="upper left", fontsize=9)
    return [save_figure(fig, out / "activations.png")]
