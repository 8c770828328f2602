"""Networks: the worked example, building blocks, data sets, the problem protocol, bad input."""

import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from optbench.networks import _worked

import optbench
from optbench import networks as N
from optbench._errors import OptbenchError


# -- the lecture's worked example --------------------------------------------------------------
def test_worked_example_forward_pass_matches_the_lecture():
    w = N.worked_example()
    hidden, out = _worked.forward(w.params, w.x)
    np.testing.assert_array_equal(np.round(np.asarray(hidden, np.float64), 2), [0.13, 0.96, 0.40])
    np.testing.assert_array_equal(np.round(np.asarray(out, np.float64), 2), [0.35, 0.85])
    # the same numbers through the generic MLP
    np.testing.assert_allclose(N.predict(w.model, w.params, w.x[None])[0], out, rtol=1e-6)


def test_worked_example_backprop_by_hand_and_by_jax_grad():
    w = N.worked_example()
    # each side in one compiled call (op by op, JAX would compile every operation on its own)
    by_hand = jax.jit(N.backprop)(w.params, w.x, w.target)
    lecture = 0.13 * (0.35 - 0.9) * 0.35 * (1 - 0.35)  # I * (O - T) * O * (1 - O)
    # the lecture rounds I and O to two decimals: |d(lecture)| <= ~5e-4 from that rounding
    assert abs(float(by_hand[1]["w"][0, 0]) - lecture) < 1e-4
    np.testing.assert_allclose(float(by_hand[1]["w"][0, 0]), -0.0163117, rtol=1e-4)
    auto = jax.jit(jax.grad(_worked.error))(w.params, w.x, w.target)
    for layer_hand, layer_auto in zip(by_hand, auto, strict=True):
        np.testing.assert_allclose(layer_hand["w"], layer_auto["w"], rtol=1e-5, atol=1e-8)


# -- building blocks ---------------------------------------------------------------------------
def test_activations_against_formulas():
    z = np.array([-3.0, -0.5, 0.0, 0.7, 4.0], np.float32)
    expect = {
        "sigmoid": 1 / (1 + np.exp(-z)),
        "tanh": np.tanh(z),
        "relu": np.maximum(z, 0),
        "leaky_relu": np.where(z >= 0, z, 0.01 * z),
        "linear": z,
    }
    for name, want in expect.items():
        np.testing.assert_allclose(N.activation(name)(jnp.asarray(z)), want, rtol=1e-6, atol=1e-7)
    s = N.activation("sigmoid")
    np.testing.assert_allclose(jax.vmap(jax.grad(s))(z), s(z) * (1 - s(z)), rtol=1e-5)


def test_losses_are_stable_from_logits_and_match_references():
    z = np.array([[-200.0], [-3.0], [0.0], [2.0], [150.0]], np.float32)
    t = np.array([[1.0], [0.0], [1.0], [1.0], [0.0]], np.float32)
    bce = float(N.loss_fn("binary_cross_entropy", "sigmoid")(jnp.asarray(z), jnp.asarray(t)))
    z64 = z.astype(np.float64)
    ref = np.mean(np.logaddexp(0, z64) - t * z64)  # -t log s - (1-t) log(1-s), exactly
    np.testing.assert_allclose(bce, ref, rtol=1e-6)
    zs = np.array([[1000.0, 0.0, -1000.0], [0.1, 0.2, 0.3]], np.float32)
    ts = np.eye(3, dtype=np.float32)[[2, 1]]
    ce = float(N.loss_fn("softmax_cross_entropy", "softmax")(jnp.asarray(zs), jnp.asarray(ts)))
    z64 = zs.astype(np.float64)
    logp = z64 - z64.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    np.testing.assert_allclose(ce, -np.mean(np.sum(ts * logp, 1)), rtol=1e-6)
    assert np.isfinite(ce) and ce > 1000  # row 1: the true logit is 2000 below the max
    p, y = jnp.array([[0.5], [2.0]]), jnp.array([[1.0], [0.0]])
    assert float(N.loss_fn("mse", "linear")(p, y)) == pytest.approx(0.5 * (0.25 + 4.0) / 2)
    assert float(N.loss_fn("mae", "linear")(p, y)) == pytest.approx((0.5 + 2.0) / 2)


