"""The race animation: a static background drawn once, only the moving paths redrawn per frame.

Following matplotlib's animation design, the contour, minima, start, legend and titles are drawn
once into a cached background; every frame restores it, draws each path's fading tail and head
(``draw_artist``), and grabs the RGB buffer. The frames are then encoded against one shared palette
(:mod:`optbench.render._gif`). This module never imports JAX: trajectories arrive as NumPy, and the
contour values come from ``surface.grid()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath
from PIL import Image, ImageDraw, ImageFont

from optbench._errors import OptbenchError
from optbench.render._gif import stream_gif, write_mp4, write_png
from optbench.render._style import FORMATS, check_positive, contour_values, style

TAIL_BANDS = 5


def frame_steps(steps: int, n_frames: int) -> np.ndarray:
    """The step shown in each frame: ``n_frames`` evenly spaced steps from 0 to ``steps``."""
    n = max(1, min(int(n_frames), steps + 1))
    return np.unique(np.linspace(0, steps, n).round().astype(int))


def _paths(trajectories: Sequence[Any]) -> list[np.ndarray]:
    paths = []
    for t in trajectories:
        p = np.asarray(t.params, dtype=float)
        if p.ndim != 2 or p.shape[1] != 2:
            raise OptbenchError(
                f"trajectory {t.label!r} is not 2-D: only 2-D surfaces can be animated."
            )
        paths.append(p)
    return paths


def _draw_background(ax, surface, resolution: int, colours: dict, words: dict, start) -> None:
    xs, ys, z = surface.grid(resolution)
    values, levels, _ = contour_values(z, surface.min_value)
    ax.contourf(xs, ys, values, levels=levels, cmap=colours["cmap"], extend="both")
    ax.contour(xs, ys, values, levels=levels[::2], colors=colours["contour"], linewidths=0.5)
    if len(surface.minima):
        m = surface.minima
        ax.plot(
            m[:, 0],
            m[:, 1],
            "*",
            ms=13,
            color=colours["minimum"],
            mec=colours["bg"],
            mew=0.8,
            zorder=3,
        )
    ax.plot(*start, "s", ms=7, color=colours["start"], mec=colours["bg"], mew=0.8, zorder=3)
    b = surface.bounds
    ax.set_xlim(*b[0])
    ax.set_ylim(*b[1])
    ax.set_xlabel(words["x"], color=colours["fg"])
    ax.set_ylabel(words["y"], color=colours["fg"])
    ax.tick_params(colors=colours["fg"], labelsize=8)
    for spine in ax.spines.values():
        spine.set_color(colours["fg"])


class _Counter:
    """The step counter, typeset with Pillow into a fixed box (matplotlib text costs ~1 ms a
    frame)."""

    def __init__(self, canvas: FigureCanvasAgg, ax, colours: dict, widest: str):
        path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
        self.font = ImageFont.truetype(path, 14)
        left, top, right, bottom = self.font.getbbox(widest)
        self.pad = 4
        self.w, self.h = right + 2 * self.pad, bottom + 2 * self.pad
        height = canvas.figure.bbox.height
        x0, y0, x1, y1 = ax.get_window_extent().extents
        self.col = int(x1) - self.w - 4
        self.row = int(round(height - y0)) - self.h - 4
        self.bg, self.fg = colours["bg"], colours["fg"]

    def paint(self, frame: np.ndarray, text: str) -> None:
        patch = Image.new("RGB", (self.w, self.h), self.bg)
        draw = ImageDraw.Draw(patch)
        width = draw.textlength(text, font=self.font)
        draw.text((self.w - self.pad - width, self.pad), text, font=self.font, fill=self.fg)
        frame[self.row : self.row + self.h, self.col : self.col + self.w, :3] = np.asarray(patch)


class _Replay:
    """A collection's draw, recorded from matplotlib once, then replayed with new paths or offsets.

    ``Collection.draw`` spends about 1 ms a frame in Python (transforms, colours, checks) around
    one call of the Agg renderer: ``draw_path_collection``, or ``draw_markers`` for a single
    marker. The axes never move during an animation, so after the first frame only the tails'
    paths and the heads' offsets change; they go straight to the renderer with the other
    arguments matplotlib computed, and the pixels are the same.
    """

    _CALLS = ("draw_path_collection", "draw_markers")

    def __init__(self, ax, artist):
        renderer = ax.get_figure(root=True).canvas.get_renderer()
        self.renderer, self.call = renderer, None
        saved = {name: getattr(renderer, name) for name in self._CALLS}

        def recorder(name):
            def record(*args, **kwargs):
                self.call = (name, args, kwargs)  # the last call is the drawing one
                return saved[name](*args, **kwargs)

            return record

        for name in self._CALLS:
            setattr(renderer, name, recorder(name))
        try:
            ax.draw_artist(artist)
        finally:
            for name in self._CALLS:
                setattr(renderer, name, saved[name])
        # Path() decides once whether Agg may simplify a path (128 vertices or more)
        self.short, self.long = MplPath(np.zeros((2, 2))), MplPath(np.zeros((128, 2)))

    def paths(self, segments: list[np.ndarray]) -> None:
        """Draw the recorded line collection with these polylines (data coordinates)."""
        name, args, kwargs = self.call
        fast = getattr(MplPath, "_fast_from_codes_and_verts", None)  # skips Path()'s checks
        paths = [
            fast(s, None, internals_from=self.long if len(s) >= 128 else self.short)
            if fast
            else MplPath(s)
            for s in segments
        ]
        getattr(self.renderer, name)(*args[:2], paths, *args[3:], **kwargs)

    def offsets(self, xy: np.ndarray) -> None:
        """Draw the recorded markers at these points (data coordinates)."""
        name, args, kwargs = self.call
        if name == "draw_markers":
            getattr(self.renderer, name)(*args[:3], MplPath(xy), *args[4:], **kwargs)
        else:
            getattr(self.renderer, name)(*args[:4], xy, *args[5:], **kwargs)


def _legend_label(t: Any, show_formula: bool) -> str:
    label = t.label
    if show_formula and getattr(t, "formula", ""):
        label += f"\n${t.formula}$"
    return label


def build(
    trajectories: Sequence[Any],
    surface: Any,
    *,
    size: int = 600,
    theme: str = "light",
    lang: str = "en",
    title: str | None = None,
    panels: bool = False,
    show_formula: bool = False,
    resolution: int = 200,
) -> SimpleNamespace:
    """The figure with its static background drawn and its moving artists made (not yet drawn).

    Returned as a namespace
    ``(fig, canvas, axes, moving, colours, words, bounds, path_colours)``; tests use it to map
    data coordinates to pixels exactly as :func:`animate` does.
    """
    colours, words = style(theme, lang)
    paths = _paths(trajectories)
    n = len(paths)
    cols = min(n, 3) if panels else 1
    rows = -(-n // cols) if panels else 1
    panel = size / 100 * (0.75 if panels else 1.0)
    fig = Figure(
        figsize=(panel * cols, panel * rows + (0.35 if title else 0)),
        dpi=100,
        facecolor=colours["bg"],
    )
    canvas = FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    # fixed margins (in inches) rather than a layout engine: same layout at any size, no warnings
    w, h = fig.get_size_inches()
    fig.subplots_adjust(
        left=0.55 / w,
        right=1 - 0.12 / w,
        bottom=0.45 / h,
        top=1 - (0.5 if title else 0.1) / h - (0.25 / h if panels else 0),
        wspace=0.7 / panel,
        hspace=0.9 / panel,
    )
    start = paths[0][0]
    for ax in axes[n if panels else 1 :]:
        ax.set_visible(False)
    for ax in axes[: n if panels else 1]:
        _draw_background(ax, surface, resolution, colours, words, start)
    if title:
        fig.suptitle(title, color=colours["fg"], fontsize=12)

    b = surface.bounds
    span = b[:, 1] - b[:, 0]
    lo, hi = b[:, 0] - 10 * span, b[:, 1] + 10 * span  # keep far-away points finite for Agg
    path_colours = [colours["paths"][i % len(colours["paths"])] for i in range(n)]
    # One tail collection and one head scatter per panel: two artist draws a frame, whatever the
    # number of paths. Each tail is TAIL_BANDS polylines of rising opacity (the fading tail).
    groups = {}
    for i, t in enumerate(trajectories):
        ax = axes[i] if panels else axes[0]
        if id(ax) not in groups:
            tails = LineCollection([], linewidths=2.0, animated=True, zorder=4, capstyle="round")
            heads = ax.scatter(
                [], [], s=70, edgecolors=colours["bg"], linewidths=1.2, animated=True, zorder=5
            )
            ax.add_collection(tails)
            groups[id(ax)] = SimpleNamespace(
                ax=ax, tails=tails, heads=heads, members=[], replay=None
            )
        note = ax.text(
            0,
            0,
            "",
            color=path_colours[i],
            fontsize=8,
            animated=True,
            zorder=6,
            ha="left",
            va="bottom",
            clip_on=True,
        )
        groups[id(ax)].members.append((np.clip(paths[i], lo, hi), path_colours[i], note, t))
        if panels:
            ax.set_title(_legend_label(t, show_formula), color=colours["fg"], fontsize=9)
    moving = list(groups.values())
    for g in moving:
        band_rgba = [
            to_rgba(c, alpha)
            for _, c, _, _ in g.members
            for alpha in np.linspace(0.2, 1.0, TAIL_BANDS)
        ]
        g.tails.set_color(band_rgba)
        g.heads.set_facecolors([to_rgba(c) for _, c, _, _ in g.members])
    if not panels:
        handles = [Line2D([], [], color=c, lw=2.5, marker="o", ms=6) for c in path_colours]
        labels = [_legend_label(t, show_formula) for t in trajectories]
        leg = axes[0].legend(
            handles,
            labels,
            loc="upper left",
            fontsize=8,
            framealpha=0.85,
            facecolor=colours["bg"],
            labelcolor=colours["fg"],
        )
        leg.set_zorder(7)
    return SimpleNamespace(
        fig=fig,
        canvas=canvas,
        axes=axes,
        moving=moving,
        colours=colours,
        words=words,
        bounds=b,
        path_colours=path_colours,
    )


def animate(
    trajectories: Sequence[Any],
    surface: Any,
    path: str | Path,
    *,
    fps: float = 25.0,
    duration: float | None = None,
    size: int = 600,
    theme: str = "light",
    lang: str = "en",
    title: str | None = None,
    panels: bool = False,
    show_formula: bool = False,
    tail: int = 40,
    resolution: int = 200,
) -> Path:
    """Animate trajectories on a 2-D surface; write ``path`` (.gif, .mp4 or .png) and return it.

    Args:
      trajectories: :class:`optbench.Trajectory` objects (2-D parameters), e.g. from
        ``optbench.race``.
      surface: the :class:`~optbench.surfaces.Surface` they ran on.
      path: the output file; its suffix picks the format (``.png`` writes the last frame).
      fps, duration: frames per second and length in seconds; frames are evenly decimated steps.
        With no duration, every step is a frame up to 8 seconds' worth.
      size: the side of each panel in pixels.
      theme, lang: ``"light"``/``"dark"`` and ``"en"``/``"ru"``.
      title: a title over the picture.
      panels: one panel per trajectory, all on the same contour.
      show_formula: put each stepper's update rule in the legend.
      tail: how many past frames each path's fading tail shows.
    """
    style(theme, lang)
    check_positive("fps", fps)
    check_positive("size", size, integer=True)
    if duration is not None:
        check_positive("duration", duration)
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise OptbenchError(f"`path` (={str(path)!r}) must end in one of .{', .'.join(FORMATS)}.")
    if not trajectories:
        raise OptbenchError("`trajectories` is empty; give at least one trajectory to animate.")
    steps = min(len(t.loss) for t in trajectories) - 1
    n_frames = round(duration * fps) if duration is not None else min(steps + 1, round(8 * fps))
    shown = frame_steps(steps, n_frames) if fmt != "png" else np.array([steps])

    scene = build(
        trajectories,
        surface,
        size=size,
        theme=theme,
        lang=lang,
        title=title,
        panels=panels,
        show_formula=show_formula,
        resolution=resolution,
    )
    canvas, axes, moving, words, b = (
        scene.canvas,
        scene.axes,
        scene.moving,
        scene.words,
        scene.bounds,
    )
    span = b[:, 1] - b[:, 0]
    canvas.draw()
    background = canvas.copy_from_bbox(scene.fig.bbox)
    counter = _Counter(canvas, axes[0], scene.colours, f"{words['step']} {steps}")

    def draw(j: int) -> np.ndarray:
        """Frame j: the background restored, each path's tail and head drawn, as RGBA."""
        k = shown[j]
        canvas.restore_region(background)
        first = 0 if fmt == "png" else shown[max(0, j - tail)]
        cuts = np.linspace(first, k, TAIL_BANDS + 1).round().astype(int)
        for g in moving:
            segments = [
                p[lo_i : max(hi_i, lo_i + 1) + 1]
                for p, _, _, _ in g.members
                for lo_i, hi_i in zip(cuts[:-1], cuts[1:])
            ]
            heads = np.array([p[k] for p, _, _, _ in g.members])
            if g.replay is None:  # the first frame: drawn by matplotlib, and recorded
                g.tails.set_segments(segments)
                g.heads.set_offsets(heads)
                g.replay = (_Replay(g.ax, g.tails), _Replay(g.ax, g.heads))
            else:
                g.replay[0].paths(segments)
                g.replay[1].offsets(heads)
            for p, _, note, t in g.members:
                if t.diverged_at is None or k < t.diverged_at:
                    continue
                # label the last point of the path that is still in view
                seen = p[: t.diverged_at + 1]
                inside = np.all((seen >= b[:, 0]) & (seen <= b[:, 1]), axis=1)
                last = int(np.flatnonzero(inside)[-1]) if inside.any() else 0
                x, y = np.clip(p[last], b[:, 0] + 0.02 * span, b[:, 1] - 0.45 * span)
                note.set_position((x, y))
                note.set_text("✕ " + words["diverged"].format(k=t.diverged_at))
                g.ax.draw_artist(note)
        # RGBA as the canvas holds it, not copied: the next frame is drawn into the same buffer;
        # the GIF writer copies it and reads it as one uint32 a pixel
        frame = np.asarray(canvas.buffer_rgba())
        counter.paint(frame, f"{words['step']} {k}")
        return frame

    if fmt != "gif":
        frames = [draw(j)[..., :3].copy() for j in range(len(shown))]
        return write_mp4(path, frames, fps) if fmt == "mp4" else write_png(path, frames[-1])
    return stream_gif(path, len(shown), draw, fps)
