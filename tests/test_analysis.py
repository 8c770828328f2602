"""Hessian spectra and learning-rate limits; quadratic theory checked against measured runs.

Rates are measured in float64 as the geometric mean contraction of the distance to the minimum,
(|x_hi| / |x_lo|)^(1/(hi-lo)), over a window where the dominant root of the iteration dominates.
"""

import math

import jax.numpy as jnp
import numpy as np
import pytest

import optbench
from optbench import analysis, steppers, surfaces
from optbench._errors import OptbenchError

STEPS = 10_000  # one compile per (quadratic, stepper kind); long enough for the double-root cases
MU, L = 1.0, 10.0


@pytest.fixture(scope="module")
def q10():
    return surfaces.get("quadratic", kappa=10.0, angle=0.3)


def measured_rate(stepper, problem, lo, hi):
    t = optbench.run(problem, stepper, STEPS, dtype="float64")
    assert t.diverged_at is None
    d = np.hypot(t.params[:, 0], t.params[:, 1])  # no underflow of squares near 1e-200
    return (d[hi] / d[lo]) ** (1.0 / (hi - lo))


# -- the Hessian -------------------------------------------------------------------------------
def test_quadratic_eigenvalues_are_exact():
    s = surfaces.get("quadratic", kappa=100.0, angle=0.7, dim=5, scale=0.5)
    r = analysis.lr_limits(s, at=[0.3, -1, 2, 0, 1])
    expected = 0.5 * np.array([1, 10**0.5, 10, 10**1.5, 100])
    np.testing.assert_allclose(r.eigenvalues, expected, rtol=1e-12)
    np.testing.assert_allclose(s.hessian_eigenvalues, expected, rtol=1e-12)
    assert r.method == "exact"
    assert r.lambda_max == pytest.approx(50) and r.lambda_min == pytest.approx(0.5)
    assert r.eta_opt == pytest.approx(0.02, rel=1e-12)
    assert r.eta_max == pytest.approx(0.04, rel=1e-12)
    assert r.kappa == pytest.approx(100, rel=1e-12)
    np.testing.assert_allclose(r.eta_per_direction, 1 / expected, rtol=1e-12)
    np.testing.assert_array_equal(r.at, [0.3, -1, 2, 0, 1])


def test_rosenbrock_at_the_minimum_matches_closed_form():
    # H(1, 1) = [[2 + 12 b x^2 - 4 b y, -4 b x], [-4 b x, 2 b]] = [[802, -400], [-400, 200]]
    r = analysis.lr_limits("rosenbrock", at=[1, 1])
    reference = np.linalg.eigvalsh([[802.0, -400.0], [-400.0, 200.0]])
    np.testing.assert_allclose(r.eigenvalues, reference, rtol=1e-12)
    assert r.eta_max == pytest.approx(0.0019968, rel=1e-4)
    assert r.kappa == pytest.approx(2508.0, rel=1e-4)


def test_saddle_is_indefinite():
    r = analysis.lr_limits("saddle")
    np.testing.assert_allclose(r.eigenvalues, [-2, 2])
    assert math.isinf(r.kappa) and r.eta_max == pytest.approx(1.0)
    r = analysis.lr_limits("monkey_saddle", at=[0, 0])
    np.testing.assert_allclose(r.eigenvalues, [0, 0])
    assert math.isinf(r.eta_opt) and math.isinf(r.eta_max)


@pytest.mark.parametrize("method", ["power", "lecun"])
def test_iterative_methods_find_both_ends(method):
    exact = analysis.lr_limits("rosenbrock")
    r = analysis.lr_limits("rosenbrock", method=method)
    rtol = 1e-9 if method == "power" else 1e-3  # LeCun's finite differences carry O(alpha) error
    np.testing.assert_allclose(r.eigenvalues, exact.eigenvalues[[0, -1]], rtol=rtol)
    assert r.method == method


def test_lecun_cancels_gradient_noise_by_reusing_the_pattern():
    # on a quadratic the finite difference of two noisy gradients with the same noise is exact
    r = analysis.lr_limits("quadratic:kappa=10,angle=0.4,noise=0.5", method="lecun")
    np.testing.assert_allclose(r.eigenvalues, [1, 10], rtol=1e-6)