def test_initializations_have_their_variances():
    key = jax.random.PRNGKey(0)
    fan_in, fan_out = 400, 300
    var = {
        k: float(jnp.var(N.init_weights(key, fan_in, fan_out, k)))
        for k in ("normal", "xavier", "he")
    }
    assert var["normal"] == pytest.approx(1 / fan_in, rel=0.03)
    assert var["xavier"] == pytest.approx(2 / (fan_in + fan_out), rel=0.03)
    assert var["he"] == pytest.approx(2 / fan_in, rel=0.03)
    xa = N.init_weights(key, fan_in, fan_out, "xavier")
    assert float(jnp.max(jnp.abs(xa))) <= np.sqrt(6 / (fan_in + fan_out))
    assert float(jnp.max(jnp.abs(N.init_weights(key, 3, 2, "zeros")))) == 0.0
    np.testing.assert_array_equal(
        N.init_weights(key, 3, 2, "constant", 0.25), np.full((3, 2), 0.25)
    )


def _conv_reference(x, w, b, stride, pad):
    """Direct loops: out[n, i, j, o] = b[o] + sum_{u,v,c} xpad[n, i*s+u, j*s+v, c] w[u, v, c, o]."""
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    f = w.shape[0]
    side = (x.shape[1] + 2 * pad - f) // stride + 1
    out = np.zeros((x.shape[0], side, side, w.shape[3]))
    for i in range(side):
        for j in range(side):
            patch = xp[:, i * stride : i * stride + f, j * stride : j * stride + f, :]
            out[:, i, j, :] = np.einsum("nuvc,uvco->no", patch, w) + b
    return out


