"""The 3-D view of a race: the surface shaded once, the paths riding on it.

The surface (``plot_surface`` in the theme's colour map) and its contour, projected onto a floor
below it, are drawn once with the minima, the start, the legend and the title: the static
background. Every frame restores that background and draws only each path's tail and head, as 3-D
lines projected by the axes (``draw_artist``), then the step counter. With ``rotate`` the camera
turns a little every frame, so the background is drawn afresh for each.

A path's height is the drawn surface's own height under it (bilinear in the grid), lifted by 1% of
the height range, so it is never hidden behind the surface it runs on; the start and the minima
are drawn after the surface for the same reason. ``log_height`` draws log10 of the value above the
lowest one, over at most :data:`DECADES` powers of ten (Rosenbrock's curved floor, which a linear
height flattens). A diverged path ends where
it leaves the window for good, with a cross, and its legend entry says at which step. This
module never imports JAX: the heights come from ``surface.grid()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from optbench.render._style import colour_map, localize, mark_style, path_style, style

LIFT = 0.01  # paths ride this share of the height range above the surface
FLOOR = 0.25  # the projected contour lies this share of the height range below the surface
ELEVATION, AZIMUTH = 32.0, -60.0  # the camera (degrees)
DECADES = 3  # a log height spans at most this many powers of ten


def heights(z: np.ndarray, log_height: bool) -> tuple[np.ndarray, float]:
    """``(Z, low)``: the drawn heights of the grid values ``z`` and the lowest finite value."""
    z = np.where(np.isfinite(z), z, np.nan)
    low = float(np.nanmin(z))
    if not log_height:
        return z, low
    gap = z - low
    top = float(np.nanmax(gap))
    # at most DECADES below the top: a narrow valley floor then stays a floor, not a trench
    tiny = top * 10.0**-DECADES if top > 0 else 1.0
    return np.log10(np.maximum(gap, tiny)), low


def on_grid(xs: np.ndarray, ys: np.ndarray, zz: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of the grid heights ``zz[i, j]`` (at ``xs[j], ys[i]``) at
    ``points`` ``(n, 2)``, clipped to the grid."""
    x = np.clip(points[:, 0], xs[0], xs[-1])
    y = np.clip(points[:, 1], ys[0], ys[-1])
    fx = (x - xs[0]) / (xs[-1] - xs[0]) * (len(xs) - 1)
    fy = (y - ys[0]) / (ys[-1] - ys[0]) * (len(ys) - 1)
    j = np.minimum(fx.astype(int), len(xs) - 2)
    i = np.minimum(fy.astype(int), len(ys) - 2)
    u, v = fx - j, fy - i
    return (
        zz[i, j] * (1 - u) * (1 - v)
        + zz[i, j + 1] * u * (1 - v)
        + zz[i + 1, j] * (1 - u) * v
        + zz[i + 1, j + 1] * u * v
    )


def drawn_path(t: Any, bounds: np.ndarray) -> tuple[np.ndarray, int | None]:
    """The path as drawn, ``(steps + 1, 2)``, and the step of its cross (None: no cross): a
    diverged path stops at the last point it showed in the window before it left for good."""
    p = np.asarray(t.params, dtype=float)
    div = getattr(t, "diverged_at", None)
    p = np.clip(np.where(np.isfinite(p), p, bounds[:, 1]), bounds[:, 0], bounds[:, 1])
    if div is None:
        return p, None
    raw = np.asarray(t.params, dtype=float)[: int(div) + 1]
    inside = np.all((raw >= bounds[:, 0]) & (raw <= bounds[:, 1]), axis=1)
    last = int(np.flatnonzero(inside)[-1]) if inside.any() else 0
    p[last:] = p[last]
    return p, int(div)


