"""The race renderer: frames, size, loop flag, head positions, divergence notes, themes and
languages (pixels and labels read back), the convergence plot, CSV round trip."""

import dataclasses
import importlib.util
import re

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PIL import Image
from pixels import head_at, near, pixels

import optbench
from optbench import render
from optbench.render import TEXT, THEMES
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
    # 20 steps: the runs of the gallery's Rosenbrock race (and test_themes'), compiled once
    return optbench.race(rosen, STEPPERS, steps=20)


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


def box_rows_cols(fig, bbox, pad=2):
    """A display-space box as (row0, row1, col0, col1) of the picture, ``pad`` pixels wider."""
    height = fig.bbox.height
    return (
        int(height - bbox.y1) - pad,
        int(np.ceil(height - bbox.y0)) + pad,
        int(bbox.x0) - pad,
        int(np.ceil(bbox.x1)) + pad,
    )


def counters(scene, steps, ax=None):
    """The step counter's painter for each language (its box fits that language's widest
    text), in panel ``ax`` (the first by default)."""
    from optbench.render._animate import _Counter

    ax = scene.axes[0] if ax is None else ax
    return {
        lang: _Counter(scene.canvas, ax, scene.colours, f"{words['step']} {steps}")
        for lang, words in TEXT.items()
    }


def counter_boxes(scene, steps):
    """Every panel's counter box, in each language."""
    return [
        (c.row, c.row + c.h, c.col, c.col + c.w)
        for ax in scene.axes
        if ax.get_visible()
        for c in counters(scene, steps, ax).values()
    ]


def shows_counter(frame, scene, steps, lang, text):
    """Whether the frame's counter box holds exactly ``text`` as the counter paints it."""
    painted = frame.copy()
    counters(scene, steps)[lang].paint(painted, text)
    return np.array_equal(painted, frame)


def changed_only_inside(a, b, boxes):
    """Which of ``boxes`` hold pixels that differ between pictures ``a`` and ``b``; asserts no
    pixel outside them differs."""
    changed = (a != b).any(axis=-1)
    inside = np.zeros_like(changed)
    hit = []
    for r0, r1, c0, c1 in boxes:
        inside[max(r0, 0) : r1, max(c0, 0) : c1] = True
        hit.append(bool(changed[max(r0, 0) : r1, max(c0, 0) : c1].any()))
    assert not (changed & ~inside).any(), np.argwhere(changed & ~inside)[:5]
    return hit


def test_head_markers_sit_at_the_last_position(gif, runs, rosen):
    scene = build(runs, rosen, size=300, resolution=80)
    scene.canvas.draw()  # the layout is final once drawn, as in animate()
    frame = pixels(gif)
    ax = scene.axes[0]
    heads = [ax.transData.transform(t.params[-1]) for t in runs]
    checked = 0
    for i, (colour, t) in enumerate(zip(scene.path_colours, runs)):
        if any(np.hypot(*(heads[j] - heads[i])) < 12 for j in range(i + 1, len(runs))):
            continue  # drawn over by a later head (the legend is background: heads go over it)
        assert head_at(frame, scene.fig, ax, t.params[-1], colour), (t.label, colour)
        checked += 1
    assert checked == 2  # SGD's head lies under Adam's


