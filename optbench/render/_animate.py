"""The race animation: a static background drawn once, only the moving paths redrawn per frame.

Following matplotlib's animation design, the contour, minima, start, legend and titles are drawn
once into a cached background; every frame restores it, draws each path's fading tail and head
(``draw_artist``), and grabs the RGB buffer. The legend is part of that background, so paths pass
over it; its corner is chosen so that it covers neither the start nor a minimum (and as few path
points as it can). A diverged path ends at its mark (a cross, from its divergence step on) with a
note beside it; the notes are placed so that they never overlap each other, the legend, the step
counter, the start or the minima, and shrink or wrap to fit a small panel. The frames are then
encoded against one shared palette (:mod:`optbench.render._gif`). This module never imports JAX:
trajectories arrive as NumPy, and the contour values come from ``surface.grid()``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
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

from optbench._errors import OptbenchError, unknown
from optbench._io import check_path
from optbench._progress import Progress
from optbench.render._gif import stream_gif, write_mp4, write_png
from optbench.render._state import STRIP_LEAST, state_frames
from optbench.render._style import (
    FORMATS,
    MIN_SIZE,
    check_positive,
    check_size,
    check_trajectories,
    colour_map,
    contour_values,
    localize,
    mark_style,
    path_style,
    style,
)
from optbench.render._surface3d import surface_frames

TAIL_BANDS = 5
VIEWS = ("2d", "3d", "both")


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


def draw_background(
    ax, surface, resolution: int, colours: dict, words: dict, start: Any = None
) -> None:
    """The surface's contour, its minima and the ``start`` (when given) on ``ax``, in the theme:
    what every contour view draws once."""
    xs, ys, z = surface.grid(resolution)
    if not np.isfinite(z).any():
        lo, hi = surface.bounds[:, 0], surface.bounds[:, 1]
        window = " x ".join(f"[{a:g}, {b:g}]" for a, b in zip(lo, hi))
        raise OptbenchError(
            f"surface {surface.name!r} has no finite value in its window {window}: there is "
            "nothing to draw (its NaN and inf regions are left blank where some values are finite)."
        )
    values, levels, _ = contour_values(z, surface.min_value)
    ax.contourf(xs, ys, values, levels=levels, cmap=colour_map(colours), extend="both")
    ax.contour(xs, ys, values, levels=levels[::2], colors=colours["contour"], linewidths=0.5)
    if len(surface.minima):
        m = surface.minima
        ax.plot(m[:, 0], m[:, 1], zorder=3, **mark_style(colours, "minimum"))
    if start is not None:
        ax.plot(*start, zorder=3, **mark_style(colours, "start"))
    b = surface.bounds
    ax.set_xlim(*b[0])
    ax.set_ylim(*b[1])
    text = 10 * colours["text"]
    ax.set_xlabel(words["x"], color=colours["fg"], fontsize=text)
    ax.set_ylabel(words["y"], color=colours["fg"], fontsize=text)
    ax.tick_params(colors=colours["fg"], labelsize=8 * colours["text"])
    for spine in ax.spines.values():
        spine.set_color(colours["fg"])


class _Counter:
    """The step counter, typeset with Pillow into a fixed box (matplotlib text costs ~1 ms a
    frame)."""

    def __init__(
        self, canvas: FigureCanvasAgg, ax, colours: dict, widest: str, at_top: bool = False
    ):
        path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
        self.font = ImageFont.truetype(path, round(14 * colours["text"]))
        _, _, right, bottom = self.font.getbbox(widest)
        self.pad = 4
        self.w, self.h = right + 2 * self.pad, bottom + 2 * self.pad
        height = canvas.figure.bbox.height
        x0, y0, x1, y1 = ax.get_window_extent().extents
        self.col = int(x1) - self.w - 4
        # the lower right corner of the axes; the upper right one (``at_top``) for a 3-D view,
        # whose axes' box holds its tick labels along the bottom
        self.row = int(round(height - y1)) + 4 if at_top else int(round(height - y0)) - self.h - 4
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


def _legend_label(t: Any, show_formula: bool, lang: str = "en") -> str:
    label = localize(t.label, lang)
    if show_formula and getattr(t, "formula", ""):
        label += f"\n${t.formula}$"
    return label


def grid_of(n: int, width: int, height: int) -> tuple[int, int]:
    """``(columns, rows)`` for ``n`` panels in a ``width`` x ``height`` picture: the grid whose
    panels come closest to square (a wide slide gets more columns)."""
    best = None
    for cols in range(1, n + 1):
        rows = -(-n // cols)
        cell = min(width / cols, height / rows)  # the largest square panel that fits
        key = (-cell, rows * cols - n)
        if best is None or key < best[0]:
            best = (key, cols, rows)
    return best[1], best[2]


def build(
    trajectories: Sequence[Any],
    surface: Any,
    *,
    size: Any = 600,
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
    width, height = check_size(size)
    cols, rows = grid_of(n, width, height) if panels else (1, 1)
    # exactly width x height pixels, whatever the panels
    fig = Figure(figsize=(width / 100, height / 100), dpi=100, facecolor=colours["bg"])
    canvas = FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    # margins and gaps fixed in inches (room for the tick labels, axis labels and each panel's
    # title), so that no text box overlaps another at any size; the panels take the rest
    w, h = width / 100, height / 100
    scale = colours["text"]  # larger type takes larger margins
    left, right, bottom = 0.55 * scale, 0.12, 0.45 * scale
    top = (0.5 * scale if title else 0.1) + (0.25 * scale if panels else 0)
    gap_w, gap_h = 0.7 * scale, 0.9 * scale
    axis_w = (w - left - right - (cols - 1) * gap_w) / cols
    axis_h = (h - top - bottom - (rows - 1) * gap_h) / rows
    if min(axis_w, axis_h) < 0.5:
        need_w = round(100 * (left + right + cols * 0.5 + (cols - 1) * gap_w))
        need_h = round(100 * (top + bottom + rows * 0.5 + (rows - 1) * gap_h))
        raise OptbenchError(
            f"`size` ({width}x{height}) leaves {cols} x {rows} panels under 50 pixels a side "
            f"after their labels: give at least {need_w}x{need_h} pixels."
        )
    fig.subplots_adjust(
        left=left / w,
        right=1 - right / w,
        bottom=bottom / h,
        top=1 - top / h,
        wspace=gap_w / axis_w,
        hspace=gap_h / axis_h,
    )
    start = paths[0][0]
    for ax in axes[n if panels else 1 :]:
        ax.set_visible(False)
    for ax in axes[: n if panels else 1]:
        draw_background(ax, surface, resolution, colours, words, start)
    if title:
        fig.suptitle(title, color=colours["fg"], fontsize=12 * colours["text"])

    b = surface.bounds
    span = b[:, 1] - b[:, 0]
    lo, hi = b[:, 0] - 10 * span, b[:, 1] + 10 * span  # keep far-away points finite for Agg
    looks = [path_style(colours, i) for i in range(n)]
    path_colours = [c for c, _, _ in looks]
    # One tail collection and one head scatter per panel (one a path where the theme marks each
    # path with its own marker): a few artist draws a frame, whatever the number of paths. Each
    # tail is TAIL_BANDS polylines of rising opacity (the fading tail), in its path's dash.
    one_marker = len(set(colours["markers"])) == 1
    groups = {}
    for i, t in enumerate(trajectories):
        ax = axes[i] if panels else axes[0]
        if id(ax) not in groups:
            tails = LineCollection(
                [], linewidths=colours["lw"], animated=True, zorder=4, capstyle="round"
            )
            ax.add_collection(tails)
            groups[id(ax)] = SimpleNamespace(
                ax=ax,
                tails=tails,
                heads=[],
                members=[],
                dashes=[],
                replay=None,
                marks=[],
                true_paths=[],
            )
        g = groups[id(ax)]
        if not g.heads or not one_marker:  # (scatter, the members it draws)
            heads = ax.scatter(
                [],
                [],
                s=70 * colours["text"] ** 2,
                marker=looks[i][2],
                edgecolors=colours["bg"],
                linewidths=1.2,
                animated=True,
                zorder=5,
            )
            g.heads.append((heads, []))
        g.heads[-1][1].append(len(g.members))
        note = ax.text(
            0,
            0,
            "",
            color=path_colours[i],
            fontsize=8 * colours["text"],
            animated=True,
            zorder=6,
            ha="left",
            va="bottom",
            clip_on=True,
        )
        shown_path, mark = _cut_at_mark(paths[i], t, b, lo, hi)
        if mark is not None:
            mark.artist = ax.plot(
                *mark.at,
                ls="none",
                marker="x",
                ms=9,
                mew=2.2,
                color=path_colours[i],
                animated=True,
                zorder=6,
                clip_on=False,  # whole, also where the path left the view at its edge
            )[0]
            mark.note = note
        g.members.append((shown_path, path_colours[i], note, t))
        g.dashes.append(looks[i][1])
        g.marks.append(mark)
        g.true_paths.append(np.clip(paths[i], lo, hi))
        if panels:
            ax.set_title(
                _legend_label(t, show_formula, lang),
                color=colours["fg"],
                fontsize=9 * colours["text"],
            )
    moving = list(groups.values())
    for g in moving:
        band_rgba = [
            to_rgba(c, alpha)
            for _, c, _, _ in g.members
            for alpha in np.linspace(0.2, 1.0, TAIL_BANDS)
        ]
        g.tails.set_color(band_rgba)
        g.tails.set_linestyles([dash for dash in g.dashes for _ in range(TAIL_BANDS)])
        for heads, members in g.heads:
            heads.set_facecolors([to_rgba(g.members[m][1]) for m in members])
    if not panels:
        handles = [
            Line2D(
                [], [], color=c, ls=dash, lw=colours["lw"] * 1.25, marker=m, ms=6 * colours["text"]
            )
            for c, dash, m in looks
        ]
        labels = [_legend_label(t, show_formula, lang) for t in trajectories]
        # part of the cached background (drawn once, under the moving paths): its corner is
        # chosen to keep the start, the minima and the step counter clear
        leg = _place_legend(
            axes[0],
            canvas.get_renderer(),
            dict(
                handles=handles,
                labels=labels,
                fontsize=8 * colours["text"],
                framealpha=0.85,
                facecolor=colours["bg"],
                labelcolor=colours["fg"],
            ),
            _keep_clear(axes[0], surface, start),
            [_counter_box(canvas, axes[0], colours, words, trajectories)],
            [m[0] for g in groups.values() for m in g.members],
        )
    else:
        leg = None
    _place_notes(canvas, axes, moving, surface, start, words, colours, trajectories, leg)
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


# -- where a diverged path ends, and where its note and the legend go ------------------------------
def _clip_segment(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float | None:
    """The largest s in [0, 1] with a + s (b - a) inside the box [lo, hi], None when the segment
    misses the box (Liang and Barsky's clipping)."""
    s0, s1 = 0.0, 1.0
    d = b - a
    for i in range(len(a)):
        if d[i] == 0:
            if a[i] < lo[i] or a[i] > hi[i]:
                return None
            continue
        u, v = (lo[i] - a[i]) / d[i], (hi[i] - a[i]) / d[i]
        s0, s1 = max(s0, min(u, v)), min(s1, max(u, v))
        if s0 > s1:
            return None
    return s1


def _view_end(p: np.ndarray, upto: int, lo: np.ndarray, hi: np.ndarray) -> tuple[int, np.ndarray]:
    """``(j, m)``: where the polyline ``p[:upto + 1]`` leaves the view [lo, hi] for good.

    ``m = p[upto]`` and ``j = upto`` when that point is in view. Otherwise ``p[j - 1]`` is the last
    point in view and ``m`` the point where the segment ``p[j - 1] -> p[j]`` leaves it: the runaway
    swings after it (each from outside the view to outside, through it) are not drawn."""
    inside = np.all((p[: upto + 1] >= lo) & (p[: upto + 1] <= hi), axis=1)
    if inside[upto]:
        return upto, p[upto].copy()
    seen = np.flatnonzero(inside)
    if len(seen) == 0:  # never in view (a start outside it)
        return upto, np.clip(p[upto], lo, hi)
    j = int(seen[-1]) + 1
    s = _clip_segment(p[j - 1], p[j], lo, hi)
    return j, p[j - 1] + s * (p[j] - p[j - 1])


def _cut_at_mark(p: np.ndarray, t: Any, b: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """The path as drawn, and its mark (None for a run that did not diverge).

    A diverged run is marked at its last good iterate (where the runner froze it)
    or, when that lies outside the view, where the path left the view for good: on the step out
    of the last iterate it showed in the view. The drawn path ends there; its head, out of view
    until then, is replaced by the mark at step ``diverged_at``."""
    div = getattr(t, "diverged_at", None)
    if div is None:
        return np.clip(p, lo, hi), None
    div = min(int(div), len(p) - 1)
    j, m = _view_end(p, div, b[:, 0], b[:, 1])
    q = np.clip(p, lo, hi)
    q[j:] = m
    return q, SimpleNamespace(step=div, at=m, kind=getattr(t, "diverged_kind", None))


def _box(bbox: Any, pad: float = 0.0) -> tuple[float, float, float, float]:
    return (bbox.x0 - pad, bbox.y0 - pad, bbox.x1 + pad, bbox.y1 + pad)


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _keep_clear(ax, surface: Any, start: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Display boxes around the start marker and the minimum markers in view."""
    lo, hi = surface.bounds[:, 0], surface.bounds[:, 1]
    out = []
    for xy, r in [(start, 6.0)] + [(m, 9.0) for m in np.asarray(surface.minima)]:
        if np.all((xy >= lo) & (xy <= hi)):
            x, y = ax.transData.transform(np.asarray(xy, dtype=float))
            out.append((x - r, y - r, x + r, y + r))
    return out


def _counter_box(canvas, ax, colours: dict, words: dict, trajectories) -> tuple:
    """The step counter's box in display coordinates (see :class:`_Counter`)."""
    steps = min(len(t.loss) for t in trajectories) - 1
    c = _Counter(canvas, ax, colours, f"{words['step']} {steps}")
    height = canvas.figure.bbox.height
    return (c.col, height - c.row - c.h, c.col + c.w, height - c.row)


LEGEND_PLACES = (
    "upper left",
    "upper right",
    "lower left",
    "lower right",
    "center left",
    "center right",
    "upper center",
    "lower center",
    "center",
)


def _place_legend(ax, renderer, kw: dict, clear: list, avoid: list, paths: list):
    """The legend at the first of :data:`LEGEND_PLACES` that covers none of ``clear`` (the start
    and minima) and ``avoid`` (the counter), preferring fewer covered path points; measured in
    display coordinates. A legend too big to fit anywhere is tried in smaller type (down to 6 pt)
    before the place covering the fewest of them is taken."""
    pts = np.concatenate([ax.transData.transform(p) for p in paths]) if paths else np.zeros((0, 2))
    best = None
    for size in (kw.get("fontsize", 8), 7, 6):
        for i, loc in enumerate(LEGEND_PLACES):
            leg = ax.legend(loc=loc, **{**kw, "fontsize": size})
            box = _box(leg.get_window_extent(renderer))
            bad = sum(_overlap(box, c) for c in clear + avoid)
            inside = (pts[:, 0] >= box[0]) & (pts[:, 0] <= box[2])
            covered = int(np.sum(inside & (pts[:, 1] >= box[1]) & (pts[:, 1] <= box[3])))
            score = (bad, covered, i)
            if best is None or score < best[0]:
                best = (score, loc, size)
        if best[0][0] == 0:
            break
    return ax.legend(loc=best[1], **{**kw, "fontsize": best[2]})


def _fit_note(note, renderer, width: float, sizes=(8, 7, 6, 5)) -> tuple[float, float]:
    """Shrink the note (through ``sizes`` points) and, if still needed, wrap it onto two lines
    until it is at most ``width`` pixels wide; its (width, height) in pixels."""
    text = note.get_text().replace("\n", " ")
    words_ = text.split(" ")
    cut = len(words_) // 2
    wrapped = " ".join(words_[:cut]) + "\n" + " ".join(words_[cut:]) if cut else text
    for candidate in (text, wrapped):
        note.set_text(candidate)
        for size in sizes:
            note.set_fontsize(size)
            e = note.get_window_extent(renderer)
            if e.width <= width:
                return e.width, e.height
    return e.width, e.height


def _place_notes(canvas, axes, moving, surface, start, words, colours, trajectories, leg) -> None:
    """Write each diverged run's note and place it once, inside its panel, beside its mark where
    it can (display coordinates; searched over positions ever farther from the mark).

    A note never overlaps another note; it also keeps clear of the step counter, the marks, the
    legend, the start and the minima wherever the panel leaves room (set in smaller type, down
    to 5 pt, before it gives that up), then of the counter alone."""
    renderer = canvas.get_renderer()
    for g in moving:
        ax = g.ax
        a = _box(ax.get_window_extent(renderer))
        notes: list = []  # the notes placed so far: never overlapped
        hard = [_counter_box(canvas, ax, colours, words, trajectories)]  # every panel has one
        soft = _keep_clear(ax, surface, start)
        if ax is axes[0] and leg is not None:
            soft.append(_box(leg.get_window_extent(renderer), 2))
        marks = [m for m in g.marks if m is not None]
        at = {id(m): ax.transData.transform(m.at) for m in marks}
        soft += [(x - 6, y - 6, x + 6, y + 6) for x, y in at.values()]
        for m in sorted(marks, key=lambda m: m.step):
            m.note.set_text("✕ " + words["diverged"].format(k=m.step))
            choice = None
            sizes = (8, 7, 6, 5)
            tiers = ((sizes, notes + hard + soft), (sizes, notes + hard), ((5,), notes))
            for fit, avoid in tiers:
                w, h = _fit_note(m.note, renderer, a[2] - a[0] - 4, fit)
                choice = _free_spot(a, at[id(m)], w, h, avoid)
                if choice is not None:
                    break
            if choice is None:  # a panel too full for another note: beside its mark regardless
                x, y = at[id(m)]
                choice = (min(max(x + 7, a[0] + 2), a[2] - 2 - w), min(y + 7, a[3] - 2 - h))
            notes.append((choice[0], choice[1], choice[0] + w, choice[1] + h))
            # the text's anchor is its lower left corner (ha="left", va="bottom")
            m.note.set_position(ax.transData.inverted().transform((choice[0], choice[1])))


def _free_spot(a: tuple, xy: np.ndarray, w: float, h: float, taken: list) -> tuple | None:
    """The lower left corner of a free ``w`` x ``h`` box inside axes box ``a``: one of the four
    beside point ``xy``, else the nearest free one on a grid over the axes; None if none is."""
    x, y = xy
    x_lo, x_hi = a[0] + 2, max(a[0] + 2, a[2] - 2 - w)
    y_lo, y_hi = a[1] + 2, max(a[1] + 2, a[3] - 2 - h)
    near = [(x + 7, y + 7), (x + 7, y - 7 - h), (x - 7 - w, y + 7), (x - 7 - w, y - 7 - h)]
    grid = sorted(
        (
            (c, r)
            for r in np.arange(y_lo, y_hi + 1, max(h / 2, 1.0))
            for c in np.linspace(x_lo, x_hi, 9)
        ),
        key=lambda cr: np.hypot(cr[0] + w / 2 - x, cr[1] + h / 2 - y),
    )
    for cx, cy in near + grid:
        cx, cy = min(max(cx, x_lo), x_hi), min(max(cy, y_lo), y_hi)
        if not any(_overlap((cx, cy, cx + w, cy + h), o) for o in taken):
            return cx, cy
    return None


def animate(
    trajectories: Sequence[Any],
    surface: Any,
    path: str | Path,
    *,
    fps: float = 25.0,
    duration: float | None = None,
    size: Any = 600,
    theme: str = "light",
    lang: str = "en",
    title: str | None = None,
    panels: bool = False,
    show_formula: bool = False,
    tail: int = 40,
    resolution: int = 200,
    progress: bool | None = None,
    view: str = "2d",
    rotate: float = 0.0,
    log_height: bool = False,
    show_state: bool = False,
    dpi: float | None = None,
) -> Path:
    """Animate trajectories on a 2-D surface; write ``path`` (.gif, .mp4 or .png) and return it.

    Args:
      trajectories: :class:`optbench.Trajectory` objects (2-D parameters), e.g. from
        ``optbench.race``.
      surface: the :class:`~optbench.surfaces.Surface` they ran on.
      path: the output file; its suffix picks the format (``.png`` writes the last frame).
      fps, duration: frames per second and length in seconds; frames are evenly decimated steps.
        With no duration, every step is a frame up to 8 seconds' worth.
      size: the picture's pixels, exactly: ``N`` (N x N), ``(W, H)`` or ``"WxH"``
        (``"1280x720"`` for a 16:9 slide), panels included.
      theme, lang: ``"light"``, ``"dark"``, ``"print"`` or ``"projector"``, and ``"en"``/``"ru"``.
      title: a title over the picture.
      panels: one panel per trajectory, all on the same contour, each with its own step counter;
        the grid is the one whose panels come closest to square.
      show_formula: put each stepper's update rule in the legend.
      tail: how many past frames each path's fading tail shows.
      resolution: grid points per side of the contour.
      progress: a progress line on stderr, frames drawn and the time left (default: when stderr
        is a terminal).
      view: ``"2d"`` (the contour), ``"3d"`` (the surface, shaded, with its contour projected
        below and the paths riding on it; :mod:`optbench.render._surface3d`) or ``"both"`` side
        by side.
      rotate: degrees the 3-D camera turns over the animation (0: still, which lets every frame
        reuse the drawn surface).
      log_height: draw the 3-D height as log10 of the value above the minimum (for valleys such
        as Rosenbrock's, whose floor a linear height flattens).
      dpi: a PNG still's print resolution, stamped in the file (its pixels are ``size``'s: at
        300 dpi a 2400x1600 still prints 8 x 5.3 inches); not for GIF or MP4.
      show_state: draw each stepper's own state under the picture, a third of its height, up to
        the frame's step (runs recorded with ``record_state=True``; see
        :func:`optbench.render.state_plot` for what is drawn).
    """
    style(theme, lang)
    if dpi is not None:
        check_positive("dpi", dpi)
    if view not in VIEWS:
        raise unknown("view", view, VIEWS)
    if view != "2d" and panels:
        raise OptbenchError(f"`panels` draws the contour view; `view` (={view!r}) must be '2d'.")
    if (
        isinstance(rotate, (bool, np.bool_))
        or not isinstance(rotate, (int, float, np.integer, np.floating))
        or not np.isfinite(rotate)
    ):
        raise OptbenchError(f"`rotate` (={rotate!r}) must be a finite number of degrees.")
    check_positive("fps", fps)
    check_size(size)
    if duration is not None:
        check_positive("duration", duration)
    path = check_path(path, tuple(f".{f}" for f in FORMATS))
    fmt = path.suffix.lstrip(".").lower()
    if dpi is not None and fmt != "png":
        raise OptbenchError(f"`dpi` (={dpi!r}) stamps a PNG still; {path.name} is a {fmt}.")
    trajectories = check_trajectories(trajectories, "animate")
    steps = min(len(t.loss) for t in trajectories) - 1
    n_frames = round(duration * fps) if duration is not None else min(steps + 1, round(8 * fps))
    shown = frame_steps(steps, n_frames) if fmt != "png" else np.array([steps])

    width, height = check_size(size)
    look = dict(theme=theme, lang=lang, title=title, resolution=resolution)
    strip = None
    if show_state:  # the state's quantities in a strip under the picture, a third of its height
        strip_h = max(STRIP_LEAST, height // 3)
        if height - strip_h < MIN_SIZE:
            raise OptbenchError(
                f"`size` ({width}x{height}) leaves no room for the state under the picture: give "
                f"at least {MIN_SIZE + STRIP_LEAST} pixels of height."
            )
        strip = state_frames(trajectories, shown, size=(width, strip_h), theme=theme, lang=lang)
        height -= strip_h
    run = (trajectories, surface, shown, fmt, tail)
    contour = functools.partial(contour_frames, *run, show_formula=show_formula, **look)
    shaded = functools.partial(surface_frames, *run, rotate=rotate, log_height=log_height, **look)
    if view == "2d":
        draw = contour(size=(width, height), panels=panels)
    elif view == "3d":
        draw = shaded(size=(width, height))
    else:  # contour and surface side by side, each half of the picture, the title over the left
        left = contour(size=(width // 2, height), panels=False)
        right = shaded(size=(width - width // 2, height), title=None)

        def draw(j: int) -> np.ndarray:
            return np.concatenate([left(j), right(j)], axis=1)

    if strip is not None:
        picture = draw

        def draw(j: int) -> np.ndarray:  # the picture above, the state under it
            return np.concatenate([picture(j), strip(j)], axis=0)

    with Progress(len(shown), "frames", path.name, show=progress) as bar:

        def counted(j: int) -> np.ndarray:  # frames drawn, in whatever order (palette first)
            frame = draw(j)
            bar.update(bar.done + 1)
            return frame

        if fmt != "gif":
            frames = [counted(j)[..., :3].copy() for j in range(len(shown))]
            return (
                write_mp4(path, frames, fps) if fmt == "mp4" else write_png(path, frames[-1], dpi)
            )
        return stream_gif(path, len(shown), counted, fps)


def contour_frames(
    trajectories: Sequence[Any],
    surface: Any,
    shown: np.ndarray,
    fmt: str,
    tail: int,
    **kw: Any,
) -> Callable[[int], np.ndarray]:
    """``draw(j)``: frame ``j`` of the contour view (RGBA, the canvas's own buffer), showing step
    ``shown[j]``; ``kw`` as :func:`build` takes them."""
    steps = int(shown[-1])
    scene = build(trajectories, surface, **kw)
    canvas, axes, moving, words, b = (
        scene.canvas,
        scene.axes,
        scene.moving,
        scene.words,
        scene.bounds,
    )
    span = b[:, 1] - b[:, 0]
    hidden = b[:, 0] - 5 * span  # a head after its mark: off the axes, so clipped away
    canvas.draw()
    background = canvas.copy_from_bbox(scene.fig.bbox)
    widest = f"{words['step']} {steps}"
    counters = [_Counter(canvas, ax, scene.colours, widest) for ax in axes if ax.get_visible()]

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
            heads = np.array(
                [
                    hidden if mark is not None and k >= mark.step else p[k]
                    for p, mark in zip(g.true_paths, g.marks)
                ]
            )
            if g.replay is None:  # the first frame: drawn by matplotlib, and recorded
                g.tails.set_segments(segments)
                for scatter, members in g.heads:
                    scatter.set_offsets(heads[members])
                g.replay = [_Replay(g.ax, g.tails)] + [_Replay(g.ax, h) for h, _ in g.heads]
            else:
                g.replay[0].paths(segments)
                for replay, (_, members) in zip(g.replay[1:], g.heads):
                    replay.offsets(heads[members])
            for mark in g.marks:
                if mark is None or k < mark.step:
                    continue
                g.ax.draw_artist(mark.artist)  # the cross where the path ends
                g.ax.draw_artist(mark.note)  # placed once by build(): notes never overlap
        # RGBA as the canvas holds it, not copied: the next frame is drawn into the same buffer;
        # the GIF writer copies it and reads it as one uint32 a pixel
        frame = np.asarray(canvas.buffer_rgba())
        for counter in counters:  # one a panel
            counter.paint(frame, f"{words['step']} {k}")
        return frame

    return draw
