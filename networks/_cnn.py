r"""A small convolutional network: convolution (padding, stride), max pooling, dense layers.

A convolution with an :math:`F\times F` filter, padding :math:`p` and stride :math:`s` maps an
:math:`N\times N` input to :math:`\lfloor (N + 2p - F)/s \rfloor + 1` outputs per side; so does a
pooling window (:math:`p = 0`). Filters have shape ``(F, F, C_in, C_out)`` and are initialized with
fan-in :math:`F^2 C_{in}`.

>>> conv_output_size(8, 3, padding=1, stride=1), conv_output_size(8, 3, padding=0, stride=2)
(8, 3)
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp

from optbench._errors import OptbenchError

from ._layers import activation as get_activation
from ._layers import check_init, dense, dense_init, init_weights
from ._models import Model, check_output


def conv_output_size(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    r""":math:`\lfloor (N + 2p - F)/s \rfloor + 1`, a convolution's or pooling's output side."""
    return (n + 2 * padding - f) // stride + 1


def conv2d(x: jax.Array, w: jax.Array, b: jax.Array, stride: int, padding: int) -> jax.Array:
    """Convolution (cross-correlation, as in every framework) of NHWC ``x`` with HWIO ``w``."""
    z = jax.lax.conv_general_dilated(
        x,
        w,
        window_strides=(stride, stride),
        padding=[(padding, padding)] * 2,
        dimension_numbers=("NHWC", "HWIO", "NHWC"),
    )
    return z + b


def max_pool(x: jax.Array, size: int, stride: int | None = None) -> jax.Array:
    """Max pooling over ``size x size`` windows of an NHWC batch (stride = size by default)."""
    s = size if stride is None else stride
    return jax.lax.reduce_window(
        x, -jnp.inf, jax.lax.max, (1, size, size, 1), (1, s, s, 1), "VALID"
    )


def cnn(
    image: Sequence[int] = (8, 8, 1),
    channels: Sequence[int] = (8,),
    kernel: int = 3,
    stride: int = 1,
    padding: int = 1,
    pool: int = 2,
    hidden: Sequence[int] = (),
    n_out: int = 10,
    activation: str = "relu",
    output: str = "softmax",
    init: str = "he",
) -> Model:
    """Conv -> activation -> max-pool blocks, then dense layers, e.g. for the 8x8 ``digits``.

    Args:
      image: input (height, width, channels); inputs may come flattened and are reshaped.
      channels: output channels of each convolution block.
      kernel, stride, padding: filter side F, stride s and zero padding p of each convolution.
      pool: side of the max-pooling window after each convolution (1: no pooling).
      hidden: sizes of dense hidden layers after the last block; n_out: outputs.
    """
    h, w, c = (int(v) for v in image)
    check_output(output)
    check_init(init)
    act = get_activation(activation)
    shapes = []
    for c_out in channels:
        h, w = (
            conv_output_size(h, kernel, padding, stride),
            conv_output_size(w, kernel, padding, stride),
        )
        if h < 1 or w < 1:
            raise OptbenchError(
                f"`kernel` (={kernel}) with padding {padding} and stride {stride} does not fit "
                f"the {tuple(image)} image: the feature map would be {h}x{w}."
            )
        h, w = conv_output_size(h, pool, 0, pool), conv_output_size(w, pool, 0, pool)
        if h < 1 or w < 1:
            raise OptbenchError(f"`pool` (={pool}) is larger than the {h}x{w} feature map.")
        shapes.append((c, int(c_out)))
        c = int(c_out)
    sizes = [h * w * c, *map(int, hidden), int(n_out)]
    in_dim = int(image[0] * image[1] * image[2])

    def init_fn(key):
        keys = jax.random.split(key, len(shapes) + len(sizes))
        convs = [
            {
                "w": init_weights(k, kernel * kernel * ci, co, init).reshape(
                    kernel, kernel, ci, co
                ),
                "b": jnp.zeros((co,)),
            }
            for k, (ci, co) in zip(keys, shapes, strict=False)
        ]
        denses = [
            dense_init(k, a, b, init)
            for k, a, b in zip(keys[len(shapes) :], sizes[:-1], sizes[1:], strict=False)
        ]
        return {"conv": convs, "dense": denses}

    def apply(params, x, key=None, dropout_rate=0.0):
        z = x.reshape(x.shape[0], *image)
        for layer in params["conv"]:
            z = max_pool(act(conv2d(z, layer["w"], layer["b"], stride, padding)), pool)
        z = z.reshape(z.shape[0], -1)
        for layer in params["dense"][:-1]:
            z = act(dense(layer, z))
        return dense(params["dense"][-1], z)

    name = f"cnn {'x'.join(map(str, image))} conv{list(channels)} k{kernel} -> {n_out}"
    spec = (
        "cnn",
        tuple(image),
        tuple(channels),
        kernel,
        stride,
        padding,
        pool,
        tuple(hidden),
        n_out,
        activation,
        output,
        init,
    )
    return Model(init_fn, apply, in_dim, int(n_out), output, name, spec)