def build3d(
    trajectories: Sequence[Any],
    surface: Any,
    *,
    size: tuple[int, int],
    theme: str = "light",
    lang: str = "en",
    title: str | None = None,
    resolution: int = 200,
    log_height: bool = False,
) -> Any:
    """The 3-D figure with its background drawn and its moving artists made; a namespace
    ``(fig, canvas, ax, paths, tails, heads, crosses, colours, words)``."""
    from types import SimpleNamespace

    colours, words = style(theme, lang)
    width, height = size
    fig = Figure(figsize=(width / 100, height / 100), dpi=100, facecolor=colours["bg"])
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot(projection="3d", computed_zorder=False)
    ax.set_facecolor(colours["bg"])
    fig.subplots_adjust(left=0, right=1, bottom=0, top=0.93 if title else 1.0)
    xs, ys, z = surface.grid(min(resolution, 160))  # a 3-D mesh needs fewer points
    zz, low = heights(z, log_height)
    top, bottom = float(np.nanmax(zz)), float(np.nanmin(zz))
    span = max(top - bottom, 1e-12)
    floor = bottom - FLOOR * span
    X, Y = np.meshgrid(xs, ys)
    ax.plot_surface(
        X,
        Y,
        np.where(np.isnan(zz), top, zz),
        cmap=colour_map(colours),
        rcount=80,
        ccount=80,
        linewidth=0,
        antialiased=False,
        alpha=0.9,
        zorder=1,
    )
    levels = np.linspace(bottom, top, 16)[1:-1]
    ax.contour(
        X,
        Y,
        zz,
        levels=levels,
        zdir="z",
        offset=floor,
        colors=colours["contour"],
        linewidths=0.6,
        zorder=0,
    )
    b = surface.bounds
    lift = LIFT * span

    def up(points: np.ndarray) -> np.ndarray:
        return on_grid(xs, ys, zz, points) + lift

    if len(surface.minima):
        m = np.asarray(surface.minima, dtype=float)
        ax.plot(m[:, 0], m[:, 1], up(m), zorder=5, **mark_style(colours, "minimum"))
    paths, crosses = [], []
    for t in trajectories:
        p, cross = drawn_path(t, b)
        paths.append(np.column_stack([p, up(p)]))
        crosses.append(cross)
    start = paths[0][0]
    ax.plot(*start[:, None], zorder=5, **mark_style(colours, "start"))
    ax.set_xlim(*b[0])
    ax.set_ylim(*b[1])
    ax.set_zlim(floor, top + 2 * lift)
    ax.view_init(elev=ELEVATION, azim=AZIMUTH)
    ax.set_xlabel(words["x"], color=colours["fg"])
    ax.set_ylabel(words["y"], color=colours["fg"])
    label = words["loss"] + (
        f" ({words['log10']}, {words['minimum']} {low:.3g})" if log_height else ""
    )
    ax.set_zlabel(label, color=colours["fg"])
    ax.tick_params(colors=colours["fg"], labelsize=7 * colours["text"])
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_pane_color((0, 0, 0, 0))
    tails, heads, marks, handles, labels = [], [], [], [], []
    for i, t in enumerate(trajectories):
        colour, dash, marker = path_style(colours, i)
        tails.append(
            ax.plot([], [], [], ls=dash, color=colour, lw=colours["lw"], animated=True, zorder=6)[0]
        )
        heads.append(
            ax.plot(
                [],
                [],
                [],
                marker,
                color=colour,
                ms=8 * colours["text"],
                mec=colours["bg"],
                animated=True,
                zorder=7,
            )[0]
        )
        marks.append(
            ax.plot([], [], [], "x", color=colour, ms=9, mew=2.2, animated=True, zorder=7)[0]
        )
        handles.append(Line2D([], [], color=colour, ls=dash, lw=colours["lw"], marker=marker))
        note = "" if crosses[i] is None else ", " + words["diverged"].format(k=crosses[i])
        labels.append(localize(t.label, lang) + note)
    fig.legend(
        handles,
        labels,
        loc="upper left",
        fontsize=8 * colours["text"],
        facecolor=colours["bg"],
        labelcolor=colours["fg"],
        framealpha=0.85,
    )
    if title:
        fig.suptitle(title, color=colours["fg"], fontsize=12 * colours["text"])
    return SimpleNamespace(
        fig=fig,
        canvas=canvas,
        ax=ax,
        paths=paths,
        tails=tails,
        heads=heads,
        marks=marks,
        crosses=crosses,
        colours=colours,
        words=words,
    )


def surface_frames(
    trajectories: Sequence[Any],
    surface: Any,
    shown: np.ndarray,
    fmt: str,
    tail: int,
    *,
    size: tuple[int, int],
    rotate: float = 0.0,
    log_height: bool = False,
    **kw: Any,
) -> Callable[[int], np.ndarray]:
    """``draw(j)``: frame ``j`` of the 3-D view (RGBA, the canvas's own buffer) at step
    ``shown[j]``; the camera turns ``rotate`` degrees from the first frame to the last."""
    from optbench.render._animate import _Counter

    scene = build3d(trajectories, surface, size=size, log_height=log_height, **kw)
    canvas, ax, words = scene.canvas, scene.ax, scene.words
    canvas.draw()
    background = canvas.copy_from_bbox(scene.fig.bbox)
    widest = f"{words['step']} {int(shown[-1])}"
    counter = _Counter(canvas, ax, scene.colours, widest, at_top=True)
    last = max(len(shown) - 1, 1)

    def draw(j: int) -> np.ndarray:
        k = int(shown[j])
        if rotate:
            ax.view_init(elev=ELEVATION, azim=AZIMUTH + rotate * j / last)
            canvas.draw()  # the surface seen from the new angle; the paths are drawn below
        else:
            canvas.restore_region(background)
        first = 0 if fmt == "png" else int(shown[max(0, j - tail)])
        for p, cross, line, head, mark in zip(
            scene.paths, scene.crosses, scene.tails, scene.heads, scene.marks
        ):
            seg = p[first : k + 1]
            line.set_data_3d(seg[:, 0], seg[:, 1], seg[:, 2])
            ax.draw_artist(line)
            if cross is not None and k >= cross:
                mark.set_data_3d(*p[k][:, None])
                ax.draw_artist(mark)
            else:
                head.set_data_3d(*p[k][:, None])
                ax.draw_artist(head)
        frame = np.asarray(canvas.buffer_rgba())
        counter.paint(frame, f"{words['step']} {k}")
        return frame

    return draw
