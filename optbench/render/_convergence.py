"""The convergence plot: loss above the minimum, distance to the nearest minimum, gradient norm."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from optbench._errors import OptbenchError
from optbench._io import save_figure
from optbench.render._style import style

_TINY = 1e-300


def _nearest_distance(params: np.ndarray, minima: np.ndarray) -> np.ndarray:
    d = np.linalg.norm(params[:, None, :] - minima[None, :, :], axis=-1)
    return d.min(axis=1)


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
    """
    colours, words = style(theme, lang)
    if not trajectories:
        raise OptbenchError("`trajectories` is empty; give at least one trajectory to plot.")
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
    for i, t in enumerate(trajectories):
        colour = colours["paths"][i % len(colours["paths"])]
        label = t.label
        if eta_max is not None and t.stepper == "sgd":
            label += "  (" + words["eta_max"].format(v=eta_max) + ")"
        steps = np.arange(len(t.loss))
        end = len(t.loss) if t.diverged_at is None else min(t.diverged_at + 1, len(t.loss))
        loss = np.asarray(t.loss, dtype=float)
        gap = loss - min_value if min_value is not None else loss
        positive = min_value is not None or np.all(loss[:end] > 0)
        y0 = np.maximum(gap, _TINY) if positive else gap
        curves = [(axes[0], y0)]
        if have_dist:
            curves.append(
                (axes[1], np.maximum(_nearest_distance(np.asarray(t.params), minima), _TINY))
            )
        curves.append((axes[-1], np.maximum(np.asarray(t.grad_norm, dtype=float), _TINY)))
        for ax, y in curves:
            m = min(end, len(y))
            ax.plot(steps[:m], y[:m], color=colour, lw=1.6, label=label if ax is axes[0] else None)
            if t.diverged_at is not None and m > 0:
                ax.plot(steps[m - 1], y[m - 1], "x", color=colour, ms=10, mew=2.5)
    axes[0].set_ylabel(words["loss_gap"] if min_value is not None else words["loss"])
    if min_value is not None or all(np.all(np.asarray(t.loss) > 0) for t in trajectories):
        axes[0].set_yscale("log")
    if have_dist:
        axes[1].set_ylabel(words["distance"])
        axes[1].set_yscale("log")
    axes[-1].set_ylabel(words["grad"])
    axes[-1].set_yscale("log")
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
