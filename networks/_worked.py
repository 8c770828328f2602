r"""The lectures' worked example of a forward pass and backpropagation, by hand and by ``jax.grad``.

Three inputs, three sigmoid hidden units, two sigmoid outputs, no biases. Hidden unit :math:`j` has
incoming weights :math:`H_j` and output :math:`k` has :math:`O_k`:
:math:`H_1=(1,-2,2),\ H_2=(2,1,-4),\ H_3=(1,-1,0)`, :math:`O_1=(-3,1,-3),\ O_2=(0,1,2)`.
For :math:`x=(0.5, 0.9, -0.3)` the hidden outputs are :math:`(0.13, 0.96, 0.40)` and the outputs
:math:`(0.35, 0.85)`. With :math:`E=\tfrac12\sum_k (O_k-T_k)^2` the chain rule gives, for the weight
from hidden unit :math:`j` (output :math:`I_j`) to output :math:`k`,

.. math:: \partial E/\partial w_{jk} = I_j\,(O_k - T_k)\,O_k(1-O_k),

e.g. :math:`0.13\,(0.35-0.9)\,0.35\,(1-0.35) \approx -0.016` for :math:`H_1 \to O_1` with
:math:`T_1 = 0.9`; one layer further down,
:math:`\delta_j = I_j(1-I_j)\sum_k w_{jk}\,\delta_k` and
:math:`\partial E/\partial v_{ij} = x_i \delta_j`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._models import Model, mlp

HIDDEN = ((1.0, -2.0, 2.0), (2.0, 1.0, -4.0), (1.0, -1.0, 0.0))  # H1, H2, H3
OUTPUT = ((-3.0, 1.0, -3.0), (0.0, 1.0, 2.0))  # O1, O2


class WorkedExample(NamedTuple):
    """The lecture's network, its parameters (``[{"w": 3x3}, {"w": 3x2}]``), input and target.

    The target of the second output is not given in the lecture; 0.1 is used (it does not enter
    the derivative for the H1 -> O1 weight).
    """

    model: Model
    params: list[dict[str, np.ndarray]]
    x: np.ndarray
    target: np.ndarray


def worked_example() -> WorkedExample:
    """The 3-3-2 sigmoid network of the lecture (module docstring)."""
    model = mlp([3, 3, 2], activation="sigmoid", output="sigmoid", bias=False)
    params = [{"w": np.array(HIDDEN, np.float32).T}, {"w": np.array(OUTPUT, np.float32).T}]
    x = np.array([0.5, 0.9, -0.3], np.float32)
    return WorkedExample(model, params, x, np.array([0.9, 0.1], np.float32))


def forward(params: Any, x: Any) -> tuple[jax.Array, jax.Array]:
    """(hidden outputs I, outputs O) for one input vector."""
    hidden = jax.nn.sigmoid(jnp.asarray(x) @ params[0]["w"])
    return hidden, jax.nn.sigmoid(hidden @ params[1]["w"])


def error(params: Any, x: Any, target: Any) -> jax.Array:
    r""":math:`E = \tfrac12\sum_k (O_k - T_k)^2`."""
    return 0.5 * jnp.sum(jnp.square(forward(params, x)[1] - target))


def backprop(params: Any, x: Any, target: Any) -> list[dict[str, jax.Array]]:
    """The gradient of :func:`error` by the hand-derived delta rule, no autodiff."""
    x = jnp.asarray(x)
    hidden, out = forward(params, x)
    delta_out = (out - target) * out * (1 - out)
    delta_hidden = hidden * (1 - hidden) * (params[1]["w"] @ delta_out)
    return [{"w": jnp.outer(x, delta_hidden)}, {"w": jnp.outer(hidden, delta_out)}]
