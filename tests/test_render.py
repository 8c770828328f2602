"""The race renderer: frames, size, loop flag, head positions, divergence, CSV round trip."""

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

import optbench
from optbench import render
from optbench.render._animate import build
from optbench.render._gif import gif_delay_ms


def gif_info(path):
    with Image.open(path) as im:
        return im.n_frames, im.size, dict(im.info)


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
        patch = frame[row - 1 : row + 2, col - 1 : col + 2].reshape(-1, 3)
        want = np.array(to_rgb(colour)) * 255
        assert np.min(np.abs(patch - want).sum(axis=1)) < 40, (t.label, patch, want)
        checked += 1
    assert checked >= 2


def test_a_diverged_run_renders_and_is_marked(tmp_path):
    quad = optbench.surfaces.get("quadratic")
    runs = optbench.race(quad, ["sgd:lr=0.25", "sgd:lr=0.1"], steps=40)
    assert runs[0].diverged_at is not None and runs[1].diverged_at is None
    path = render.animate(
        runs, quad, tmp_path / "div.gif", fps=10, duration=1.0, size=200, resolution=60
    )
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
    a = render.animate(
        runs,
        rosen,
        tmp_path / "a.png",
        size=200,
        resolution=60,
        panels=True,
        theme="dark",
        lang="ru",
    )
    w, h = gif_info(a)[1]
    assert w > h  # three panels side by side


def test_same_input_same_bytes(runs, rosen, tmp_path):
    kw = dict(fps=10, duration=0.5, size=160, resolution=40)
    a = render.animate(runs, rosen, tmp_path / "a.gif", **kw).read_bytes()
    b = render.animate(runs, rosen, tmp_path / "b.gif", **kw).read_bytes()
    assert a == b


@pytest.mark.parametrize(
    "kw, word",
    [
        ({"fps": 0}, "fps"),
        ({"size": -5}, "size"),
        ({"duration": 0}, "duration"),
        ({"theme": "night"}, "theme"),
        ({"lang": "de"}, "language"),
    ],
)
def test_bad_options_name_the_argument(runs, rosen, tmp_path, kw, word):
    with pytest.raises(optbench.OptbenchError, match=word):
        render.animate(runs, rosen, tmp_path / "x.gif", **kw)
    assert not list(tmp_path.iterdir())


def test_unknown_format_is_refused(runs, rosen, tmp_path):
    with pytest.raises(optbench.OptbenchError, match=r"\.gif"):
        render.animate(runs, rosen, tmp_path / "x.avi")


def test_replayed_draws_equal_matplotlibs_own(runs, rosen):
    from optbench.render._animate import _Replay

    scene = build(runs, rosen, size=200, resolution=40)
    canvas, g = scene.canvas, scene.moving[0]
    canvas.draw()
    background = canvas.copy_from_bbox(scene.fig.bbox)
    paths = [p for p, _, _, _ in g.members]

    def data(k):  # five tail pieces a path, as the renderer cuts them, and the heads
        return [
            p[max(0, k - 10 + 2 * i) : k - 8 + 2 * i + 1] for p in paths for i in range(5)
        ], np.array([p[k] for p in paths])

    segs, heads = data(20)
    g.tails.set_segments(segs)
    g.heads.set_offsets(heads)
    replay = (_Replay(g.ax, g.tails), _Replay(g.ax, g.heads))  # draws frame 20 and records it
    segs, heads = data(50)
    canvas.restore_region(background)
    replay[0].paths(segs)
    replay[1].offsets(heads)
    replayed = np.array(canvas.buffer_rgba())
    canvas.restore_region(background)
    g.tails.set_segments(segs)
    g.ax.draw_artist(g.tails)
    g.heads.set_offsets(heads)
    g.ax.draw_artist(g.heads)
    drawn = np.array(canvas.buffer_rgba())
    np.testing.assert_array_equal(replayed, drawn)
    canvas.restore_region(background)
    assert (replayed != np.asarray(canvas.buffer_rgba())).any()  # the paths were drawn


def test_streamed_frames_are_copied_so_the_caller_can_redraw_one_buffer(tmp_path):
    from optbench.render._gif import GifStream, palette_frames, write_gif

    frames = []
    for k in range(20):  # a square moving over a gradient: more frames than the ring holds
        f = np.zeros((30, 40, 4), np.uint8)
        f[..., 0] = np.arange(40) * 6
        f[..., 3] = 255
        f[5:12, k : k + 7, :3] = (250, 200, 0)
        frames.append(f)
    a = write_gif(tmp_path / "a.gif", frames, fps=10).read_bytes()
    buffer = np.empty_like(frames[0])
    with GifStream([frames[i] for i in palette_frames(len(frames))], 10) as gif:
        for f in frames:
            buffer[...] = f  # drawn into the same array every frame
            gif.add(buffer)
        b = gif.write(tmp_path / "b.gif").read_bytes()
    assert a == b
    with Image.open(tmp_path / "b.gif") as im:
        im.seek(13)
        last = np.asarray(im.convert("RGB"))
    assert (np.abs(last[8, 13:20].astype(int) - (250, 200, 0)) < 12).all()
    assert (np.abs(last[8, 21:].astype(int) - frames[13][8, 21:, :3]) < 12).all()
    with GifStream(frames[:1], 10) as gif, pytest.raises(optbench.OptbenchError, match="shape"):
        gif.add(frames[0])
        gif.add(frames[0][:, :20].copy())
