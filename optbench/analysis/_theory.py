r"""Convergence theory of first-order methods on quadratics.

The formulas are derived in the manual's math page (docs/math.md, section "Convergence on
quadratics").

On :math:`f(x) = \tfrac12 (x-x^*)^\top A (x-x^*)` with eigenvalues
:math:`\mu = \lambda_{min} \le \dots \le \lambda_{max} = L` and :math:`\kappa = L/\mu`, each
method acts on each eigen-direction independently, so its "rate" (the asymptotic per-step
contraction of the error, the spectral radius of the iteration matrix) is a maximum over the
eigenvalues.

References:
  Polyak (1964), "Some methods of speeding up the convergence of iteration methods";
  Nesterov (2004), *Introductory Lectures on Convex Optimization*, Thm 2.1.15;
  Goh (2017), "Why momentum really works", Distill; Lessard, Recht & Packard (2016), SIAM J. Optim.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np


class Tuning(NamedTuple):
    """Hyperparameters ``lr`` and ``beta`` (0 for gradient descent) and the ``rate`` they give."""

    lr: float
    beta: float
    rate: float


def _eigs(eigenvalues: float | Sequence[float]) -> np.ndarray:
    return np.atleast_1d(np.asarray(eigenvalues, dtype=float))


def _quadratic_roots_radius(b: np.ndarray, c: np.ndarray) -> float:
    """max over i of the larger root modulus of :math:`z^2 - b_i z + c_i`."""
    disc = (b.astype(complex) ** 2 - 4 * c) ** 0.5
    return float(np.max(np.maximum(np.abs((b + disc) / 2), np.abs((b - disc) / 2))))


# -- gradient descent -------------------------------------------------------------------------
def gd_max_lr(L: float) -> float:
    r"""The stability bound of gradient descent, :math:`2/L`.

    Gradient descent converges from every start iff :math:`0 < \eta < 2/L` (LeCun et al. 1998,
    eq. 38; docs/math.md, section "Gradient descent on a quadratic").
    """
    return 2.0 / L


def gd_rate(lr: float, eigenvalues: float | Sequence[float]) -> float:
    r"""Rate of gradient descent, :math:`\rho(\eta) = \max_i |1 - \eta\lambda_i|`.

    In eigen-coordinates the error is :math:`\xi_i^k = (1-\eta\lambda_i)^k \xi_i^0`.
    """
    return float(np.max(np.abs(1.0 - lr * _eigs(eigenvalues))))


def gd_optimal(mu: float, L: float) -> Tuning:
    r"""The best constant step of gradient descent.

    :math:`\eta^* = 2/(L+\mu)` minimises :func:`gd_rate`, giving
    :math:`\rho^* = (\kappa-1)/(\kappa+1)` (Nesterov 2004, Thm 2.1.15).
    """
    kappa = L / mu
    return Tuning(2.0 / (L + mu), 0.0, (kappa - 1.0) / (kappa + 1.0))


# -- heavy ball -------------------------------------------------------------------------------
def heavy_ball_max_lr(L: float, beta: float) -> float:
    r"""The stability bound of heavy ball, :math:`2(1+\beta)/L`.

    Heavy ball :math:`x_{k+1} = x_k - \alpha\nabla f(x_k) + \beta(x_k - x_{k-1})` is stable iff
    :math:`0 \le \beta < 1` and :math:`0 < \alpha < 2(1+\beta)/L` (Jury conditions; Goh 2017).
    """
    return 2.0 * (1.0 + beta) / L


def heavy_ball_rate(lr: float, beta: float, eigenvalues: float | Sequence[float]) -> float:
    r"""Spectral rate of heavy ball with step ``lr`` and momentum ``beta``.

    The largest root modulus of :math:`z^2 - (1 + \beta - \alpha\lambda_i) z + \beta = 0` over the
    eigenvalues (:math:`\sqrt\beta` where the roots are complex; Polyak 1964, Goh 2017).
    """
    lam = _eigs(eigenvalues)
    return _quadratic_roots_radius(1.0 + beta - lr * lam, np.full_like(lam, beta))


def polyak_optimal(mu: float, L: float) -> Tuning:
    r"""Polyak's optimal heavy ball.

    :math:`\alpha^* = 4/(\sqrt L + \sqrt\mu)^2`,
    :math:`\beta^* = ((\sqrt\kappa-1)/(\sqrt\kappa+1))^2` and rate
    :math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1)`. At both ends of the spectrum the roots are double,
    so the error decays like :math:`k\rho^k`.
    """
    s = math.sqrt(L / mu)
    r = (s - 1.0) / (s + 1.0)
    return Tuning(4.0 / (math.sqrt(L) + math.sqrt(mu)) ** 2, r * r, r)


# -- Nesterov ---------------------------------------------------------------------------------
def nesterov_max_lr(L: float, beta: float) -> float:
    r"""The stability bound of Nesterov's method, :math:`(2 + 2\beta)/((1 + 2\beta) L)`.

    :math:`y_k = x_k + \beta(x_k - x_{k-1}),\ x_{k+1} = y_k - \alpha\nabla f(y_k)` is stable iff
    :math:`0 < \alpha < (2 + 2\beta)/((1 + 2\beta) L)` for :math:`0 \le \beta < 1` (Jury criterion
    on the polynomial of :func:`nesterov_rate`; docs/math.md, section "Nesterov's method on a
    quadratic").
    """
    return (2.0 + 2.0 * beta) / ((1.0 + 2.0 * beta) * L)


def nesterov_rate(lr: float, beta: float, eigenvalues: float | Sequence[float]) -> float:
    r"""Spectral rate of Nesterov's method with step ``lr`` and momentum ``beta``.

    The largest root modulus of
    :math:`z^2 - (1 - \alpha\lambda_i)(1 + \beta) z + (1 - \alpha\lambda_i)\beta = 0`; torch's and
    optax's ``nesterov=True`` iterates obey the same recurrence.
    """
    q = 1.0 - lr * _eigs(eigenvalues)
    return _quadratic_roots_radius(q * (1.0 + beta), q * beta)


def nesterov_standard(mu: float, L: float) -> Tuning:
    r"""The textbook tuning of Nesterov's method.

    :math:`\alpha = 1/L`, :math:`\beta = (\sqrt\kappa-1)/(\sqrt\kappa+1)`; rate
    :math:`1 - 1/\sqrt\kappa` on quadratics (Nesterov 2004, constant step scheme III).
    """
    s = math.sqrt(L / mu)
    return Tuning(1.0 / L, (s - 1.0) / (s + 1.0), 1.0 - 1.0 / s)


def nesterov_optimal(mu: float, L: float) -> Tuning:
    r"""The best tuning of Nesterov's method on quadratics (Lessard, Recht & Packard 2016).

    :math:`\alpha = 4/(3L+\mu)`, :math:`\beta = (\sqrt{3\kappa+1} - 2)/(\sqrt{3\kappa+1} + 2)`; rate
    :math:`1 - 2/\sqrt{3\kappa+1}`.
    """
    s = math.sqrt(3.0 * L / mu + 1.0)
    return Tuning(4.0 / (3.0 * L + mu), (s - 2.0) / (s + 2.0), 1.0 - 2.0 / s)
