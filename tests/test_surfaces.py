"""The surface catalog: minima, gradients at known points, Hessians, user surfaces and bad input.

Reference numbers are those of the manual's math page (docs/math.md, section "Test surfaces"; SFU
Virtual Library, Wikipedia), checked in float64.
"""

import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import optbench
from optbench import surfaces
from optbench._errors import OptbenchError

NAMES = [
    "rosenbrock",
    "saddle",
    "monkey_saddle",
    "quadratic",
    "beale",
    "booth",
    "himmelblau",
    "rastrigin",
    "ackley",
    "goldstein_price",
    "six_hump_camel",
    "styblinski_tang",
]

# name -> Hessian eigenvalues at the (first) global minimum, to the 4 digits of the reference table
HESSIAN_AT_MIN = {
    "rosenbrock": [0.3994, 1001.6],
    "beale": [0.3015, 48.98],
    "booth": [2.0, 18.0],
    "himmelblau": [25.72, 82.28],
    "rastrigin": [396.78, 396.78],
    "goldstein_price": [402.8, 965.2],
    "six_hump_camel": [7.68, 16.49],
    "styblinski_tang": [34.58, 34.58],
}


def test_catalog_names():
    assert surfaces.names() == NAMES


@pytest.mark.parametrize("name", [n for n in NAMES if n not in ("saddle", "monkey_saddle")])
def test_minima_values_and_stationarity(x64, name):
    s = surfaces.get(name)
    assert len(s.minima) >= 1
    # f, its gradient and its Hessian at every minimum, in one compiled call (op by op, JAX would
    # compile each operation of the Hessian on its own)
    at = jax.jit(jax.vmap(lambda x: (s(x), jax.grad(s.fn)(x), jax.hessian(s.fn)(x))))
    values, grads, hessians = at(jnp.asarray(s.minima, jnp.float64))
    for value, grad in zip(values, grads, strict=True):
        assert float(value) == pytest.approx(s.min_value, abs=1e-10)
        if name != "ackley":  # not differentiable at its minimum
            np.testing.assert_allclose(grad, 0.0, atol=1e-8)
    if name in HESSIAN_AT_MIN:
        eig = np.linalg.eigvalsh(hessians[0])
        np.testing.assert_allclose(eig, HESSIAN_AT_MIN[name], rtol=1e-3)


def test_reference_values(x64):
    hb, ms = surfaces.get("himmelblau"), surfaces.get("six_hump_camel")
    assert len(hb.minima) == 4 and len(ms.minima) == 2
    assert ms.min_value == pytest.approx(-1.0316285, abs=1e-7)
    assert float(hb(jnp.array([-0.270845, -0.923039]))) == pytest.approx(
        181.617, abs=1e-3
    )  # local max
    gp = surfaces.get("goldstein_price")
    for point, value in [
        ((-0.6, -0.4), 30.0),
        ((1.8, 0.2), 84.0),
        ((1.2, 0.8), 840.0),
    ]:  # local minima
        assert float(gp(jnp.array(point))) == pytest.approx(value, rel=1e-9)
    st = surfaces.get("styblinski_tang")
    assert float(st(jnp.array([2.746803, 2.746803]))) == pytest.approx(-50.0589, abs=1e-4)
    assert st.min_value == pytest.approx(-78.33233, abs=1e-5)
    assert surfaces.get("styblinski_tang", dim=5).min_value == pytest.approx(
        -39.16617 * 5, abs=1e-4
    )