def test_a_diverged_run_is_marked_where_it_left_the_view(tmp_path, monkeypatch):
    from optbench.render import _animate

    quad = optbench.surfaces.get("quadratic")
    runs = optbench.race(quad, ["sgd:lr=0.25", "sgd:lr=0.1"], steps=40)
    assert runs[0].diverged_at == 8 and runs[1].diverged_at is None  # |1.5^8| > 18: out of window
    kw = dict(size=200, resolution=60)
    path = render.animate(runs, quad, tmp_path / "div.gif", fps=10, duration=1.0, **kw)
    assert gif_info(path)[0] == 10
    scenes, original = [], _animate.build
    monkeypatch.setattr(
        _animate, "build", lambda *a, **k: scenes.append(original(*a, **k)) or scenes[-1]
    )
    pictures = {
        lang: pixels(render.animate(runs, quad, tmp_path / f"{lang}.png", lang=lang, **kw))
        for lang in ("en", "ru")
    }
    boxes = []
    for scene, lang in zip(scenes, pictures):
        (g,) = scene.moving
        notes = [note for _, _, note, _ in g.members]
        words = TEXT[lang]["diverged"].format(k=8)
        assert [n.get_text() for n in notes] == ["✕ " + words, ""]
        assert notes[0].get_color() == scene.path_colours[0]
        note = notes[0].get_window_extent(scene.canvas.get_renderer())
        assert g.ax.get_window_extent().contains(note.x0, note.y0)
        boxes.append(box_rows_cols(scene.fig, note))
    # en and ru differ in the two notes and the step counter, and nowhere else
    counter = counter_boxes(scenes[0], 40)
    assert any(changed_only_inside(pictures["en"], pictures["ru"], boxes + counter))
    # the notes are drawn: away from the counter, the languages differ inside each note's box
    changed = (pictures["en"] != pictures["ru"]).any(axis=-1)
    for r0, r1, c0, c1 in counter:
        changed[r0:r1, c0:c1] = False
    assert all(changed[r0:r1, c0:c1].any() for r0, r1, c0, c1 in boxes)


def test_the_convergence_plot_labels_marks_and_translates(tmp_path, monkeypatch):
    quad = optbench.surfaces.get("quadratic")
    runs = optbench.race(quad, ["sgd:lr=0.25", "sgd:lr=0.1"], steps=40)
    figures, savefig = [], Figure.savefig
    monkeypatch.setattr(
        Figure, "savefig", lambda fig, *a, **k: figures.append(fig) or savefig(fig, *a, **k)
    )
    png = render.convergence(runs, tmp_path / "conv.png", surface=quad, eta_max=0.2, lang="ru")
    (fig,) = figures
    assert [ax.get_ylabel() for ax in fig.axes] == [
        TEXT["ru"][k] for k in ("loss_gap", "distance", "grad")
    ]
    assert [ax.get_xlabel() for ax in fig.axes] == ["шаг"] * 3
    assert all(re.search("[а-я]", ax.get_ylabel()) for ax in fig.axes)  # Cyrillic
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == [f"{t.label}  (η_max = 2/λ_max = 0.2)" for t in runs]
    frame = pixels(png)
    colour = THEMES["light"]["paths"][0]
    for ax in fig.axes:  # the diverged run ends with a cross at step 8, in its colour
        crosses = [line for line in ax.get_lines() if line.get_marker() == "x"]
        assert len(crosses) == 1 and list(crosses[0].get_xdata()) == [8]
        assert crosses[0].get_color() == colour
        xy = (8, crosses[0].get_ydata()[0])
        assert near(frame, fig, ax, xy, colour)


def test_csv_round_trips_the_trajectories(runs, tmp_path):
    path = render.trajectories_csv(runs, tmp_path / "t.csv")
    back = render.read_trajectories_csv(path)
    assert list(back) == [t.label for t in runs]
    for t in runs:
        np.testing.assert_array_equal(back[t.label]["params"], t.params.astype(float))
        np.testing.assert_array_equal(back[t.label]["loss"], t.loss.astype(float))