class LeastSquares:
    """f(W, b) = 1/(2n) sum_i |W^T x_i + b - y_i|^2 on a pytree {"W": (3, 2), "b": (2,)}.

    Independent reference: for each output column the Hessian is Z^T Z / n with Z = [X, 1], so the
    spectrum of the whole Hessian is that of Z^T Z / n (each eigenvalue twice).
    """

    def __init__(self):
        rng = np.random.default_rng(0)
        self.X = rng.normal(size=(40, 3)) * [1.0, 3.0, 0.3]
        self.Y = rng.normal(size=(40, 2))

    def initial(self, start, key=0):
        return {"W": np.zeros((3, 2)), "b": np.ones(2)} if start is None else start

    def value(self, p):
        r = jnp.asarray(self.X, p["W"].dtype) @ p["W"] + p["b"] - jnp.asarray(self.Y, p["W"].dtype)
        return 0.5 * jnp.mean(jnp.sum(r**2, axis=1))

    def loss_and_grad(self, p, step, key):
        import jax

        return jax.value_and_grad(self.value)(p)

    def cache_key(self):
        return ("least_squares", id(self))

    def describe(self):
        return {"kind": "test", "name": "least_squares"}


@pytest.mark.parametrize("method", ["exact", "power", "lecun"])
def test_pytree_problem(method):
    p = LeastSquares()
    Z = np.hstack([p.X, np.ones((40, 1))])
    ref = np.linalg.eigvalsh(Z.T @ Z / 40)
    r = analysis.lr_limits(p, method=method)
    got = r.eigenvalues[[0, -1]]
    np.testing.assert_allclose(
        got, ref[[0, -1]], rtol={"exact": 1e-12, "power": 1e-8, "lecun": 1e-4}[method]
    )
    assert set(r.at) == {"W", "b"}


def test_bad_analysis_input():
    with pytest.raises(OptbenchError, match=r"`method` \(='powr'\).*Did you mean 'power'"):
        analysis.lr_limits("quadratic", method="powr")
    with pytest.raises(OptbenchError, match=r"`at`.*3 coordinate"):
        analysis.lr_limits("quadratic", at=[1, 2, 3])
    with pytest.raises(OptbenchError, match=r"`at`.*finite"):
        analysis.lr_limits("quadratic", at=[1, np.nan])
    with pytest.raises(OptbenchError, match="surface 'rosenbrok'; did you mean 'rosenbrock'"):
        analysis.lr_limits("rosenbrok")


# -- the theory functions (docs/math.md, section "Rates compared") ----------------------------
def test_theory_values():
    approx = pytest.approx
    assert analysis.gd_optimal(1, 10).rate == approx(0.818182, abs=1e-6)
    gd = analysis.gd_optimal(1, 100)
    assert analysis.gd_rate(gd.lr, [1, 100]) == approx(0.980198, abs=1e-6)
    assert analysis.gd_rate(0.01, [1, 100]) == approx(0.99)
    hb = analysis.polyak_optimal(1, 100)
    assert hb.rate == approx(0.818182, abs=1e-6)
    assert analysis.polyak_optimal(1, 10).rate == approx(0.519494, abs=1e-6)
    assert analysis.heavy_ball_rate(hb.lr, hb.beta, [1, 30, 100]) == approx(hb.rate, rel=1e-6)
    ns = analysis.nesterov_standard(1, 100)
    assert ns.rate == approx(0.9)
    assert analysis.nesterov_rate(ns.lr, ns.beta, [1, 100]) == approx(0.9, rel=1e-6)
    no = analysis.nesterov_optimal(1, 100)
    assert no.rate == approx(0.884722, abs=1e-6)
    assert analysis.nesterov_rate(no.lr, no.beta, [1, 100]) == approx(no.rate, rel=1e-6)
    for beta in (0.0, 0.5, 0.9):  # the stability bounds are where the spectral radius crosses 1
        hb_max, nag_max = analysis.heavy_ball_max_lr(L, beta), analysis.nesterov_max_lr(L, beta)
        assert analysis.heavy_ball_rate(hb_max, beta, [MU, L]) == approx(1.0)
        assert analysis.nesterov_rate(nag_max, beta, [MU, L]) == approx(1.0)
    assert analysis.gd_max_lr(L) == 0.2
    assert analysis.nesterov_max_lr(1.0, 0.9) == approx(3.8 / 2.8)


