"""The whole gallery renders in quick mode, from the command line, into a temporary folder."""

import pytest
from PIL import Image

from optbench import gallery
from optbench.cli import main

EXPECTED = [
    "activations",
    "lr_1d",
    "ill_conditioned",
    "valley_momentum",
    "saddle",
    "rosenbrock_race",
    "batch_vs_stochastic",
    "ewa",
    "adam_bias_correction",
    "rprop",
    "logreg_vs_mlp",
    "zero_init",
    "overfitting",
    "lr_sensitivity",
    "himmelblau_basins",
]


def test_every_lecture_scene_is_declared_in_order():
    scenes = gallery.scenes()
    assert [s.name for s in scenes] == EXPECTED
    assert [s.number for s in scenes] == list(range(1, 16))
    for s in scenes:
        assert s.title and s.caption and s.reproduce.strip()


# three groups of about equal cost, so parallel workers share the rendering
GROUPS = [
    EXPECTED[0:5] + ["rprop", "ewa"],
    ["rosenbrock_race", "batch_vs_stochastic", "adam_bias_correction", "logreg_vs_mlp"],
    ["zero_init", "overfitting", "lr_sensitivity", "himmelblau_basins"],
]


def test_the_groups_cover_every_scene_once():
    assert sorted(sum(GROUPS, [])) == sorted(EXPECTED)


@pytest.mark.parametrize("group", range(len(GROUPS)))
def test_quick_gallery_renders_every_scene(group, tmp_path, capsys):
    names = GROUPS[group]
    assert main(["gallery", "--quick", "--only", *names, "-o", str(tmp_path)]) == 0
    pictures = sorted(p for p in tmp_path.iterdir() if p.suffix in (".gif", ".png"))
    assert len(pictures) >= len(names)
    for p in pictures:
        with Image.open(p) as im:
            assert im.size[0] > 100
        assert p.stat().st_size <= 1_000_000
    for scene in gallery.select(names):  # every scene's pictures are where its name says
        assert any(p.name.startswith(scene.name) for p in pictures), scene.name


def test_a_full_build_writes_the_readme_with_every_picture(tmp_path, monkeypatch):
    # the pictures themselves are rendered above; here each scene writes a small one
    import dataclasses
    import types

    def small_picture(scene):
        def render(out, quick):
            path = out / f"{scene.name}.png"
            Image.new("RGB", (120, 80)).save(path)
            return [path]

        return types.SimpleNamespace(render=render)

    scenes = [dataclasses.replace(s, module=small_picture(s)) for s in gallery.scenes()]
    monkeypatch.setattr(gallery, "scenes", lambda: scenes)
    written = gallery.build(tmp_path, quick=True, log=lambda *a: None)
    readme = (tmp_path / "README.md").read_text()
    assert written[-1] == tmp_path / "README.md"
    for s in scenes:
        assert f"]({s.name}.png)" in readme and s.title in readme
        assert s.reproduce.strip().splitlines()[0] in readme


def test_only_and_unknown_scene(tmp_path, capsys):
    assert main(["gallery", "--only", "ewa", "--quick", "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ewa.png"]
    assert main(["gallery", "--only", "eva", "-o", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'ewa'" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("scene", ["lr_1d"])
def test_lr_1d_scene_uses_lecun_limits(scene):
    from optbench.analysis import lr_limits

    lim = lr_limits("quadratic:dim=1,kappa=1,scale=2")
    assert lim.eta_opt == pytest.approx(0.5) and lim.eta_max == pytest.approx(1.0)
