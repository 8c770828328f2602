"""run(record_state=True): the stepper's state, step by step, equals a NumPy transcription of its
update rule, driven by the gradients at the recorded iterates; named by the state's fields."""

from __future__ import annotations

import numpy as np
import optax
import pytest

import optbench
from optbench import OptbenchError
from optbench._state import state_fields, state_views

STEPS = 12


def rosen_grad(p: np.ndarray) -> np.ndarray:
    """The gradient of (1 - x)^2 + 100 (y - x^2)^2, in float64."""
    x, y = p.astype(float)
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def grads_of(t) -> list[np.ndarray]:
    return [rosen_grad(t.params[k]) for k in range(STEPS)]


def png_size(path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:
        return im.size


def close(a, b, rtol=2e-4):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=1e-6)


def test_adam_moments_and_count_follow_the_rule():
    t = optbench.run("rosenbrock", "adam:lr=0.05", STEPS, record_state=True)
    assert sorted(t.state) == ["count", "mu", "nu"]
    m, v = np.zeros(2), np.zeros(2)
    close(t.state["mu"][0], m)
    close(t.state["nu"][0], v)
    for k, g in enumerate(grads_of(t), start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        close(t.state["mu"][k], m)
        close(t.state["nu"][k], v)
    assert t.state["count"].tolist() == list(range(STEPS + 1))
    # the drawn steps: bias-corrected equals the step the run made, raw is 1/sqrt(1 - b2^t) bigger
    corrected, raw = state_views(t)
    made = t.params[:-1] - t.params[1:]  # x_{t-1} - x_t = lr m_hat / (sqrt(v_hat) + eps)
    close(corrected.values[1:], made, rtol=1e-3)
    assert np.isnan(corrected.values[0]).all() and "no bias correction" in raw.name
    close(raw.values[1], made[0] * 0.1 / np.sqrt(0.001), rtol=1e-3)  # the first: 3.16 x lr


def test_momentum_buffer_rprop_steps_and_rmsprop_average():
    mom = optbench.run("rosenbrock", "momentum:lr=0.0005,beta=0.9", STEPS, record_state=True)
    b = np.zeros(2)
    for k, g in enumerate(grads_of(mom), start=1):
        b = g if k == 1 else 0.9 * b + g  # torch's heavy ball: b_1 = g_1
        close(mom.state["buffer"][k], b)
    (view,) = state_views(mom)
    assert view.name.startswith("$b_t$") and view.values is not None

    rp = optbench.run("rosenbrock", "rprop:lr=0.01", STEPS, record_state=True)
    step, prev = np.full(2, 0.01), np.zeros(2)
    for k, g in enumerate(grads_of(rp), start=1):
        s = prev * g
        step = np.clip(step * np.where(s > 0, 1.2, np.where(s < 0, 0.5, 1.0)), 1e-6, 50.0)
        prev = np.where(s < 0, 0.0, g)  # iRprop-: the memory forgets a sign change
        close(rp.state["step_size"][k], step, rtol=1e-5)
        close(rp.state["prev_grad"][k], prev)
    (view,) = state_views(rp)
    assert view.log and np.array_equal(view.values, rp.state["step_size"].astype(float))

    rms = optbench.run("rosenbrock", "rmsprop:lr=0.001", STEPS, record_state=True)
    s = np.zeros(2)
    for k, g in enumerate(grads_of(rms), start=1):
        s = 0.99 * s + 0.01 * g**2
        close(rms.state["square_avg"][k], s)
    (view,) = state_views(rms)
    close(view.values[STEPS], np.sqrt(s))


def test_an_optax_transforms_state_is_named_by_its_fields_and_drawn():
    t = optbench.run("rosenbrock", optax.adam(0.05), STEPS, record_state=True)
    ours = optbench.run("rosenbrock", "adam:lr=0.05", STEPS, record_state=True)
    assert sorted(t.state) == ["count", "mu", "nu"]  # the chain's index left out
    close(t.state["mu"][:4], ours.state["mu"][:4], rtol=1e-4)  # then float32 rounding grows
    assert [v.name for v in state_views(t)] == ["mu", "nu"]  # an optax transform: its arrays
    # two transforms with the same field names keep the chain's indices
    names = state_fields(optax.chain(optax.scale_by_adam(), optax.scale_by_adam()).init(np.ones(2)))
    assert sorted(names) == ["0.count", "0.mu", "0.nu", "1.count", "1.mu", "1.nu"]


def test_a_diverged_runs_state_freezes_with_it_and_state_is_off_by_default():
    t = optbench.run("quadratic", "sgd:lr=3.0", 20, record_state=True)  # as test_russian's
    assert t.diverged and list(t.state) == ["count"]
    k = t.diverged_at
    assert (t.state["count"][k:] == t.state["count"][k]).all()
    assert optbench.run("quadratic", "sgd:lr=0.1", 20).state is None


def test_state_asked_of_a_torch_stepper_or_not_a_bool_is_one_sentence():
    with pytest.raises(OptbenchError, match=r"`record_state` \(='yes'\) must be True or False"):
        optbench.run("quadratic", "sgd:lr=0.1", 3, record_state="yes")
    pytest.importorskip("torch")
    with pytest.raises(OptbenchError, match="needs a JAX stepper"):
        optbench.run("quadratic", "torch.optim.SGD:lr=0.1", 3, record_state=True)


def test_state_plot_has_a_row_per_run_with_state_and_the_command_writes_it(tmp_path, capsys):
    import json

    from optbench import render
    from optbench.cli import main

    runs = optbench.race("rosenbrock", ["sgd:lr=0.001", "adam:lr=0.05"], STEPS, record_state=True)
    path = render.state_plot(runs, tmp_path / "state.png")
    # SGD keeps no array of the parameters' shape: one row (Adam), two panels of 4.2 x 2.6 in
    assert png_size(path) == (840, 260)
    with pytest.raises(OptbenchError, match=r"'SGD \(lr=0.001\)'\) has no recorded state"):
        render.state_plot(optbench.race("rosenbrock", ["sgd:lr=0.001"], 20), tmp_path / "x.png")
    out = tmp_path / "race"
    argv = ["race", "rosenbrock", "rprop", "--steps", str(STEPS), "--format", "png"]
    argv += ["--show", "state"]
    assert main([*argv, "-o", str(out)]) == 0
    assert png_size(out / "state.png") == (420, 260)
    assert json.loads((out / "run.json").read_text())["show"] == ["state"]
    assert main([*argv[:-1], "stat", "-o", str(tmp_path / "bad")]) == 2
    assert "unknown --show 'stat'; did you mean 'state'?" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_the_state_strip_draws_each_runs_quantity_up_to_the_frames_step(tmp_path):
    from matplotlib.colors import to_rgb
    from PIL import Image

    from optbench import render
    from optbench.render._state import state_frames
    from optbench.render._style import THEMES

    runs = optbench.race(
        "rosenbrock", ["momentum:lr=0.001", "rprop:lr=0.01"], STEPS, record_state=True
    )
    surface = optbench.surfaces.get("rosenbrock")
    path = render.animate(runs, surface, tmp_path / "s.png", size="640x480", show_state=True)
    with Image.open(path) as im:
        assert im.size == (640, 480)  # the strip is inside the size asked for
    shown = np.arange(STEPS + 1)
    draw = state_frames(runs, shown, size=(640, 160))
    frame = np.asarray(draw(6))[..., :3].astype(int)
    height = draw.fig.bbox.height
    for (ax, _lines, values), colour in zip(draw.panels, THEMES["light"]["paths"]):
        target = np.round(np.array(to_rgb(colour)) * 255)
        # x's line passes through (6, value at step 6) and has not reached step 9 yet
        for k, drawn in ((6, True), (9, False)):
            col, row = ax.transData.transform((k, values[k, 0]))
            r, c = int(round(height - row)), int(round(col))
            patch = frame[r - 1 : r + 2, c - 1 : c + 2].reshape(-1, 3)
            near = np.abs(patch - target).sum(axis=1).min() <= 30
            assert near == drawn, (ax.get_title(), k)
    titles = [ax.get_title() for ax, _, _ in draw.panels]
    assert titles == [
        "Momentum (lr=0.001, beta=0.9): $b_t$ (momentum buffer)",
        "iRprop− (lr=0.01): $\\Delta_t$ (step size)",
    ]
    with pytest.raises(OptbenchError, match="no room for the state"):
        render.animate(runs, surface, tmp_path / "t.png", size="300x200", show_state=True)
