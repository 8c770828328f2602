"""Small data sets, generated from a seed (NumPy's PCG64), no downloads.

``dataset("spiral", n=256, seed=0)`` or ``dataset("moons:noise=0.2")``. Every set has inputs ``x``
(float32, ``(n, d)``) and ``y``: integer class labels, or float targets for ``regression``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from optbench._errors import OptbenchError, unknown
from optbench._spec import parse_spec


class Dataset(NamedTuple):
    """Inputs ``x`` ``(n, d)``, labels or targets ``y`` ``(n,)``, and what they are.

    ``kind`` is ``"classification"`` (``y`` integer labels ``0..n_classes-1``) or ``"regression"``
    (``y`` float targets, ``n_classes`` 0). ``params`` are the generator's arguments.
    """

    x: np.ndarray
    y: np.ndarray
    kind: str
    n_classes: int
    name: str
    params: dict[str, Any]


_SETS: dict[str, Callable[..., Dataset]] = {}


def _register(make: Callable[..., Dataset]) -> Callable[..., Dataset]:
    _SETS[make.__name__] = make
    return make


def _count(name: str, n: Any, low: int = 4) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < low:
        raise OptbenchError(f"`n` of {name} (={n!r}) must be an integer >= {low}.")
    return int(n)


def _noise(name: str, noise: Any) -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise < 10:
        raise OptbenchError(f"`noise` of {name} (={noise!r}) must be a number in [0, 10).")
    return float(noise)


def _classes(name: str, x: np.ndarray, y: np.ndarray, k: int, **params: Any) -> Dataset:
    return Dataset(x.astype(np.float32), y.astype(np.int32), "classification", k, name, params)


@_register
def two_gaussians(n: int = 100, seed: int = 0) -> Dataset:
    """LeCun's set-1 (Efficient BackProp, §5.2): two Gaussian classes at -+(0.4, 0.8).

    Each class has isotropic standard deviation 0.4; half the points are in each class. A linear
    neuron with two weights and +-1 targets on it has Hessian ``mean(x x^T)``.
    """
    n = _count("two_gaussians", n)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    mean = np.where(y[:, None] == 1, 1.0, -1.0) * np.array([0.4, 0.8])
    return _classes("two_gaussians", mean + 0.4 * rng.standard_normal((n, 2)), y, 2, n=n, seed=seed)


SET1_LAMBDA_MAX = 0.84  # LeCun's set-1: the Hessian's largest eigenvalue, eta_max = 2 / 0.84


@_register
def set1(n: int = 100, seed: int = 0) -> Dataset:
    r"""LeCun's set-1 with the slide's numbers: :func:`two_gaussians`, inputs scaled so that a
    linear neuron with two weights (no bias) and the squared error has Hessian largest eigenvalue
    exactly 0.84, so :math:`\eta_{max} = 2/0.84 = 2.38`.

    The Hessian of :math:`\tfrac12\,\mathrm{mean}_p (w \cdot x_p - t_p)^2` is
    :math:`H = \mathrm{mean}_p\, x_p x_p^\top`; scaling every input by :math:`s` scales it by
    :math:`s^2`, so :math:`s = \sqrt{0.84 / \lambda_{max}(H)}` with :math:`H` of the unscaled
    points (0.941 for the 100 points of seed 0, so :math:`s = 0.945`).
    """
    n = _count("set1", n)
    base = two_gaussians(n, seed)
    x = base.x.astype(np.float64)
    top = float(np.linalg.eigvalsh(x.T @ x / len(x))[-1])
    scale = np.sqrt(SET1_LAMBDA_MAX / top)
    return _classes("set1", x * scale, base.y, 2, n=n, seed=seed, scale=float(scale))


@_register
def xor(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Four clusters at the corners (+-1, +-1); class 1 where the signs of x1 and x2 differ."""
    n, noise = _count("xor", n), _noise("xor", noise)
    rng = np.random.default_rng(seed)
    corners = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    c = np.arange(n) % 4
    x = 0.5 * corners[c] + noise * rng.standard_normal((n, 2))
    return _classes("xor", x, (c >= 2).astype(int), 2, n=n, noise=noise, seed=seed)