def test_dark_russian_panels_draw_the_theme_the_heads_and_the_counter(runs, rosen, tmp_path):
    kw = dict(size="450x160", resolution=60, panels=True, theme="dark")
    ru = pixels(render.animate(runs, rosen, tmp_path / "ru.png", lang="ru", **kw))
    en = pixels(render.animate(runs, rosen, tmp_path / "en.png", lang="en", **kw))
    assert ru.shape == (160, 450, 3)  # exactly the size asked for: three panels side by side
    dark = THEMES["dark"]
    for corner in (ru[0, 0], ru[0, -1], ru[-1, 0], ru[-1, -1]):
        np.testing.assert_array_equal(corner, np.round(np.array(to_rgb(dark["bg"])) * 255))
    scene = build(runs, rosen, lang="ru", **kw)
    scene.canvas.draw()
    assert [ax.get_title() for ax in scene.axes] == [t.label for t in runs]
    assert scene.path_colours == list(dark["paths"][: len(runs)])
    cmap = matplotlib.colormaps[dark["cmap"]](np.linspace(0, 1, 256))[:, :3] * 255
    height = scene.fig.bbox.height
    for ax, colour, t in zip(scene.axes, scene.path_colours, runs):  # each head in its own panel
        assert head_at(ru, scene.fig, ax, t.params[-1], colour), (t.label, colour)
        # the surface is shaded in the theme's colour map (cividis), not left blank
        b = ax.get_window_extent()
        inside = ru[int(height - b.y1) + 2 : int(height - b.y0) - 2, int(b.x0) + 2 : int(b.x1) - 2]
        gap = np.abs(inside.reshape(-1, 1, 3) - cmap[None]).sum(axis=-1).min(axis=1)
        assert (gap <= 24).mean() > 0.5, t.label  # contour lines cover the rest
    # the counter reads "шаг 20" in Russian, "step 20" in English: the only thing that changes
    for ax in scene.axes:  # every panel has its own counter
        painter = counters(scene, 20, ax)
        for frame, lang, text in ((ru, "ru", "шаг 20"), (en, "en", "step 20")):
            painted = frame.copy()
            painter[lang].paint(painted, text)
            assert np.array_equal(painted, frame), (ax.get_title(), lang)
    assert not shows_counter(ru, scene, 20, "ru", "step 20")
    assert sum(changed_only_inside(en, ru, counter_boxes(scene, 20))) >= 3


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

    segs, heads = data(12)
    g.tails.set_segments(segs)
    g.heads[0][0].set_offsets(heads)
    replay = (_Replay(g.ax, g.tails), _Replay(g.ax, g.heads[0][0]))  # draws frame 12 and records it
    segs, heads = data(20)
    canvas.restore_region(background)
    replay[0].paths(segs)
    replay[1].offsets(heads)
    replayed = np.array(canvas.buffer_rgba())
    canvas.restore_region(background)
    g.tails.set_segments(segs)
    g.ax.draw_artist(g.tails)
    g.heads[0][0].set_offsets(heads)
    g.ax.draw_artist(g.heads[0][0])
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


@pytest.mark.skipif(
    importlib.util.find_spec("imageio_ffmpeg") is None,
    reason="imageio-ffmpeg is not installed (the video extra)",
)
def test_an_mp4_holds_every_frame_at_its_size(runs, rosen, tmp_path):
    import subprocess

    import imageio_ffmpeg

    path = render.animate(runs, rosen, tmp_path / "r.mp4", fps=10, duration=2, size=200)
    still = pixels(render.animate(runs, rosen, tmp_path / "r.png", size=200))
    assert imageio_ffmpeg.count_frames_and_secs(str(path)) == (20, 2.0)
    raw = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo"]
        + ["-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, 200, 200, 3)
    assert len(frames) == 20
    # the last frame is the still, up to H.264's loss
    assert np.abs(frames[-1].astype(int) - still).mean() < 4


def test_a_slide_size_is_exact_and_no_text_of_one_panel_overlaps_another(runs, rosen, tmp_path):
    from optbench.render._animate import grid_of

    six = [*runs, *(dataclasses.replace(t, label=f"{t.label} again") for t in runs)]
    path = render.animate(
        six, rosen, tmp_path / "slide.png", size="1280x720", panels=True, title="Six", resolution=40
    )
    assert pixels(path).shape == (720, 1280, 3)
    scene = build(six, rosen, size=(1280, 720), panels=True, title="Six", resolution=40)
    scene.canvas.draw()
    renderer = scene.canvas.get_renderer()
    assert sum(ax.get_visible() for ax in scene.axes) == 6 and len(scene.axes) == 6  # 3 x 2
    boxes = [(-1, scene.fig._suptitle.get_window_extent(renderer))]
    for i, ax in enumerate(scene.axes):
        texts = [ax.title, ax.xaxis.label, ax.yaxis.label]
        texts += [t for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
        boxes += [(i, t.get_window_extent(renderer)) for t in texts]
    for a, (i, box) in enumerate(boxes):
        for j, other in boxes[a + 1 :]:
            if i != j:  # text of one panel (or the title) against another's
                assert not box.overlaps(other), (i, j)
    # the grid follows the picture's shape: a tall picture stacks the panels
    assert grid_of(6, 720, 1280) == (2, 3) and grid_of(3, 1280, 400) == (3, 1)