# -- measured rates against theory -------------------------------------------------------------
def test_gd_rates(q10):
    opt = analysis.gd_optimal(MU, L)
    # at 2/(L+mu) both directions contract by exactly rho*, so every step does
    assert measured_rate(steppers.sgd(opt.lr), q10, 0, 50) == pytest.approx(opt.rate, rel=1e-9)
    rho = analysis.gd_rate(0.05, [MU, L])  # 0.95 from lambda = 1 dominates 0.5 from lambda = 10
    assert measured_rate(steppers.sgd(0.05), q10, 100, 300) == pytest.approx(rho, rel=1e-3)


def test_heavy_ball_rates(q10):
    # overdamped: dominant real root 0.936 (lambda = 1), |roots| = sqrt(0.2) for lambda = 10
    rho = analysis.heavy_ball_rate(0.05, 0.2, [MU, L])
    measured = measured_rate(steppers.momentum(0.05, beta=0.2), q10, 100, 300)
    assert measured == pytest.approx(rho, rel=1e-3)


def test_polyak_optimum_rate():
    # double roots at both ends: error ~ k rho^k, so measure over a long window ([5000, 10000]
    # leaves a bias of 2^(1/5000) - 1 = 1.4e-4) on kappa = 1000 (rho = 0.9387; float64 holds
    # rho^10000 = 1e-275)
    hb = analysis.polyak_optimal(1.0, 1000.0)
    q = surfaces.get("quadratic", kappa=1000.0, angle=0.3)
    measured = measured_rate(steppers.momentum(hb.lr, beta=hb.beta), q, 5000, 10_000)
    assert measured == pytest.approx(hb.rate, rel=1e-3)


def test_nesterov_rates(q10):
    rho = analysis.nesterov_rate(0.05, 0.5, [MU, L])  # dominant real root 0.893, next 0.532
    measured = measured_rate(steppers.nesterov(0.05, beta=0.5), q10, 100, 300)
    assert measured == pytest.approx(rho, rel=1e-3)
    # the textbook tuning is critically damped at mu (a double root): rate 1 - 1/sqrt(kappa) = 0.9
    ns = analysis.nesterov_standard(1.0, 100.0)
    q = surfaces.get("quadratic", kappa=100.0, angle=0.3)
    measured = measured_rate(steppers.nesterov(ns.lr, beta=ns.beta), q, 3000, 6000)
    assert measured == pytest.approx(ns.rate, rel=1e-3)


@pytest.mark.parametrize(
    ("make", "bound"),
    [
        (lambda lr: steppers.sgd(lr), analysis.gd_max_lr(L)),
        (lambda lr: steppers.momentum(lr, beta=0.5), analysis.heavy_ball_max_lr(L, 0.5)),
        (lambda lr: steppers.momentum(lr, beta=0.9), analysis.heavy_ball_max_lr(L, 0.9)),
        (lambda lr: steppers.nesterov(lr, beta=0.5), analysis.nesterov_max_lr(L, 0.5)),
        (lambda lr: steppers.nesterov(lr, beta=0.9), analysis.nesterov_max_lr(L, 0.9)),
    ],
    ids=["gd", "heavy_ball_0.5", "heavy_ball_0.9", "nesterov_0.5", "nesterov_0.9"],
)
def test_one_percent_either_side_of_the_stability_bound(q10, make, bound):
    above = optbench.run(q10, make(1.01 * bound), STEPS, dtype="float64")
    below = optbench.run(q10, make(0.99 * bound), STEPS, dtype="float64")
    assert above.diverged_at is not None
    assert below.diverged_at is None and np.linalg.norm(below.params[-1]) < 1e-20
