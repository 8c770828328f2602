r"""Learning-rate limits from the Hessian at a point (LeCun, Bottou, Orr & Müller 1998, §5).

Near a point w, gradient descent sees the quadratic model with Hessian H; in the eigenbasis of H
each direction evolves as :math:`\xi_i \leftarrow (1 - \eta\lambda_i)\xi_i` (eq. 33), so

* :math:`\eta_{opt} = 1/\lambda_{max}` is LeCun's fastest single rate (eq. 39; it reaches the
  minimum in one step along the steepest direction; the minimax rate is :math:`2/(L+\mu)`, see
  ``gd_optimal``),
* :math:`\eta_{max} = 2/\lambda_{max}` is the largest stable rate (eqs. 26, 38),
* :math:`1/\lambda_i` is the per-direction optimum, and
  :math:`\kappa = \lambda_{max}/\lambda_{min}` sets the convergence time.

Three ways to get the spectrum: ``"exact"`` (``jax.hessian`` + ``eigh``; exact for ``quadratic``),
``"power"`` (power iteration on exact Hessian-vector products: Pearlmutter's R-operator, written as
forward-over-reverse ``jax.jvp`` of ``jax.grad``) and ``"lecun"`` (LeCun, Simard & Pearlmutter
1993: a running average of finite-difference Hessian-vector products, eq. 64 of LeCun et al. 1998).
The two iterative methods work on any pytree of parameters (networks), flattened by
``ravel_pytree``; they find the end of the spectrum of largest magnitude, then the other end by
power iteration on the shifted operator :math:`\pm(\lambda_1 I - H)`. Both are estimates: power
iteration converges like :math:`|\lambda_2/\lambda_1|^{2k}`, and not at all when the two ends
have the same magnitude (the saddle :math:`x^2 - y^2`; use ``"exact"`` there), and LeCun's estimator
assumes the dominant eigenvalue is positive, as it is near a minimum.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from .._cache import CompileCache
from .._errors import OptbenchError, closest
from .._run import check_dtype, dtype_context, resolve_problem

_HESSIANS = CompileCache(16)  # the jitted exact Hessian of each problem, by value

METHODS = ("auto", "exact", "power", "lecun")
_EXACT_MAX_DIM = 2000  # "auto" forms the full Hessian only up to this many parameters


class LRLimits(NamedTuple):
    """What the Hessian at a point says about learning rates.

    Attributes:
      eigenvalues: ascending Hessian eigenvalues (all for ``"exact"``; for the iterative
        methods only the two ends of the spectrum, ``[lambda_min, lambda_max]``).
      lambda_max, lambda_min: the largest and smallest eigenvalue.
      eta_opt: ``1/lambda_max`` (inf when lambda_max <= 0: no curvature limits the step).
      eta_max: ``2/lambda_max``, the largest learning rate at which gradient descent is stable here.
      eta_per_direction: ``1/lambda_i`` for each eigenvalue (inf where lambda_i = 0).
      kappa: ``lambda_max/lambda_min``, inf unless the Hessian is positive definite.
      at: the point (NumPy; a pytree of NumPy arrays for networks).
      method: ``"exact"``, ``"power"`` or ``"lecun"``.
    """

    eigenvalues: np.ndarray
    lambda_max: float
    lambda_min: float
    eta_opt: float
    eta_max: float
    eta_per_direction: np.ndarray
    kappa: float
    at: Any
    method: str


def _limits(eigenvalues: np.ndarray, at: Any, method: str) -> LRLimits:
    eig = np.sort(np.asarray(eigenvalues, dtype=float))
    lmax, lmin = float(eig[-1]), float(eig[0])
    with np.errstate(divide="ignore"):
        per = np.where(eig == 0, np.inf, 1.0 / np.where(eig == 0, 1.0, eig))
    eta_opt = 1.0 / lmax if lmax > 0 else math.inf
    kappa = lmax / lmin if lmin > 0 else math.inf
    return LRLimits(eig, lmax, lmin, eta_opt, 2.0 * eta_opt, per, kappa, at, method)


def _power(op, v0: jax.Array, iters: int, tol: float) -> jax.Array:
    """Largest-magnitude eigenvalue of the symmetric ``op``: power iteration, Rayleigh quotient."""

    def cond(c):
        k, _, lam, prev = c
        return (k < iters) & ((k < 3) | (jnp.abs(lam - prev) > tol * jnp.abs(lam)))

    def body(c):
        k, v, lam, _ = c
        v = v / jnp.linalg.norm(v)
        hv = op(v, k)
        return k + 1, hv, jnp.vdot(v, hv), lam

    nan = jnp.array(jnp.nan, v0.dtype)
    return jax.lax.while_loop(cond, body, (0, v0, nan, nan))[2]


def _lecun(op, v0: jax.Array, iters: int, gamma: float) -> jax.Array:
    r"""LeCun's running average, :math:`\psi \leftarrow (1-\gamma)\psi + \gamma H\hat\psi`.

    At the fixed point :math:`\|\psi\|` is the top eigenvalue (assumed positive).
    """

    def body(k, psi):
        return (1 - gamma) * psi + gamma * op(psi / jnp.linalg.norm(psi), k)

    psi = jax.lax.fori_loop(0, iters, body, v0)
    return jnp.linalg.norm(psi)


def _spectrum_ends(
    problem: Any, x: Any, method: str, iters: int, tol: float, alpha: float, gamma: float, key: int
) -> np.ndarray:
    flat, unravel = ravel_pytree(x)
    rng = jax.random.PRNGKey(key)
    k_v, k_noise = jax.random.split(rng)
    v0 = jax.random.normal(k_v, flat.shape, flat.dtype)

    if method == "power":
        grad = jax.grad(lambda v: problem.value(unravel(v)))

        def hvp(v, k):  # forward-over-reverse: d/dt grad(w + t v) at t = 0
            return jax.jvp(grad, (flat,), (v,))[1]
    else:

        def g(w, k):
            # the gradient a stepper sees at step k; both points get the same minibatch and noise
            _, grads = problem.loss_and_grad(unravel(w), k, jax.random.fold_in(k_noise, k))
            return ravel_pytree(grads)[0]

        def hvp(v, k):  # LeCun et al. 1998, eq. 63: finite difference of gradients along v
            return (g(flat + alpha * v, k) - g(flat, k)) / alpha

    def top(op):
        return _power(op, v0, iters, tol) if method == "power" else _lecun(op, v0, iters, gamma)

    @jax.jit
    def ends():
        lam1 = top(hvp)
        s = jnp.where(lam1 < 0, -1.0, 1.0).astype(flat.dtype)
        other = lam1 - s * top(lambda v, k: s * (lam1 * v - hvp(v, k)))
        return jnp.stack([lam1, other])

    return np.asarray(ends(), dtype=float)


def lr_limits(
    problem: Any,
    at: Any = None,
    *,
    method: str = "auto",
    iters: int = 500,
    tol: float = 1e-12,
    alpha: float = 1e-4,
    gamma: float = 0.1,
    key: int = 0,
    dtype: str = "float64",
) -> LRLimits:
    r"""Hessian eigenvalues at ``at`` and the learning rates they allow (see the module docstring).

    Args:
      problem: a surface, a network problem (anything with ``initial`` and ``value``) or a
        spec string.
      at: the point (a surface's default start if None; for networks the initial parameters).
      method: ``"exact"`` (full Hessian, ``eigh``), ``"power"`` (Hessian-vector products),
        ``"lecun"`` (finite-difference running average) or ``"auto"``: exact for up to 2000
        parameters, else power.
      iters: the most power iterations (power), or the number of averaging steps (lecun), per end.
      tol: power iteration stops when the eigenvalue estimate changes by less than ``tol``
        relatively.
      alpha, gamma: LeCun's finite-difference step and running-average rate.
      key: seed of the random starting vector (and of gradient noise / minibatches for lecun).
      dtype: ``"float64"`` (default) or ``"float32"``.

    Returns:
      An :class:`LRLimits`.

    >>> r = lr_limits("quadratic:kappa=10")
    >>> r.eigenvalues, r.eta_max, r.kappa
    (array([ 1., 10.]), 0.2, 10.0)
    """
    problem = resolve_problem(problem)
    if method not in METHODS:
        hint = closest(str(method), METHODS)
        did = f" Did you mean {hint!r}?" if hint else ""
        raise OptbenchError(f"`method` (={method!r}) must be one of {', '.join(METHODS)}.{did}")
    if isinstance(iters, bool) or not isinstance(iters, int) or iters < 1:
        raise OptbenchError(f"`iters` (={iters!r}) must be a positive integer.")
    dtype = check_dtype(dtype)
    if hasattr(problem, "check_scalar"):
        problem.check_scalar()
    # the point is drawn as optbench.run draws a start (outside x64 mode), so a network's
    # initial weights are the ones a run with the same key starts from
    if at is not None and hasattr(problem, "check_point"):
        x_np = problem.check_point(at, "at")
    else:
        x_np = problem.initial(at, key)
    with dtype_context(dtype):
        x = jax.tree.map(lambda a: jnp.asarray(a, dtype=dtype), x_np)
        size = sum(int(np.size(leaf)) for leaf in jax.tree.leaves(x))
        if method == "auto":
            method = "exact" if size <= _EXACT_MAX_DIM else "power"
        if method == "exact":
            flat, unravel = ravel_pytree(x)
            shapes = tuple((a.shape, a.dtype.name) for a in jax.tree.leaves(x))
            hessian = _HESSIANS.get(
                ("hessian", problem.cache_key(), jax.tree.structure(x), shapes),
                lambda: jax.jit(jax.hessian(lambda v: problem.value(unravel(v)))),
            )
            H = hessian(flat)
            eig = np.linalg.eigvalsh(np.asarray(H, dtype=float))
        else:
            eig = _spectrum_ends(problem, x, method, iters, tol, alpha, gamma, key)
    if not np.all(np.isfinite(eig)):
        raise OptbenchError(
            f"the Hessian at `at` (={np.asarray(x_np).tolist() if size < 10 else '...'}) "
            "is not finite; choose another point."
        )
    return _limits(eig, jax.tree.map(np.asarray, x_np), method)