def test_gradients_at_known_points(x64):
    x, y = 0.3, -1.2
    a, b = 1.5, 20.0  # Rosenbrock gradient (-2(a - x) - 4bx(y - x^2), 2b(y - x^2))
    rosenbrock, saddle, monkey, booth, rastrigin = (
        surfaces.get("rosenbrock", a=a, b=b),
        surfaces.get("saddle"),
        surfaces.get("monkey_saddle"),
        surfaces.get("booth"),
        surfaces.get("rastrigin"),
    )

    @jax.jit  # one compiled call (op by op, JAX would compile each operation on its own)
    def derivatives(p):
        grad = [jax.grad(s.fn)(p) for s in (rosenbrock, saddle, monkey, rastrigin)]
        return grad, jax.hessian(booth.fn)(p)

    (g_rosenbrock, g_saddle, g_monkey, g_rastrigin), H = derivatives(jnp.array([x, y]))
    np.testing.assert_allclose(
        g_rosenbrock, [-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)], rtol=1e-12
    )
    np.testing.assert_allclose(g_saddle, [2 * x, -2 * y], rtol=1e-12)
    np.testing.assert_allclose(g_monkey, [3 * x**2 - 3 * y**2, -6 * x * y], rtol=1e-12)
    np.testing.assert_allclose(H, [[10, 8], [8, 10]], rtol=1e-12)  # booth: a constant Hessian
    np.testing.assert_allclose(  # rastrigin: 2x + 2 pi A sin(2 pi x)
        g_rastrigin, [2 * v + 20 * np.pi * np.sin(2 * np.pi * v) for v in (x, y)], rtol=1e-12
    )


def test_ackley_gradient_is_nan_at_the_origin_so_the_start_is_elsewhere():
    s = surfaces.get("ackley")
    value, grad = jax.jit(jax.value_and_grad(s.fn))(jnp.zeros(2))
    assert np.all(np.isnan(grad))
    assert float(value) == pytest.approx(0.0, abs=1e-6)
    assert np.linalg.norm(s.start) > 1


@pytest.mark.parametrize("name", NAMES)
def test_start_is_inside_bounds_finite_and_not_stationary(name):
    s = surfaces.get(name)
    assert np.all((s.bounds[:, 0] <= s.start) & (s.start <= s.bounds[:, 1]))
    value, grad = jax.jit(jax.value_and_grad(s.fn))(jnp.asarray(s.start, jnp.float32))
    assert np.isfinite(value) and np.all(np.isfinite(grad)) and np.linalg.norm(grad) > 1e-3
    noisy = surfaces.get(name, noise=0.3)
    assert noisy.noise == 0.3 and noisy.cache_key() != s.cache_key()


def test_quadratic_matrix_and_dimensions(x64):
    s = surfaces.get("quadratic", kappa=50.0, angle=0.4, dim=4, scale=2.0)
    H = jax.jit(jax.hessian(s.fn))(jnp.ones(4))
    np.testing.assert_allclose(H, s.matrix, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(H), s.hessian_eigenvalues, rtol=1e-12)
    np.testing.assert_allclose(
        s.hessian_eigenvalues, 2.0 * np.logspace(0, np.log10(50), 4), rtol=1e-12
    )
    assert s.start.shape == (4,) and s.bounds.shape == (4, 2) and s.minima.shape == (1, 4)
    # rotation by angle: the stiff eigenvector of the leading 2x2 block is (-sin, cos)
    two = surfaces.get("quadratic", kappa=10.0, angle=0.4)
    v = np.array([-np.sin(0.4), np.cos(0.4)])
    np.testing.assert_allclose(two.matrix @ v, 10 * v, rtol=1e-12)
    one = surfaces.get("quadratic", dim=1, kappa=3.0)
    np.testing.assert_allclose(one.hessian_eigenvalues, [3.0])
    assert float(one(jnp.array([2.0]))) == pytest.approx(6.0)


def test_grid_for_contours():
    s = surfaces.get("booth")
    xs, ys, Z = s.grid(resolution=5)
    assert Z.shape == (5, 5) and xs[0] == -10 and ys[-1] == 10
    assert Z[4, 0] == pytest.approx(
        (-10 + 20 - 7) ** 2 + (-20 + 10 - 5) ** 2
    )  # Z[i, j] = f(xs[j], ys[i])


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (
            lambda: surfaces.get("himmelblua"),
            ["unknown surface 'himmelblua'", "did you mean 'himmelblau'"],
        ),
        (lambda: surfaces.get("rosenbrock", bb=3), ["no parameter 'bb'", "Did you mean 'b'"]),
        (lambda: surfaces.get_spec("rosenbrock:b=abc"), ["`b` of rosenbrock", "'abc'", "> 0"]),
        (lambda: surfaces.get("quadratic", kappa=0.5), ["`kappa` of quadratic", "0.5", ">= 1"]),
        (lambda: surfaces.get("quadratic", dim=0), ["`dim` of quadratic", "positive integer"]),
        (lambda: surfaces.get("rastrigin", dim=2.5), ["`dim` of rastrigin", "2.5"]),
        (lambda: surfaces.get("beale", noise=-1), ["`noise` of beale", "-1", ">= 0"]),
        (lambda: surfaces.get_spec("booth:noise"), ["malformed parameter 'noise'"]),
        (
            lambda: surfaces.Surface(lambda x: x @ x, bounds=[(1, 0)], start=[0.5]),
            ["`bounds`", "low < high"],
        ),
        (
            lambda: surfaces.get("saddle").check_point([1.0], "start"),
            ["`start`", "1 coordinate", "2-D"],
        ),
    ],
)
def test_bad_input(call, words):
    with pytest.raises(OptbenchError) as err:
        call()
    for w in words:
        assert w in str(err.value)