@pytest.mark.parametrize("f,pad,stride", [(3, 1, 1), (3, 0, 2), (2, 0, 2), (5, 2, 3)])
def test_convolution_output_size_and_values(f, pad, stride):
    from optbench.networks._cnn import conv2d

    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 8, 8, 2)).astype(np.float32)
    w = rng.standard_normal((f, f, 2, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    got = np.asarray(conv2d(jnp.asarray(x), jnp.asarray(w), jnp.asarray(b), stride, pad))
    side = N.conv_output_size(8, f, pad, stride)
    assert side == (8 + 2 * pad - f) // stride + 1 and got.shape == (2, side, side, 3)
    np.testing.assert_allclose(got, _conv_reference(x, w, b, stride, pad), rtol=1e-4, atol=1e-4)


def test_cnn_shapes_follow_the_formula():
    model = N.cnn((8, 8, 1), channels=(4, 6), kernel=3, stride=1, padding=1, pool=2, n_out=10)
    # the shapes JAX derives from the code (traced, not run: nothing compiles)
    params = jax.eval_shape(model.init, jax.random.PRNGKey(0))
    # 8 -> conv 8 -> pool 4 -> conv 4 -> pool 2: 2*2*6 = 24 features into the dense layer
    assert params["dense"][0]["w"].shape == (24, 10)
    assert jax.eval_shape(model.apply, params, jnp.zeros((5, 64))).shape == (5, 10)
    with pytest.raises(OptbenchError, match="kernel"):
        N.cnn((4, 4, 1), channels=(2,), kernel=7, padding=0)


# -- data sets ---------------------------------------------------------------------------------
def test_datasets_are_seeded_and_balanced():
    for name in ("two_gaussians", "xor", "circles", "moons", "spiral", "regression"):
        a, b, c = N.dataset(name), N.dataset(name), N.dataset(name, seed=1)
        np.testing.assert_array_equal(a.x, b.x)
        assert not np.array_equal(a.x, c.x)
        assert a.x.dtype == np.float32 and a.x.ndim == 2 and len(a.x) == len(a.y)
        if a.kind == "classification":
            counts = np.bincount(a.y)
            assert counts.max() - counts.min() <= 1
    two = N.dataset("two_gaussians")
    assert two.x.shape == (100, 2)
    np.testing.assert_allclose(two.x[two.y == 1].mean(0), [0.4, 0.8], atol=0.12)
    assert N.dataset("spiral:classes=3,n=90").n_classes == 3


def test_digits_without_scikit_learn_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(OptbenchError, match=r"pip install 'optbench\[digits\]'"):
        N.dataset("digits")


def test_digits_with_scikit_learn():
    pytest.importorskip("sklearn")
    d = N.dataset("digits:n=300")
    assert d.x.shape == (300, 64) and d.n_classes == 10 and 0 <= d.x.min() and d.x.max() <= 1
    assert N.problem("cnn:4", d).model.out_dim == 10


# -- the problem protocol ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def xor_problem():
    # 3 tanh units: the model of test_networks_lecun's, test_specs' and the landscape test's
    # problems, whose initialization compiles once for all
    return N.problem("mlp:3:tanh", "xor:n=40", batch_size=8, validation=0.25, weight_decay=0.01)


def test_full_batch_gradient_is_the_gradient_of_value():
    p = N.problem("mlp:4:relu", "moons:n=30", weight_decay=0.1)
    params = p.initial(None, 3)
    loss, grads = jax.jit(p.loss_and_grad)(params, jnp.int32(7), jax.random.PRNGKey(0))
    value, ref = jax.jit(jax.value_and_grad(p.value))(params)
    np.testing.assert_allclose(loss, value, rtol=1e-6)
    for g, r in zip(jax.tree.leaves(grads), jax.tree.leaves(ref), strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-5, atol=1e-7)
    # the weight-decay term adds lambda * W to weight gradients and nothing to biases
    q = N.problem("mlp:4:relu", "moons:n=30")
    plain = jax.jit(jax.grad(q.value))(params)
    np.testing.assert_allclose(ref[0]["w"] - plain[0]["w"], 0.1 * params[0]["w"], atol=1e-6)
    np.testing.assert_allclose(ref[0]["b"], plain[0]["b"], atol=1e-7)


def test_minibatches_partition_each_reshuffled_epoch(xor_problem):
    p = xor_problem  # 30 training examples, batch 8: 3 steps per epoch, 6 examples left out
    assert p.n_train == 30 and p.steps_per_epoch == 3
    batch = jax.jit(p.batch)  # as the compiled runner calls it (one compile, not one per op)
    rows = {tuple(r) for r in p.x_train.tolist()}
    epochs = []
    for e in range(2):
        xs = np.concatenate([np.asarray(batch(jnp.int32(3 * e + i))[0]) for i in range(3)])
        assert (
            len({tuple(r) for r in xs.tolist()}) == 24 and {tuple(r) for r in xs.tolist()} <= rows
        )
        epochs.append(xs)
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled
    np.testing.assert_array_equal(np.asarray(batch(jnp.int32(4))[0]), epochs[1][8:16])
    one = N.problem("mlp:3:tanh", "xor:n=40", batch_size=1)
    assert one.steps_per_epoch == 40 and jax.jit(one.batch)(jnp.int32(0))[0].shape == (1, 2)


def test_dropout_only_in_training_and_seeded_by_the_key():
    p = N.problem("mlp:16,16:tanh", "circles:n=40", dropout=0.5)  # the guide's model
    params = p.initial(None, 0)
    step = jax.jit(p.loss_and_grad)
    a = step(params, jnp.int32(0), jax.random.PRNGKey(1))[0]
    b = step(params, jnp.int32(0), jax.random.PRNGKey(1))[0]
    c = step(params, jnp.int32(0), jax.random.PRNGKey(2))[0]
    assert float(a) == float(b) and float(a) != float(c)
    q = N.problem("mlp:16,16:tanh", "circles:n=40")
    both = jax.jit(lambda w: (p.value(w), q.value(w)))(params)
    assert float(both[0]) == float(both[1])


def test_run_records_epochs_and_early_stopping():
    # the networks guide's tour (docs/guide/networks.md): the same problem and run, so a cold suite
    # compiles its run and its metrics once; 204 training points, 32 a batch: 6 steps an epoch
    p = N.problem(
        "mlp:16,16:tanh",
        "spiral",
        batch_size=32,
        validation=0.2,
        weight_decay=1e-4,
        dropout=0.0,
        patience=20,
        seed=0,
    )
    t = optbench.run(p, "momentum:lr=0.1", 100 * p.steps_per_epoch)
    ex = t.extras
    assert ex["steps_per_epoch"] == 6
    np.testing.assert_array_equal(ex["per_epoch"]["step"], np.arange(0, 601, 6))
    assert ex["per_step"]["val_acc"].shape == (601,)
    # per-epoch metrics are the per-step ones at epoch ends, and equal a direct evaluation
    np.testing.assert_array_equal(ex["per_epoch"]["val_loss"], ex["per_step"]["val_loss"][::6])
    last = jax.tree.map(lambda a: a[-1], t.params)
    val_loss, value = jax.jit(  # one compiled call (op by op, JAX compiles every operation)
        lambda w: (p.data_loss(w, p.x_val, p.t_val), p.value(w))
    )(last)
    np.testing.assert_allclose(ex["per_epoch"]["val_loss"][-1], val_loss, rtol=1e-5)
    np.testing.assert_allclose(t.final_loss, value, rtol=1e-5)
    best = int(np.argmin(ex["per_epoch"]["val_loss"]))
    assert ex["best_epoch"] == best
    for got, stack in zip(
        jax.tree.leaves(ex["best_params"]), jax.tree.leaves(t.params), strict=True
    ):
        np.testing.assert_array_equal(got, stack[6 * best])
    assert N.early_stop(np.array([3.0, 2.0, 1.0, 1.5, 1.2, 1.1, 0.5]), 3) == (2, 5)
    assert N.early_stop(np.array([3.0, 2.0, 1.0, 1.5, 1.2, 0.5]), 3) == (5, 5)
    assert N.early_stop(np.array([1.0, 2.0, 3.0]), None) == (0, 2)


def test_start_params_and_seeded_init(xor_problem):
    a, b = xor_problem.initial(None, 5), xor_problem.initial(None, 5)
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
        np.testing.assert_array_equal(x, y)
    assert xor_problem.initial(a, 0)[0]["w"].shape == (2, 3)
    with pytest.raises(OptbenchError, match="start"):
        xor_problem.initial([{"w": np.zeros((3, 3))}], 0)


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call,pattern",
    [
        (lambda: N.dataset("spirals"), "unknown data set 'spirals'; did you mean 'spiral'"),
        (lambda: N.problem("mpl:16", "xor"), "unknown model 'mpl'; did you mean 'mlp'"),
        (lambda: N.problem("mlp:16:tahn", "xor"), "unknown activation 'tahn'; did you mean 'tanh'"),
        (lambda: N.problem("mlp:16", "xor", loss="mes"), "unknown loss 'mes'; did you mean 'mse'"),
        (
            lambda: N.problem("mlp:16:init=xavir", "xor"),
            "unknown init 'xavir'; did you mean 'xavier'",
        ),
        (lambda: N.problem(N.mlp([3, 4, 1]), "xor"), r"takes 3 inputs, but data set 'xor' has 2"),
        (lambda: N.problem(N.mlp([2, 4, 3], output="softmax"), "xor"), "needs 2 softmax outputs"),
        (
            lambda: N.problem("mlp:16", "xor", batch_size=0),
            (
                r"`batch_size` \(=0\) must be an integer "
                "from 1 to 200"
            ),
        ),
        (lambda: N.problem("mlp:16", "xor", batch_size=500, validation=0.5), "from 1 to 100"),
        (
            lambda: N.problem("mlp:16", "xor", validation=1.5),
            (
                r"`validation` \(=1.5\) must be a "
                r"number in \(0, 1\)"
            ),
        ),
        (
            lambda: N.problem("mlp:16", "xor", loss="softmax_cross_entropy"),
            "needs a model with a softmax",
        ),
        (lambda: N.problem("mlp:16", "xor", patience=5), "validation"),
        (lambda: N.problem("cnn", "xor"), "square images"),
        (lambda: N.dataset("xor:noize=0.1"), "no parameter 'noize'"),
    ],
)
def test_bad_input_is_one_sentence(call, pattern):
    with pytest.raises(OptbenchError, match=pattern) as err:
        call()
    assert "\n" not in str(err.value)
