"""The divergence rule (optbench._divergence): its steps and kinds against closed forms, the same
in run(), sweep() and testing.drive(), carried by the files, and drawn where the path ends."""

import json

import jax.numpy as jnp
import numpy as np
import pytest
from PIL import Image
from pixels import head_at, pixels, rgb

import optbench
from optbench import analysis, render, surfaces, testing
from optbench._divergence import LOSS_FACTOR, WINDOW_MARGIN
from optbench.render import TEXT
from optbench.render._animate import build
from optbench.render._files import write_json

LR = 0.21  # 1.05 eta_max on the default quadratic (eigenvalues 1 and 10: eta_max = 0.2)


@pytest.fixture(scope="module")
def quad():
    return surfaces.get("quadratic")


@pytest.fixture(scope="module")
def sqrt_surface():
    # f = sqrt(x) + y^2 from (1, 1), lr 1: x_1 = (0.5, -1), x_2 = (0.5 - 0.5/sqrt(0.5), 1) has x < 0
    return surfaces.Surface(
        lambda p: jnp.sqrt(p[0]) + p[1] ** 2, bounds=[(-2, 2), (-2, 2)], start=[1.0, 1.0]
    )


@pytest.fixture(scope="module")
def bowl():
    # 1/2 |x|^2 on a wide window from (1, 1): the loss starts at 1 and the minimum is 0
    return surfaces.Surface(
        lambda p: 0.5 * jnp.sum(p**2),
        bounds=[(-1e4, 1e4), (-1e4, 1e4)],
        start=[1.0, 1.0],
        min_value=0.0,
        name="wide_bowl",
    )


def closed_form(quad, lr, steps):
    """x_t = (1 - lr lambda)^t x_0 per eigen-coordinate (the default quadratic is diagonal)."""
    factors = 1.0 - lr * np.asarray(quad.hessian_eigenvalues)
    return quad.start[None, :] * factors[None, :] ** np.arange(steps + 1)[:, None]


