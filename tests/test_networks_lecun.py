"""Data surfaces, LeCun's batch-vs-stochastic experiment, lr_limits, torch check."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import optbench
from optbench import networks as N
from optbench._errors import OptbenchError
from optbench.analysis import lr_limits


@pytest.fixture(scope="module")
def lecun():
    """A linear neuron with two weights on two_gaussians, +-1 targets, E = mean (w.x - t)^2 / 2.

    Then H = mean(x x^T) and the minimum w* = H^-1 mean(t x), both computed here in NumPy.
    """
    p = N.problem("linear", "two_gaussians")
    x, t = p.x_train.astype(np.float64), p.t_train[:, 0].astype(np.float64)
    H = x.T @ x / len(x)
    return p, H, np.linalg.solve(H, x.T @ t / len(x))


def test_two_parameter_model_is_a_surface_of_the_full_batch_loss(lecun):
    p = lecun[0]
    s = p.surface(bounds=((-1, 2), (-1, 2)))
    xs, ys, Z = s.grid(resolution=7)
    x, t = p.x_train.astype(np.float64), p.t_train[:, 0].astype(np.float64)
    W = np.stack(np.meshgrid(xs, ys), -1)
    ref = 0.5 * np.mean((W @ x.T - t) ** 2, axis=-1)
    np.testing.assert_allclose(Z, ref, rtol=1e-5)
    with pytest.raises(OptbenchError, match="exactly two"):
        N.problem("mlp:3", "two_gaussians").surface()


def test_batch_descent_diverges_above_eta_max_and_converges_below(lecun):
    p, H, w_star = lecun
    lam = np.linalg.eigvalsh(H)
    limits = lr_limits(p, method="power")
    np.testing.assert_allclose(limits.lambda_max, lam[-1], rtol=1e-4)
    eta_max = 2 / lam[-1]
    s = p.surface()
    below = optbench.run(s, f"sgd:lr={0.95 * eta_max}", 300)
    above = optbench.run(s, f"sgd:lr={1.05 * eta_max}", 300)
    assert below.diverged_at is None
    np.testing.assert_allclose(below.params[-1], w_star, atol=1e-4)
    # along the top eigenvector the error is multiplied by 1 - 1.05 * 2 = -1.1 each step
    # until it leaves the window by four extents and is frozen there
    assert above.diverged_kind == "left the window" and above.diverged_at > 40
    v = np.linalg.eigh(H)[1][:, -1]
    e = (above.params[: above.diverged_at] - w_star) @ v
    np.testing.assert_allclose(e[21:] / e[20:-1], -1.1, rtol=1e-3)


def test_stochastic_descent_with_a_small_rate_reaches_the_same_basin(lecun):
    p, _, w_star = lecun
    online = N.problem("linear", "two_gaussians", batch_size=1).surface()
    mini = N.problem("linear", "two_gaussians", batch_size=10).surface()
    races = optbench.race(online, ["sgd:lr=0.02"], 2000) + optbench.race(mini, ["sgd:lr=0.1"], 600)
    full = p.surface().fn(jnp.asarray(w_star, jnp.float32))
    for t in races:
        # a noise ball around w* (radius measured 0.005-0.03 over seeds 0-2, shrinking like
        # sqrt(lr)); from the start 1.9 away; the full loss ends within 1% of the minimum
        assert np.linalg.norm(t.params[-1] - w_star) < 0.05
        assert t.final_loss == pytest.approx(float(full), rel=0.01)


def test_lr_limits_power_iteration_matches_the_full_hessian(x64):
    p = N.problem("mlp:3:tanh", "xor:n=24", weight_decay=0.01)
    at = p.initial(None, 2)
    flat, unravel = jax.flatten_util.ravel_pytree(jax.tree.map(jnp.asarray, at))
    eig = np.linalg.eigvalsh(np.asarray(jax.jit(jax.hessian(lambda v: p.value(unravel(v))))(flat)))
    power = lr_limits(p, at=at, method="power")
    np.testing.assert_allclose(power.lambda_max, eig[-1], rtol=1e-4)
    np.testing.assert_allclose(power.eta_max, 2 / eig[-1], rtol=1e-4)
    # LeCun's finite-difference running average: alpha = 1e-4, gamma = 0.1 (measured 4e-6 off)
    lecun = lr_limits(p, at=at, method="lecun", iters=200)
    np.testing.assert_allclose(lecun.lambda_max, eig[-1], rtol=1e-3)


def test_mlp_loss_and_gradient_equal_torch():
    torch = pytest.importorskip("torch")
    p = N.problem("mlp:16,16:tanh", "moons:n=32")  # the guide's model: its init compiles once
    params = p.initial(None, 0)
    loss, grads = jax.jit(p.loss_and_grad)(params, jnp.int32(0), jax.random.PRNGKey(0))
    ws = [torch.tensor(np.asarray(layer["w"], np.float64), requires_grad=True) for layer in params]
    bs = [torch.tensor(np.asarray(layer["b"], np.float64), requires_grad=True) for layer in params]
    h = torch.tensor(p.x_train, dtype=torch.float64)
    for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
        h = h @ w + b
        if i < len(ws) - 1:
            h = torch.tanh(h)
    target = torch.tensor(p.t_train, dtype=torch.float64)
    ref = torch.nn.functional.binary_cross_entropy_with_logits(h, target)
    ref.backward()
    np.testing.assert_allclose(float(loss), ref.item(), rtol=1e-5)
    for layer, w, b in zip(grads, ws, bs, strict=True):
        np.testing.assert_allclose(layer["w"], w.grad.numpy(), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(layer["b"], b.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_set1_has_the_slides_hessian_and_the_slides_experiment_runs():
    data, base = N.dataset("set1"), N.dataset("two_gaussians")
    x = base.x.astype(float)
    s = np.sqrt(0.84 / np.linalg.eigvalsh(x.T @ x / len(x))[-1])  # the scaling the docs give
    assert data.params["scale"] == pytest.approx(s, rel=1e-12)
    np.testing.assert_allclose(data.x, (x * s).astype(np.float32))
    np.testing.assert_array_equal(data.y, base.y)
    lim = lr_limits(N.problem("linear", "set1"), method="exact")
    assert lim.lambda_max == pytest.approx(0.84, abs=1e-7)
    assert round(lim.eta_max, 2) == 2.38


def test_layer_outputs_and_the_diagram_refuse_what_they_cannot_show(tmp_path):
    w = N.worked_example()
    # both in one compiled call (op by op, JAX would compile every operation on its own)
    (hidden, out), predicted = jax.jit(
        lambda p, x: (N.layer_outputs(w.model, p, x), N.predict(w.model, p, x))
    )(w.params, w.x[None])
    np.testing.assert_allclose(np.asarray(out), np.asarray(predicted))
    assert np.asarray(hidden, float).round(2).tolist() == [[0.13, 0.96, 0.4]]
    cnn = N.cnn(channels=(4,))
    with pytest.raises(OptbenchError, match=r"has no layers to show one by one"):
        N.layer_outputs(cnn, None, np.zeros((1, 64)))
    wide = N.mlp([2, 8, 1])
    with pytest.raises(OptbenchError, match=r"a layer of 8 units; draw_network draws at most 6"):
        N.draw_network(
            wide, jax.jit(wide.init)(jax.random.PRNGKey(0)), [0.0, 1.0], [1.0], tmp_path / "n.png"
        )
    assert not (tmp_path / "n.png").exists()
