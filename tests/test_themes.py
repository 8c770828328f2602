"""Themes: CIEDE2000 against Sharma et al.'s test data, every theme's palette distinguishable and
visible on its contours, and what each theme draws read back from the picture and the figure."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

import optbench
from optbench import render
from optbench.render._animate import build
from optbench.render._colour import DISTINCT, ciede2000, delta_e00
from optbench.render._style import THEMES, colour_map


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # pairs 1, 17, 18, 19 and 20 of Sharma, Wu & Dalal (2005), Table 1
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
        ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
        ((50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
    ],
)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert delta_e00(lab1, lab2) == pytest.approx(expected, abs=5e-5)
    assert delta_e00(lab2, lab1) == pytest.approx(expected, abs=5e-5)  # symmetric


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_two_path_colours_differ_and_each_shows_on_the_contours(theme):
    t = THEMES[theme]
    worst = min(ciede2000(a, b) for a, b in itertools.combinations(t["paths"], 2))
    assert worst >= DISTINCT, (theme, worst)
    shades = colour_map(t)(np.linspace(0, 1, 64))[:, :3]
    for colour in t["paths"]:
        assert ciede2000(colour, t["bg"]) >= DISTINCT, colour  # on the ground around the plot
        # against at least 80% of the contour's shades (the light theme's black path meets its
        # match only in the darkest valley, the dark theme's yellow at the top of cividis)
        seen = np.mean([ciede2000(colour, s) >= 10 for s in shades])
        assert seen >= 0.8, (theme, colour, seen)


@pytest.fixture(scope="module")
def runs():
    # 20 steps: the runs of the gallery's Rosenbrock race (and test_divergence's), compiled once
    return optbench.race("rosenbrock", ["sgd:lr=0.001", "momentum:lr=0.001", "adam:lr=0.05"], 20)


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_the_ground_is_the_themes_and_print_tells_paths_apart_without_colour(theme, runs, tmp_path):
    rosen = optbench.surfaces.get("rosenbrock")
    path = render.animate(runs, rosen, tmp_path / "t.png", size=240, theme=theme, resolution=30)
    with Image.open(path) as im:
        frame = np.asarray(im.convert("RGB"))
    ground = np.round(np.array(to_rgb(THEMES[theme]["bg"])) * 255)
    for corner in (frame[0, 0], frame[-1, 0], frame[-1, -1]):
        np.testing.assert_array_equal(corner, ground)
    scene = build(runs, rosen, size=240, theme=theme, resolution=30)
    (group,) = scene.moving
    styles = {str(ls) for ls in group.tails.get_linestyles()}
    markers = [scatter.get_paths()[0].vertices.round(2).tobytes() for scatter, _ in group.heads]
    if theme == "print":  # three paths: three dashes and three head markers
        assert len(styles) == 3 and len(set(markers)) == 3
    elif theme == "projector":  # solid, thick, large type
        assert len(styles) == 1 and group.tails.get_linewidths()[0] == 4.0
        assert scene.axes[0].xaxis.get_ticklabels()[0].get_fontsize() == 12.0
    else:
        assert len(styles) == 1 and len(markers) == 1  # one scatter draws every head


def test_a_png_still_carries_its_print_resolution_and_a_gif_refuses_one(runs, tmp_path):
    rosen = optbench.surfaces.get("rosenbrock")
    path = render.animate(runs, rosen, tmp_path / "s.png", size="900x600", dpi=300, resolution=30)
    with Image.open(path) as im:  # 900 x 600 pixels, 3 x 2 inches at 300 dpi
        assert im.size == (900, 600) and np.allclose(im.info["dpi"], (300, 300), atol=1e-2)
    with pytest.raises(optbench.OptbenchError, match=r"`dpi` \(=300\) stamps a PNG still"):
        render.animate(runs, rosen, tmp_path / "s.gif", dpi=300)
