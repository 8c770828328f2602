r"""Losses, computed from the logits ``z`` (output pre-activations), averaged over examples.

With :math:`P` examples, outputs :math:`o_p = g(z_p)` and targets :math:`t_p`:

* ``mse``: :math:`E = \frac{1}{2P}\sum_p \lVert o_p - t_p\rVert^2`, the lectures' and LeCun's
  :math:`\tfrac12\sum(O-T)^2` averaged over examples (``torch.nn.MSELoss`` is twice this for one
  output). For a linear neuron its Hessian is :math:`\frac1P\sum_p x_p x_p^\top`.
* ``mae``: :math:`E = \frac1P\sum_p \lVert o_p - t_p\rVert_1`.
* ``binary_cross_entropy``: :math:`-\frac1P\sum_p t\log\sigma(z) + (1-t)\log(1-\sigma(z))`,
  computed as
  :math:`\frac1P\sum_p \operatorname{softplus}(z) - t z` with
  :math:`\operatorname{softplus}(z) = \max(z,0) + \log(1+e^{-|z|})`, finite for any logit.
* ``softmax_cross_entropy``: :math:`-\frac1P\sum_p\sum_k t_k \log\operatorname{softmax}(z)_k` with
  :math:`\log\operatorname{softmax}(z)_k = z_k - \operatorname{logsumexp}(z)` (max subtracted).

Targets are floats: 0/1 for sigmoid outputs, one-hot rows for softmax, +-1 for a linear output on
two classes (LeCun's targets), the values themselves for regression.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from optbench._errors import OptbenchError, unknown


def _out(z: jax.Array, output: str) -> jax.Array:
    if output == "sigmoid":
        return jax.nn.sigmoid(z)
    if output == "softmax":
        return jax.nn.softmax(z, axis=-1)
    return z


def mse(z: jax.Array, t: jax.Array, output: str = "linear") -> jax.Array:
    r""":math:`\frac{1}{2P}\sum_p \lVert g(z_p) - t_p\rVert^2`."""
    return 0.5 * jnp.mean(jnp.sum(jnp.square(_out(z, output) - t), axis=-1))


def mae(z: jax.Array, t: jax.Array, output: str = "linear") -> jax.Array:
    r""":math:`\frac1P\sum_p \lVert g(z_p) - t_p\rVert_1`."""
    return jnp.mean(jnp.sum(jnp.abs(_out(z, output) - t), axis=-1))


def binary_cross_entropy(z: jax.Array, t: jax.Array, output: str = "sigmoid") -> jax.Array:
    r""":math:`\frac1P\sum_p \operatorname{softplus}(z_p) - t_p z_p`, stable for any logit."""
    softplus = jnp.maximum(z, 0) + jnp.log1p(jnp.exp(-jnp.abs(z)))
    return jnp.mean(jnp.sum(softplus - t * z, axis=-1))


def softmax_cross_entropy(z: jax.Array, t: jax.Array, output: str = "softmax") -> jax.Array:
    r""":math:`-\frac1P\sum_p t_p \cdot (z_p - \operatorname{logsumexp}(z_p))`."""
    m = jax.lax.stop_gradient(jnp.max(z, axis=-1, keepdims=True))
    logsumexp = m + jnp.log(jnp.sum(jnp.exp(z - m), axis=-1, keepdims=True))
    return -jnp.mean(jnp.sum(t * (z - logsumexp), axis=-1))


LOSSES: dict[str, Callable[..., jax.Array]] = {
    "mse": mse,
    "mae": mae,
    "binary_cross_entropy": binary_cross_entropy,
    "softmax_cross_entropy": softmax_cross_entropy,
}
DEFAULT_LOSS = {
    "sigmoid": "binary_cross_entropy",
    "softmax": "softmax_cross_entropy",
    "linear": "mse",
}
_NEEDS = {"binary_cross_entropy": "sigmoid", "softmax_cross_entropy": "softmax"}
LOSS_ALIASES = {
    "bce": "binary_cross_entropy",
    "binary_crossentropy": "binary_cross_entropy",
    "softmax_crossentropy": "softmax_cross_entropy",
    "categorical_crossentropy": "softmax_cross_entropy",
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
}
"""Names from torch, Keras and optax for the same losses. ``ce`` and ``cross_entropy`` name the
cross-entropy of the model's output: binary for a sigmoid, softmax for a softmax."""
_BY_OUTPUT = ("ce", "cross_entropy", "crossentropy")


def loss_name(name: str, output: str) -> str:
    """The loss's own name for ``name`` or an alias of it, for a model with this ``output``."""
    if name in _BY_OUTPUT:
        if output not in _NEEDS.values():
            raise OptbenchError(
                f"`loss` (={name!r}) is the cross-entropy of a sigmoid or softmax output, but "
                f"this model's output is {output}; use loss='mse'."
            )
        return {v: k for k, v in _NEEDS.items()}[output]
    name = LOSS_ALIASES.get(name, name)
    if name not in LOSSES:
        raise unknown("loss", name, [*LOSSES, *LOSS_ALIASES, *_BY_OUTPUT])
    return name


def loss_fn(name: str, output: str) -> Callable[[jax.Array, jax.Array], jax.Array]:
    """The loss ``name`` (or an alias) as a function of (logits, targets) for a model with this
    output."""
    name = loss_name(name, output)
    need = _NEEDS.get(name)
    if need is not None and output != need:
        raise OptbenchError(
            f"`loss` (={name!r}) needs a model with a {need} output, but this model's output is "
            f"{output}; use loss='mse' or a {need} output."
        )
    f = LOSSES[name]
    return lambda z, t: f(z, t, output)


def accuracy(z: jax.Array, labels: jax.Array, output: str) -> jax.Array:
    """The fraction of examples whose predicted class equals the integer label.

    The predicted class is ``argmax z`` for several outputs, else ``z > 0`` (probability above 1/2
    for a sigmoid, the sign for a linear unit with +-1 targets).
    """
    pred = jnp.argmax(z, axis=-1) if z.shape[-1] > 1 else (z[:, 0] > 0).astype(jnp.int32)
    return jnp.mean((pred == labels).astype(z.dtype))
