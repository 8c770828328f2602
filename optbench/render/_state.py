"""The optimizer's own state against the step: one row per run, one panel per quantity.

The quantities are :func:`optbench._state.state_views` of runs recorded with
``record_state=True`` (Adam's effective step with and without bias correction, the momentum
buffer, Rprop's step sizes on a log axis, RMSProp's square root of its average, the state arrays
of any other stepper). Each coordinate is its own line, told apart by its dash as well as its
colour; the run's colour is the one its path has in the race. Never imports JAX.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from optbench._errors import OptbenchError
from optbench._io import check_path, save_figure
from optbench._state import state_views
from optbench.render._style import check_trajectories, localize, path_style, style

DASHES = ("-", "--", ":", "-.")


def _dress(ax: Any, title: str, size: float, colours: dict, words: dict[str, str]) -> None:
    """A state panel's title, step axis, ground, ticks, grid and frame in the theme; type of
    ``size`` points (ticks one point smaller)."""
    ax.set_title(title, color=colours["fg"], fontsize=size)
    ax.set_xlabel(words["step"], color=colours["fg"], fontsize=size, labelpad=1)
    ax.set_facecolor(colours["bg"])
    ax.tick_params(which="both", colors=colours["fg"], labelsize=size - 1)
    ax.grid(alpha=0.3)
    for spine in ax.spines.values():
        spine.set_color(colours["fg"])


def view_name(view: Any, words: dict[str, str]) -> str:
    """A quantity's name in the picture's language (its formula unchanged)."""
    name = view.name
    for key, english in (
        ("buffer", "momentum buffer"),
        ("step_size", "step size"),
        ("no_bias", "no bias correction"),
    ):
        name = name.replace(english, words[key])
    return name


def coordinate_names(d: int, words: dict[str, str]) -> list[str]:
    """x and y for a plane, x1 ... xd beyond."""
    return [words["x"], words["y"]] if d == 2 else [f"x{i + 1}" for i in range(d)]


def state_plot(
    trajectories: Sequence[Any],
    path: str | Path,
    *,
    theme: str = "light",
    lang: str = "en",
    title: str | None = None,
) -> Path:
    """Draw each run's state quantities against the step into a PNG at ``path``; return it.

    Every run must have been recorded with ``record_state=True`` (``optbench.run`` or
    ``optbench.race``). A diverged run's lines end at its divergence step, with a cross.
    """
    colours, words = style(theme, lang)
    trajectories = check_trajectories(trajectories, "plot the state of", points=True)
    check_path(path, (".png",))
    rows = _rows(trajectories)
    cols = max(len(v) for _, _, v in rows)
    fig = Figure(
        figsize=(4.2 * cols, 2.6 * len(rows)),
        dpi=100,
        facecolor=colours["bg"],
        layout="constrained",
    )
    FigureCanvasAgg(fig)
    axes = np.atleast_2d(fig.subplots(len(rows), cols, squeeze=False))
    for r, (i, t, views) in enumerate(rows):
        colour = path_style(colours, i)[0]
        end = t.shown
        names = coordinate_names(np.shape(t.params)[1], words)
        for c in range(cols):
            ax = axes[r, c]
            if c >= len(views):
                ax.set_visible(False)
                continue
            view = views[c]
            values = view.values[:end].reshape(end, -1)
            steps = np.arange(end)
            for k in range(values.shape[1]):
                y = np.abs(values[:, k]) if view.log else values[:, k]
                ax.plot(
                    steps,
                    y,
                    DASHES[k % len(DASHES)],
                    color=colour,
                    lw=1.4,
                    label=names[k],
                )
                if t.diverged_at is not None and end > 0:
                    ax.plot(steps[-1], y[-1], "x", color=colour, ms=8, mew=2)
            if view.log:
                ax.set_yscale("log")
            _dress(ax, f"{localize(t.label, lang)}: {view_name(view, words)}", 8, colours, words)
            ax.legend(fontsize=7, facecolor=colours["bg"], labelcolor=colours["fg"])
    if title:
        fig.suptitle(title, color=colours["fg"])
    return save_figure(fig, path)


STRIP_LEAST = 120  # pixels: the least height of the state strip under an animation


def state_frames(
    trajectories: Sequence[Any],
    shown: np.ndarray,
    *,
    size: tuple[int, int],
    theme: str = "light",
    lang: str = "en",
) -> Any:
    """``draw(j)``: the state strip of an animation at frame ``j`` (RGBA, the canvas's buffer): for
    each run that keeps a state, its first quantity (Adam's bias-corrected step, the momentum
    buffer, Rprop's step sizes, ...) against the step, drawn up to step ``shown[j]``, one panel
    a run side by side. The axes, titles and labels are drawn once; each frame draws only the
    lines."""
    colours, words = style(theme, lang)
    rows = _rows(trajectories)
    width, height = size
    fig = Figure(figsize=(width / 100, height / 100), dpi=100, facecolor=colours["bg"])
    canvas = FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(1, len(rows), squeeze=False).ravel())
    w, h = width / 100, height / 100
    left, gap = 0.55, 0.55
    axis_w = (w - left - 0.1 - (len(rows) - 1) * gap) / len(rows)
    if axis_w < 0.6:
        raise OptbenchError(
            f"`size` ({width} pixels wide) leaves no room for the state of {len(rows)} steppers "
            f"side by side: give at least {round(100 * (left + 0.1 + len(rows) * 1.15))} pixels."
        )
    fig.subplots_adjust(
        left=left / w, right=1 - 0.1 / w, bottom=0.4 / h, top=1 - 0.28 / h, wspace=gap / axis_w
    )
    moving = []
    for ax, (i, t, views) in zip(axes, rows):
        view = views[0]
        colour = path_style(colours, i)[0]
        end = t.shown
        values = view.values[:end].reshape(end, -1)
        values = np.abs(values) if view.log else values
        finite = values[np.isfinite(values) & ((values > 0) if view.log else True)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        if view.log:
            ax.set_yscale("log")
            ax.set_ylim(lo / 1.5, hi * 1.5)
        else:
            pad = 0.08 * (hi - lo) if hi > lo else 1.0
            ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlim(0, len(t.loss) - 1)
        names = coordinate_names(values.shape[1], words)
        lines = [
            ax.plot(
                [],
                [],
                DASHES[k % len(DASHES)],
                color=colour,
                lw=1.3,
                animated=True,
                label=names[k],
            )[0]
            for k in range(values.shape[1])
        ]
        _dress(ax, f"{localize(t.label, lang)}: {view_name(view, words)}", 7, colours, words)
        if values.shape[1] <= 4:
            handles = [Line2D([], [], ls=line.get_linestyle(), color=colour) for line in lines]
            ax.legend(
                handles,
                names[: len(lines)],
                fontsize=6,
                loc="upper right",
                facecolor=colours["bg"],
                labelcolor=colours["fg"],
            )
        moving.append((ax, lines, values))
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)

    def draw(j: int) -> np.ndarray:
        k = int(shown[j])
        canvas.restore_region(background)
        for ax, lines, values in moving:
            upto = min(k + 1, len(values))
            for c, line in enumerate(lines):
                line.set_data(np.arange(upto), values[:upto, c])
                ax.draw_artist(line)
        return np.asarray(canvas.buffer_rgba())

    draw.fig, draw.panels = fig, moving  # what tests map data to pixels with
    return draw


def _rows(trajectories: Sequence[Any]) -> list[tuple[int, Any, list]]:
    """``(index, run, views)`` of each run with a state to draw; one sentence when a run kept no
    state or none has a quantity to draw."""
    for i, t in enumerate(trajectories):
        if getattr(t, "state", None) is None:
            raise OptbenchError(
                f"`trajectories[{i}]` ({t.label!r}) has no recorded state: run it with "
                "record_state=True (optbench.run, optbench.race) or --show state."
            )
    rows = [(i, t, state_views(t)) for i, t in enumerate(trajectories)]
    rows = [r for r in rows if r[2]]
    if not rows:
        raise OptbenchError(
            "none of the runs keeps a state array of its parameters' shape (plain SGD keeps only "
            "its step count): there is no state to draw."
        )
    return rows