def test_sgd_above_eta_max_leaves_the_window_at_the_closed_form_step(quad):
    xs = closed_form(quad, LR, 40)
    lo, hi = quad.bounds[:, 0], quad.bounds[:, 1]
    ext = WINDOW_MARGIN * (hi - lo)
    out = np.any((xs < lo - ext) | (xs > hi + ext), axis=1)
    expected = int(np.flatnonzero(out)[0])
    assert expected == 31  # |1.1^31| = 19.19 > 2 + 4 * 4; |1.1^30| = 17.45 is not
    t = optbench.run(quad, f"sgd:lr={LR}", 40)
    assert t.diverged_at == expected and t.diverged_kind == "left the window"
    assert "diverged_at=31 (left the window)" in repr(t)
    np.testing.assert_allclose(t.params[:expected], xs[:expected], rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(t.params[expected:], np.broadcast_to(t.params[30], (10, 2)))
    assert t.final_loss == t.loss[30]
    # the rate in units of eta_max (read off the Hessian) gives the same step and kind
    u = optbench.run(quad, "sgd:lr=1.05eta_max", 40)
    assert (u.diverged_at, u.diverged_kind) == (31, "left the window")
    # just below eta_max the run converges and is never flagged
    assert optbench.run(quad, "sgd:lr=0.95eta_max", 40).diverged_at is None


def test_a_converging_heavy_ball_that_swings_far_out_is_not_diverged():
    # Polyak's tuning on kappa = 1000 swings to |y| = 16.6, 3.65 extents beyond the window's edge,
    # then converges at rate 0.9387: why the rule allows four extents, not one
    hb = analysis.polyak_optimal(1.0, 1000.0)
    t = optbench.run("quadratic:kappa=1000,angle=0.5", f"momentum:lr={hb.lr},beta={hb.beta}", 600)
    assert t.diverged_at is None
    reach = (np.abs(t.params).max() - 2.0) / 4.0
    assert 3.6 < reach < WINDOW_MARGIN and t.final_loss < 1e-10


def test_a_start_outside_the_bounds_widens_the_window(quad):
    # start y = 10: the window is [-2, 10] in y, extent 12, so y may range over
    # [-2 - 4 * 12, 10 + 4 * 12] = [-50, 58] before it counts
    t = optbench.run(quad, "sgd:lr=0.1", 40, start=[0.0, 10.0])
    assert t.diverged_at is None
    t = optbench.run(quad, "sgd:lr=0.22", 40, start=[0.0, 10.0])  # y_t = 10 * (-1.2)^t
    # y_7 = -35.8 and y_8 = 43.0 are inside [-50, 58]; y_9 = -51.6 is not
    assert (t.diverged_at, t.diverged_kind) == (9, "left the window")


def test_a_loss_that_runs_away_is_a_blow_up(bowl):
    # one SGD step x_1 = (1 - lr) x_0: lr = 2237 gives x_1 = -2236 (inside the window) and a loss of
    # 2236^2 = 5.0e6, beyond 1e6 * max(|1 - 0|, 1); lr = 708 gives 707^2 = 5.0e5, which is not
    # (40 steps, as test_run_sweep_and_drive_agree_on_step_and_kind runs this bowl)
    big = optbench.run(bowl, "sgd:lr=2237", 40, record_params=True)
    assert (big.diverged_at, big.diverged_kind) == (1, "blow-up")
    # frozen at the last good iterate, x_0, in the parameters and the loss alike
    np.testing.assert_array_equal(big.params, np.broadcast_to([1.0, 1.0], (41, 2)))
    assert np.all(big.loss == 1.0)
    ok = optbench.run(bowl, "sgd:lr=708", 1)
    assert ok.diverged_at is None and ok.final_loss == pytest.approx(707.0**2, rel=1e-6)
    # growing by 2.25 a step (lr 2.5): 2.25^17 = 9.7e5 is allowed, 2.25^18 = 2.2e6 is not
    t = optbench.run(bowl, "sgd:lr=2.5", 40)
    assert (t.diverged_at, t.diverged_kind) == (18, "blow-up")
    assert t.loss[17] == pytest.approx(2.25**17, rel=1e-5) and LOSS_FACTOR == 1e6


def test_nan_and_inf_kinds(sqrt_surface):
    t = optbench.run(sqrt_surface, "sgd:lr=1.0", 8)
    assert (t.diverged_at, t.diverged_kind) == (2, "nan")  # the loss at x_2 (sqrt of x < 0)
    np.testing.assert_array_equal(t.params[2:], np.broadcast_to([0.5, -1.0], (7, 2)))  # x_1
    # the gradient of sqrt(x) at x = 0 is infinite: the start itself is judged bad
    t = optbench.run(sqrt_surface, "sgd:lr=1.0", 8, start=[0.0, 1.0])
    assert (t.diverged_at, t.diverged_kind) == (0, "inf")
    assert np.all(np.isfinite(t.params)) and np.all(t.params[1:] == t.params[0])


def test_run_sweep_and_drive_agree_on_step_and_kind(quad, sqrt_surface, bowl):
    cases = [
        (quad, [0.1, LR, 0.25, 3.0], None),
        (quad.with_noise(1e-3), [0.1, LR, 0.25], None),  # the vmapped runner, not the fast path
        (sqrt_surface, [1.0, 4.0], [[1.0, 1.0], [0.0, 1.0]]),
        (bowl, [2.5, 2237.0, 708.0], None),
    ]
    kinds = set()
    for problem, lrs, starts in cases:
        # trajectories kept: on the quadratic, the program of test_sweep's `quad` sweep
        res = optbench.sweep(problem, "sgd", {"lr": lrs}, 40, starts=starts, keep_trajectories=True)
        for i in range(len(res)):
            lr = res.hparams["lr"][i]
            start = None if starts is None else starts[res.start[i]]
            t = optbench.run(problem, f"sgd:lr={lr}", 40, start=start)
            assert res.diverged_at[i] == (-1 if t.diverged_at is None else t.diverged_at), lr
            assert res.kind[i] == (t.diverged_kind or ""), (problem, lr)
            assert res.failed[i] == t.diverged
            kinds.add(res.kind[i])
    assert {"", "nan", "inf", "blow-up", "left the window"} <= kinds
    for problem, lr in [(quad, LR), (sqrt_surface, 1.0), (bowl, 2.5)]:
        d = testing.drive(f"sgd:lr={lr}", problem, 40, dtype="float32")
        t = optbench.run(problem, f"sgd:lr={lr}", 40)
        assert (d.diverged_at, d.diverged_kind) == (t.diverged_at, t.diverged_kind)


def test_the_files_carry_the_kind(quad, tmp_path):
    runs = optbench.race(quad, [f"sgd:lr={LR}", "sgd:lr=0.1"], steps=40)
    path = render.trajectories_csv(runs, tmp_path / "t.csv")
    header = path.read_text().splitlines()[0].split(",")
    assert header == [
        "step",
        "stepper",
        "name",
        "hparams",
        "x0",
        "x1",
        "loss",
        "diverged_at",
        "diverged_kind",
    ]
    back = render.read_trajectories_csv(path)
    assert [(v["diverged_at"], v["diverged_kind"]) for v in back.values()] == [
        (31, "left the window"),
        (None, None),
    ]
    np.testing.assert_array_equal(back[runs[0].label]["params"], runs[0].params.astype(float))
    record = render.run_record(runs, "quadratic", quad, command="test")
    assert [(s["diverged_at"], s["diverged_kind"]) for s in record["steppers"]] == [
        (31, "left the window"),
        (None, None),
    ]
    write_json(tmp_path / "run.json", record)
    again = json.loads((tmp_path / "run.json").read_text())
    assert again["steppers"][0]["diverged_kind"] == "left the window"


def display(scene, ax, xy):
    """(row, col) of the picture where data point ``xy`` lands, and the display point."""
    x, y = ax.transData.transform(np.asarray(xy, dtype=float))
    return int(round(scene.fig.bbox.height - y)), int(round(x)), np.array([x, y])


def like(image, row, col, colour, tol=40):
    return bool(np.abs(image[row, col] - rgb(colour)).sum() < tol)


def gif_frame(path, j):
    with Image.open(path) as im:
        im.seek(j)
        return np.asarray(im.convert("RGB")).astype(int)


def test_the_mark_ends_the_path_where_it_diverged(sqrt_surface, tmp_path):
    t = optbench.run(sqrt_surface, "sgd:lr=1.0", 8)
    kw = dict(size=300, resolution=60)
    scene = build([t], sqrt_surface, **kw)
    scene.canvas.draw()
    ax, colour = scene.axes[0], scene.path_colours[0]
    (mark,) = scene.moving[0].marks
    m = np.array([0.5, -1.0])  # x_1, the last good iterate: the loss at x_2 is NaN
    assert mark.step == 2 and mark.kind == "nan"
    np.testing.assert_allclose(mark.at, m, rtol=1e-6)
    image = pixels(render.animate([t], sqrt_surface, tmp_path / "nan.png", **kw))
    row, col, at = display(scene, ax, m)
    # the cross's arms (away from the path, which arrives steeply from above)
    for dr, dc in ((-3, -3), (3, 3), (3, -3)):
        assert like(image, row + dr, col + dc, colour), (dr, dc)
    assert not head_at(image, scene.fig, ax, m, colour)  # no head disc once marked
    # the cross appears at its step: one frame per step, absent at step 1, present at step 2
    gif = render.animate([t], sqrt_surface, tmp_path / "nan.gif", fps=10, **kw)
    with Image.open(gif) as im:
        assert im.n_frames == 9
    # at step 1 the head disc sits there; at step 2 the cross replaces it
    arms = [(row - 3, col - 3), (row + 3, col + 3), (row + 3, col - 3)]
    assert head_at(gif_frame(gif, 1), scene.fig, ax, m, colour)
    assert not head_at(gif_frame(gif, 2), scene.fig, ax, m, colour)
    assert all(like(gif_frame(gif, 2), r, c, colour) for r, c in arms)
    assert not like(gif_frame(gif, 2), row, col + 4, colour)  # between the arms: no disc
    # the path comes in along x_0 -> x_1 and stops at the mark: drawn before it (where the tail
    # is opaque, at step 1), never beyond it
    _, _, came = display(scene, ax, [1.0, 1.0])
    u = (at - came) / np.linalg.norm(at - came)
    height = scene.fig.bbox.height

    def along(image_, d):  # the pixel d px from the mark along the last step's direction
        x, y = at + d * u
        return image_[int(round(height - y)), int(round(x))]

    step1, step2 = gif_frame(gif, 1), gif_frame(gif, 2)
    assert all(np.abs(along(step1, d) - rgb(colour)).sum() < 90 for d in (-10, -16))
    for image_ in (step1, step2, image):  # at steps 1 and 2 and at the end
        assert all(np.abs(along(image_, d) - rgb(colour)).sum() > 200 for d in (8, 12, 16))


def test_a_path_that_leaves_the_view_is_marked_where_it_left_for_good(quad, tmp_path):
    t = optbench.run(quad, f"sgd:lr={LR}", 40)
    xs = closed_form(quad, LR, 40)
    # x_7 (y = -1.95) is the last iterate in the view [-2, 2]^2; the step to x_8 (y = 2.14) leaves
    # it through the top edge y = 2, and every later step swings from outside to outside
    assert np.all(np.abs(xs[:8]) <= 2) and np.all(np.abs(xs[8:, 1]) > 2)
    s = (2.0 - xs[7, 1]) / (xs[8, 1] - xs[7, 1])
    edge = xs[7] + s * (xs[8] - xs[7])
    kw = dict(size=300, resolution=60)
    scene = build([t], quad, **kw)
    scene.canvas.draw()
    g = scene.moving[0]
    (mark,) = g.marks
    assert mark.step == 31 and mark.kind == "left the window"
    np.testing.assert_allclose(mark.at, edge, rtol=1e-4, atol=1e-6)
    drawn = g.members[0][0]
    np.testing.assert_allclose(drawn[:8], xs[:8], rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(drawn[8:], np.broadcast_to(mark.at, (33, 2)))
    image = pixels(render.animate([t], quad, tmp_path / "edge.png", **kw))
    row, col, _ = display(scene, g.ax, edge)
    colour = scene.path_colours[0]
    assert like(image, row - 3, col + 3, colour)  # the cross's upper arm, above the axes
    assert like(image, row + 3, col + 3, colour)  # and its lower one, right of every path step
    assert not like(image, row - 8, col, colour, 90)  # nothing of the path above the edge
    # the runaway swings are not drawn: x_15 -> x_16 would cross y = 1 at x = -0.039, where no
    # step inside the view passes (x_7 -> x_8 crosses it at x = -0.25)
    r, c, _ = display(scene, g.ax, [-0.039, 1.0])
    assert not any(like(image, r, c + dc, colour, 90) for dc in (-1, 0, 1))


def test_divergence_notes_never_overlap_and_fit_small_panels(quad):
    runs = optbench.race(quad, [("a", f"sgd:lr={LR}"), ("b", f"sgd:lr={LR}")], steps=40)
    for lang, size, panels in (("en", 300, False), ("ru", 160, False), ("ru", (280, 160), True)):
        scene = build(runs, quad, size=size, resolution=40, lang=lang, panels=panels)
        scene.canvas.draw()
        renderer = scene.canvas.get_renderer()
        boxes = []
        for g in scene.moving:
            inside = g.ax.get_window_extent(renderer)
            for mark in g.marks:
                text = mark.note.get_text().replace("\n", " ")
                assert text == "✕ " + TEXT[lang]["diverged"].format(k=31)
                box = mark.note.get_window_extent(renderer)
                assert inside.x0 <= box.x0 and box.x1 <= inside.x1, (lang, size, panels)
                assert inside.y0 <= box.y0 and box.y1 <= inside.y1, (lang, size, panels)
                boxes.append(box)
        assert len(boxes) == 2
        if not panels:  # the two marks coincide: the notes are placed apart
            assert not boxes[0].overlaps(boxes[1]), (lang, size)


def test_the_legend_keeps_the_start_and_the_minimum_clear():
    rosen = surfaces.get("rosenbrock")
    specs = ["sgd:lr=0.001", "momentum:lr=0.001", "adam:lr=0.05", "rmsprop:lr=0.01"]
    runs = optbench.race(rosen, specs, steps=20)
    scene = build(runs, rosen, size=300, resolution=40)
    scene.canvas.draw()
    ax = scene.axes[0]
    renderer = scene.canvas.get_renderer()
    points = [ax.transData.transform(p) for p in [rosen.start, *rosen.minima]]
    box = ax.get_legend().get_window_extent(renderer)
    assert not any(box.contains(*p) for p in points)
    assert box.x0 >= ax.get_window_extent(renderer).x0  # inside the axes
    # the place it used to take, upper left, covers the start: the choice is what avoids it
    handles = ax.get_legend().legend_handles
    naive = ax.legend(handles, [t.label for t in runs], loc="upper left", fontsize=8)
    assert naive.get_window_extent(renderer).contains(*points[0])


def test_a_nan_gradient_is_divergence_also_for_adaptive_steppers():
    # Ackley's gradient at its minimum (0, 0) is 0/0: NaN. Adaptive steppers divide by a
    # zero-safe root and would turn it into a zero update, a run that never moves and is never
    # flagged; the rule judges the gradient with the loss, so every stepper stops at step 0
    specs = ["rmsprop", "adam", "adamw", "adagrad"]
    for spec in specs:
        t = optbench.run("ackley", f"{spec}:lr=0.01", 5, start=[0.0, 0.0])
        assert (t.diverged_at, t.diverged_kind) == (0, "nan"), spec
        assert np.all(t.grad_norm == 0) and np.all(t.params == 0), spec  # nothing NaN recorded
    res = optbench.sweep("ackley", "adam", {"lr": [0.01, 0.1]}, 5, starts=[[0.0, 0.0]])
    assert res.kind.tolist() == ["nan", "nan"] and res.diverged_at.tolist() == [0, 0]
    d = testing.drive("adam:lr=0.01", "ackley", 5, start=[0.0, 0.0])
    assert (d.diverged_at, d.diverged_kind) == (0, "nan")
