r"""Models: the multilayer perceptron (logistic regression and the linear neuron are special cases).

A :class:`Model` is a pair of pure functions, ``init(key) -> params`` and
``apply(params, x, key=None, dropout_rate=0.0) -> z``, where ``z`` are the *pre-activations* of the
output layer (the logits). The output activation (``"sigmoid"``, ``"softmax"`` or ``"linear"``) is
applied by :func:`predict`, and the losses take the logits, so cross-entropies are computed stably.

An MLP with sizes :math:`(n_0, n_1, \dots, n_L)` computes
:math:`a_0 = x,\ a_l = g(a_{l-1} W_l + b_l)` for the hidden layers and
:math:`z = a_{L-1} W_L + b_L`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from optbench._errors import OptbenchError, unknown

from ._layers import activation as get_activation
from ._layers import check_init, dense, dense_init, dropout

OUTPUTS = ("sigmoid", "softmax", "linear")


class Model(NamedTuple):
    """A network: ``init(key) -> params`` and ``apply(params, x, key=None, dropout_rate=0) -> z``.

    Attributes:
      in_dim: number of input features (inputs are flattened to ``(n, in_dim)``).
      out_dim: number of outputs.
      output: the output activation, one of ``"sigmoid"``, ``"softmax"``, ``"linear"``.
      name: a short description such as ``"mlp 2-16-16-1 tanh"``.
      spec: what the model was made with (for ``run.json`` and cache keys).
      layers: ``layers(params, x) -> [a_1, ..., a_L]``, every layer's output after its
        activation, the last the network's output (see :func:`layer_outputs`); None where the
        model has no such layers to show.
    """

    init: Callable[[jax.Array], Any]
    apply: Callable[..., jax.Array]
    in_dim: int
    out_dim: int
    output: str
    name: str
    spec: tuple
    layers: Callable[..., list[jax.Array]] | None = None


def check_output(output: str) -> str:
    if output not in OUTPUTS:
        raise unknown("output", output, OUTPUTS)
    return output


def predict(model: Model, params: Any, x: jax.Array) -> jax.Array:
    """The network's output: the output activation applied to the logits."""
    return _activate(model.output, model.apply(params, x))


def _activate(output: str, z: jax.Array) -> jax.Array:
    if output == "sigmoid":
        return jax.nn.sigmoid(z)
    if output == "softmax":
        return jax.nn.softmax(z, axis=-1)
    return z


def layer_outputs(model: Model, params: Any, x: Any) -> list[jax.Array]:
    """Every layer's output for inputs ``x`` ``(n, in_dim)``: the hidden layers' activations,
    then the network's output (as :func:`predict`), each ``(n, units)``.

    >>> import numpy as np
    >>> from optbench import networks
    >>> w = networks.worked_example()
    >>> hidden, out = networks.layer_outputs(w.model, w.params, w.x[None])
    >>> np.asarray(hidden, float).round(2).tolist(), np.asarray(out, float).round(2).tolist()
    ([[0.13, 0.96, 0.4]], [[0.35, 0.85]])
    """
    if model.layers is None:
        raise OptbenchError(
            f"`model` ({model.name}) has no layers to show one by one: layer_outputs takes a "
            "multilayer perceptron (networks.mlp, linear, logistic)."
        )
    return [jnp.asarray(a) for a in model.layers(params, jnp.asarray(x))]


def _positive_sizes(sizes: Sequence[Any]) -> tuple[int, ...]:
    ok = len(sizes) >= 2 and all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes
    )
    if not ok:
        raise OptbenchError(
            f"`sizes` (={list(sizes)!r}) must be at least two positive integers "
            "(inputs, hidden..., outputs), e.g. [2, 16, 16, 1]."
        )
    return tuple(int(s) for s in sizes)


def mlp(
    sizes: Sequence[int],
    activation: str = "tanh",
    output: str = "sigmoid",
    init: str = "normal",
    bias: bool = True,
    value: float = 0.5,
) -> Model:
    """A multilayer perceptron with layer ``sizes`` = (inputs, hidden..., outputs).

    Args:
      sizes: e.g. ``[2, 16, 16, 1]``; ``[2, 1]`` is logistic regression (a single neuron).
      activation: hidden activation: sigmoid, tanh, relu, leaky_relu or linear.
      output: output activation: sigmoid (binary), softmax (classes) or linear (regression).
      init: weight initialization: zeros, constant (at ``value``), normal, xavier or he.
      bias: whether layers have biases.

    >>> import jax, jax.numpy as jnp
    >>> m = mlp([2, 3, 1]); p = m.init(jax.random.PRNGKey(0))
    >>> [layer["w"].shape for layer in p], m.apply(p, jnp.ones((5, 2))).shape
    ([(2, 3), (3, 1)], (5, 1))
    """
    sizes = _positive_sizes(sizes)
    act = get_activation(activation)
    check_output(output)
    check_init(init)
    if output == "softmax" and sizes[-1] < 2:
        raise OptbenchError(f"`sizes` (={list(sizes)!r}) must end in >= 2 outputs for a softmax.")

    def init_fn(key: jax.Array) -> list[dict[str, jax.Array]]:
        keys = jax.random.split(key, len(sizes) - 1)
        return [
            dense_init(k, a, b, init, bias, value)
            for k, a, b in zip(keys, sizes[:-1], sizes[1:], strict=True)
        ]

    def apply(params, x, key=None, dropout_rate=0.0):
        h = x.reshape(x.shape[0], -1)
        for i, layer in enumerate(params[:-1]):
            h = act(dense(layer, h))
            if key is not None and dropout_rate:
                h = dropout(h, dropout_rate, jax.random.fold_in(key, i))
        return dense(params[-1], h)

    def layers(params, x):
        h, outs = x.reshape(x.shape[0], -1), []
        for layer in params[:-1]:
            h = act(dense(layer, h))
            outs.append(h)
        return [*outs, _activate(output, dense(params[-1], h))]

    hidden = "-".join(map(str, sizes))
    name = f"mlp {hidden} {activation}" if len(sizes) > 2 else f"neuron {hidden} {output}"
    spec = ("mlp", sizes, activation, output, init, bias, float(value))
    return Model(init_fn, apply, sizes[0], sizes[-1], output, name, spec, layers)


def logistic_regression(
    n_in: int, n_classes: int = 2, init: str = "normal", bias: bool = True
) -> Model:
    r"""Logistic regression as a network with no hidden layer: :math:`p = \sigma(x w + b)`.

    With ``n_classes > 2`` it is softmax (multinomial) regression.
    """
    if n_classes <= 2:
        return mlp([n_in, 1], output="sigmoid", init=init, bias=bias)
    return mlp([n_in, n_classes], output="softmax", init=init, bias=bias)


def linear_neuron(n_in: int = 2, bias: bool = False, init: str = "normal") -> Model:
    r"""A linear unit :math:`y = x w (+ b)`, LeCun's two-weight network for ``two_gaussians``."""
    return mlp([n_in, 1], output="linear", init=init, bias=bias)