@_register
def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Dataset:
    """Two concentric circles, radius 1 (class 0) and ``factor`` (class 1), with Gaussian noise."""
    n, noise = _count("circles", n), _noise("circles", noise)
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor < 1:
        raise OptbenchError(f"`factor` of circles (={factor!r}) must be a number in (0, 1).")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    angle = rng.uniform(0, 2 * np.pi, n)
    r = np.where(y == 1, factor, 1.0)
    x = np.stack([r * np.cos(angle), r * np.sin(angle)], 1) + noise * rng.standard_normal((n, 2))
    return _classes("circles", x, y, 2, n=n, noise=noise, factor=float(factor), seed=seed)


@_register
def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles, centred so the inputs are roughly zero-mean."""
    n, noise = _count("moons", n), _noise("moons", noise)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], 1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)
    x = np.where(y[:, None] == 0, upper, lower) - [0.5, 0.25]
    x = x + noise * rng.standard_normal((n, 2))
    return _classes("moons", x, y, 2, n=n, noise=noise, seed=seed)


@_register
def spiral(
    n: int = 256, classes: int = 2, turns: float = 1.0, noise: float = 0.1, seed: int = 0
) -> Dataset:
    """Interleaved spiral arms, one per class (the CS231n toy set), radius growing from 0 to 1."""
    n, noise = _count("spiral", n), _noise("spiral", noise)
    if isinstance(classes, bool) or not isinstance(classes, int) or not 2 <= classes <= 10:
        raise OptbenchError(f"`classes` of spiral (={classes!r}) must be an integer in [2, 10].")
    if isinstance(turns, bool) or not isinstance(turns, (int, float)) or not math.isfinite(turns):
        raise OptbenchError(f"`turns` of spiral (={turns!r}) must be a finite number.")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    r = (np.arange(n) // classes + 0.5) / ((n + classes - 1) // classes)
    angle = 2 * np.pi * (turns * r + y / classes) + noise * rng.standard_normal(n)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], 1)
    return _classes(
        "spiral", x, y, classes, n=n, classes=classes, turns=float(turns), noise=noise, seed=seed
    )


@_register
def regression(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """The lectures' house prices: price = 0.5 + 1.5 * size + noise, size uniform in [0, 2]."""
    n, noise = _count("regression", n), _noise("regression", noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 2, (n, 1))
    y = 0.5 + 1.5 * x[:, 0] + noise * rng.standard_normal(n)
    return Dataset(
        x.astype(np.float32),
        y.astype(np.float32),
        "regression",
        0,
        "regression",
        {"n": n, "noise": noise, "seed": seed},
    )


@_register
def digits(n: int = 1797, seed: int = 0) -> Dataset:
    """scikit-learn's bundled 8x8 handwritten digits (UCI), pixels scaled to [0, 1]; 10 classes.

    Needs the ``digits`` extra (``pip install 'optbench[digits]'``); nothing is downloaded.
    ``n`` < 1797 keeps a seeded random subset.
    """
    n = _count("digits", n)
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise OptbenchError(
            "data set 'digits' needs scikit-learn: pip install 'optbench[digits]' "
            "(or pip install scikit-learn)."
        ) from None
    d = load_digits()
    x, y = d.data / 16.0, d.target
    if n > len(x):
        raise OptbenchError(f"`n` of digits (={n}) must be at most {len(x)}.")
    if n < len(x):
        keep = np.sort(np.random.default_rng(seed).permutation(len(x))[:n])
        x, y = x[keep], y[keep]
    return _classes("digits", x, y, 10, n=n, seed=seed)


def names() -> list[str]:
    """The data-set names."""
    return list(_SETS)


def defaults(name: str) -> dict[str, Any]:
    """A data set's default parameters."""
    if name not in _SETS:
        raise unknown("data set", name, _SETS)
    sig = inspect.signature(_SETS[name])
    return {k: p.default for k, p in sig.parameters.items()}


def dataset(name: str, **params: Any) -> Dataset:
    """The data set ``name`` (or a spec ``"moons:noise=0.2"``) made with ``params``."""
    if isinstance(name, Dataset):
        return name
    if not isinstance(name, str):
        raise OptbenchError(f"`dataset` (={name!r}) must be a data-set name like 'spiral'.")
    base, spec_params = parse_spec(name, "data set")
    if base not in _SETS:
        raise unknown("data set", base, _SETS)
    params = {**spec_params, **params}
    known = defaults(base)
    for key in params:
        if key not in known:
            raise OptbenchError(
                f"data set {base!r} has no parameter {key!r}; it takes {', '.join(known)}."
            )
    seed = params.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise OptbenchError(f"`seed` of {base} (={seed!r}) must be an integer >= 0.")
    return _SETS[base](**params)
