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

from optbench._errors import OptbenchError
from optbench._io import check_path, save_figure
from optbench._state import state_views
from optbench.render._style import check_trajectories, path_style, style

DASHES = ("-", "--", ":", "-.")


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
        end = len(t.loss) if t.diverged_at is None else min(t.diverged_at + 1, len(t.loss))
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
                    label=names[k] if k < len(names) else f"x{k + 1}",
                )
                if t.diverged_at is not None and end > 0:
                    ax.plot(steps[-1], y[-1], "x", color=colour, ms=8, mew=2)
            if view.log:
                ax.set_yscale("log")
            ax.set_title(f"{t.label}: {view.name}", color=colours["fg"], fontsize=8)
            ax.set_xlabel(words["step"])
            ax.set_facecolor(colours["bg"])
            ax.tick_params(which="both", colors=colours["fg"], labelsize=7)
            ax.xaxis.label.set_color(colours["fg"])
            ax.grid(alpha=0.3)
            for spine in ax.spines.values():
                spine.set_color(colours["fg"])
            ax.legend(fontsize=7, facecolor=colours["bg"], labelcolor=colours["fg"])
    if title:
        fig.suptitle(title, color=colours["fg"])
    return save_figure(fig, path)
