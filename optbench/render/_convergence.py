"""The convergence plot: loss above the minimum, distance to the nearest minimum, gradient norm."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from optbench._io import check_path, save_figure
from optbench.render._style import (
    at_floor,
    check_trajectories,
    linear_threshold,
    localize,
    log_axis,
    path_style,
    style,
    symlog_axis,
    zero_floor,
)

# A diverged run's values more than this many times the race's scale (see ``_race_range``) are
# its runaway tail: drawn, but off the edge of a symmetric-log loss axis instead of setting it.
TAIL = 100.0


def _nearest_distance(params: np.ndarray, minima: np.ndarray) -> np.ndarray:
    d = np.linalg.norm(params[:, None, :] - minima[None, :, :], axis=-1)
    return d.min(axis=1)


def _race_range(trajectories: Sequence[Any], shown: Sequence[np.ndarray]) -> tuple[float, float]:
    """The loss range a symmetric-log axis spans: every value the runs that did not diverge show,
    and each diverged run's values up to its runaway tail, which starts at its first value more
    than ``TAIL`` times the race's scale (the largest magnitude among the start losses and the
    values of the runs that did not diverge)."""
    finite = [v[np.isfinite(v)] for v in shown]
    calm = [v for t, v in zip(trajectories, finite) if t.diverged_at is None]
    scale = max([abs(v[0]) for v in finite if v.size] + [np.abs(v).max() for v in calm if v.size])
    keep = list(calm)
    for t, v in zip(trajectories, shown):
        if t.diverged_at is None:
            continue
        out = np.flatnonzero(~(np.abs(v) <= TAIL * max(scale, 1e-300)))  # nan counts as out
        v = v[: out[0]] if out.size else v
        keep.append(v[np.isfinite(v)])
    values = np.concatenate(keep) if keep else np.zeros(1)
    if not values.size:
        values = np.zeros(1)
    return float(values.min()), float(values.max())


def convergence(
    trajectories: Sequence[Any],
    path: str | Path,
    *,
    surface: Any = None,
    eta_max: float | None = None,
    theme: str = "light",
    lang: str = "en",
    title: str | None = None,
    size: int = 600,
) -> Path:
    """Plot how each run converges; write a PNG to ``path`` and return it.

    Panels: the loss above the known minimum on a log axis (the raw loss where the minimum is
    unknown), the distance to the nearest known minimum (when the surface has minima), and the
    gradient norm. A diverged run ends with a cross at its divergence step. ``eta_max`` (from
    ``optbench.analysis.lr_limits``) is noted beside plain gradient-descent runs.

    Log axes that show an exact zero (or a loss at or below the known minimum) start at a floor
    one decade below the decade of the smallest positive value shown; the zeros are drawn on it
    and it is labelled "0". A raw loss that goes below zero gets a symmetric log axis (linear
    within the power of ten at or below the largest start loss) whose range is set by the runs
    that did not diverge and by each diverged run up to its runaway tail (values beyond ``TAIL``
    times the race's scale), which runs off the edge with its cross on the edge.
    """
    colours, words = style(theme, lang)
    trajectories = check_trajectories(trajectories, "plot", points=False)
    check_path(path, (".png",))
    minima = None if surface is None else np.asarray(surface.minima)
    min_value = None if surface is None else surface.min_value
    have_dist = (
        minima is not None and len(minima) > 0 and all(np.ndim(t.params) == 2 for t in trajectories)
    )
    n = 3 if have_dist else 2
    size = max(size, 600)
    fig = Figure(
        figsize=(size / 100 * n * 0.75, size / 100 * 0.62),
        dpi=100,
        facecolor=colours["bg"],
        layout="constrained",
    )
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, n)
    # what each panel shows of each run: up to and including its divergence step
    shown: list[list[np.ndarray]] = [[] for _ in range(n)]
    ends = []
    for t in trajectories:
        end = t.shown
        ends.append(end)
        loss = np.asarray(t.loss, dtype=float)
        shown[0].append((loss - min_value if min_value is not None else loss)[:end])
        if have_dist:
            shown[1].append(_nearest_distance(np.asarray(t.params, dtype=float), minima)[:end])
        shown[-1].append(np.asarray(t.grad_norm, dtype=float)[:end])
    # the loss panel goes symmetric-log when losses of unknown minimum go below zero
    first = np.concatenate(shown[0])
    symmetric = min_value is None and bool(np.any(first[np.isfinite(first)] < 0))
    floors = [
        None if (k == 0 and symmetric) else zero_floor(np.concatenate(shown[k])) for k in range(n)
    ]
    for i, t in enumerate(trajectories):
        colour, dash, _ = path_style(colours, i)
        label = localize(t.label, lang)
        if eta_max is not None and t.stepper == "sgd":
            label += "  (" + words["eta_max"].format(v=eta_max) + ")"
        steps = np.arange(ends[i])
        for k, ax in enumerate(axes):
            y = at_floor(shown[k][i], floors[k])
            m = len(y)
            # a curve lying on a zero floor is the bottom edge: draw it over the frame, unclipped
            on_floor = floors[k] is not None
            ax.plot(
                steps[:m],
                y,
                color=colour,
                ls=dash,
                lw=1.6 * colours["lw"] / 2,
                label=label if k == 0 else None,
                zorder=3,
                clip_on=not on_floor,
            )
            if t.diverged_at is not None and m > 0:
                ax.plot(
                    steps[m - 1],
                    y[m - 1],
                    "x",
                    color=colour,
                    ms=10,
                    mew=2.5,
                    zorder=3.1,
                    clip_on=not on_floor,
                )
    axes[0].set_ylabel(words["loss_gap"] if min_value is not None else words["loss"])
    if symmetric:
        lo, hi = _race_range(trajectories, shown[0])
        starts = [v[0] for v in shown[0] if len(v)]
        symlog_axis(axes[0], lo, hi, linear_threshold(first, starts))
        bottom, top = axes[0].get_ylim()
        for line in axes[0].get_lines():  # a cross beyond the range sits on the edge
            if line.get_marker() == "x":
                line.set_ydata(np.clip(line.get_ydata(), bottom, top))
    for k, ax in enumerate(axes):
        if not (k == 0 and symmetric):
            log_axis(ax, np.concatenate(shown[k]))
    if have_dist:
        axes[1].set_ylabel(words["distance"])
    axes[-1].set_ylabel(words["grad"])
    for ax in axes:
        ax.set_xlabel(words["step"])
        ax.set_facecolor(colours["bg"])
        ax.tick_params(colors=colours["fg"], labelsize=8)
        ax.xaxis.label.set_color(colours["fg"])
        ax.yaxis.label.set_color(colours["fg"])
        ax.grid(alpha=0.3)
        for spine in ax.spines.values():
            spine.set_color(colours["fg"])
    axes[0].legend(fontsize=7, facecolor=colours["bg"], labelcolor=colours["fg"])
    if title:
        fig.suptitle(title, color=colours["fg"])
    return save_figure(fig, path)
