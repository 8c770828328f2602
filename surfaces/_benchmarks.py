"""The classic benchmark functions of optimization (docs/math.md, section "Test surfaces").

Minima were refined by Newton's method in float64 (gradients and Hessians from JAX); the values and
Hessian eigenvalues agree with Surjanovic & Bingham's Virtual Library of Simulation Experiments
(SFU) and Wikipedia's "Test functions for optimization".
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from optbench.surfaces._catalog import catalog_surface, dimension, real, register
from optbench.surfaces._surface import Surface

#: Styblinski-Tang's minimiser per coordinate, the root of 4x^3 - 32x + 5 = 0 near -2.9.
_ST_X = -2.903534027771177
_ST_F = -39.16616570377141  # the minimum per coordinate


@register
def beale(noise: float = 0.0) -> Surface:
    r"""Beale: :math:`(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2`.

    Minimum 0 at (3, 0.5), Hessian eigenvalues 0.3015 and 48.98 there. A flat curved valley; the
    start (1, 1) is Moré, Garbow & Hillstrom's (1981). Domain [-4.5, 4.5]^2.
    """

    def f(p):
        x, y = p[0], p[1]
        return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2

    return catalog_surface(
        f,
        "beale",
        {},
        formula=r"(1.5-x+xy)^2+(2.25-x+xy^2)^2+(2.625-x+xy^3)^2",
        bounds=[(-4.5, 4.5)] * 2,
        start=[1.0, 1.0],
        minima=[[3.0, 0.5]],
        min_value=0.0,
        noise=noise,
    )


@register
def booth(noise: float = 0.0) -> Surface:
    r"""Booth: :math:`(x + 2y - 7)^2 + (2x + y - 5)^2`, a quadratic.

    Minimum 0 at (1, 3); the Hessian is constant, [[10, 8], [8, 10]], eigenvalues 2 and 18 (kappa =
    9), so gradient descent converges iff lr < 2/18. Domain [-10, 10]^2, start (-6, -8).
    """

    def f(p):
        x, y = p[0], p[1]
        return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2

    return catalog_surface(
        f,
        "booth",
        {},
        formula=r"(x+2y-7)^2+(2x+y-5)^2",
        bounds=[(-10.0, 10.0)] * 2,
        start=[-6.0, -8.0],
        minima=[[1.0, 3.0]],
        min_value=0.0,
        noise=noise,
    )


@register
def himmelblau(noise: float = 0.0) -> Surface:
    r"""Himmelblau: :math:`(x^2 + y - 11)^2 + (x + y^2 - 7)^2`, four global minima of value 0.

    Minima (3, 2), (-2.805118, 3.131313), (-3.779310, -3.283186), (3.584428, -1.848127); a local
    maximum 181.617 at (-0.270845, -0.923039). The start (0, 0) lies near the basin boundaries:
    gradient descent (lr=0.01) ends at (3, 2), heavy-ball momentum (lr=0.01, beta=0.9) overshoots
    into (3.584428, -1.848127). Domain [-5, 5]^2.
    """

    def f(p):
        x, y = p[0], p[1]
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    minima = [
        [3.0, 2.0],
        [-2.805118086952745, 3.131312518250573],
        [-3.779310253377747, -3.283185991286169],
        [3.5844283403304917, -1.8481265269644034],
    ]
    return catalog_surface(
        f,
        "himmelblau",
        {},
        formula=r"(x^2+y-11)^2+(x+y^2-7)^2",
        bounds=[(-5.0, 5.0)] * 2,
        start=[0.0, 0.0],
        minima=minima,
        min_value=0.0,
        noise=noise,
    )


@register
def rastrigin(A: float = 10.0, dim: int = 2, noise: float = 0.0) -> Surface:
    r"""Rastrigin: :math:`A d + \sum_i [x_i^2 - A\cos(2\pi x_i)]`, minimum 0 at the origin.

    A local minimum near every integer lattice point; Hessian :math:`(2 + 4\pi^2 A) I` at the origin
    (396.78 for A = 10). Domain [-5.12, 5.12]^d, start (-2, 3.5) (as in the optimizer visualisers).
    """
    A = real("rastrigin", "A", A, 0.0)
    dim = dimension("rastrigin", dim)

    def f(p):
        return A * p.shape[0] + jnp.sum(p**2 - A * jnp.cos(2 * jnp.pi * p))

    start = ([-2.0, 3.5] + [1.5] * (dim - 2))[:dim]
    return catalog_surface(
        f,
        "rastrigin",
        {"A": A, "dim": dim},
        formula=r"A d + \sum_i [x_i^2 - A\cos(2\pi x_i)]",
        bounds=[(-5.12, 5.12)] * dim,
        start=start,
        minima=[[0.0] * dim],
        min_value=0.0,
        noise=noise,
    )


@register
def ackley(
    a: float = 20.0, b: float = 0.2, c: float = 2 * np.pi, dim: int = 2, noise: float = 0.0
) -> Surface:
    r"""Ackley: :math:`-a e^{-b\sqrt{\frac1d\sum x_i^2}} - e^{\frac1d\sum\cos c x_i} + a + e`.

    Minimum 0 at the origin.

    Not differentiable at the origin: the gradient there is NaN in JAX (and torch) because of
    :math:`\sqrt{r^2}`, so the default start (-3, 2.5) is far from it. Domain [-5, 5]^d.
    """
    a, b, c = real("ackley", "a", a), real("ackley", "b", b), real("ackley", "c", c)
    dim = dimension("ackley", dim)

    def f(p):
        r = jnp.sqrt(jnp.mean(p**2))
        return -a * jnp.exp(-b * r) - jnp.exp(jnp.mean(jnp.cos(c * p))) + a + jnp.e

    start = ([-3.0, 2.5] + [2.0] * (dim - 2))[:dim]
    return catalog_surface(
        f,
        "ackley",
        {"a": a, "b": b, "c": c, "dim": dim},
        formula=r"-a e^{-b\sqrt{\overline{x^2}}} - e^{\overline{\cos cx}} + a + e",
        bounds=[(-5.0, 5.0)] * dim,
        start=start,
        minima=[[0.0] * dim],
        min_value=0.0,
        noise=noise,
    )


@register
def goldstein_price(noise: float = 0.0) -> Surface:
    r"""Goldstein-Price, a product of two quartic-times-quadratic factors.

    .. math::
       [1 + (x+y+1)^2(19 - 14x + 3x^2 - 14y + 6xy + 3y^2)]
       \,[30 + (2x-3y)^2(18 - 32x + 12x^2 + 48y - 36xy + 27y^2)]

    Global minimum **3** at (0, -1), Hessian eigenvalues 402.8 and 965.2; local minima 30 at
    (-0.6, -0.4), 84 at (1.8, 0.2) and 840 at (1.2, 0.8). Domain [-2, 2]^2. From the start
    (0.5, 0.25) gradient descent (lr=1e-4) settles in the local minimum 30, heavy-ball momentum
    (lr=1e-4, beta=0.9) reaches the global one.
    """

    def f(p):
        x, y = p[0], p[1]
        u = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
        v = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)
        return u * v

    return catalog_surface(
        f,
        "goldstein_price",
        {},
        formula=r"[1+(x+y+1)^2(\dots)]\,[30+(2x-3y)^2(\dots)]",
        bounds=[(-2.0, 2.0)] * 2,
        start=[0.5, 0.25],
        minima=[[0.0, -1.0]],
        min_value=3.0,
        noise=noise,
    )


@register
def six_hump_camel(noise: float = 0.0) -> Surface:
    r"""Six-hump camel: :math:`(4 - 2.1x^2 + x^4/3)x^2 + xy + (-4 + 4y^2)y^2`.

    Six local minima, two global: -1.0316285 at :math:`\pm(0.0898420, -0.7126564)` (Hessian
    eigenvalues 7.68 and 16.49). Domain x in [-3, 3], y in [-2, 2]; start (1.3, -1.5).
    """

    def f(p):
        x, y = p[0], p[1]
        return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2

    m = [0.08984201310031806, -0.7126564030207396]
    return catalog_surface(
        f,
        "six_hump_camel",
        {},
        formula=r"(4-2.1x^2+x^4/3)x^2 + xy + (4y^2-4)y^2",
        bounds=[(-3.0, 3.0), (-2.0, 2.0)],
        start=[1.3, -1.5],
        minima=[m, [-m[0], -m[1]]],
        min_value=-1.0316284534898774,
        noise=noise,
    )


@register
def styblinski_tang(dim: int = 2, noise: float = 0.0) -> Surface:
    r"""Styblinski-Tang: :math:`\tfrac12\sum_i (x_i^4 - 16x_i^2 + 5x_i)`.

    Global minimum :math:`-39.16617\,d` at :math:`x_i = -2.903534`; a local minimum -50.0589 at
    (2.746803, 2.746803) for d = 2 and two more (-64.1956) at mixed signs. The start (4, 4.5) lies
    in the basin of the worst local minimum: gradient descent (lr=0.01) stays there, heavy-ball
    momentum (lr=0.01, beta=0.9) overshoots into (2.746803, -2.903534). Domain [-5, 5]^d.
    """
    dim = dimension("styblinski_tang", dim)

    def f(p):
        return 0.5 * jnp.sum(p**4 - 16 * p**2 + 5 * p)

    start = ([4.0, 4.5] + [4.0] * (dim - 2))[:dim]
    return catalog_surface(
        f,
        "styblinski_tang",
        {"dim": dim},
        formula=r"\tfrac12\sum_i (x_i^4-16x_i^2+5x_i)",
        bounds=[(-5.0, 5.0)] * dim,
        start=start,
        minima=[[_ST_X] * dim],
        min_value=_ST_F * dim,
        noise=noise,
    )
