"""The race renderer: frames, size, loop flag, head positions, divergence, CSV round trip."""

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image


def gif_info(path):
    with Image.open(path) as im:
        return im.n_frames, im.size, dict(im.info)

import optbench
from optbench import render
from optbench.render._animate import build
from optbench.render._gif import gif_delay_ms

STEPPERS = ["sgd:lr=0.001", "momentum:lr=0.001", "adam:lr=0.05"]


@pytest.fixture(scope="module")
def rosen():
    return optbench.surfaces.get("rosenbrock")


@pytest.fixture(scope="module")
def runs(rosen):
    return optbench.race(rosen, STEPPERS, steps=60)


@pytest.fixture(scope="module")
def gif(runs, rosen, tmp_path_factory):
    path = tmp_path_factory.mktemp("gif") / "race.gif"
    render.animate(runs, rosen, path, fps=10, duration=2.0, size=300, resolution=80)
    return path


def test_gif_frames_size_loop_and_delay(gif):
    n, size, info = gif_info(gif)
    assert n == 20
    assert size == (300, 300)
    assert info["loop"] == 0  # loops forever
    assert info["duration"] == 100


def test_gif_delays_respect_10ms_units_and_20ms_floor():
    assert gif_delay_ms(25) == 40
    assert gif_delay_ms(30) == 30  # 33.3 ms is stored as 30
    assert gif_delay_ms(100) == 20  # browsers slow anything shorter
    assert gif_delay_ms(1000) == 20


def test_frame_steps_are_decimated_evenly():
    np.testing.assert_array_equal(render.frame_steps(300, 4), [0, 100, 200, 300])
    np.testing.assert_array_equal(render.frame_steps(3, 50), [0, 1, 2, 3])


def test_head_markers_sit_at_the_last_position(gif, runs, rosen):
    scene = build(runs, rosen, size=300, resolution=80)
    scene.canvas.draw()  # the layout is final once drawn, as in animate()
    height = scene.fig.bbox.height
    with Image.open(gif) as im:
        im.seek(im.n_frames - 1)
        frame = np.asarray(im.convert("RGB")).astype(int)
    ax = scene.axes[0]
    legend = ax.get_legend().get_window_extent()
    heads = [ax.transData.transform(t.params[-1]) for t in runs]
    checked = 0
    for i, (colour, t) in enumerate(zip(scene.path_colours, runs)):
        x, y = heads[i]
        hidden = any(np.hypot(*(heads[j] - heads[i])) < 12 for j in range(i + 1, len(runs)))
        if hidden or legend.contains(x, y):
            continue  # drawn over by a later head or the legend
        row, col = int(round(height - y)), int(round(x))
        patch = frame[row - 1: row + 2, col - 1: col + 2].reshape(-1, 3)
        want = np.array(to_rgb(colour)) * 255
        assert np.min(np.abs(patch - want).sum(axis=1)) < 40, (t.label, patch, want)
        checked += 1
    assert checked >= 2


def test_a_diverged_run_renders_and_is_marked(tmp_path):
    quad = optbench.surfaces.get("quadratic")
    runs = optbench.race(quad, ["sgd:lr=0.25", "sgd:lr=0.1"], steps=40)
    assert runs[0].diverged_at is not None and runs[1].diverged_at is None
    path = render.animate(runs, quad, tmp_path / "div.gif", fps=10, duration=1.0, size=200,
                          resolution=60)
    assert gif_info(path)[0] == 10
    png = render.convergence(runs, tmp_path / "conv.png", surface=quad, eta_max=0.2)
    assert gif_info(png)[1][0] > 0


def test_csv_round_trips_the_trajectories(runs, tmp_path):
    path = render.trajectories_csv(runs, tmp_path / "t.csv")
    back = render.read_trajectories_csv(path)
    assert list(back) == [t.label for t in runs]
    for t in runs:
        np.testing.assert_array_equal(back[t.label]["params"], t.params.astype(float))
        np.testing.assert_array_equal(back[t.label]["loss"], t.loss.astype(float))


def test_png_and_panels_and_themes(runs, rosen, tmp_path):
    a = render.animate(runs, rosen, tmp_path / "a.png", size=200, resolution=60, panels=True,
                       theme="dark", lang="ru")
    w, h = gif_info(a)[1]
    assert w > h  # three panels side by side


def test_same_input_same_bytes(runs, rosen, tmp_path):
    kw = dict(fps=10, duration=0.5, size=160, resolution=40)
    a = render.animate(runs, rosen, tmp_path / "a.gif", **kw).read_bytes()
    b = render.animate(runs, rosen, tmp_path / "b.gif", **kw).read_bytes()
    assert a == b


@pytest.mark.parametrize("kw, word", [
    ({"fps": 0}, "fps"), ({"size": -5}, "size"), ({"duration": 0}, "duration"),
    ({"theme": "night"}, "theme"), ({"lang": "de"}, "language"),
])
def test_bad_options_name_the_argument(runs, rosen, tmp_path, kw, word):
    with pytest.raises(optbench.OptbenchError, match=word):
        render.animate(runs, rosen, tmp_path / "x.gif", **kw)
    assert not list(tmp_path.iterdir())


def test_unknown_format_is_refused(runs, rosen, tmp_path):
    with pytest.raises(optbench.OptbenchError, match=r"\.gif"):
        render.animate(runs, rosen, tmp_path / "x.avi")
