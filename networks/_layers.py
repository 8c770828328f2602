r"""Activations, weight initializations and the dense layer: the pieces every model is built from.

A dense layer computes :math:`z = x W + b` with ``W`` of shape ``(fan_in, fan_out)``; its parameters
are a dict ``{"w": W, "b": b}`` (no ``"b"`` for a layer without bias), so a model's parameters are a
plain pytree any stepper can update.

Initializations (weights; biases start at zero):

* ``zeros``: :math:`W = 0`. Every hidden unit of a layer then computes the same thing and receives
  the same gradient, so the units stay identical forever (the symmetry problem).
* ``constant``: :math:`W = c` (``value``, default 0.5): the same symmetry, at a non-zero value.
* ``normal``: :math:`W \sim \mathcal N(0, 1/\text{fan\_in})` (LeCun et al. 1998, §4.6).
* ``xavier``: :math:`W \sim U[-a, a]`, :math:`a = \sqrt{6/(\text{fan\_in}+\text{fan\_out})}`,
  variance :math:`2/(\text{fan\_in}+\text{fan\_out})` (Glorot & Bengio 2010, eq. 16).
* ``he``: :math:`W \sim \mathcal N(0, 2/\text{fan\_in})` for ReLU layers (He et al. 2015).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from optbench._errors import unknown


def sigmoid(z: jax.Array) -> jax.Array:
    r""":math:`\sigma(z) = 1/(1+e^{-z})`, derivative :math:`\sigma(1-\sigma)`."""
    return jax.nn.sigmoid(z)


def tanh(z: jax.Array) -> jax.Array:
    r""":math:`\tanh z`, derivative :math:`1-\tanh^2 z`; zero-centred, unlike sigmoid."""
    return jnp.tanh(z)


def relu(z: jax.Array) -> jax.Array:
    r""":math:`\max(0, z)`."""
    return jnp.maximum(z, 0)


def leaky_relu(z: jax.Array) -> jax.Array:
    r""":math:`\max(0.01 z, z)`: ReLU with slope 0.01 for negative inputs, so no unit dies."""
    return jnp.where(z >= 0, z, 0.01 * z)


def linear(z: jax.Array) -> jax.Array:
    """The identity (a linear unit)."""
    return z


ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "linear": linear,
}
INITS = ("zeros", "constant", "normal", "xavier", "he")


def activation(name: str) -> Callable[[jax.Array], jax.Array]:
    """The activation called ``name``, or an error suggesting the closest name."""
    if name not in ACTIVATIONS:
        raise unknown("activation", name, ACTIVATIONS)
    return ACTIVATIONS[name]


def check_init(name: str) -> str:
    if name not in INITS:
        raise unknown("init", name, INITS)
    return name


def init_weights(
    key: jax.Array, fan_in: int, fan_out: int, init: str = "normal", value: float = 0.5
) -> jax.Array:
    """A ``(fan_in, fan_out)`` weight matrix from the named initialization."""
    shape = (fan_in, fan_out)
    if init == "zeros":
        return jnp.zeros(shape)
    if init == "constant":
        return jnp.full(shape, float(value))
    if init == "normal":
        return jax.random.normal(key, shape) / jnp.sqrt(fan_in)
    if init == "xavier":
        a = jnp.sqrt(6.0 / (fan_in + fan_out))
        return jax.random.uniform(key, shape, minval=-a, maxval=a)
    if init == "he":
        return jax.random.normal(key, shape) * jnp.sqrt(2.0 / fan_in)
    raise unknown("init", init, INITS)


def dense_init(
    key: jax.Array,
    fan_in: int,
    fan_out: int,
    init: str = "normal",
    bias: bool = True,
    value: float = 0.5,
) -> dict[str, jax.Array]:
    """Parameters ``{"w", "b"}`` of a dense layer (``b`` zero; none if ``bias=False``)."""
    layer = {"w": init_weights(key, fan_in, fan_out, init, value)}
    if bias:
        layer["b"] = jnp.zeros((fan_out,))
    return layer


def dense(layer: dict[str, Any], x: jax.Array) -> jax.Array:
    r"""The affine map :math:`x W + b` on a batch ``x`` of shape ``(n, fan_in)``."""
    z = x @ layer["w"]
    return z + layer["b"] if "b" in layer else z


def dropout(x: jax.Array, rate: float, key: jax.Array | None) -> jax.Array:
    r"""Inverted dropout: keep a unit with probability :math:`1-p`, scaled by :math:`1/(1-p)`.

    The expected activation is unchanged, so evaluation uses the network as is (Srivastava et al.
    2014). ``key=None`` or ``rate=0`` is the identity.
    """
    if key is None or rate == 0:
        return x
    keep = jax.random.bernoulli(key, 1.0 - rate, x.shape)
    return jnp.where(keep, x / (1.0 - rate), 0.0).astype(x.dtype)
