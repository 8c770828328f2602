"""The numbers behind the network pictures, and the pictures' writers."""

import sys
from pathlib import Path

import jax
import numpy as np
import pytest
from optbench.networks import _pictures, _plots
from PIL import Image

from optbench import networks as N
from optbench import render
from optbench._errors import OptbenchError


def test_plotting_module_does_not_import_jax():
    source = Path(_plots.__file__).read_text(encoding="utf-8")
    assert "import jax" not in source and "from jax" not in source


def test_gif_round_trips_exactly_with_one_palette(tmp_path):
    sys.path.insert(0, str(Path(__file__).parent))
    from test_cli_train import _gif_tables

    rng = np.random.default_rng(0)
    frames = [(rng.integers(0, 255, (30, 40, 3)) // 64 * 64).astype(np.uint8) for _ in range(4)]
    path = render.write_gif(
        tmp_path / "f.gif", frames, fps=10
    )  # 64 colours: quantization is lossless
    assert _gif_tables(path.read_bytes()) == (True, [False] * 4)
    with Image.open(path) as im:
        for i, frame in enumerate(frames):
            im.seek(i)
            np.testing.assert_array_equal(np.asarray(im.convert("RGB")), frame)
    assert [p.name for p in tmp_path.iterdir()] == ["f.gif"]  # no temporary file left behind


def test_landscape_slice_is_the_pca_plane_of_the_trajectory():
    p = N.problem("mlp:3:tanh", "xor:n=20")
    rng = np.random.default_rng(0)
    template = p.initial(None, 0)
    flat0, unravel = jax.flatten_util.ravel_pytree(template)
    flat0 = np.asarray(flat0)
    d = flat0.size
    # a synthetic path: mostly along u, a little along v, tiny noise; final point flat0
    u, v = np.eye(d)[0], np.eye(d)[1]
    s = np.linspace(1, 0, 30)
    path = (
        flat0
        + np.outer(3 * s, u)
        + np.outer(0.5 * np.sin(6 * s), v)
        + 1e-4 * rng.standard_normal((30, d)) * s[:, None]
    ).astype(np.float32)
    path[-1] = flat0
    stacked = jax.tree.map(lambda *xs: np.stack(xs), *[unravel(x) for x in path])
    out = _pictures.landscape_slice(p, stacked, resolution=9)
    centred = path.astype(np.float64) - path[-1]
    _, sv, vt = np.linalg.svd(centred - centred.mean(0), full_matrices=False)
    np.testing.assert_allclose(out["explained"], sv[:2] ** 2 / np.sum(sv**2), rtol=1e-5)
    assert out["explained"].sum() > 0.999  # the path lies in the (u, v) plane
    np.testing.assert_allclose(np.abs(out["path"]), np.abs(centred @ vt[:2].T), atol=1e-4)
    # the plane is span(u, v): projecting back reproduces the path
    np.testing.assert_allclose(out["path"] @ vt[:2], centred, atol=2e-3)
    assert out["loss"].shape == (9, 9)
    # the grid's centre is the final point
    np.testing.assert_allclose(out["loss"][4, 4], jax.jit(p.value)(unravel(path[-1])), rtol=1e-5)


def test_zero_initialization_keeps_hidden_units_identical(tmp_path):
    # the gallery's quick scene 12 (the same study, compiled once for both)
    study = _pictures.zero_init_study("xor", hidden=4, steps=40, lr=1.0)
    zeros, normal = study["zeros"], study["normal"]
    assert zeros.shape == (41, 4) and np.ptp(zeros[:, 0]) > 0  # the units move, all alike
    np.testing.assert_array_equal(zeros, np.repeat(zeros[:, :1], 4, axis=1))
    assert np.min(np.ptp(normal[1:], axis=1)) > 1e-3  # random starts stay distinct
    out = _plots.zero_init_png(tmp_path / "z.png", study["steps"], zeros, normal, lang="ru")
    with Image.open(out) as im:
        assert im.size == (900, 360)


def test_theme_and_language_are_checked(tmp_path):
    with pytest.raises(OptbenchError, match="unknown theme 'drak'; did you mean 'dark'"):
        _plots.curves_png(tmp_path / "c.png", {"train_loss": np.ones(3)}, theme="drak")
    with pytest.raises(OptbenchError, match="unknown language 'de'"):
        _plots.curves_png(tmp_path / "c.png", {"train_loss": np.ones(3)}, lang="de")
    assert not (tmp_path / "c.png").exists()