USER_FILE = textwrap.dedent(
    """
    import jax.numpy as jnp
    from optbench.surfaces import Surface

    def bowl(x):
        return jnp.sum((x - 0.5) ** 2)

    def make_ridge():
        return Surface(lambda x: x[0] ** 2 + 10 * x[1] ** 2 + x[2] ** 2, bounds=[(-3, 3)] * 3,
                       start=[1, 1, 1], minima=[[0, 0, 0]], min_value=0.0, name="ridge")

    tilted = Surface(lambda x: (x[0] - 1) ** 2 + x[1] ** 2, bounds=[(-1, 2), (-1, 1)],
                     start=[0, 0.5])

    def vector(x):
        return x * 2

    def zero_args():
        return 3
    """
)


@pytest.fixture(scope="module")
def user_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("user") / "my_surfaces.py"
    path.write_text(USER_FILE)
    return str(path)


def test_user_surface_from_a_file(user_file):
    bowl = surfaces.get_spec(f"{user_file}:bowl")
    assert bowl.name == "bowl" and bowl.dim == 2
    np.testing.assert_array_equal(bowl.bounds, [[-2, 2], [-2, 2]])
    np.testing.assert_array_equal(bowl.start, [-1.5, 1.5])
    np.testing.assert_allclose(jax.grad(bowl.fn)(jnp.array([1.0, 0.0])), [1.0, -1.0])
    ridge = surfaces.get_spec(f"{user_file}:make_ridge")
    assert ridge.name == "ridge" and ridge.dim == 3 and ridge.min_value == 0.0
    tilted = surfaces.load_user_surface(f"{user_file}:tilted")
    assert float(tilted(jnp.array([1.0, 0.0]))) == 0.0


@pytest.mark.parametrize(
    ("suffix", "words"),
    [
        (":bowll", ["has no function 'bowll'", "did you mean 'bowl'"]),
        (":vector", ["must return a scalar", "(2,)"]),
        (":zero_args", ["`zero_args`", "must return a Surface, not int"]),
    ],
)
def test_bad_user_surfaces(user_file, suffix, words):
    with pytest.raises(OptbenchError) as err:
        surfaces.get_spec(user_file + suffix)
    for w in words:
        assert w in str(err.value)


def test_missing_user_file():
    with pytest.raises(OptbenchError, match="surface file 'no/such/file.py' does not exist"):
        surfaces.get_spec("no/such/file.py:f")


@pytest.mark.parametrize(
    ("name", "lr", "steps", "sgd_end", "momentum_end"),
    [
        ("himmelblau", 0.01, 600, [3.0, 2.0], [3.584428, -1.848127]),
        ("styblinski_tang", 0.01, 600, [2.746803, 2.746803], [2.746803, -2.903534]),
        ("goldstein_price", 1e-4, 2000, [-0.6, -0.4], [0.0, -1.0]),
    ],
)
def test_default_starts_make_races_worth_watching(name, lr, steps, sgd_end, momentum_end):
    # from the default start, gradient descent and heavy-ball momentum end in different minima
    gd, hb = optbench.race(name, [f"sgd:lr={lr}", f"momentum:lr={lr},beta=0.9"], steps)
    np.testing.assert_allclose(gd.params[-1], sgd_end, atol=1e-4)
    np.testing.assert_allclose(hb.params[-1], momentum_end, atol=1e-4)
