"""The 3-D view: exact sizes, a path's head where its last point projects, heights that ride on the
drawn surface, log heights, the camera's turn, and bad input in one sentence."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from mpl_toolkits.mplot3d import proj3d
from PIL import Image

import optbench
from optbench import OptbenchError, render
from optbench.render._surface3d import LIFT, build3d, heights, on_grid


@pytest.fixture(scope="module")
def saddle_runs():
    saddle = optbench.surfaces.get("saddle")
    # 20 steps: the runs of the gallery's saddle scenes (5 and 17), compiled once
    runs = optbench.race(saddle, ["sgd:lr=0.02", "adam:lr=0.05"], 20, start=(-1.0, 0.2))
    return saddle, runs


def frame_of(path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB")).astype(int)


def test_grid_heights_are_bilinear_and_log_heights_are_decades_above_the_floor():
    xs, ys = np.linspace(-1, 1, 5), np.linspace(0, 2, 9)
    X, Y = np.meshgrid(xs, ys)
    plane = 3 * X - 2 * Y + 1  # bilinear interpolation reproduces a plane exactly
    pts = np.array([[0.1, 0.3], [-0.95, 1.77], [1.0, 2.0], [5.0, -3.0]])
    want = 3 * np.clip(pts[:, 0], -1, 1) - 2 * np.clip(pts[:, 1], 0, 2) + 1
    np.testing.assert_allclose(on_grid(xs, ys, plane, pts), want, atol=1e-12)
    z = np.array([[1.0, 2.0], [11.0, 1001.0]])
    zz, low = heights(z, log_height=True)
    assert low == 1.0
    np.testing.assert_allclose(zz, [[0.0, 0.0], [1.0, 3.0]])  # 0 clipped to 1000 / 10**3


def test_3d_and_both_are_exactly_the_size_and_the_head_is_where_its_point_projects(
    saddle_runs, tmp_path
):
    saddle, runs = saddle_runs
    still = render.animate(runs, saddle, tmp_path / "s.png", view="3d", size="480x360")
    frame = frame_of(still)
    assert frame.shape == (360, 480, 3)
    both = render.animate(runs, saddle, tmp_path / "b.png", view="both", size=(801, 300))
    assert frame_of(both).shape == (300, 801, 3)
    scene = build3d(runs, saddle, size=(480, 360))
    scene.canvas.draw()
    ax = scene.ax
    for t, path, colour in zip(runs, scene.paths, scene.colours["paths"]):
        x, y, z = path[-1]
        # the head rides on the drawn surface: its height is the grid's, lifted
        span = np.ptp(heights(saddle.grid(160)[2], False)[0])
        xs, ys, zz = saddle.grid(160)
        expected = on_grid(xs, ys, zz, np.asarray(t.params[-1:], float))[0] + LIFT * span
        assert z == pytest.approx(expected, rel=1e-9)
        px, py, _ = proj3d.proj_transform(x, y, z, ax.get_proj())
        col, row = ax.transData.transform((px, py))
        r, c = int(round(360 - row)), int(round(col))
        patch = frame[r - 1 : r + 2, c - 1 : c + 2].reshape(-1, 3)
        target = np.round(np.array(to_rgb(colour)) * 255)
        assert np.abs(patch - target).sum(axis=1).min() <= 12, (t.label, patch, target)


def test_a_turning_camera_changes_the_background_and_a_still_one_keeps_it(saddle_runs, tmp_path):
    saddle, runs = saddle_runs
    kw = dict(fps=4, duration=1, size=240, view="3d", resolution=40)
    still = render.animate(runs, saddle, tmp_path / "still.gif", **kw)
    turned = render.animate(runs, saddle, tmp_path / "turn.gif", rotate=90, **kw)

    def first_and_last(path):
        with Image.open(path) as im:
            im.seek(0)
            a = np.asarray(im.convert("RGB")).astype(int)
            im.seek(im.n_frames - 1)
            return a, np.asarray(im.convert("RGB")).astype(int)

    a, b = first_and_last(still)
    c, d = first_and_last(turned)
    # a still camera: only the paths and the counter change; a turning one moves the surface
    assert (a != b).any(axis=-1).mean() < 0.05
    assert (c != d).any(axis=-1).mean() > 0.2


def test_bad_views_are_one_sentence(saddle_runs, tmp_path):
    saddle, runs = saddle_runs
    with pytest.raises(OptbenchError, match=r"unknown view '3D'; did you mean '3d'\?"):
        render.animate(runs, saddle, tmp_path / "x.png", view="3D")
    with pytest.raises(OptbenchError, match=r"`panels` draws the contour view"):
        render.animate(runs, saddle, tmp_path / "x.png", view="both", panels=True)
    with pytest.raises(OptbenchError, match=r"`rotate` \(=nan\) must be a finite number"):
        render.animate(runs, saddle, tmp_path / "x.png", view="3d", rotate=float("nan"))
    assert not (tmp_path / "x.png").exists()
